"""The leaders' dashboard figures (DESIGN.md §5, §6), every one computed by the database.

Each set of figures is one aggregate query with conditional aggregates (`COUNT … FILTER`,
`SUM` of durations) grouped by campaign, street, community, category or department, so the
number of queries never depends on the number of cases. docs/dashboard.md says in plain words
how each figure is counted; the page and the API call these functions and format the result.

Two row sets feed the figures: cases (intake, states, the 应结案数 rates, resolve time,
satisfaction) and summonses, i.e. lead and assisting assignments (report-in rate and time).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.db import models
from django.db.models import (
    CharField,
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cases.choices import OPEN_STATES, AssignmentRole, CaseState, Satisfaction
from cases.models import Assignment, Campaign, Case, Drive, Metric, TallyEntry
from cases.queries import escalated_q, overdue_q, report_in_overdue_q, with_overdue
from communities.models import Community, Department, Street
from core import clock
from core.errors import InvalidInput
from core.filters import DAY_RANGE
from core.forms import ParentedSelect
from volunteers.models import Activity, Participation

# The figures of DESIGN.md §6, in the order a page shows them.
FIGURES = (
    "intake",
    "open",
    "closed",
    "overdue",
    "escalated",
    "closure_rate",
    "on_time_closure_rate",
    "on_time_report_in_rate",
    "mean_report_in_minutes",
    "mean_resolve_hours",
    "rework_rate",
    "satisfaction_rate",
)
# The counts behind them (numerators and denominators), for "x of y" and for checking.
CASE_COUNTS = (
    "intake",
    "open",
    "closed",
    "overdue",
    "escalated",
    "rejected",
    "due",
    "due_closed",
    "due_closed_on_time",
    "due_reworked",
    "due_resolved",
    "rated",
    "rated_satisfied",
)
SUMMONS_COUNTS = ("report_in_due", "report_in_on_time", "reported_in")
COUNTS = tuple(name for name in CASE_COUNTS + SUMMONS_COUNTS if name not in FIGURES)
# A group counts something when one of these is not zero (the others are parts of them).
COUNTED = ("intake", "due", "rated", "report_in_due")
BREAKDOWNS = ("street", "community", "category", "department")
CENT = Decimal("0.01")
SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)
SUMMONED = (AssignmentRole.LEAD, AssignmentRole.ASSIST)

Window = tuple[datetime.datetime | None, datetime.datetime | None]


# --- filters -----------------------------------------------------------------------------------


class DashboardFilterForm(forms.Form):
    """The dashboard's filters as a form: drive and campaign by slug, places and department by id, ISO days."""

    drive = forms.ModelChoiceField(
        label=capfirst(Drive._meta.verbose_name), queryset=Drive.objects.all(), to_field_name="slug", required=False
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.select_related("drive"),
        to_field_name="slug",
        required=False,
    )
    street = forms.ModelChoiceField(label=_("Street"), queryset=Street.objects.all(), required=False)
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=Community.objects.all(),
        required=False,
        widget=ParentedSelect(parent="street", key="street_id"),
    )
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all(), required=False)
    date_from = forms.DateField(label=_("From"), required=False, input_formats=["%Y-%m-%d"], validators=DAY_RANGE)
    date_to = forms.DateField(label=_("Until"), required=False, input_formats=["%Y-%m-%d"], validators=DAY_RANGE)

    def clean(self) -> dict[str, Any]:
        """A campaign must belong to the chosen drive; the range must not end before it starts."""
        data = super().clean()
        drive, campaign = data.get("drive"), data.get("campaign")
        if drive and campaign and campaign.drive_id != drive.pk:
            # Not one of the drive's campaigns: Django's own (translated) "not one of the available choices".
            field = self.fields["campaign"]
            self.add_error(
                "campaign",
                forms.ValidationError(
                    field.error_messages["invalid_choice"], code="invalid_choice", params={"value": campaign.slug}
                ),
            )
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        return data


