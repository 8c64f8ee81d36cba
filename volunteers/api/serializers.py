"""API shapes of party branches, volunteers, activities and leaderboards (DESIGN.md §6).

Parsing and shaping only: who may do what is in volunteers/permissions.py, the rules of a change in
volunteers/services.py. Write serializers turn codes, ids and numbers into objects (refusing unknown
ones with a field message) and hand the services their arguments.
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import Campaign, Case, Metric
from communities.models import Community, Street
from core.filters import DAY_RANGE, FIRST_DAY, LAST_DAY
from volunteers.choices import PairingKind
from volunteers.models import Activity, BranchPairing, PartyBranch, Volunteer
from volunteers.permissions import volunteer_phone_for
from volunteers.queries import BRANCH_ORDERINGS, Period

# The most participants one request may list (a weekend clean-up has dozens; imports take more).
MAX_PARTICIPANTS = 500
MAX_CASES = 100
# The largest id a (64-bit) primary key holds: a bigger number is refused, not sent to the database.
MAX_ID = 2**63 - 1


def _current_pairing(branch: PartyBranch) -> BranchPairing | None:
    # `current_pairings` is prefetched by queries.branch_rows(); without it, one query.
    current = getattr(branch, "current_pairings", None)
    if current is None:
        current = list(branch.pairings.filter(ends_on__isnull=True).select_related("community"))
    return current[0] if current else None


class PartyBranchSerializer(serializers.ModelSerializer):
    """A branch with the community it is paired with now (null between pairings)."""

    community = serializers.SerializerMethodField(help_text="The id of the community the branch is paired with now.")
    community_name = serializers.SerializerMethodField()
    paired_since = serializers.SerializerMethodField(help_text="The day the current pairing began.")
    members = serializers.IntegerField(source="member_count", read_only=True, help_text="Party members of the branch.")
    volunteers = serializers.IntegerField(
        source="volunteer_members", read_only=True, default=0, help_text="Members registered as volunteers."
    )
    activities = serializers.IntegerField(
        source="activities_count", read_only=True, default=0, help_text="Activities the branch organised."
    )

    class Meta:
        model = PartyBranch
        fields = [
            "id",
            "name",
            "organisation",
            "secretary",
            "community",
            "community_name",
            "paired_since",
            "members",
            "volunteers",
            "activities",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_community(self, branch: PartyBranch) -> int | None:
        pairing = _current_pairing(branch)
        return pairing.community_id if pairing else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_community_name(self, branch: PartyBranch) -> str | None:
        pairing = _current_pairing(branch)
        return pairing.community.name if pairing else None

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_paired_since(self, branch: PartyBranch) -> datetime.date | None:
        pairing = _current_pairing(branch)
        return pairing.starts_on if pairing else None


class PairingSerializer(serializers.ModelSerializer):
    """One period of a branch's pairing with a community (ends_on null while it lasts)."""

    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = BranchPairing
        fields = ["id", "branch", "community", "community_name", "kind", "starts_on", "ends_on"]


class PairSerializer(serializers.Serializer):
    """Pair the branch with a community from a day; the current pairings of both end the day before."""

    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.all())
    starts_on = serializers.DateField(validators=DAY_RANGE)
    kind = serializers.ChoiceField(choices=PairingKind.choices, default=PairingKind.POINT_TO_POINT)

    def service_kwargs(self) -> dict[str, Any]:
        """The arguments of services.move_pairing (besides the user and the branch)."""
        return dict(self.validated_data)


# --- volunteers -----------------------------------------------------------------------------------


class VolunteerSerializer(serializers.ModelSerializer):
    """A volunteer; the phone is whole only for the staff of the volunteer's street (DESIGN.md §4)."""

    phone = serializers.SerializerMethodField(help_text="Masked (138****1234) except for the volunteer's street staff.")
    activities = serializers.IntegerField(source="activities_count", read_only=True, default=0)
    hours = serializers.DecimalField(max_digits=10, decimal_places=1, read_only=True, default=Decimal("0"))

    class Meta:
        model = Volunteer
        fields = [
            "id",
            "name",
            "phone",
            "community",
            "is_party_member",
            "branch",
            "skills",
            "joined_on",
            "activities",
            "hours",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_phone(self, volunteer: Volunteer) -> str:
        user = self.context["request"].user
        return volunteer_phone_for(user, volunteer)


class VolunteerWriteSerializer(serializers.Serializer):
    """Register a volunteer (name, phone and community required) or change some of their fields (PATCH)."""

    name = serializers.CharField(max_length=30)
    phone = serializers.CharField(max_length=20, help_text="The whole mobile number, e.g. 13812341234.")
    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.select_related("street"))
    is_party_member = serializers.BooleanField(required=False, default=False)
    branch = serializers.PrimaryKeyRelatedField(
        queryset=PartyBranch.objects.all(),
        required=False,
        allow_null=True,
        help_text="The party branch of a party member (ignored for others).",
    )
    skills = serializers.CharField(max_length=200, required=False, allow_blank=True)
    joined_on = serializers.DateField(required=False, allow_null=True, validators=DAY_RANGE)

    def service_data(self) -> dict[str, Any]:
        """The fields given, as services.save_volunteer takes them."""
        return dict(self.validated_data)


