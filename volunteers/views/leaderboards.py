"""Leaderboards: branches and volunteers ranked over a period, and their exports."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views import View

from communities.mixins import StaffOnlyMixin
from communities.models import Street
from core.exports import EXPORT_FORMATS, Column, export_response
from volunteers.queries import BRANCH_ORDERINGS, Period, branch_leaderboard, volunteer_hours

# Rows per page of each board: both boards of a page fit a few phone screens (they stack below the xl width).
LEADERBOARD_PAGE_SIZE = 20


PERIODS: dict[str, Any] = {
    "all": gettext_lazy("All time"),
    "week": gettext_lazy("Last 7 days"),
    "month": gettext_lazy("Last 30 days"),
    "year": gettext_lazy("This year"),
}


def period_named(name: str, today: datetime.date) -> Period:
    """A leaderboard period by its name in the page's choice."""
    if name == "week":
        return Period(start=today - datetime.timedelta(days=6), end=today)
    if name == "month":
        return Period(start=today - datetime.timedelta(days=29), end=today)
    if name == "year":
        return Period(start=today.replace(month=1, day=1), end=today)
    return Period()


def leaderboard_choices(request: HttpRequest) -> dict[str, Any]:
    """The leaderboards' chosen period, street and branch ordering (unknown values fall back to the defaults)."""
    period_name = request.GET.get("period", "all")
    if period_name not in PERIODS:
        period_name = "all"
    order_by = request.GET.get("order_by", "hours")
    if order_by not in BRANCH_ORDERINGS:
        order_by = "hours"
    streets = list(Street.objects.order_by("order", "name"))
    street = next((street for street in streets if str(street.pk) == request.GET.get("street")), None)
    return {
        "period_name": period_name,
        "period": period_named(period_name, timezone.localdate()),
        "order_by": order_by,
        "street": street,
        "streets": streets,
        "periods": PERIODS,
    }


class LeaderboardView(StaffOnlyMixin, View):
    """Branches ranked by activities, people-times or hours; volunteers ranked by hours; each board paginated."""

    def get(self, request: HttpRequest) -> HttpResponse:
        choices = leaderboard_choices(request)
        # A page parameter per board: paging one leaves the other where it was. Ranks stay the district's.
        branches = Paginator(
            branch_leaderboard(choices["period"], choices["street"], choices["order_by"]), LEADERBOARD_PAGE_SIZE
        ).get_page(request.GET.get("branches_page"))
        volunteers = Paginator(volunteer_hours(choices["period"], choices["street"]), LEADERBOARD_PAGE_SIZE).get_page(
            request.GET.get("volunteers_page")
        )
        context = {
            **choices,
            "branches": branches.object_list,
            "branch_page": branches,
            "volunteers": volunteers.object_list,
            "volunteer_page": volunteers,
            "orderings": BRANCH_ORDER_LABELS,
            "export_formats": EXPORT_FORMATS,
            "section": "leaderboards",
        }
        return render(request, "volunteers/leaderboards.html", context)


BRANCH_ORDER_LABELS = {
    "hours": gettext_lazy("Hours"),
    "people_times": gettext_lazy("People-times"),
    "activities": gettext_lazy("Activities"),
}


def _key(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: row[name]


class LeaderboardExportView(StaffOnlyMixin, View):
    """A leaderboard, with the page's choices, as CSV or XLSX."""

    def get(self, request: HttpRequest, board: str, file_format: str) -> HttpResponse:
        if file_format not in EXPORT_FORMATS or board not in ("branches", "volunteers"):
            raise Http404
        choices = leaderboard_choices(request)
        if board == "branches":
            rows = branch_leaderboard(choices["period"], choices["street"], choices["order_by"])
            columns = [
                Column(gettext_lazy("Rank"), _key("rank")),
                Column(gettext_lazy("Party branch"), lambda row: row["branch"].name),
                Column(gettext_lazy("Paired community"), lambda row: row["community"].name if row["community"] else ""),
                Column(gettext_lazy("Activities"), _key("activities")),
                Column(gettext_lazy("People-times"), _key("people_times")),
                Column(gettext_lazy("Hours"), _key("hours")),
            ]
            return export_response(
                rows=rows, columns=columns, filename=gettext_lazy("Branch leaderboard"), file_format=file_format
            )
        columns = [
            Column(gettext_lazy("Rank"), attrgetter("rank")),
            Column(gettext_lazy("Name"), attrgetter("name")),
            Column(gettext_lazy("Street"), attrgetter("community.street.name")),
            Column(gettext_lazy("Community"), attrgetter("community.name")),
            Column(gettext_lazy("Party member"), attrgetter("is_party_member")),
            Column(gettext_lazy("Activities"), attrgetter("activities_count")),
            Column(gettext_lazy("Hours"), attrgetter("hours")),
        ]
        rows = volunteer_hours(choices["period"], choices["street"]).iterator(chunk_size=500)
        return export_response(
            rows=rows, columns=columns, filename=gettext_lazy("Volunteer leaderboard"), file_format=file_format
        )
