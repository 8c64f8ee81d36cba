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
from django.conf import settings
from django.db import models
from django.db.models import (
    CharField,
    Count,
    DecimalField,
    Exists,
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

from cases.choices import AssignmentRole, CaseState
from cases.figures import SUMMONED, Window, case_set_q, day_window, summons_set_q, within
from cases.models import Assignment, Campaign, Case, Drive, Metric, TallyEntry
from cases.queries import overdue_q, report_in_overdue_q, with_overdue
from communities.models import Community, Department, Street
from core import clock
from core.errors import InvalidInput
from core.filters import DAY_RANGE
from core.forms import ParentedSelect
from dashboard.permissions import DISTRICT, DashboardScope
from volunteers.models import Activity, Participation

# The figures of DESIGN.md §6, in the order a page shows them.
FIGURES = (
    "intake",
    "open",
    "closed",
    "overdue",
    "escalated",
    "supervised",
    "deferred",
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
    "supervised",
    "deferred",
    "rejected",
    "due",
    "due_closed",
    "due_closed_on_time",
    "due_reworked",
    "due_reworked_three_times",
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

    def __init__(self, *args: Any, scope: DashboardScope = DISTRICT, **kwargs: Any) -> None:
        """Limit the choices to the user's scope and force its street or department (set when missing)."""
        super().__init__(*args, **kwargs)
        forced = {}
        if scope.street_id is not None:
            forced["street"] = scope.street_id
            self.fields["street"].queryset = Street.objects.filter(pk=scope.street_id)
            self.fields["community"].queryset = Community.objects.filter(street_id=scope.street_id)
        if scope.department_id is not None:
            forced["department"] = scope.department_id
            self.fields["department"].queryset = Department.objects.filter(pk=scope.department_id)
        for name, pk in forced.items():
            # Another street's (or department's) id stays in the data: "Select a valid choice", a 400.
            self.fields[name].empty_label = None
            self.fields[name].initial = pk
            if self.is_bound and not self.data.get(name):
                self.data = self.data.copy()
                self.data[name] = str(pk)

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
    def from_query(
        cls, params: Mapping[str, Any] | None = None, *, scope: DashboardScope = DISTRICT
    ) -> DashboardFilters:
        """Parse a QueryDict or dict within the user's scope; bad input raises InvalidInput with a message per field."""
        form = DashboardFilterForm(params or {}, scope=scope)
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

    def narrow(self, rows: QuerySet, *, road_cases: bool = False) -> QuerySet:
        """Rows with a `campaign` and a `community` (tally entries, activities) narrowed to this scope's place.

        With `road_cases`, rows of a case filed on a road without a community count in the case's street.
        """
        if self.campaign is not None:
            rows = rows.filter(campaign=self.campaign)
        if self.street is not None:
            in_street = Q(community__street=self.street)
            if road_cases:
                in_street |= Q(community__isnull=True, case__street=self.street)
            rows = rows.filter(in_street)
        if self.community is not None:
            rows = rows.filter(community=self.community)
        return rows

    @property
    def window(self) -> Window:
        """The date range as [start, end) in Shenyang time; None on an open side."""
        return day_window(self.date_from, self.date_to)


def latest_drive() -> Drive | None:
    """The drive that started last (the dashboard's default)."""
    return Drive.objects.order_by("-starts_on", "-pk").first()


# --- building blocks: scope, conditions, aggregates ---------------------------------------------


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


def _count(condition: Q) -> Count:
    return Count("pk", filter=condition) if condition else Count("pk")


def _case_aggregates(window: Window, now: datetime.datetime, prefix: str = "") -> dict[str, Any]:
    """The case counts and sums of one figure set; `prefix` evaluates them on rows that point to a case."""

    def counted(name: str) -> Count:
        return _count(_prefixed(case_set_q(name, window, now), prefix))

    resolved = _prefixed(case_set_q("due_resolved", window, now), prefix)
    return {name: counted(name) for name in CASE_COUNTS} | {
        # Durations stored at the step, by the case's clock (cases.worktime), not end − start here.
        "resolve_time": Sum(f"{prefix}resolve_duration", filter=resolved),
    }


def _case_window_q(window: Window) -> Q:
    """Cases a dated figure can count: created, due or closed in the window (every case without one)."""
    if window == (None, None):
        return Q()
    return within("created_at", window) | within("resolve_due_at", window) | within("closed_at", window)


def _report_in_aggregates(window: Window, now: datetime.datetime) -> dict[str, Any]:
    reported = summons_set_q("reported_in", window, now)
    return {name: _count(summons_set_q(name, window, now)) for name in SUMMONS_COUNTS} | {
        "report_in_time": Sum("report_in_duration", filter=reported),
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
        summonses = summonses.filter(within("report_in_due_at", window) | within("reported_in_at", window))
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
        "supervised": c["supervised"],
        "deferred": c["deferred"],
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
        counted = rows.filter(_prefixed(within(field, window) & condition, prefix))
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
        with_overdue(_cases(filters).filter(within("created_at", filters.window)).filter(overdue_q(now)), now)
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


@dataclass(frozen=True)
class Ranking:
    """One ranking (综合评价): the figure, whether a higher value ranks first, and the counts behind it."""

    figure: str
    best_high: bool
    part: str  # the count the figure is made of ("n" of "n of m")
    whole: str  # the cases (or summonses) behind it ("m"); fewer than the minimum are not ranked


DEPARTMENT_RANKINGS = (
    Ranking("on_time_report_in_rate", True, "report_in_on_time", "report_in_due"),
    Ranking("on_time_closure_rate", True, "due_closed_on_time", "due"),
    Ranking("rework_rate", False, "due_reworked", "due"),
)
STREET_RANKINGS = (
    Ranking("closure_rate", True, "due_closed", "due"),
    Ranking("overdue", False, "overdue", "intake"),
)


def rankings(
    filters: DashboardFilters, *, now: datetime.datetime | None = None, minimum: int | None = None
) -> dict[str, dict[str, list]]:
    """Every department and street (in the filters' scope) ranked by its figures.

    Ties share a rank. A unit with fewer cases behind the figure than `minimum` (the setting
    DASHBOARD_RANKING_MIN_CASES) is listed after the ranked ones, without a rank.
    """
    now = now or clock.now()
    minimum = settings.DASHBOARD_RANKING_MIN_CASES if minimum is None else minimum
    departments = _every(breakdown(filters, by="department", now=now), _units(filters, "department"))
    streets = _every(breakdown(filters, by="street", now=now), _units(filters, "street"))
    return {
        "departments": {r.figure: _ranked(departments, r, minimum) for r in DEPARTMENT_RANKINGS},
        "streets": {r.figure: _ranked(streets, r, minimum) for r in STREET_RANKINGS},
    }


def _units(filters: DashboardFilters, by: str) -> QuerySet:
    """The departments or streets a ranking lists even when they count nothing: every one in scope."""
    if filters.drive is None:
        return Street.objects.none()
    if by == "street":
        if filters.community is not None:
            return Street.objects.filter(pk=filters.community.street_id)
        streets = Street.objects.order_by("order", "name")
        return streets.filter(pk=filters.street.pk) if filters.street is not None else streets
    departments = Department.objects.order_by("name")
    return departments.filter(pk=filters.department.pk) if filters.department is not None else departments


def _every(rows: list[dict[str, Any]], units: QuerySet) -> list[dict[str, Any]]:
    """The breakdown's rows, plus an all-zero row for each unit in scope that counted nothing."""
    present = {row["id"] for row in rows}
    empty = _figures(None, None)
    return rows + [{"id": unit.pk, "name": unit.name} | empty for unit in units if unit.pk not in present]


def _ranked(rows: list[dict[str, Any]], ranking: Ranking, minimum: int) -> list[dict[str, Any]]:
    """Competition ranking (1, 1, 3) of the units with a figure and enough cases; the others after, unranked."""
    figure = ranking.figure

    def entry(row: dict[str, Any], rank: int | None) -> dict[str, Any]:
        return {
            "id": row["id"],
            "name": row["name"],
            "rank": rank,
            "value": row[figure],
            "part": row[ranking.part],
            "whole": row[ranking.whole],
            "too_few": row[figure] is not None and row[ranking.whole] < minimum,
            "figures": row,
        }

    rankable = [row for row in rows if row[figure] is not None and row[ranking.whole] >= minimum]
    scored = sorted(rankable, key=lambda row: -row[figure] if ranking.best_high else row[figure])
    ranked, previous, rank = [], None, 0
    for position, row in enumerate(scored, start=1):
        if row[figure] != previous:
            rank, previous = position, row[figure]
        ranked.append(entry(row, rank))
    unranked = [row for row in rows if row not in rankable]
    # Units with a figure but too few cases first (most cases first), then those without one.
    unranked.sort(key=lambda row: (row[figure] is None, -row[ranking.whole]))
    return ranked + [entry(row, None) for row in unranked]


def tally_totals(filters: DashboardFilters) -> list[dict[str, Any]]:
    """Every metric with the total of its counted (not voided) entries from cases and activities in scope."""
    if filters.drive is None:
        return [
            {"metric": metric.code, "name": metric.name, "unit": metric.unit, "total": Decimal("0.00")}
            for metric in Metric.objects.order_by("order", "code")
        ]
    entries = filters.narrow(
        TallyEntry.objects.counted().filter(metric=OuterRef("pk"), campaign__drive=filters.drive), road_cases=True
    )
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


def empty_figures() -> dict[str, Any]:
    """The figure set of a unit that counted nothing (counts 0, rates and means None)."""
    return _figures(None, None)