@dataclass(frozen=True)
class DashboardFilters:
    """What the dashboard shows: one drive (None only when there is none yet), narrowed by the other fields."""

    drive: Drive | None = None
    campaign: Campaign | None = None
    street: Street | None = None
    community: Community | None = None
    department: Department | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, Any] | None = None) -> DashboardFilters:
        """Parse a QueryDict or dict; bad input raises InvalidInput with a message per field."""
        form = DashboardFilterForm(params or {})
        if not form.is_valid():
            raise InvalidInput.for_fields({name: list(messages) for name, messages in form.errors.items()})
        data = form.cleaned_data
        drive = data["drive"]
        if drive is None and data["campaign"] is not None:
            drive = data["campaign"].drive
        if drive is None:
            drive = latest_drive()
        return cls(
            drive=drive,
            campaign=data["campaign"],
            street=data["street"],
            community=data["community"],
            department=data["department"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )

    def as_params(self) -> dict[str, str]:
        """The filters as query parameters (for links and exports); empty ones are left out."""
        params = {
            "drive": self.drive.slug if self.drive else "",
            "campaign": self.campaign.slug if self.campaign else "",
            "street": str(self.street.pk) if self.street else "",
            "community": str(self.community.pk) if self.community else "",
            "department": str(self.department.pk) if self.department else "",
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {name: value for name, value in params.items() if value}

    def narrow(self, rows: QuerySet) -> QuerySet:
        """Rows with a `campaign` and a `community` (tally entries, activities) narrowed to this scope's place."""
        if self.campaign is not None:
            rows = rows.filter(campaign=self.campaign)
        if self.street is not None:
            rows = rows.filter(community__street=self.street)
        if self.community is not None:
            rows = rows.filter(community=self.community)
        return rows

    @property
    def window(self) -> Window:
        """The date range as [start, end) in Shenyang time; None on an open side."""
        start = _start_of_day(self.date_from) if self.date_from else None
        end = _start_of_day(self.date_to + datetime.timedelta(days=1)) if self.date_to else None
        return start, end


def latest_drive() -> Drive | None:
    """The drive that started last (the dashboard's default)."""
    return Drive.objects.order_by("-starts_on", "-pk").first()


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())


# --- building blocks: scope, conditions, aggregates ---------------------------------------------


def _within(field: str, window: Window) -> Q:
    """`field` falls in the window (no condition on an open side)."""
    start, end = window
    condition = Q()
    if start is not None:
        condition &= Q(**{f"{field}__gte": start})
    if end is not None:
        condition &= Q(**{f"{field}__lt": end})
    return condition


def _prefixed(condition: Q, prefix: str) -> Q:
    """The same condition on a related case (`case__…`): lookups and F() names get the prefix."""
    if not prefix:
        return condition
    children = []
    for child in condition.children:
        if isinstance(child, Q):
            children.append(_prefixed(child, prefix))
        elif isinstance(child, tuple):
            lookup, value = child
            children.append((prefix + lookup, F(prefix + value.name) if isinstance(value, F) else value))
        else:
            raise TypeError(f"cannot prefix {child!r}")
    return Q(*children, _connector=condition.connector, _negated=condition.negated)


def _scope_q(filters: DashboardFilters, prefix: str = "", *, department: bool = True) -> Q:
    """Cases of the drive, narrowed by campaign, street, community and (unless told not to) department."""
    if filters.campaign is not None:
        condition = Q(campaign=filters.campaign)  # the form made sure it is a campaign of the drive
    else:
        # An IN (subquery) rather than a join to campaigns: PostgreSQL then estimates the rows well.
        condition = Q(campaign__in=Campaign.objects.filter(drive=filters.drive).values("pk"))
    if filters.street is not None:
        condition &= Q(street=filters.street)
    if filters.community is not None:
        condition &= Q(community=filters.community)
    condition = _prefixed(condition, prefix)
    if department and filters.department is not None:
        case = OuterRef("case_id") if prefix else OuterRef("pk")
        condition &= Q(Exists(Assignment.objects.filter(case=case, department=filters.department)))
    return condition


def _cases(filters: DashboardFilters) -> QuerySet[Case]:
    """The cases in scope, before any date condition."""
    if filters.drive is None:
        return Case.objects.none()
    return Case.objects.filter(_scope_q(filters))


def _case_rows(filters: DashboardFilters, window: Window) -> tuple[QuerySet, str]:
    """The rows case figures are counted on, and the path from such a row to its case.

    Cases themselves; with a department chosen, the department's first assignment on each case
    (the same cases, found through the department's index instead of a semi-join on every case).
    """
    if filters.department is not None:
        return _department_parts(filters, window), "case__"
    return _cases(filters).filter(_case_window_q(window)), ""


def _due_q(window: Window, now: datetime.datetime) -> Q:
    """应结案: the case falls due at its resolve deadline, or when it was closed if that was earlier.

    Due in the window means that moment is in the window and not in the future. A rejected case,
    or one waiting at the street office (never dispatched, or sent back), has no deadline running.
    """
    closed_early = Q(closed_at__isnull=False, resolve_due_at__isnull=False, closed_at__lt=F("resolve_due_at"))
    at_deadline = Q(resolve_due_at__isnull=False, resolve_due_at__lte=now) & (
        Q(closed_at__isnull=True) | Q(closed_at__gte=F("resolve_due_at"))
    )
    return ~Q(state=CaseState.REJECTED) & (
        (closed_early & _within("closed_at", window)) | (at_deadline & _within("resolve_due_at", window))
    )


def _report_in_due_q(window: Window, now: datetime.datetime) -> Q:
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
        (reported_early & _within("reported_in_at", window)) | (at_deadline & _within("report_in_due_at", window))
    )


