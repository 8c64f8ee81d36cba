"""What the home page shows each role: who they are and the part of the district they work on."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Prefetch, Q
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.choices import CaseState
from cases.filters import CaseFilterSet
from cases.models import Category, Drive
from cases.queries import awaiting_report_in, department_inbox, visible_to
from communities.choices import Role
from communities.models import Community, Compound, Road, display_name
from communities.roles import role_of
from core import clock
from volunteers.models import BranchPairing, Volunteer


@dataclass
class Queue:
    """One of the user's work queues: how many cases wait, and the list that shows them."""

    key: str
    label: str
    count: int
    url: str
    urgent: bool = False
    soonest_due: datetime.datetime | None = None


# Each role's queues as case-list filters: the count and the linked list use the same FilterSet.
QUEUE_FILTERS: dict[str, list[tuple[str, str, dict[str, str]]]] = {
    Role.STREET_STAFF: [
        ("to_accept", gettext_lazy("To accept"), {"state": CaseState.REPORTED}),
        ("to_dispatch", gettext_lazy("To dispatch"), {"state": CaseState.REGISTERED}),
        ("awaiting_report_in", gettext_lazy("Waiting for departments to report in"), {"state": CaseState.DISPATCHED}),
        ("in_progress", gettext_lazy("Being handled"), {"state": CaseState.IN_PROGRESS}),
        ("to_verify", gettext_lazy("To verify"), {"state": CaseState.RESOLVED}),
        ("overdue", gettext_lazy("Overdue"), {"overdue": "true"}),
        ("escalated", gettext_lazy("Escalated (督办)"), {"escalated": "any"}),
    ],
    Role.ROAD_CHIEF: [
        ("to_dispatch", gettext_lazy("To blow the whistle on"), {"state": CaseState.REGISTERED}),
        ("awaiting_report_in", gettext_lazy("Waiting for departments to report in"), {"state": CaseState.DISPATCHED}),
        ("in_progress", gettext_lazy("Being handled"), {"state": CaseState.IN_PROGRESS}),
        ("overdue", gettext_lazy("Overdue"), {"overdue": "true"}),
    ],
    Role.DEPT_OFFICER: [
        ("in_progress", gettext_lazy("In progress"), {"state": CaseState.IN_PROGRESS}),
        ("overdue", gettext_lazy("Overdue"), {"overdue": "true"}),
        ("escalated", gettext_lazy("Escalated (督办)"), {"escalated": "any"}),
    ],
    Role.LEADER: [
        ("escalated", gettext_lazy("Escalated to the leaders (督办)"), {"escalated": "leaders"}),
        ("extensions", gettext_lazy("Extension requests to decide"), {"extension_pending": "true"}),
        ("deferrals", gettext_lazy("Deferral requests to decide"), {"deferral": "pending"}),
        ("overdue", gettext_lazy("Overdue"), {"overdue": "true"}),
        ("awaiting_report_in", gettext_lazy("Waiting for departments to report in"), {"state": CaseState.DISPATCHED}),
        ("to_accept", gettext_lazy("Reported, not yet accepted"), {"state": CaseState.REPORTED}),
    ],
}
QUEUE_FILTERS[Role.ADMIN] = QUEUE_FILTERS[Role.LEADER]


def work_queues(user: AbstractBaseUser, role: str) -> list[Queue]:
    """The user's queues with their counts, each linking to the case list (or the inbox) that shows them."""
    queues = []
    if role == Role.DEPT_OFFICER:
        waiting = awaiting_report_in(department_inbox(user.staff_profile.department_id))
        soonest = waiting.order_by("report_in_due_at").values_list("report_in_due_at", flat=True).first()
        queues.append(
            Queue(
                "awaiting_my_report_in",
                _("Waiting for my department to report in"),
                waiting.count(),
                reverse("cases:inbox"),
                urgent=True,
                soonest_due=soonest,
            )
        )
    list_url = reverse("cases:case_list")
    for key, label, params in QUEUE_FILTERS.get(role, []):
        filterset = CaseFilterSet(QueryDict(urlencode(params)), queryset=visible_to(user))
        queues.append(
            Queue(
                key,
                str(label),
                filterset.qs.count(),
                f"{list_url}?{urlencode(params)}",
                urgent=key in ("overdue", "escalated"),
            )
        )
    return queues


@dataclass
class HomeOverview:
    """Everything the home page renders for one user."""

    name: str
    role: str | None
    role_label: str
    scope: str
    figures: list[tuple[str, int]] = field(default_factory=list)
    communities: list[Community] = field(default_factory=list)
    roads: list[Road] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)
    drive: Drive | None = None
    queues: list[Queue] = field(default_factory=list)
    now: datetime.datetime | None = None


def home_overview(user: AbstractBaseUser) -> HomeOverview:
    """Build the home page's content for this user in a fixed, small number of queries."""
    role = role_of(user)  # the one definition of a user's role (a superuser without a profile is an admin)
    if role is None:
        return HomeOverview(
            name=display_name(user),
            role=None,
            role_label=_("No role assigned"),
            scope=_("Ask an administrator to give your account a role."),
        )
    profile = getattr(user, "staff_profile", None)
    overview = HomeOverview(
        name=display_name(user),
        role=role,
        role_label=Role(role).label,
        scope=profile.scope_label if profile else _("Shenhe District"),
    )
    overview.queues = work_queues(user, role)
    overview.now = clock.now()
    active_pairings = Prefetch(
        "pairings",
        queryset=BranchPairing.objects.filter(ends_on__isnull=True).select_related("branch"),
        to_attr="active_pairings",
    )
    if role == Role.STREET_STAFF:
        street = profile.street
        overview.communities = list(
            Community.objects.filter(street=street)
            .annotate(compound_total=Count("compounds", distinct=True))
            .prefetch_related(active_pairings)
        )
        overview.figures = [
            (_("Communities"), len(overview.communities)),
            (_("Compounds and courtyards"), Compound.objects.filter(community__street=street).count()),
            (_("Roads"), Road.objects.filter(street=street).count()),
            (_("Volunteers"), Volunteer.objects.filter(community__street=street).count()),
        ]
    elif role == Role.ROAD_CHIEF:
        overview.roads = list(profile.roads.select_related("street").annotate(unit_total=Count("frontage_units")))
        overview.figures = [
            (_("Roads in my charge"), len(overview.roads)),
            (_("Frontage units on them"), sum(road.unit_total for road in overview.roads)),
        ]
    elif role == Role.DEPT_OFFICER:
        overview.categories = list(
            Category.objects.filter(default_department=profile.department, is_active=True).select_related("campaign")
        )
        overview.figures = [(_("Problem categories my department leads"), len(overview.categories))]
    else:
        overview.drive = Drive.objects.prefetch_related("campaigns").order_by("-starts_on").first()
        # distinct: the join with pairings repeats a community once per (ended) pairing;
        # pairings__isnull=False: a community with no pairing at all also has a NULL ends_on.
        totals = Community.objects.aggregate(
            communities=Count("id", distinct=True),
            paired=Count("id", filter=Q(pairings__isnull=False, pairings__ends_on__isnull=True), distinct=True),
        )
        overview.figures = [
            (_("Communities"), totals["communities"]),
            (_("Communities with a paired party branch"), totals["paired"]),
            (_("Volunteers"), Volunteer.objects.count()),
        ]
    return overview
