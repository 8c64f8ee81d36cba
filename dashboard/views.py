"""The dashboard pages (/dashboard/): drive overview, campaign pages, rankings, weekly bulletin, exports.

Every figure comes from dashboard/queries.py, the same code as GET /api/v1/dashboard/; every page parses
its filters within the user's scope (dashboard/permissions.py): a street office sees its street only.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from cases.figures import FIGURE_SETS
from cases.models import Campaign
from cases.templatetags.case_tags import percent
from core import clock
from core.errors import Conflict, InvalidInput
from core.exports import EXPORT_FORMATS, Column, export_response
from core.forms import style_fields
from dashboard.evaluation import (
    Evaluation,
    evaluation,
    evaluation_request,
    month_filters,
    publish,
    rule_descriptions,
    scoped_results,
)
from dashboard.models import UnitKind
from dashboard.permissions import DashboardScope, can_publish_evaluation, dashboard_scope
from dashboard.queries import (
    DEPARTMENT_RANKINGS,
    STREET_RANKINGS,
    DashboardFilterForm,
    DashboardFilters,
    breakdown,
    daily,
    mobilisation,
    overdue_cases,
    overview,
    rankings,
    tally_totals,
)

# The figures in the order the pages show them; rates are fractions shown as percentages.
FIGURE_LABELS = {
    "intake": gettext_lazy("Intake"),
    "open": gettext_lazy("Open"),
    "closed": gettext_lazy("Closed"),
    "overdue": gettext_lazy("Overdue"),
    "escalated": gettext_lazy("Escalated (督办)"),
    "supervised": gettext_lazy("Supervised (督办, leaders and system)"),
    "deferred": gettext_lazy("Deferred now (缓办/挂账)"),
    "closure_rate": gettext_lazy("Closure rate"),
    "on_time_closure_rate": gettext_lazy("On-time closure rate (按期结案率)"),
    "on_time_report_in_rate": gettext_lazy("On-time report-in rate (按时报到率)"),
    "mean_report_in_minutes": gettext_lazy("Mean report-in time (minutes)"),
    "mean_resolve_hours": gettext_lazy("Mean time to resolve (hours)"),
    "rework_rate": gettext_lazy("Rework rate (返工率)"),
    "satisfaction_rate": gettext_lazy("Satisfaction rate (满意率)"),
}
RATES = {"closure_rate", "on_time_closure_rate", "on_time_report_in_rate", "rework_rate", "satisfaction_rate"}
BREAKDOWN_LABELS = {
    "street": gettext_lazy("Street"),
    "community": gettext_lazy("Community"),
    "category": gettext_lazy("Category"),
    "department": gettext_lazy("Department"),
}
MOBILISATION_LABELS = {
    "branches": gettext_lazy("Party branches active"),
    "volunteers": gettext_lazy("Volunteers active"),
    "activities": gettext_lazy("Activities"),
    "people_times": gettext_lazy("People-times"),
    "hours": gettext_lazy("Volunteer hours"),
}
RANKING_LABELS = {
    "on_time_report_in_rate": gettext_lazy(
        "Summonses reported in by their deadline ÷ summonses whose report-in fell due (higher is better)."
    ),
    "on_time_closure_rate": gettext_lazy(
        "Cases resolved by their deadline and closed ÷ cases due (应结案数) of the department (higher is better)."
    ),
    "rework_rate": gettext_lazy("Cases due that were sent for rework at least once ÷ cases due (lower is better)."),
    "closure_rate": gettext_lazy("Cases due that are closed ÷ cases due (应结案数) in the street (higher is better)."),
    "overdue": gettext_lazy("Cases of the street overdue now (fewer is better)."),
}


def figure_text(figures: dict[str, Any], name: str) -> str:
    """A figure as the pages print it: rates as percentages, means with one decimal, none as a dash."""
    value = figures.get(name)
    if value is None:
        return "—"
    if name in RATES:
        return percent(value)
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


# The case sets (cases/figures.py) each figure opens in the case list: a count opens its own set;
# a rate is "part of whole" and opens both; a mean opens the cases it averages over.
FIGURE_SETS_OPENED: dict[str, tuple[str, str | None]] = {
    "intake": ("intake", None),
    "open": ("open", None),
    "closed": ("closed", None),
    "overdue": ("overdue", None),
    "escalated": ("escalated", None),
    "supervised": ("supervised", None),
    "deferred": ("deferred", None),
    "closure_rate": ("due_closed", "due"),
    "on_time_closure_rate": ("due_closed_on_time", "due"),
    "on_time_report_in_rate": ("report_in_on_time", "report_in_due"),
    "mean_report_in_minutes": ("reported_in", None),
    "mean_resolve_hours": ("due_resolved", None),
    "rework_rate": ("due_reworked", "due"),
    "satisfaction_rate": ("rated_satisfied", "rated"),
}
# A breakdown's group as a case list filter: parameter name and the row's key holding its value.
GROUP_PARAMS = {
    "campaign": ("campaign", "slug"),
    "street": ("street", "id"),
    "community": ("community", "id"),
    "category": ("category", "code"),
    "department": ("department", "id"),
}


@dataclass(frozen=True)
class Count:
    """A number behind a figure and the case list that holds it."""

    value: int
    url: str


@dataclass(frozen=True)
class FigureCell:
    """A figure as a page shows it: the text, the case list it opens and, for a rate, its "n of m"."""

    name: str
    label: str
    text: str
    url: str
    part: Count | None = None
    whole: Count | None = None


def case_list_url(filters: DashboardFilters, case_set: str, group: dict[str, str] | None = None) -> str:
    """The case list of one figure's set under the dashboard's filters (and a breakdown row's group)."""
    params = filters.as_params() | (group or {}) | {"figure": case_set}
    return f"{reverse('cases:case_list')}?{urlencode(params)}"


def activity_list_url(filters: DashboardFilters) -> str:
    """The activity list of the mobilisation figures: the drive, campaign, place and days (no department)."""
    params = {name: value for name, value in filters.as_params().items() if name != "department"}
    return f"{reverse('volunteers:activity_list')}?{urlencode(params)}"


def group_of(by: str, row: dict[str, Any]) -> dict[str, str]:
    """A breakdown row (campaign, street, …) as the case list parameter that narrows to it."""
    name, key = GROUP_PARAMS[by]
    return {name: str(row[key])}


def chart_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The daily rows as the chart script reads them (JSON: days as ISO text, each point's case list)."""
    return [
        {
            "date": row["date"].isoformat(),
            "intake": row["intake"],
            "closed": row["closed"],
            "intake_url": row["intake_url"],
            "closed_url": row["closed_url"],
        }
        for row in rows
    ]


def daily_rows(filters: DashboardFilters) -> list[dict[str, Any]]:
    """The daily intake and closures, each day's numbers with the case lists they count."""
    rows = []
    for row in daily(filters):
        day = {"date_from": row["date"].isoformat(), "date_to": row["date"].isoformat()}
        rows.append(
            row
            | {
                "intake_url": case_list_url(filters, "intake", day),
                "closed_url": case_list_url(filters, "closures", day),
            }
        )
    return rows


def figure_rows(figures: dict[str, Any], filters: DashboardFilters, group: dict[str, str] | None = None) -> list:
    """Each figure as a FigureCell, linked to its cases (in the breakdown row's group, if any)."""
    cells = []
    for name, label in FIGURE_LABELS.items():
        part_set, whole_set = FIGURE_SETS_OPENED[name]
        part = Count(figures[part_set], case_list_url(filters, part_set, group))
        whole = Count(figures[whole_set], case_list_url(filters, whole_set, group)) if whole_set else None
        cells.append(
            FigureCell(
                name=name,
                label=str(label),
                text=figure_text(figures, name),
                url=(whole or part).url,
                part=part if whole else None,
                whole=whole,
            )
        )
    return cells


class DashboardView(LoginRequiredMixin, View):
    """Staff with a role, each within their scope; filters from the query string, kept in every link and export."""

    template_name = ""
    scope: DashboardScope

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            scope = dashboard_scope(request.user)
            if scope is None:
                messages.error(request, _("Ask an administrator to give your account a role."))
                return redirect("home")
            self.scope = scope
        return super().dispatch(request, *args, **kwargs)

    def parse(self, params: Mapping[str, Any]) -> DashboardFilters:
        """The filters of a query string, within the user's scope."""
        return DashboardFilters.from_query(params, scope=self.scope)

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = DashboardFilterForm(request.GET or None, scope=self.scope)
        style_fields(form)
        try:
            filters = self.filters(request, **kwargs)
        except InvalidInput as error:
            for name, problems in error.fields.items():
                for problem in problems:
                    form.add_error(name if name in form.fields else None, str(problem))
            return render(request, "dashboard/invalid.html", {"form": form, "scope": self.scope}, status=400)
        params = filters.as_params()
        context = {
            "form": form,
            "filters": filters,
            # Query strings for links: all the filters; without the campaign (leaving a campaign page);
            # without the dates (the bulletin defaults to the last 7 days).
            "query": urlencode(params),
            "query_all_campaigns": urlencode({k: v for k, v in params.items() if k != "campaign"}),
            "query_undated": urlencode({k: v for k, v in params.items() if k not in ("date_from", "date_to")}),
            "filtered": bool(request.GET),
            "scope": self.scope,
            "now": clock.now(),
        }
        context.update(self.figures(filters, **kwargs))
        return render(request, self.template_name, context)

    def filters(self, request: HttpRequest, **kwargs: Any) -> DashboardFilters:
        return self.parse(request.GET)

    def figures(self, filters: DashboardFilters, **kwargs: Any) -> dict[str, Any]:
        raise NotImplementedError


class OverviewView(DashboardView):
    """The drive: its figures, each campaign as a card, daily intake vs closure, tally, mobilisation."""

    template_name = "dashboard/overview.html"

    def figures(self, filters: DashboardFilters, **kwargs: Any) -> dict[str, Any]:
        figures = overview(filters)
        days = daily_rows(filters)
        mobilised = mobilisation(filters)
        return {
            "figures": figure_rows(figures, filters),
            "campaigns": [
                (campaign, figure_rows(campaign, filters, group_of("campaign", campaign)))
                for campaign in figures["campaigns"]
            ],
            "tally": figures["tally"],
            "daily": days,
            "daily_chart": chart_rows(days),
            "mobilisation": [
                (str(label), mobilised[name], activity_list_url(filters) if name == "activities" else None)
                for name, label in MOBILISATION_LABELS.items()
            ],
        }


class CampaignView(DashboardView):
    """One campaign: its figures broken down by street, community, category and department; overdue list; tally."""

    template_name = "dashboard/campaign.html"

    def filters(self, request: HttpRequest, **kwargs: Any) -> DashboardFilters:
        campaign = get_object_or_404(Campaign, slug=kwargs["slug"])
        params = request.GET.copy()
        params["campaign"] = campaign.slug
        params["drive"] = campaign.drive.slug
        return self.parse(params)

    def figures(self, filters: DashboardFilters, **kwargs: Any) -> dict[str, Any]:
        breakdowns = [
            (
                by,
                str(BREAKDOWN_LABELS[by]),
                [(row, figure_rows(row, filters, group_of(by, row))) for row in breakdown(filters, by=by)],
            )
            for by in BREAKDOWN_LABELS
        ]
        return {
            "campaign": filters.campaign,
            "figures": figure_rows(overview(filters), filters),
            "breakdowns": breakdowns,
            "daily": (days := daily_rows(filters)),
            "daily_chart": chart_rows(days),
            "overdue": overdue_cases(filters, limit=50),
            "tally": tally_totals(filters),
            "labels": [str(label) for label in FIGURE_LABELS.values()],
        }


def ranking_tables(filters: DashboardFilters) -> list[dict[str, Any]]:
    """The rankings as tables: each entry with its "n of m" linked to the cases behind them."""
    ranked = rankings(filters)
    by_figure = {r.figure: r for r in (*DEPARTMENT_RANKINGS, *STREET_RANKINGS)}
    tables = []
    for group, key in (("departments", "department"), ("streets", "street")):
        for figure, entries in ranked[group].items():
            ranking = by_figure[figure]
            rows = [
                entry
                | {
                    "part_count": Count(entry["part"], case_list_url(filters, ranking.part, {key: str(entry["id"])})),
                    "whole_count": Count(
                        entry["whole"], case_list_url(filters, ranking.whole, {key: str(entry["id"])})
                    ),
                }
                for entry in entries
            ]
            tables.append(
                {
                    "group": group,
                    "figure": figure,
                    "label": str(FIGURE_LABELS[figure]),
                    "how": str(RANKING_LABELS[figure]),
                    "rows": rows,
                    "is_rate": figure in RATES,
                }
            )
    return tables


class RankingsView(DashboardView):
    """综合评价: departments and streets ranked, with how each score is computed and the cases behind it."""

    template_name = "dashboard/rankings.html"

    def figures(self, filters: DashboardFilters, **kwargs: Any) -> dict[str, Any]:
        return {"tables": ranking_tables(filters), "minimum": settings.DASHBOARD_RANKING_MIN_CASES}


# The bulletin's table of every street: these figures, in this order.
BULLETIN_STREET_FIGURES = ("closure_rate", "on_time_closure_rate", "intake", "overdue")


class BulletinView(DashboardView):
    """The weekly bulletin (通报) for A4: the week's figures, rankings and overdue list (default: the last 7 days)."""

    template_name = "dashboard/bulletin.html"

    def filters(self, request: HttpRequest, **kwargs: Any) -> DashboardFilters:
        params = request.GET.copy()
        if not params.get("date_from") and not params.get("date_to"):
            today = timezone.localdate(clock.now())
            params["date_to"] = today.isoformat()
            params["date_from"] = (today - datetime.timedelta(days=6)).isoformat()
        return self.parse(params)

    def figures(self, filters: DashboardFilters, **kwargs: Any) -> dict[str, Any]:
        figures = overview(filters)
        tables = {(table["group"], table["figure"]): table for table in ranking_tables(filters)}
        streets = []
        for entry in tables["streets", "closure_rate"]["rows"]:
            cells = {cell.name: cell for cell in figure_rows(entry["figures"], filters, {"street": str(entry["id"])})}
            streets.append((entry, [cells[name] for name in BULLETIN_STREET_FIGURES]))
        return {
            "figures": figure_rows(figures, filters),
            "campaigns": [
                (campaign, figure_rows(campaign, filters, group_of("campaign", campaign)))
                for campaign in figures["campaigns"]
            ],
            "tally": [entry for entry in figures["tally"] if entry["total"]],
            "department_ranking": tables["departments", "on_time_report_in_rate"]["rows"],
            "streets": streets,
            "minimum": settings.DASHBOARD_RANKING_MIN_CASES,
            "overdue": overdue_cases(filters, limit=30),
            "labels": [str(label) for label in FIGURE_LABELS.values()],
        }


# --- exports: every table of the dashboard as CSV or XLSX ---------------------------------------------


def _figure_columns() -> list[Column]:
    """The figures as export columns; rates as percentages (one decimal), like the pages show them."""
    columns = []
    for name, label in FIGURE_LABELS.items():
        if name in RATES:
            columns.append(Column(format_lazy("{} (%)", label), lambda row, name=name: _percent(row.get(name))))
        else:
            columns.append(Column(label, lambda row, name=name: row.get(name)))
    return columns


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _named(label) -> Column:
    return Column(label, lambda row: row.get("name"))


def export_table(table: str, filters: DashboardFilters) -> tuple[list, list[Column]]:
    """The rows and columns of one dashboard table; a 404 for a table the dashboard does not have."""
    if table == "campaigns":
        return overview(filters)["campaigns"], [_named(gettext_lazy("Campaign")), *_figure_columns()]
    if table in BREAKDOWN_LABELS:
        return breakdown(filters, by=table), [_named(BREAKDOWN_LABELS[table]), *_figure_columns()]
    if table == "daily":
        columns = [
            Column(gettext_lazy("Day"), lambda row: row["date"]),
            Column(gettext_lazy("Intake"), lambda row: row["intake"]),
            Column(gettext_lazy("Closed"), lambda row: row["closed"]),
        ]
        return daily(filters), columns
    if table == "tally":
        columns = [
            Column(gettext_lazy("Metric"), lambda row: row["name"]),
            Column(gettext_lazy("Unit"), lambda row: row["unit"]),
            Column(gettext_lazy("Total"), lambda row: row["total"]),
        ]
        return tally_totals(filters), columns
    if table in ("rankings-departments", "rankings-streets"):
        group = table.removeprefix("rankings-")
        rows = [
            {"group": str(FIGURE_LABELS[figure]), **entry}
            for figure, entries in rankings(filters)[group].items()
            for entry in entries
        ]
        columns = [
            Column(gettext_lazy("Score"), lambda row: row["group"]),
            Column(gettext_lazy("Rank"), lambda row: row["rank"]),
            _named(gettext_lazy("Department") if group == "departments" else gettext_lazy("Street")),
            Column(gettext_lazy("Value"), lambda row: row["value"]),
        ]
        return rows, columns
    if table == "overdue":
        columns = [
            Column(gettext_lazy("Case number"), lambda case: case.number),
            Column(gettext_lazy("Title"), lambda case: case.title),
            Column(gettext_lazy("Community"), lambda case: case.community.name if case.community else ""),
            Column(gettext_lazy("Lead department"), lambda case: case.lead_department),
            Column(gettext_lazy("Overdue since"), lambda case: case.overdue_since),
        ]
        return list(overdue_cases(filters, limit=None).select_related("community")), columns
    raise Http404


class ExportView(DashboardView):
    """/dashboard/export/<table>.<csv|xlsx>?<the page's filters>."""

    def get(self, request: HttpRequest, table: str, file_format: str) -> HttpResponse:
        if file_format not in EXPORT_FORMATS:
            raise Http404
        try:
            filters = self.parse(request.GET)
        except InvalidInput:
            messages.error(request, _("Correct the filters before exporting."))
            return redirect(f"{reverse('dashboard:overview')}?{request.GET.urlencode()}")
        rows, columns = export_table(table, filters)
        return export_response(rows=rows, columns=columns, filename=gettext_lazy("Dashboard"), file_format=file_format)


# --- monthly evaluation (综合评价/考核) ------------------------------------------------------------


def _count_link(filters: DashboardFilters, name: str | None, value: int | None, group: dict[str, str]) -> Count | None:
    if not name or value is None:
        return None
    return Count(value, case_list_url(filters, name, group) if name in FIGURE_SETS else "")


def evaluation_rows(result: Evaluation, scope: DashboardScope) -> list[dict[str, Any]]:
    """Each unit's score (linked to its figures on the overview) and each rule's counts (linked to their cases)."""
    filters = month_filters(result.period)
    rows = []
    for entry in scoped_results(result, scope):
        group = {result.kind: str(entry["unit"]["id"])}
        overview_params = filters.as_params() | group
        lines = []
        for line in entry["rules"]:
            minus = line.get("denominator_minus")
            lines.append(
                line
                | {
                    "part": _count_link(filters, line["numerator"], line["numerator_count"], group),
                    "whole": _count_link(
                        filters, line["denominator"], entry["figures"].get(line["denominator"]), group
                    ),
                    "minus": _count_link(filters, minus, entry["figures"].get(minus, 0), group) if minus else None,
                }
            )
        rows.append(
            entry
            | {
                "overview_url": f"{reverse('dashboard:overview')}?{urlencode(overview_params)}",
                "lines": lines,
            }
        )
    return rows


class EvaluationView(DashboardView):
    """综合评价/考核 of a month: every department or street scored by the rules; leaders publish it once."""

    template_name = "dashboard/evaluation.html"

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        try:
            period, kind = evaluation_request(request.GET, self.scope)
        except InvalidInput as error:
            context = {"errors": [str(p) for problems in error.fields.values() for p in problems], "scope": self.scope}
            return render(request, self.template_name, context | {"period": request.GET.get("period", "")}, status=400)
        result = evaluation(period, kind)
        rows = evaluation_rows(result, self.scope)
        labels = [line["label"] for line in rows[0]["lines"]] if rows else []
        context = {
            "evaluation": result,
            "period": str(period),
            "kind": kind,
            "kind_label": UnitKind(kind).label,
            "kinds": UnitKind.choices if self.scope.is_district else [(kind, UnitKind(kind).label)],
            "rows": rows,
            "labels": labels,
            "rules": rule_descriptions(result),
            "query": urlencode({"period": str(period), "kind": kind}),
            "may_publish": can_publish_evaluation(request.user) and not result.is_published and period.is_over(),
            "scope": self.scope,
            "now": clock.now(),
        }
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if not can_publish_evaluation(request.user):
            raise PermissionDenied
        try:
            period, kind = evaluation_request(request.POST, self.scope)
            publish(period, kind, request.user)
        except (InvalidInput, Conflict) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The evaluation of %(period)s is published.") % {"period": period})
        query = urlencode({"period": request.POST.get("period", ""), "kind": request.POST.get("kind", "")})
        return redirect(f"{reverse('dashboard:evaluation')}?{query}")


def evaluation_columns(labels: list[str]) -> list[Column]:
    columns = [
        Column(gettext_lazy("Rank"), lambda row: row["rank"]),
        Column(gettext_lazy("Unit"), lambda row: row["unit"]["name"]),
        Column(gettext_lazy("Points scored"), lambda row: Decimal(row["score"])),
    ]
    for index, label in enumerate(labels):
        columns += [
            Column(format_lazy("{} (%)", label), lambda row, i=index: _decimal(row["rules"][i]["rate"])),
            Column(
                format_lazy("{} · {}", label, gettext_lazy("count")),
                lambda row, i=index: row["rules"][i]["numerator_count"],
            ),
            Column(
                format_lazy("{} · {}", label, gettext_lazy("points")),
                lambda row, i=index: _decimal(row["rules"][i]["points"]),
            ),
        ]
    return columns


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


class EvaluationExportView(DashboardView):
    """/dashboard/evaluation/export.<csv|xlsx>?period=YYYY-MM&kind=…: the month's table."""

    def get(self, request: HttpRequest, file_format: str) -> HttpResponse:
        if file_format not in EXPORT_FORMATS:
            raise Http404
        try:
            period, kind = evaluation_request(request.GET, self.scope)
        except InvalidInput as error:
            messages.error(request, str(error))
            return redirect("dashboard:evaluation")
        result = evaluation(period, kind)
        rows = scoped_results(result, self.scope)
        labels = [line["label"] for line in rows[0]["rules"]] if rows else []
        filename = format_lazy("{}-{}", gettext_lazy("Evaluation"), period)
        return export_response(
            rows=rows, columns=evaluation_columns(labels), filename=filename, file_format=file_format
        )
