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