def _count(condition: Q) -> Count:
    return Count("pk", filter=condition) if condition else Count("pk")


def _duration(end: str, start: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def _case_aggregates(window: Window, now: datetime.datetime, prefix: str = "") -> dict[str, Any]:
    """The case counts and sums of one figure set; `prefix` evaluates them on rows that point to a case."""

    def on_case(condition: Q) -> Q:
        return _prefixed(condition, prefix)

    created = _within("created_at", window)
    due = _due_q(window, now)
    closed = Q(state=CaseState.CLOSED)
    resolved = due & Q(resolved_at__isnull=False)
    rated = Q(satisfaction__in=Satisfaction.values) & _within("closed_at", window)
    return {
        "intake": _count(on_case(created)),
        "open": _count(on_case(created & Q(state__in=OPEN_STATES))),
        "closed": _count(on_case(created & closed)),
        "rejected": _count(on_case(created & Q(state=CaseState.REJECTED))),
        "overdue": _count(on_case(created & overdue_q(now))),
        "escalated": _count(on_case(created & escalated_q())),
        "due": _count(on_case(due)),
        "due_closed": _count(on_case(due & closed)),
        "due_closed_on_time": _count(on_case(due & closed & Q(resolve_late=False))),
        "due_reworked": _count(on_case(due & Q(rework_count__gt=0))),
        "due_resolved": _count(on_case(resolved)),
        "resolve_time": Sum(_duration(f"{prefix}resolved_at", f"{prefix}dispatched_at"), filter=on_case(resolved)),
        "rated": _count(on_case(rated)),
        "rated_satisfied": _count(on_case(rated & Q(satisfaction__in=SATISFIED))),
    }


def _case_window_q(window: Window) -> Q:
    """Cases a dated figure can count: created, due or closed in the window (every case without one)."""
    if window == (None, None):
        return Q()
    return _within("created_at", window) | _within("resolve_due_at", window) | _within("closed_at", window)


def _report_in_aggregates(window: Window, now: datetime.datetime) -> dict[str, Any]:
    due = _report_in_due_q(window, now)
    reported = due & Q(reported_in_at__isnull=False)
    return {
        "report_in_due": _count(due),
        "report_in_on_time": _count(reported & Q(report_in_late=False)),
        "reported_in": _count(reported),
        "report_in_time": Sum(_duration("reported_in_at", "assigned_at"), filter=reported),
    }


def _summonses(filters: DashboardFilters, window: Window) -> QuerySet[Assignment]:
    """Lead and assisting assignments on cases in scope (only the department's own when one is chosen)."""
    if filters.drive is None:
        return Assignment.objects.none()
    summonses = Assignment.objects.filter(
        _scope_q(filters, "case__", department=False), role__in=SUMMONED, report_in_due_at__isnull=False
    )
    if filters.department is not None:
        summonses = summonses.filter(department=filters.department)
    if window != (None, None):
        summonses = summonses.filter(_within("report_in_due_at", window) | _within("reported_in_at", window))
    return summonses


def _department_parts(filters: DashboardFilters, window: Window) -> QuerySet[Assignment]:
    """One row per (case in scope, department with any part in it): the department's first assignment."""
    if filters.drive is None:
        return Assignment.objects.none()
    earlier = Assignment.objects.filter(case=OuterRef("case"), department=OuterRef("department"), pk__lt=OuterRef("pk"))
    parts = Assignment.objects.filter(_scope_q(filters, "case__", department=False)).exclude(Exists(earlier))
    if filters.department is not None:
        parts = parts.filter(department=filters.department)
    return parts.filter(_prefixed(_case_window_q(window), "case__"))


# How each breakdown groups rows: output name → path from a case (or, for departments, from an assignment).
GROUPINGS: dict[str, dict[str, str]] = {
    "campaign": {"id": "campaign", "slug": "campaign__slug", "name": "campaign__name", "order": "campaign__order"},
    "street": {"id": "street", "name": "street__name", "order": "street__order"},
    "community": {
        "id": "community",
        "name": "community__name",
        "street": "community__street__name",
        "order": "community__street__order",
    },
    "category": {
        "id": "category",
        "code": "category__code",
        "name": "category__name",
        "order": "category__campaign__order",
        "order2": "category__order",
    },
    "department": {"id": "department", "name": "department__name", "short_name": "department__short_name"},
}


def _grouped(rows: QuerySet, grouping: dict[str, str], prefix: str, aggregates: dict[str, Any]) -> list[dict]:
    """`rows` grouped by the grouping's columns (aliases `group_<name>`), with the aggregates."""
    columns = {f"group_{name}": F(prefix + path) for name, path in grouping.items()}
    return list(rows.order_by().values(**columns).annotate(**aggregates))


def _grouped_rows(
    filters: DashboardFilters, by: str, now: datetime.datetime
) -> tuple[dict[Any, dict], dict[Any, dict], dict[Any, dict]]:
    """Case rows and summons rows per group id (two queries), and each group's descriptive columns."""
    window = filters.window
    grouping = GROUPINGS[by]
    if by == "department":
        case_rows = _grouped(_department_parts(filters, window), grouping, "", _case_aggregates(window, now, "case__"))
        summons_rows = _grouped(_summonses(filters, window), grouping, "", _report_in_aggregates(window, now))
    else:
        rows, prefix = _case_rows(filters, window)
        case_rows = _grouped(rows, grouping, prefix, _case_aggregates(window, now, prefix))
        summons_rows = _grouped(_summonses(filters, window), grouping, "case__", _report_in_aggregates(window, now))
    labels: dict[Any, dict] = {}
    for row in [*case_rows, *summons_rows]:
        labels.setdefault(row["group_id"], {name: row[f"group_{name}"] for name in grouping})
    return _by_id(case_rows), _by_id(summons_rows), labels


def _by_id(rows: Iterable[dict]) -> dict[Any, dict]:
    return {row["group_id"]: row for row in rows}


# --- turning counts into figures ----------------------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    """part / whole as a fraction rounded to 4 places; None when nothing was counted."""
    return round(part / whole, 4) if whole else None


def _mean(total: datetime.timedelta | None, count: int, unit_seconds: int) -> float | None:
    """The mean of durations summing to `total`, in units of `unit_seconds`, to 2 places."""
    if not count or total is None:
        return None
    return round(total.total_seconds() / count / unit_seconds, 2)


def _figures(cases: Mapping[str, Any] | None, summonses: Mapping[str, Any] | None) -> dict[str, Any]:
    """The figure set of §6 (and the counts behind it) from one group's aggregate rows."""
    cases, summonses = cases or {}, summonses or {}
    c = {name: cases.get(name) or 0 for name in CASE_COUNTS}
    s = {name: summonses.get(name) or 0 for name in SUMMONS_COUNTS}
    figures = {
        "intake": c["intake"],
        "open": c["open"],
        "closed": c["closed"],
        "overdue": c["overdue"],
        "escalated": c["escalated"],
        "closure_rate": _rate(c["due_closed"], c["due"]),
        "on_time_closure_rate": _rate(c["due_closed_on_time"], c["due"]),
        "on_time_report_in_rate": _rate(s["report_in_on_time"], s["report_in_due"]),
        "mean_report_in_minutes": _mean(summonses.get("report_in_time"), s["reported_in"], 60),
        "mean_resolve_hours": _mean(cases.get("resolve_time"), c["due_resolved"], 3600),
        "rework_rate": _rate(c["due_reworked"], c["due"]),
        "satisfaction_rate": _rate(c["rated_satisfied"], c["rated"]),
    }
    counts = c | s
    return figures | {name: counts[name] for name in COUNTS}


def _total(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Add up groups' aggregate rows (counts and duration sums) into one."""
    total: dict[str, Any] = {}
    for row in rows:
        for name, value in row.items():
            if name.startswith("group_") or value is None:
                continue
            total[name] = total[name] + value if name in total else value
    return total


# --- public functions ---------------------------------------------------------------------------


def overview(filters: DashboardFilters, *, now: datetime.datetime | None = None) -> dict[str, Any]:
    """The figures of DESIGN.md §6 for the filters, with each campaign's figures and the tally totals."""
    now = now or clock.now()
    window = filters.window
    campaigns = Campaign.objects.none() if filters.drive is None else filters.drive.campaigns.order_by("order")
    if filters.campaign is not None:
        campaigns = campaigns.filter(pk=filters.campaign.pk)
    rows, prefix = _case_rows(filters, window)
    case_rows = _by_id(_grouped(rows, {"id": "campaign"}, prefix, _case_aggregates(window, now, prefix)))
    summons_rows = _by_id(
        _grouped(_summonses(filters, window), {"id": "campaign"}, "case__", _report_in_aggregates(window, now))
    )
    result = _figures(_total(case_rows.values()), _total(summons_rows.values()))
    result["campaigns"] = [
        {"slug": campaign.slug, "name": campaign.name}
        | _figures(case_rows.get(campaign.pk), summons_rows.get(campaign.pk))
        for campaign in campaigns
    ]
    result["tally"] = tally_totals(filters)
    return result


def breakdown(filters: DashboardFilters, *, by: str, now: datetime.datetime | None = None) -> list[dict[str, Any]]:
    """The figures per street, community, category or department, for groups that count something."""
    if by not in BREAKDOWNS:
        raise ValueError(f"breakdown by one of {', '.join(BREAKDOWNS)}, not {by!r}")
    now = now or clock.now()
    case_rows, summons_rows, labels = _grouped_rows(filters, by, now)
    rows = []
    for group, label in sorted(labels.items(), key=lambda item: _sort_key(item[1])):
        figures = _figures(case_rows.get(group), summons_rows.get(group))
        if any(figures[name] for name in COUNTED):
            rows.append({name: value for name, value in label.items() if not name.startswith("order")} | figures)
    return rows


def _sort_key(label: Mapping[str, Any]) -> tuple:
    return (label.get("order") or 0, label.get("order2") or 0, label.get("street") or "", label["name"] or "")


def daily(filters: DashboardFilters, *, now: datetime.datetime | None = None) -> list[dict[str, Any]]:
    """Intake and closures per Shenyang day, every day from the first to the last (at most today)."""
    now = now or clock.now()
    window = filters.window
    zone = timezone.get_default_timezone()
    rows, prefix = _case_rows(filters, (None, None))

    def per_day(field: str, condition: Q) -> dict[datetime.date, int]:
        counted = rows.filter(_prefixed(_within(field, window) & condition, prefix))
        days = counted.annotate(day=TruncDate(prefix + field, tzinfo=zone)).order_by().values("day")
        return dict(days.annotate(count=Count("pk")).values_list("day", "count"))

    intake = per_day("created_at", Q())
    closed = per_day("closed_at", Q(state=CaseState.CLOSED, closed_at__isnull=False))
    days = [*intake, *closed]
    today = timezone.localtime(now, zone).date()
    first = filters.date_from or min(days, default=None)
    last = min(filters.date_to or max(days, default=today), max([today, *days]))
    if first is None or last < first:
        return []
    return [
        {"date": day, "intake": intake.get(day, 0), "closed": closed.get(day, 0)}
        for day in (first + datetime.timedelta(days=n) for n in range((last - first).days + 1))
    ]


def overdue_cases(
    filters: DashboardFilters, *, now: datetime.datetime | None = None, limit: int | None = 50
) -> QuerySet[Case]:
    """The overdue cases the `overdue` figure counts, longest overdue first, with `overdue_since` and lead."""
    now = now or clock.now()
    lead = Assignment.objects.filter(case=OuterRef("pk"), role=AssignmentRole.LEAD, finished_at__isnull=True)
    cases = (
        with_overdue(_cases(filters).filter(_within("created_at", filters.window)).filter(overdue_q(now)), now)
        .annotate(
            overdue_since=models.Case(
                When(report_in_overdue_q(now), then=F("report_in_due_at")),
                default=F("resolve_due_at"),
            ),
            lead_department=Subquery(lead.values("department__name")[:1], output_field=CharField()),
        )
        .select_related("category", "campaign", "street", "community")
        .order_by("overdue_since", "pk")
    )
    return cases[:limit] if limit is not None else cases


# Rankings (综合评价): which figure, and whether a higher value ranks first.
DEPARTMENT_RANKINGS = (
    ("on_time_report_in_rate", True),
    ("on_time_closure_rate", True),
    ("rework_rate", False),
)
STREET_RANKINGS = (
    ("closure_rate", True),
    ("overdue", False),
)


def rankings(filters: DashboardFilters, *, now: datetime.datetime | None = None) -> dict[str, dict[str, list]]:
    """Departments and streets ranked by their figures; ties share a rank, groups without a figure come last."""
    now = now or clock.now()
    departments = breakdown(filters, by="department", now=now)
    streets = breakdown(filters, by="street", now=now)
    return {
        "departments": {figure: _ranked(departments, figure, best_high) for figure, best_high in DEPARTMENT_RANKINGS},
        "streets": {figure: _ranked(streets, figure, best_high) for figure, best_high in STREET_RANKINGS},
    }


def _ranked(rows: list[dict[str, Any]], figure: str, best_high: bool) -> list[dict[str, Any]]:
    """Competition ranking (1, 1, 3): equal values share a rank; rows without the figure get rank None."""
    scored = sorted(
        (row for row in rows if row[figure] is not None),
        key=lambda row: -row[figure] if best_high else row[figure],
    )
    ranked, previous, rank = [], None, 0
    for position, row in enumerate(scored, start=1):
        if row[figure] != previous:
            rank, previous = position, row[figure]
        ranked.append({"id": row["id"], "name": row["name"], "rank": rank, "value": row[figure]})
    ranked += [
        {"id": row["id"], "name": row["name"], "rank": None, "value": None} for row in rows if row[figure] is None
    ]
    return ranked


def tally_totals(filters: DashboardFilters) -> list[dict[str, Any]]:
    """Every metric with the total of its counted (not voided) entries from cases and activities in scope."""
    if filters.drive is None:
        return [
            {"metric": metric.code, "name": metric.name, "unit": metric.unit, "total": Decimal("0.00")}
            for metric in Metric.objects.order_by("order", "code")
        ]
    entries = filters.narrow(TallyEntry.objects.counted().filter(metric=OuterRef("pk"), campaign__drive=filters.drive))
    if filters.department is not None:
        entries = entries.filter(
            Exists(Assignment.objects.filter(case=OuterRef("case"), department=filters.department))
        )
    if filters.date_from is not None:
        entries = entries.filter(date__gte=filters.date_from)
    if filters.date_to is not None:
        entries = entries.filter(date__lte=filters.date_to)
    amount = DecimalField(max_digits=14, decimal_places=2)
    total = entries.order_by().values("metric").annotate(total=Sum("quantity")).values("total")
    metrics = Metric.objects.annotate(
        total=Coalesce(Subquery(total, output_field=amount), Value(Decimal("0")), output_field=amount)
    ).order_by("order", "code")
    return [
        {"metric": metric.code, "name": metric.name, "unit": metric.unit, "total": metric.total.quantize(CENT)}
        for metric in metrics
    ]


# --- mobilisation: what the party branches and volunteers did ------------------------------------


def mobilisation(filters: DashboardFilters) -> dict[str, Any]:
    """Counted from the activities in scope (the drive's campaigns, the place and the date range), in two queries."""
    activities = Activity.objects.filter(campaign__drive=filters.drive) if filters.drive else Activity.objects.none()
    activities = filters.narrow(activities)
    start, end = filters.window
    if start is not None:
        activities = activities.filter(starts_at__gte=start)
    if end is not None:
        activities = activities.filter(starts_at__lt=end)
    parts = Participation.objects.filter(activity__in=activities)
    totals = parts.aggregate(
        people_times=Count("pk"),
        volunteers=Count("volunteer", distinct=True),
        hours=Sum("hours"),
    )
    counts = activities.aggregate(
        activities=Count("pk"),
        branches=Count("branch", distinct=True, filter=Q(branch__isnull=False)),
    )
    return {
        "branches": counts["branches"],
        "volunteers": totals["volunteers"],
        "activities": counts["activities"],
        "people_times": totals["people_times"],
        "hours": totals["hours"] or Decimal("0"),
    }
