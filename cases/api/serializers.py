"""API shapes of cases and their actions (DESIGN.md §6). Parsing and shaping only: the rules are in workflow.py."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.choices import CaseSource, PhotoStage, Priority, Satisfaction
from cases.models import Assignment, Campaign, Case, CaseEvent, Category, Metric, Photo, TallyEntry
from cases.permissions import allowed_actions, lead_assignment, reporter_phone_for
from communities.models import Community, Compound, Department, FrontageUnit, Road


class AssignmentSerializer(serializers.ModelSerializer):
    """A department's part in a round: lead, assisting or copied, with its report-in times."""

    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "department",
            "department_name",
            "role",
            "whistle",
            "assigned_at",
            "report_in_due_at",
            "reported_in_at",
            "report_in_late",
            "resolved_at",
            "resolve_late",
            "finished_at",
        ]


class CaseSerializer(serializers.ModelSerializer):
    """A case as DESIGN.md §6 names its fields; the resident's phone is masked per §4."""

    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    reporter_phone = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(read_only=True)
    duplicate_of = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    lead_department = serializers.SerializerMethodField()
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, allow_blank=True, read_only=True)
    supervised = serializers.SerializerMethodField(help_text="Put under supervision (督办) by a leader.")
    deferred = serializers.BooleanField(
        source="is_deferred", read_only=True, help_text="Deferred (缓办/挂账) now: the resolve clock is stopped."
    )

    class Meta:
        model = Case
        fields = [
            "number",
            "state",
            "title",
            "description",
            "category",
            "campaign",
            "street",
            "community",
            "compound",
            "road",
            "frontage_unit",
            "address",
            "latitude",
            "longitude",
            "source",
            "priority",
            "reporter_name",
            "reporter_phone",
            "created_at",
            "updated_at",
            "dispatched_at",
            "report_in_due_at",
            "reported_in_at",
            "resolve_due_at",
            "resolved_at",
            "closed_at",
            "overdue",
            "lead_department",
            "satisfaction",
            "rework_count",
            "reopen_count",
            "extension_count",
            "extension_requested_until",
            "extension_reason",
            "duplicate_of",
            "supervised",
            "supervised_at",
            "supervision_note",
            "supervised_until",
            "deferred",
            "deferral_requested_at",
            "deferral_until",
            "deferral_reason",
            "deferral_plan",
            "deferred_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_reporter_phone(self, case: Case) -> str:
        user = self.context["request"].user
        return reporter_phone_for(user, case)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_supervised(self, case: Case) -> bool:
        return case.supervised_at is not None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_lead_department(self, case: Case) -> int | None:
        lead = lead_assignment(case)
        return lead.department_id if lead else None


class CaseDetailSerializer(CaseSerializer):
    """One case with its departments and the actions the caller may take on it now."""

    assignments = AssignmentSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField(
        help_text="The actions the caller may POST to cases/{number}/{action}/ now."
    )

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "assignments", "allowed_actions"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, case: Case) -> list[str]:
        return [action for action in allowed_actions(self.context["request"].user, case) if action != "add_photos"]


# --- writing ---------------------------------------------------------------------------------------


class CaseCreateSerializer(serializers.Serializer):
    """Intake: title, description, category (code) and the place: a community, or a compound or a road
    (a problem on a road may lie between communities: the street comes from the road)."""

    title = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.filter(is_active=True))
    community = serializers.PrimaryKeyRelatedField(
        queryset=Community.objects.all(),
        required=False,
        allow_null=True,
        help_text="Required unless a compound (its community is taken) or a road is given.",
    )
    compound = serializers.PrimaryKeyRelatedField(queryset=Compound.objects.all(), required=False, allow_null=True)
    road = serializers.PrimaryKeyRelatedField(queryset=Road.objects.all(), required=False, allow_null=True)
    frontage_unit = serializers.PrimaryKeyRelatedField(
        queryset=FrontageUnit.objects.all(), required=False, allow_null=True
    )
    campaign = serializers.SlugRelatedField(
        slug_field="slug", queryset=Campaign.objects.all(), required=False, allow_null=True
    )
    address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    source = serializers.ChoiceField(
        choices=[CaseSource.HOTLINE, CaseSource.API, CaseSource.VOLUNTEER, CaseSource.PATROL],
        required=False,
        help_text="Where the problem was reported; by default the caller's own (patrol for staff, api otherwise).",
    )
    reporter_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    reporter_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    # Dispatch at intake, named as in the dispatch action's body: a road chief blows the whistle (吹哨) at once.
    lead_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        help_text="Dispatch at once to this lead department (a road chief's dispatch is always a whistle).",
    )
    assist_departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), many=True, required=False
    )
    whistle = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Blow the whistle (吹哨) at intake; needs a road and a lead department.",
    )

    def workflow_kwargs(self) -> dict[str, Any]:
        """The arguments of workflow.create_case."""
        return {name: value for name, value in self.validated_data.items() if value is not None}


class ActionSerializer(serializers.Serializer):
    """The body of one workflow action; `workflow_kwargs()` is what the action function takes."""

    def workflow_kwargs(self) -> dict[str, Any]:
        return dict(self.validated_data)


class NoteSerializer(ActionSerializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class RequiredNoteSerializer(ActionSerializer):
    note = serializers.CharField(max_length=2000)


class ReasonSerializer(ActionSerializer):
    reason = serializers.CharField(max_length=2000)


class RejectSerializer(ReasonSerializer):
    duplicate_of = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text="The number of the case this one repeats."
    )