# --- activities -----------------------------------------------------------------------------------


class ParticipantSerializer(serializers.Serializer):
    """A volunteer's part in an activity: who, and the hours credited."""

    volunteer = serializers.IntegerField(source="volunteer_id", min_value=1, max_value=MAX_ID)
    hours = serializers.DecimalField(max_digits=4, decimal_places=1, help_text="In half hours, e.g. 2.5.")


class ParticipantListSerializer(serializers.Serializer):
    """A list of participants, each volunteer once; ids resolved to volunteers in one query."""

    participants = ParticipantSerializer(many=True, allow_empty=False, max_length=MAX_PARTICIPANTS)

    def validate_participants(self, rows: list[dict]) -> list[tuple[Volunteer, Decimal]]:
        return resolve_participants(rows)

    def participant_pairs(self) -> list[tuple[Volunteer, Decimal]]:
        """(volunteer, hours) pairs for services.add_participants."""
        return self.validated_data["participants"]


def resolve_participants(rows: list[dict]) -> list[tuple[Volunteer, Decimal]]:
    """Participant rows as (volunteer, hours); an unknown or repeated volunteer is refused."""
    ids = [row["volunteer_id"] for row in rows]
    repeated = sorted(pk for pk, times in Counter(ids).items() if times > 1)
    if repeated:
        raise serializers.ValidationError(
            ngettext(
                "Volunteer %(ids)s is listed more than once.",
                "Volunteers %(ids)s are listed more than once.",
                len(repeated),
            )
            % {"ids": ", ".join(map(str, repeated))}
        )
    volunteers = Volunteer.objects.in_bulk(ids)
    unknown = [str(pk) for pk in ids if pk not in volunteers]
    if unknown:
        raise serializers.ValidationError(
            ngettext("There is no volunteer %(ids)s.", "There are no volunteers %(ids)s.", len(unknown))
            % {"ids": ", ".join(unknown)}
        )
    return [(volunteers[row["volunteer_id"]], row["hours"]) for row in rows]


class ActivitySerializer(serializers.ModelSerializer):
    """An activity with its participants, its outcomes (tally) and the cases it resolved."""

    date = serializers.SerializerMethodField(help_text="The day of the activity, in the district's time.")
    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    participants = ParticipantSerializer(source="participations", many=True, read_only=True)
    tally = serializers.SerializerMethodField(help_text="{metric code: quantity} of the work done.")
    cases = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    people = serializers.IntegerField(read_only=True, default=0, help_text="How many volunteers took part.")
    hours = serializers.DecimalField(
        max_digits=10, decimal_places=1, read_only=True, default=Decimal("0"), help_text="Hours of all participants."
    )

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
            "cases",
            "people",
            "hours",
        ]

    @extend_schema_field(OpenApiTypes.DATE)
    def get_date(self, activity: Activity) -> datetime.date:
        return activity.date

    @extend_schema_field(serializers.DictField(child=serializers.DecimalField(max_digits=12, decimal_places=2)))
    def get_tally(self, activity: Activity) -> dict[str, str]:
        totals: dict[str, Decimal] = {}
        for entry in activity.tally_entries.all():
            if entry.voided_at is None:
                totals[entry.metric.code] = totals.get(entry.metric.code, Decimal(0)) + entry.quantity
        return {code: str(quantity) for code, quantity in totals.items()}


TIME_HELP = "ISO 8601 with an offset, e.g. 2026-11-29T08:30:00+08:00."


def _in_range(value: datetime.datetime) -> None:
    # Years far from the drive would overflow the local-day arithmetic; no activity happens then.
    day = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if not FIRST_DAY <= day <= LAST_DAY:
        raise serializers.ValidationError(_("Choose a time between 2000 and 2099."))


