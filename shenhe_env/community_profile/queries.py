"""Reads of the community pages, which compose several apps: the list with its counts and a community's profile.

Every figure about cases starts from the cases the user may see (cases.queries.visible_to);
branches, volunteers, activities and the tally are shown to every member of staff.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from cases.choices import OPEN_STATES, CaseState
from cases.models import Case, TallyEntry
from cases.queries import visible_to, with_overdue
from communities.models import Community
from communities.roles import AnyUser
from volunteers.models import Activity, BranchPairing, Volunteer
from volunteers.queries import activity_rows

LATEST_CASES = 10
LATEST_ACTIVITIES = 10
QUANTITY = DecimalField(max_digits=14, decimal_places=2)
ZERO_QUANTITY = Value(Decimal("0"), output_field=QUANTITY)


def _count_per_community(queryset: QuerySet) -> Coalesce:
    """A correlated count of `queryset` rows of the outer community (a subquery: joins would multiply rows)."""
    counted = (
        queryset.filter(community=OuterRef("pk"))
        .order_by()
        .values("community")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _current_pairing(field: str) -> Subquery:
    """A field of the community's open pairing (the branch paired with it now)."""
    pairing = BranchPairing.objects.filter(community=OuterRef("pk"), ends_on__isnull=True).order_by("-starts_on")
    return Subquery(pairing.values(field)[:1])


def community_rows(user: AnyUser) -> QuerySet[Community]:
    """Communities with what a list row shows, in one query whatever the number of rows.

    `branch_id`/`branch_name` (paired now), `volunteers_count`, `activities_count`, and
    `open_cases` counted among the cases the user may see. Sorted by street order, then name.
    """
    open_cases = visible_to(user, Case.objects.filter(state__in=OPEN_STATES))
    return (
        Community.objects.select_related("street")
        .annotate(
            branch_id=_current_pairing("branch_id"),
            branch_name=_current_pairing("branch__name"),
            volunteers_count=_count_per_community(Volunteer.objects.all()),
            activities_count=_count_per_community(Activity.objects.all()),
            open_cases=_count_per_community(open_cases),
        )
        .order_by("street__order", "street__name", "name", "pk")
    )


def pairing_history(community: Community) -> list[BranchPairing]:
    """Every pairing of the community, the open one first, then newest first."""
    pairings = BranchPairing.objects.filter(community=community).select_related("branch")
    return sorted(pairings, key=lambda p: (p.ends_on is not None, -p.starts_on.toordinal(), -p.pk))


def case_counts(user: AnyUser, community: Community) -> dict[str, int]:
    """Open (of which resolved and awaiting verification) and closed cases of the community the user may see."""
    return visible_to(user, Case.objects.filter(community=community)).aggregate(
        open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        awaiting_verification=Count("pk", filter=Q(state=CaseState.RESOLVED)),
        closed=Count("pk", filter=Q(state=CaseState.CLOSED)),
    )


def latest_cases(user: AnyUser, community: Community, limit: int = LATEST_CASES) -> list[Case]:
    """The community's newest cases the user may see, with their overdue flag."""
    cases = visible_to(user, Case.objects.filter(community=community).select_related("category"))
    return list(with_overdue(cases).order_by("-created_at", "-number")[:limit])


def latest_activities(community: Community, limit: int = LATEST_ACTIVITIES) -> list[Activity]:
    """The community's newest activities with their branch, participants (`people`) and `hours`."""
    return list(activity_rows().filter(community=community).order_by("-starts_at", "-pk")[:limit])


def activity_count(community: Community) -> int:
    """How many activities the community has had."""
    return Activity.objects.filter(community=community).count()


def volunteer_counts(community: Community) -> dict[str, int]:
    """The community's volunteers: all, party members, residents (not party members)."""
    return Volunteer.objects.filter(community=community).aggregate(
        total=Count("pk"),
        party_members=Count("pk", filter=Q(is_party_member=True)),
        residents=Count("pk", filter=Q(is_party_member=False)),
    )


def community_tally(community: Community) -> list[dict[str, Any]]:
    """Per metric, the counted (non-voided) work of the community: from cases, from activities and in total.

    Metrics with nothing counted are left out. The total is every counted entry of the community.
    """
    rows = (
        TallyEntry.objects.counted()
        .filter(community=community)
        .values("metric__code", "metric__name", "metric__unit", "metric__order")
        .annotate(
            from_cases=Coalesce(Sum("quantity", filter=Q(case__isnull=False)), ZERO_QUANTITY),
            from_activities=Coalesce(Sum("quantity", filter=Q(activity__isnull=False)), ZERO_QUANTITY),
            total=Coalesce(Sum("quantity"), ZERO_QUANTITY),
        )
        .filter(total__gt=0)
        .order_by("metric__order", "metric__code")
    )
    return [
        {
            "code": row["metric__code"],
            "name": row["metric__name"],
            "unit": row["metric__unit"],
            "from_cases": row["from_cases"],
            "from_activities": row["from_activities"],
            "total": row["total"],
        }
        for row in rows
    ]