class DispatchSerializer(ActionSerializer):
    lead_department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    assist_departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), many=True, required=False
    )
    cc_departments = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), many=True, required=False)
    whistle = serializers.BooleanField(
        required=False, default=False, help_text="Summon with the category's short report-in window (吹哨)."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ResolveSerializer(ActionSerializer):
    note = serializers.CharField(max_length=2000, help_text="What was done.")
    tally = serializers.DictField(
        child=serializers.DecimalField(max_digits=12, decimal_places=2),
        required=False,
        help_text="Work done as {metric code: quantity}, for the metrics the category records.",
    )
    photos = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="After-photos (multipart); or upload them first to cases/{number}/photos/ with stage=after.",
    )

    def to_internal_value(self, data):
        # In a multipart body (with photos) the tally comes as a JSON text.
        tally = data.get("tally") if hasattr(data, "get") else None
        if isinstance(tally, str):
            try:
                data = {**data, "tally": json.loads(tally)}
            except (ValueError, RecursionError) as error:
                message = _('Give the quantities as JSON, e.g. {"stairwells_cleaned": 3}.')
                raise serializers.ValidationError({"tally": [message]}) from error
        return super().to_internal_value(data)


class VerifySerializer(ActionSerializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, required=False, allow_blank=True)


class RequestExtensionSerializer(ActionSerializer):
    until = serializers.DateTimeField(help_text="The new resolve deadline (ISO 8601, e.g. 2026-12-01T18:00:00+08:00).")
    reason = serializers.CharField(max_length=2000)


class ApproveExtensionSerializer(ActionSerializer):
    approve = serializers.BooleanField(required=False, default=True, help_text="false refuses the request.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="Required to refuse.")


class SuperviseSerializer(ActionSerializer):
    note = serializers.CharField(max_length=2000, help_text="What the department is to do.")
    until = serializers.DateField(required=False, allow_null=True, help_text="The date to finish by (YYYY-MM-DD).")


class RequestDeferralSerializer(ActionSerializer):
    reason = serializers.CharField(max_length=2000)
    until = serializers.DateField(help_text="The date the case comes back into the loop (YYYY-MM-DD).")
    plan = serializers.CharField(max_length=2000, help_text="The plan or project the work is deferred into.")


class DecideDeferralSerializer(ActionSerializer):
    approve = serializers.BooleanField(required=False, default=True, help_text="false refuses the request.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="Required to refuse.")


ACTION_SERIALIZERS: dict[str, type[ActionSerializer]] = {
    "accept": NoteSerializer,
    "reject": RejectSerializer,
    "dispatch": DispatchSerializer,
    "report_in": NoteSerializer,
    "send_back": ReasonSerializer,
    "resolve": ResolveSerializer,
    "verify": VerifySerializer,
    "rework": ReasonSerializer,
    "reopen": ReasonSerializer,
    "request_extension": RequestExtensionSerializer,
    "approve_extension": ApproveExtensionSerializer,
    "supervise": SuperviseSerializer,
    "request_deferral": RequestDeferralSerializer,
    "decide_deferral": DecideDeferralSerializer,
    "comment": RequiredNoteSerializer,
}


class PhotoUploadSerializer(ActionSerializer):
    """Photos of a case, as multipart: one or more files under `photos`."""

    photos = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=9)
    stage = serializers.ChoiceField(choices=PhotoStage.choices, default=PhotoStage.BEFORE)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class PhotoSerializer(serializers.ModelSerializer):
    """A photo of a case; the file is served to users who may see the case."""

    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Photo
        fields = ["id", "stage", "caption", "width", "height", "uploaded_by", "uploaded_at", "url", "thumbnail_url"]

    def get_url(self, photo: Photo) -> str:
        return self._file_url(photo, "")

    def get_thumbnail_url(self, photo: Photo) -> str:
        return self._file_url(photo, "?size=thumbnail")

    def _file_url(self, photo: Photo, query: str) -> str:
        # The API's own file URL: it takes the caller's token as well as a browser session.
        path = f"/api/v1/cases/{photo.case.number}/photos/{photo.pk}/{query}"
        return self.context["request"].build_absolute_uri(path)


class EventSerializer(serializers.ModelSerializer):
    """One entry of a case's timeline (immutable)."""

    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    photos = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "created_at", "actor", "action", "from_state", "to_state", "note", "data", "photos"]


# --- reference data ------------------------------------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer):
    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    metrics = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Category
        fields = [
            "code",
            "name",
            "campaign",
            "default_department",
            "metrics",
            "report_in_hours",
            "resolve_hours",
            "whistle_report_in_minutes",
            "clock",
            "after_photo_required",
            "is_active",
        ]


class CampaignSerializer(serializers.ModelSerializer):
    drive = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    drive_name = serializers.CharField(source="drive.name", read_only=True)

    class Meta:
        model = Campaign
        fields = ["slug", "name", "order", "drive", "drive_name", "starts_on", "ends_on", "description"]


class MetricSerializer(serializers.ModelSerializer):
    class Meta:
        model = Metric
        fields = ["code", "name", "unit"]


class TallyEntrySerializer(serializers.ModelSerializer):
    metric = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.CharField(source="metric.unit", read_only=True)
    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    case = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    voided = serializers.SerializerMethodField()

    class Meta:
        model = TallyEntry
        fields = ["id", "metric", "unit", "quantity", "date", "community", "campaign", "case", "activity", "voided"]

    def get_voided(self, entry: TallyEntry) -> bool:
        return entry.voided_at is not None