class ActivityWriteSerializer(serializers.Serializer):
    """Record an activity (POST: title, starts_at, ends_at, community and campaign required) or correct one (PATCH)."""

    title = serializers.CharField(max_length=120)
    starts_at = serializers.DateTimeField(help_text=TIME_HELP, validators=[_in_range])
    ends_at = serializers.DateTimeField(help_text=TIME_HELP, validators=[_in_range])
    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.select_related("street"))
    campaign = serializers.SlugRelatedField(slug_field="slug", queryset=Campaign.objects.all())
    branch = serializers.PrimaryKeyRelatedField(
        queryset=PartyBranch.objects.all(),
        required=False,
        allow_null=True,
        help_text="The organising branch; by default the branch paired with the community on the day.",
    )
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    participants = ParticipantSerializer(
        many=True,
        required=False,
        max_length=MAX_PARTICIPANTS,
        help_text="Volunteers and their hours; on PATCH, listed volunteers are added or their hours replaced.",
    )
    tally = serializers.DictField(
        child=serializers.DecimalField(max_digits=12, decimal_places=2),
        required=False,
        help_text="The outcomes as {metric code: quantity}; on PATCH it replaces the activity's tally.",
    )
    cases = serializers.ListField(
        child=serializers.CharField(max_length=30),
        required=False,
        max_length=MAX_CASES,
        help_text="Numbers of the resolved or closed cases of the community the activity dealt with.",
    )

    def validate_participants(self, rows: list[dict]) -> list[tuple[Volunteer, Decimal]]:
        return resolve_participants(rows)

    def validate_tally(self, tally: dict[str, Decimal]) -> dict[Metric, Decimal]:
        # Matched in Python against the few metrics: a key is any text (even a NUL, which PostgreSQL refuses).
        metrics = {metric.code: metric for metric in Metric.objects.all()}
        unknown = sorted(code for code in tally if code not in metrics)
        if unknown:
            raise serializers.ValidationError(
                ngettext("There is no metric %(codes)s.", "There are no metrics %(codes)s.", len(unknown))
                % {"codes": ", ".join(unknown)}
            )
        return {metrics[code]: quantity for code, quantity in tally.items()}

    def validate_cases(self, numbers: list[str]) -> list[Case]:
        wanted = list(dict.fromkeys(number.strip().upper() for number in numbers))
        cases = Case.objects.in_bulk(wanted, field_name="number")
        unknown = [number for number in wanted if number not in cases]
        if unknown:
            raise serializers.ValidationError(
                ngettext("There is no case %(numbers)s.", "There are no cases %(numbers)s.", len(unknown))
                % {"numbers": ", ".join(unknown)}
            )
        return [cases[number] for number in wanted]

    def activity_kwargs(self, activity: Activity | None = None) -> dict[str, Any]:
        """services.save_activity's keyword arguments: the fields given, the activity's own for the rest."""
        data = self.validated_data
        if activity is None:
            current: dict[str, Any] = {"branch": None, "description": "", "tally": {}, "cases": []}
        else:
            current = {
                "title": activity.title,
                "starts_at": activity.starts_at,
                "ends_at": activity.ends_at,
                "community": activity.community,
                "campaign": activity.campaign,
                # Moved to another community without a branch given: that community's paired branch.
                "branch": activity.branch if "community" not in data else None,
                "description": activity.description,
                "tally": {
                    entry.metric: entry.quantity for entry in activity.tally_entries.counted().select_related("metric")
                },
                "cases": list(activity.cases.all()),
            }
        names = ("title", "starts_at", "ends_at", "community", "campaign", "branch", "description", "tally", "cases")
        return {name: data[name] if name in data else current[name] for name in names}

    def participant_pairs(self) -> list[tuple[Volunteer, Decimal]]:
        """(volunteer, hours) pairs given, for services.add_participants (empty when none were)."""
        return self.validated_data.get("participants", [])


# --- leaderboards ---------------------------------------------------------------------------------


class LeaderboardQuerySerializer(serializers.Serializer):
    """A leaderboard's parameters: the period (days, either end open) and a street."""

    date_from = serializers.DateField(required=False, validators=DAY_RANGE, help_text="First day (inclusive).")
    date_to = serializers.DateField(required=False, validators=DAY_RANGE, help_text="Last day (inclusive).")
    street = serializers.PrimaryKeyRelatedField(queryset=Street.objects.all(), required=False)

    def validate(self, attrs: dict) -> dict:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and end < start:
            raise serializers.ValidationError({"date_to": [_("The last day comes before the first.")]})
        return attrs

    def period(self) -> Period:
        """The period asked for."""
        return Period(start=self.validated_data.get("date_from"), end=self.validated_data.get("date_to"))

    def street_or_none(self) -> Street | None:
        """The street asked for, or None for the whole district."""
        return self.validated_data.get("street")


class BranchLeaderboardQuerySerializer(LeaderboardQuerySerializer):
    order_by = serializers.ChoiceField(choices=BRANCH_ORDERINGS, default="hours", help_text="What ranks the branches.")


class BranchRankSerializer(serializers.Serializer):
    """A branch's place on the leaderboard (ties share a rank)."""

    rank = serializers.IntegerField()
    id = serializers.IntegerField(source="branch.pk")
    name = serializers.CharField(source="branch.name")
    community = serializers.IntegerField(source="community.pk", allow_null=True, default=None)
    community_name = serializers.CharField(source="community.name", allow_null=True, default=None)
    activities = serializers.IntegerField()
    people_times = serializers.IntegerField(help_text="Participations: one person at one activity counts once.")
    hours = serializers.DecimalField(max_digits=10, decimal_places=1)


class VolunteerRankSerializer(serializers.ModelSerializer):
    """A volunteer's place by hours (ties share a rank); no phone."""

    rank = serializers.IntegerField(read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    activities = serializers.IntegerField(source="activities_count", read_only=True)
    hours = serializers.DecimalField(max_digits=10, decimal_places=1, read_only=True)

    class Meta:
        model = Volunteer
        fields = ["rank", "id", "name", "community", "community_name", "branch", "activities", "hours"]
