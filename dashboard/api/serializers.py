"""The dashboard's figures as the API answers them (GET /api/v1/dashboard/, DESIGN.md §6)."""

from __future__ import annotations

from rest_framework import serializers

from dashboard.queries import COUNTS


def _figure_fields() -> dict[str, serializers.Field]:
    counts = {name: serializers.IntegerField() for name in ("intake", "open", "closed", "overdue", "escalated")}
    counts["supervised"] = serializers.IntegerField(
        help_text="Cases filed in the period under supervision (督办): by a leader, or escalated by the system."
    )
    counts["deferred"] = serializers.IntegerField(
        help_text="Cases filed in the period and deferred now (缓办/挂账); they are not due (应结案) while deferred."
    )
    rates = {
        name: serializers.FloatField(allow_null=True, help_text="A fraction 0–1; null where nothing is due.")
        for name in (
            "closure_rate",
            "on_time_closure_rate",
            "on_time_report_in_rate",
            "rework_rate",
            "satisfaction_rate",
        )
    }
    means = {
        "mean_report_in_minutes": serializers.FloatField(allow_null=True),
        "mean_resolve_hours": serializers.FloatField(allow_null=True),
    }
    # The counts the rates divide ("n of m"); each is a case set the case list filters by (`figure=`).
    behind = {
        name: serializers.IntegerField(help_text=f"Cases (summonses for report_in_*) in the set `figure={name}`.")
        for name in COUNTS
    }
    return counts | rates | means | behind


class CampaignFiguresSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()

    def get_fields(self):
        return super().get_fields() | _figure_fields()


class TallyTotalSerializer(serializers.Serializer):
    metric = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)


class MobilisationSerializer(serializers.Serializer):
    branches = serializers.IntegerField(help_text="Party branches that organised activities.")
    volunteers = serializers.IntegerField(help_text="Volunteers who took part.")
    activities = serializers.IntegerField()
    people_times = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=12, decimal_places=1, coerce_to_string=False)


class DashboardSerializer(serializers.Serializer):
    """The figures of DESIGN.md §6 (dashboard/queries.py computes them for the page too)."""

    campaigns = CampaignFiguresSerializer(many=True)
    tally = TallyTotalSerializer(many=True)
    mobilisation = MobilisationSerializer()

    def get_fields(self):
        return _figure_fields() | super().get_fields()


class EvaluationUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class EvaluationRuleSerializer(serializers.Serializer):
    """One rule applied to the unit: the counts it used, the rate (percent) and the points."""

    label = serializers.CharField()
    method = serializers.ChoiceField(choices=["rate", "deduction"])
    numerator = serializers.CharField(help_text="The count (a `figure=` case set, or `deferred`).")
    numerator_count = serializers.IntegerField()
    denominator = serializers.CharField(allow_null=True)
    denominator_minus = serializers.CharField(allow_null=True)
    denominator_count = serializers.IntegerField(allow_null=True, help_text="The denominator less what it takes out.")
    rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True, coerce_to_string=False)
    full_points = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False)
    points = serializers.DecimalField(max_digits=7, decimal_places=2, coerce_to_string=False)


class EvaluationResultSerializer(serializers.Serializer):
    unit = EvaluationUnitSerializer()
    rank = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=7, decimal_places=2, coerce_to_string=False)
    figures = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="The unit's dashboard figures and counts for the month (as in GET /api/v1/dashboard/).",
    )
    formula_version = serializers.IntegerField()
    rules = EvaluationRuleSerializer(many=True)


class EvaluationSerializer(serializers.Serializer):
    """A month's evaluation (DESIGN.md §11): published (frozen) or a draft scored with the latest rules."""

    period = serializers.CharField(help_text="YYYY-MM")
    kind = serializers.ChoiceField(choices=["department", "street"])
    status = serializers.ChoiceField(choices=["draft", "published"])
    formula_version = serializers.IntegerField(allow_null=True, help_text="The version of the scoring rules used.")
    published_at = serializers.DateTimeField(allow_null=True)
    results = EvaluationResultSerializer(many=True)
