"""API shapes of party branches, volunteers and activities (DESIGN.md §6)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.permissions import mask_phone
from volunteers.models import Activity, PartyBranch, Volunteer
from volunteers.permissions import can_see_volunteer_phone


class PartyBranchSerializer(serializers.ModelSerializer):
    community = serializers.SerializerMethodField(help_text="The community the branch is paired with now.")
    members = serializers.IntegerField(source="member_count", read_only=True)

    class Meta:
        model = PartyBranch
        fields = ["id", "name", "organisation", "secretary", "community", "members"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_community(self, branch: PartyBranch) -> int | None:
        current = [pairing for pairing in branch.pairings.all() if pairing.ends_on is None]
        return current[0].community_id if current else None


class VolunteerSerializer(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField(help_text="Masked except for the staff of the volunteer's street.")

    class Meta:
        model = Volunteer
        fields = ["id", "name", "phone", "community", "is_party_member", "branch", "skills", "joined_on"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_phone(self, volunteer: Volunteer) -> str:
        user = self.context["request"].user
        return volunteer.phone if can_see_volunteer_phone(user, volunteer) else mask_phone(volunteer.phone)


class ParticipantSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField(source="volunteer_id")
    hours = serializers.DecimalField(max_digits=4, decimal_places=1)


class ActivitySerializer(serializers.ModelSerializer):
    date = serializers.SerializerMethodField()
    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    participants = ParticipantSerializer(source="participations", many=True, read_only=True)
    tally = serializers.SerializerMethodField(help_text="{metric code: quantity} of the work done.")

    class Meta:
        model = Activity
        fields = [
            "id",
            "title",
            "date",
            "starts_at",
            "ends_at",
            "community",
            "campaign",
            "branch",
            "description",
            "participants",
            "tally",
        ]

    @extend_schema_field(OpenApiTypes.DATE)
    def get_date(self, activity: Activity):
        return timezone.localdate(activity.starts_at)

    @extend_schema_field(serializers.DictField(child=serializers.DecimalField(max_digits=12, decimal_places=2)))
    def get_tally(self, activity: Activity) -> dict[str, str]:
        totals: dict[str, Decimal] = {}
        for entry in activity.tally_entries.all():
            if entry.voided_at is None:
                totals[entry.metric.code] = totals.get(entry.metric.code, Decimal(0)) + entry.quantity
        return {code: str(quantity) for code, quantity in totals.items()}
