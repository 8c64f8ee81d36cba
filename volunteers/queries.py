"""Read-side helpers of the volunteers app: leaderboards, totals and the lists' querysets."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Prefetch, Q, QuerySet, Sum, Value, Window
from django.db.models.functions import Coalesce, Rank
from django.utils import timezone

from cases.models import TallyEntry
from communities.models import Street
from volunteers.models import Activity, BranchPairing, Participation, PartyBranch, Volunteer

HOURS = DecimalField(max_digits=10, decimal_places=1)
ZERO_HOURS = Value(Decimal("0"), output_field=HOURS)
BRANCH_ORDERINGS = ("hours", "people_times", "activities")


@dataclass(frozen=True)
class Period:
    """A leaderboard's period: activities whose local start date lies within [start, end] (either may be open)."""

    start: datetime.date | None = None
    end: datetime.date | None = None

    def bounds(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """The period as aware datetimes, [start, end), in the district's time."""
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.start, datetime.time.min, zone) if self.start else None
        end = (
            datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, zone)
            if self.end
            else None
        )
        return start, end

    def activity_q(self, prefix: str = "") -> Q:
        """The condition on activities (reached through `prefix`) that fall in the period."""
        start, end = self.bounds()
        condition = Q()
        if start is not None:
            condition &= Q(**{f"{prefix}starts_at__gte": start})
        if end is not None:
            condition &= Q(**{f"{prefix}starts_at__lt": end})
        return condition


def current_pairings() -> Prefetch:
    """Prefetch of a branch's (or community's) open pairing."""
    return Prefetch(
        "pairings",
        queryset=BranchPairing.objects.filter(ends_on__isnull=True).select_related("community__street", "branch"),
        to_attr="current_pairings",
    )


def branch_leaderboard(
    period: Period = Period(), street: Street | None = None, order_by: str = "hours"
) -> list[dict[str, Any]]:
    """Every branch with its activities, people-times and hours in the period, ranked (ties share a rank)."""
    if order_by not in BRANCH_ORDERINGS:
        order_by = "hours"
    in_period = period.activity_q("activities__")
    branches = PartyBranch.objects.all()
    if street is not None:
        # A branch counts for the street of the community it is paired with now.
        branches = branches.filter(pairings__ends_on__isnull=True, pairings__community__street=street)
    branches = branches.annotate(
        activities_count=Count("activities", filter=in_period, distinct=True),
        people_times=Count("activities__participations", filter=in_period),
        hours=Coalesce(Sum("activities__participations__hours", filter=in_period), ZERO_HOURS),
    ).prefetch_related(current_pairings())
    keys = {"hours": "hours", "people_times": "people_times", "activities": "activities_count"}
    rows = sorted(
        branches,
        key=lambda b: (-getattr(b, keys[order_by]), -b.hours, -b.people_times, -b.activities_count, b.name),
    )
    board, previous, rank = [], None, 0
    for position, branch in enumerate(rows, start=1):
        value = getattr(branch, keys[order_by])
        if value != previous:
            rank, previous = position, value
        pairing = branch.current_pairings[0] if branch.current_pairings else None
        board.append(
            {
                "rank": rank,
                "branch": branch,
                "community": pairing.community if pairing else None,
                "activities": branch.activities_count,
                "people_times": branch.people_times,
                "hours": branch.hours,
            }
        )
    return board


def volunteer_hours(period: Period = Period(), street: Street | None = None) -> QuerySet[Volunteer]:
    """Volunteers who served in the period, with their activities and hours, ranked by hours (ties share a rank)."""
    in_period = period.activity_q("participations__activity__")
    volunteers = Volunteer.objects.select_related("community__street", "branch")
    if street is not None:
        volunteers = volunteers.filter(community__street=street)
    return (
        volunteers.annotate(
            activities_count=Count("participations", filter=in_period),
            hours=Coalesce(Sum("participations__hours", filter=in_period), ZERO_HOURS),
        )
        .filter(hours__gt=0)
        .annotate(rank=Window(Rank(), order_by=F("hours").desc()))
        .order_by("-hours", "name", "pk")
    )


def volunteer_record(volunteer: Volunteer) -> dict[str, Any]:
    """A volunteer's own record: totals, rank among all volunteers, and every activity with its hours."""
    parts = list(
        Participation.objects.filter(volunteer=volunteer)
        .select_related("activity__community", "activity__campaign", "activity__branch")
        .order_by("-activity__starts_at")
    )
    hours = sum((part.hours for part in parts), Decimal("0"))
    ranked = volunteer_hours()
    rank = None
    if hours > 0:
        rank = ranked.filter(hours__gt=hours).count() + 1
    return {
        "participations": parts,
        "activities": len(parts),
        "hours": hours,
        "rank": rank,
        "ranked": ranked.count(),
    }


def activity_rows() -> QuerySet[Activity]:
    """Activities with what their lists show: place, campaign, branch, people and hours."""
    return Activity.objects.select_related("community__street", "campaign", "branch").annotate(
        people=Count("participations", distinct=True),
        hours=Coalesce(Sum("participations__hours"), ZERO_HOURS),
    )


def activity_tally(activity: Activity) -> list[TallyEntry]:
    """The activity's counted tally entries (voided ones are kept but not shown as outcomes)."""
    return list(activity.tally_entries.counted().select_related("metric").order_by("metric__order"))


def volunteer_rows() -> QuerySet[Volunteer]:
    """Volunteers with what their lists show: community, branch, activities and hours."""
    return Volunteer.objects.select_related("community__street", "branch").annotate(
        activities_count=Count("participations"),
        hours=Coalesce(Sum("participations__hours"), ZERO_HOURS),
    )


def branch_rows() -> QuerySet[PartyBranch]:
    """Branches with their current pairing, registered volunteer members and activity counts."""
    return PartyBranch.objects.annotate(
        volunteer_members=Count("volunteers", distinct=True),
        activities_count=Count("activities", distinct=True),
    ).prefetch_related(current_pairings())
