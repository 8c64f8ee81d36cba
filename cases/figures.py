"""The sets of cases and summonses the dashboard's figures count (docs/dashboard.md), written once.

The dashboard counts these sets with conditional aggregates; the case list filters by them
(`?figure=due_closed_late&date_from=…`), so every figure opens the cases behind it and the
list's count is the figure. A set depends on a period (the window) and on the moment it is
counted at (`now`: what is overdue or due changes with time).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import OPEN_STATES, AssignmentRole, CaseState, Satisfaction
from cases.models import Assignment, Case
from cases.queries import deferred_q, escalated_q, overdue_q, supervised_q
from core import clock

Window = tuple[datetime.datetime | None, datetime.datetime | None]
SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)
SUMMONED = (AssignmentRole.LEAD, AssignmentRole.ASSIST)

# A case sent back at verification this often "fails verification three times" (三次核查不通过, as 金华 counts).
REWORKS_COUNTED_AS_FAILING = 3

# Sets of cases, by the name the dashboard's counts and the case list's `figure` filter use.
CASE_SETS = {
    "intake": _("Filed in the period"),
    "open": _("Filed in the period and still open"),
    "closed": _("Filed in the period and closed"),
    "rejected": _("Filed in the period and rejected"),
    "overdue": _("Filed in the period and overdue now"),
    "escalated": _("Filed in the period and escalated (督办)"),
    "closures": _("Closed in the period"),
    "due": _("Due in the period (应结案)"),
    "due_closed": _("Due in the period and closed"),
    "due_closed_on_time": _("Due in the period and closed on time"),
    "due_closed_late": _("Due in the period and closed late"),
    "due_not_closed": _("Due in the period and not closed"),
    "due_reworked": _("Due in the period and reworked"),
    "due_reworked_three_times": _("Due in the period and sent back at verification three times or more"),
    "due_resolved": _("Due in the period and resolved"),
    "supervised": _("Filed in the period and supervised (督办, by a leader or as escalated)"),
    "deferred": _("Filed in the period and deferred now (缓办)"),
    "rated": _("Rated by the reporter in the period"),
    "rated_satisfied": _("Rated satisfied in the period"),
    "rated_dissatisfied": _("Rated dissatisfied in the period"),
}
# Sets of summonses (lead and assisting assignments); the case list shows the cases holding them.
SUMMONS_SETS = {
    "report_in_due": _("Report-in due in the period"),
    "report_in_on_time": _("Reported in on time"),
    "report_in_late": _("Reported in late or not at all"),
    "reported_in": _("Reported in"),
}
FIGURE_SETS = CASE_SETS | SUMMONS_SETS


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight in Shenyang at the start of `day`."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())


def day_window(date_from: datetime.date | None, date_to: datetime.date | None) -> Window:
    """Days from–to (both inclusive) as [start, end) in Shenyang time; None on an open side."""
    start = start_of_day(date_from) if date_from else None
    end = start_of_day(date_to + datetime.timedelta(days=1)) if date_to else None
    return start, end


def within(field: str, window: Window) -> Q:
    """`field` falls in the window (no condition on an open side)."""
    start, end = window
    condition = Q()
    if start is not None:
        condition &= Q(**{f"{field}__gte": start})
    if end is not None:
        condition &= Q(**{f"{field}__lt": end})
    return condition


def due_q(window: Window, now: datetime.datetime) -> Q:
    """应结案: the case falls due at its resolve deadline, or when it was closed if that was earlier.

    Due in the window means that moment is in the window and not in the future. A rejected case,
    or one waiting at the street office (never dispatched, or sent back), has no deadline running;
    nor has a case deferred now (缓办/挂账): it leaves the 应结案数 while deferred and falls due
    again at its moved deadline once it is back.
    """
    closed_early = Q(closed_at__isnull=False, resolve_due_at__isnull=False, closed_at__lt=F("resolve_due_at"))
    at_deadline = Q(resolve_due_at__isnull=False, resolve_due_at__lte=now) & (
        Q(closed_at__isnull=True) | Q(closed_at__gte=F("resolve_due_at"))
    )
    return (
        ~Q(state=CaseState.REJECTED)
        & ~deferred_q()
        & ((closed_early & within("closed_at", window)) | (at_deadline & within("resolve_due_at", window)))
    )


def report_in_due_q(window: Window, now: datetime.datetime) -> Q:
    """A summons falls due at its report-in deadline, or when the department reported in if that was earlier.

    A department whose round ended (sent back, closed) before its deadline without reporting in
    was not late and is not counted (the workflow marks it `report_in_late=False`).
    """
    reported_early = Q(reported_in_at__isnull=False, reported_in_at__lt=F("report_in_due_at"))
    at_deadline = Q(report_in_due_at__lte=now) & (
        Q(reported_in_at__gte=F("report_in_due_at"))
        | Q(reported_in_at__isnull=True, report_in_late__isnull=True)
        | Q(reported_in_at__isnull=True, report_in_late=True)
    )
    return Q(role__in=SUMMONED, report_in_due_at__isnull=False) & (
        (reported_early & within("reported_in_at", window)) | (at_deadline & within("report_in_due_at", window))
    )


def case_set_q(name: str, window: Window, now: datetime.datetime) -> Q:
    """The condition on a case for being in the set `name` (one of CASE_SETS)."""
    created = within("created_at", window)
    due = due_q(window, now)
    closed = Q(state=CaseState.CLOSED)
    rated = Q(satisfaction__in=Satisfaction.values) & within("closed_at", window)
    sets = {
        "intake": lambda: created,
        "open": lambda: created & Q(state__in=OPEN_STATES),
        "closed": lambda: created & closed,
        "rejected": lambda: created & Q(state=CaseState.REJECTED),
        "overdue": lambda: created & overdue_q(now),
        "escalated": lambda: created & escalated_q(),
        "closures": lambda: closed & Q(closed_at__isnull=False) & within("closed_at", window),
        "due": lambda: due,
        "due_closed": lambda: due & closed,
        "due_closed_on_time": lambda: due & closed & Q(resolve_late=False),
        # Not "on time" includes a closed case whose lateness was never recorded.
        "due_closed_late": lambda: due & closed & ~Q(resolve_late=False),
        "due_not_closed": lambda: due & ~closed,
        "due_reworked": lambda: due & Q(rework_count__gt=0),
        "due_reworked_three_times": lambda: due & Q(rework_count__gte=REWORKS_COUNTED_AS_FAILING),
        "due_resolved": lambda: due & Q(resolved_at__isnull=False),
        "supervised": lambda: created & supervised_q(),
        "deferred": lambda: created & deferred_q(),
        "rated": lambda: rated,
        "rated_satisfied": lambda: rated & Q(satisfaction__in=SATISFIED),
        "rated_dissatisfied": lambda: rated & ~Q(satisfaction__in=SATISFIED),
    }
    return sets[name]()


def summons_set_q(name: str, window: Window, now: datetime.datetime) -> Q:
    """The condition on an assignment for being in the summons set `name` (one of SUMMONS_SETS)."""
    due = report_in_due_q(window, now)
    reported = due & Q(reported_in_at__isnull=False)
    on_time = reported & Q(report_in_late=False)
    sets = {
        "report_in_due": lambda: due,
        "report_in_on_time": lambda: on_time,
        "report_in_late": lambda: due & ~(Q(reported_in_at__isnull=False) & Q(report_in_late=False)),
        "reported_in": lambda: reported,
    }
    return sets[name]()


def in_figure_set(
    cases: QuerySet[Case],
    name: str,
    window: Window,
    *,
    department: int | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[Case]:
    """The cases of a figure's set; for a summons set, the cases holding such a summons (the department's)."""
    now = now or clock.now()
    if name in CASE_SETS:
        return cases.filter(case_set_q(name, window, now))
    return cases.filter(Exists(figure_summonses(name, window, department=department, now=now, case=OuterRef("pk"))))


def figure_summonses(
    name: str,
    window: Window,
    *,
    department: int | None = None,
    now: datetime.datetime | None = None,
    case: Any = None,
) -> QuerySet[Assignment]:
    """The summonses of a summons set, only the department's when one is given (as the dashboard counts them)."""
    summonses = Assignment.objects.filter(summons_set_q(name, window, now or clock.now()))
    if department is not None:
        summonses = summonses.filter(department_id=department)
    if case is not None:
        summonses = summonses.filter(case=case)
    return summonses
