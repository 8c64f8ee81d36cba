"""Pages of the 1+1 mobilisation: volunteers, party branches and their pairings, activities, leaderboards.

Views parse input, call permissions/queries/services and render; no rule lives here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from operator import attrgetter
from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from cases.permissions import visible_cases_q
from communities.models import Street
from core.errors import DomainError
from core.exports import EXPORT_FORMATS, Column, export_response
from core.masking import mask_phone
from volunteers import services
from volunteers.filters import ActivityFilterSet, PartyBranchFilterSet, VolunteerFilterSet
from volunteers.forms import ActivityForm, PairingForm, ParticipantForm, VolunteerForm
from volunteers.imports import PARTICIPANT_COLUMNS, VOLUNTEER_COLUMNS, ImportColumn
from volunteers.models import Activity, Participation, PartyBranch, Volunteer
from volunteers.permissions import (
    can_manage_activity,
    can_manage_any,
    can_manage_pairings,
    can_manage_volunteer,
    can_see_volunteer_phone,
    can_view_volunteers,
)
from volunteers.queries import (
    BRANCH_ORDERINGS,
    Period,
    activity_rows,
    activity_tally,
    branch_leaderboard,
    branch_rows,
    volunteer_hours,
    volunteer_record,
    volunteer_rows,
)

PAGE_SIZE = 25
LEADERBOARD_PAGE_SIZE = 50


class StaffOnlyMixin(LoginRequiredMixin):
    """Signed-in members of staff only; a signed-in user without a role gets the 403 page."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not can_view_volunteers(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def shown_phone(user: Any, volunteer: Volunteer) -> str:
    """The volunteer's phone as this user may see it."""
    return volunteer.phone if can_see_volunteer_phone(user, volunteer) else mask_phone(volunteer.phone)


class FilteredListView(StaffOnlyMixin, View):
    """A list page: FilterSet over a queryset, paginated; its export takes the same filters."""

    filterset_class: ClassVar[type]
    template_name: ClassVar[str]
    export_name: ClassVar[str]
    section: ClassVar[str]

    def rows(self) -> QuerySet:
        raise NotImplementedError

    def filtered(self) -> tuple[Any, QuerySet, bool]:
        filterset = self.filterset_class(self.request.GET or None, queryset=self.rows(), request=self.request)
        valid = not filterset.is_bound or filterset.is_valid()
        return filterset, (filterset.qs if valid else self.rows().none()), valid

    def decorate(self, rows: list[Any]) -> None:
        """Add what the template shows per row and the user may see (e.g. a phone masked or not)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset, rows, valid = self.filtered()
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
        self.decorate(page.object_list)
        context = {
            "filterset": filterset,
            "page_obj": page,
            "rows": page.object_list,
            "export_formats": EXPORT_FORMATS,
            "export_url": reverse(f"volunteers:{self.export_name}", args=["csv"])[: -len("csv")],
            "filters_applied": any(value for key, value in request.GET.items() if key != "page"),
            "section": self.section,
            "can_manage": can_manage_any(request.user),
        }
        return render(request, self.template_name, context, status=200 if valid else 400)


class FilteredExportView(StaffOnlyMixin, View):
    """The filtered list of a FilteredListView as CSV or XLSX."""

    list_view: ClassVar[type[FilteredListView]]
    filename: ClassVar[Any]

    def columns(self) -> list[Column]:
        raise NotImplementedError

    def get(self, request: HttpRequest, file_format: str) -> HttpResponse:
        if file_format not in EXPORT_FORMATS:
            raise Http404
        lister = self.list_view()
        lister.setup(request)
        _filterset, rows, valid = lister.filtered()
        if not valid:
            messages.error(request, _("Correct the filters before exporting."))
            return HttpResponseRedirect(f"{reverse(f'volunteers:{lister.section}')}?{request.GET.urlencode()}")
        return export_response(
            rows=rows.iterator(chunk_size=500), columns=self.columns(), filename=self.filename, file_format=file_format
        )


# --- volunteers ---------------------------------------------------------------------------------


class VolunteerListView(FilteredListView):
    """Every volunteer with community, branch, activities and hours; phones masked but for their street's staff."""

    filterset_class = VolunteerFilterSet
    template_name = "volunteers/volunteer_list.html"
    export_name = "volunteer_export"
    section = "volunteer_list"

    def rows(self) -> QuerySet[Volunteer]:
        return volunteer_rows().order_by("community__street__order", "community__name", "name", "pk")

    def decorate(self, rows: list[Volunteer]) -> None:
        for volunteer in rows:
            volunteer.shown_phone = shown_phone(self.request.user, volunteer)


def import_file_columns(columns: tuple[ImportColumn, ...], values: dict[str, Callable[[Any], Any]]) -> list[Column]:
    """Export columns headed exactly as the import reads them, so an exported file can be edited and imported."""
    return [Column(column.header(), values[column.key]) for column in columns]


def volunteer_columns(user: Any) -> list[Column]:
    """The volunteer export's columns: the import's columns first, then the street and the volunteer's totals."""
    return [
        *import_file_columns(
            VOLUNTEER_COLUMNS,
            {
                "name": attrgetter("name"),
                "phone": lambda volunteer: shown_phone(user, volunteer),
                "community": attrgetter("community.name"),
                "is_party_member": attrgetter("is_party_member"),
                "branch": lambda volunteer: volunteer.branch.name if volunteer.branch else "",
                "skills": attrgetter("skills"),
                "joined_on": attrgetter("joined_on"),
            },
        ),
        Column(gettext_lazy("Street"), attrgetter("community.street.name")),
        Column(gettext_lazy("Activities"), attrgetter("activities_count")),
        Column(gettext_lazy("Hours"), attrgetter("hours")),
    ]


class VolunteerExportView(FilteredExportView):
    list_view = VolunteerListView
    filename = gettext_lazy("Volunteers")

    def columns(self) -> list[Column]:
        return volunteer_columns(self.request.user)


class VolunteerDetailView(StaffOnlyMixin, View):
    """A volunteer: who they are, their activities and hours, and (for their street's staff) their record link."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        volunteer = get_object_or_404(Volunteer.objects.select_related("community__street", "branch"), pk=pk)
        can_manage = can_manage_volunteer(request.user, volunteer)
        context = {
            "volunteer": volunteer,
            "phone": shown_phone(request.user, volunteer),
            "record": volunteer_record(volunteer),
            "can_manage": can_manage,
            "record_url": request.build_absolute_uri(
                reverse("volunteers:volunteer_record", args=[volunteer.record_token])
            )
            if can_manage
            else None,
            "link_activities": True,
            "section": "volunteer_list",
        }
        return render(request, "volunteers/volunteer_detail.html", context)


class VolunteerFormView(StaffOnlyMixin, View):
    """Register a volunteer, or correct one (their community's street staff)."""

    template_name = "volunteers/volunteer_form.html"

    def volunteer(self, pk: int | None) -> Volunteer | None:
        if pk is None:
            if not can_manage_any(self.request.user):
                raise PermissionDenied
            return None
        volunteer = get_object_or_404(Volunteer.objects.select_related("community__street"), pk=pk)
        if not can_manage_volunteer(self.request.user, volunteer):
            raise PermissionDenied
        return volunteer

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        volunteer = self.volunteer(pk)
        initial = {"community": request.GET.get("community")} if volunteer is None else None
        form = VolunteerForm(instance=volunteer, initial=initial, user=request.user)
        return render(request, self.template_name, {"form": form, "volunteer": volunteer, "section": "volunteer_list"})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        volunteer = self.volunteer(pk)
        form = VolunteerForm(request.POST, instance=volunteer, user=request.user)
        if form.is_valid():
            try:
                saved = services.save_volunteer(request.user, volunteer, form.cleaned_data)
            except DomainError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("%(name)s has been saved.") % {"name": saved.name})
                return redirect("volunteers:volunteer_detail", pk=saved.pk)
        context = {"form": form, "volunteer": volunteer, "section": "volunteer_list"}
        return render(request, self.template_name, context, status=400)


class VolunteerRecordView(View):
    """A volunteer's own record, opened from the personal link their street sent them (no account needed)."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        volunteer = get_object_or_404(
            Volunteer.objects.select_related("community__street", "branch"), record_token=token
        )
        response = render(
            request,
            "volunteers/volunteer_record.html",
            {"volunteer": volunteer, "record": volunteer_record(volunteer)},
        )
        # The link is the key: keep it out of search engines and shared caches.
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response


# --- party branches -----------------------------------------------------------------------------


class BranchListView(FilteredListView):
    """The 111 branches: paired community now, members, registered volunteers, activities."""

    filterset_class = PartyBranchFilterSet
    template_name = "volunteers/branch_list.html"
    export_name = "branch_export"
    section = "branch_list"

    def rows(self) -> QuerySet[PartyBranch]:
        return branch_rows().order_by("name")


def current_community(branch: PartyBranch) -> Any:
    """The community the branch is paired with now (from the `current_pairings` prefetch)."""
    return branch.current_pairings[0].community if branch.current_pairings else None


class BranchExportView(FilteredExportView):
    list_view = BranchListView
    filename = gettext_lazy("Party branches")

    def columns(self) -> list[Column]:
        return [
            Column(gettext_lazy("Party branch"), attrgetter("name")),
            Column(gettext_lazy("Parent organisation"), attrgetter("organisation")),
            Column(gettext_lazy("Branch secretary"), attrgetter("secretary")),
            Column(
                gettext_lazy("Street"),
                lambda branch: current_community(branch).street.name if current_community(branch) else "",
            ),
            Column(
                gettext_lazy("Paired community"),
                lambda branch: current_community(branch).name if current_community(branch) else "",
            ),
            Column(gettext_lazy("Party members"), attrgetter("member_count")),
            Column(gettext_lazy("Registered volunteers"), attrgetter("volunteer_members")),
            Column(gettext_lazy("Activities"), attrgetter("activities_count")),
        ]


class BranchDetailView(StaffOnlyMixin, View):
    """A branch: its pairing now and before, its volunteer members, its activities and its standing."""

    template_name = "volunteers/branch_detail.html"

    def context(self, branch: PartyBranch, form: PairingForm | None = None) -> dict[str, Any]:
        pairings = list(branch.pairings.select_related("community__street").order_by("-starts_on"))
        board = branch_leaderboard()
        standing = next((row for row in board if row["branch"].pk == branch.pk), None)
        may_pair = can_manage_pairings(self.request.user)
        return {
            "branch": branch,
            "pairings": pairings,
            "current": next((pairing for pairing in pairings if pairing.ends_on is None), None),
            "members": branch.volunteers.select_related("community").order_by("name")[:200],
            "member_total": branch.volunteers.count(),
            "activities": activity_rows().filter(branch=branch).order_by("-starts_at")[:20],
            "standing": standing,
            "branch_total": len(board),
            "pair_form": (form or PairingForm(initial={"starts_on": timezone.localdate()})) if may_pair else None,
            "section": "branch_list",
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        branch = get_object_or_404(PartyBranch, pk=pk)
        return render(request, self.template_name, self.context(branch))


class BranchPairView(StaffOnlyMixin, View):
    """Move a branch to another community from a day (leaders and administrators); history is kept."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return redirect("volunteers:branch_detail", pk=pk)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        branch = get_object_or_404(PartyBranch, pk=pk)
        if not can_manage_pairings(request.user):
            raise PermissionDenied
        form = PairingForm(request.POST)
        if form.is_valid():
            try:
                pairing = services.move_pairing(
                    request.user,
                    branch,
                    form.cleaned_data["community"],
                    form.cleaned_data["starts_on"],
                    form.cleaned_data["kind"],
                )
            except DomainError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _("%(branch)s is paired with %(community)s from %(date)s.")
                    % {"branch": branch, "community": pairing.community, "date": pairing.starts_on.isoformat()},
                )
                return redirect("volunteers:branch_detail", pk=branch.pk)
        view = BranchDetailView()
        view.setup(request, pk=pk)
        return render(request, view.template_name, view.context(branch, form), status=400)


# --- activities ---------------------------------------------------------------------------------


class ActivityListView(FilteredListView):
    """Activities, newest first: date, place, campaign, branch, people and hours."""

    filterset_class = ActivityFilterSet
    template_name = "volunteers/activity_list.html"
    export_name = "activity_export"
    section = "activity_list"

    def rows(self) -> QuerySet[Activity]:
        return activity_rows().order_by("-starts_at", "-pk")


class ActivityExportView(FilteredExportView):
    list_view = ActivityListView
    filename = gettext_lazy("Activities")

    def columns(self) -> list[Column]:
        return [
            Column(gettext_lazy("Date"), attrgetter("date")),
            Column(gettext_lazy("Starts at"), attrgetter("starts_at")),
            Column(gettext_lazy("Ends at"), attrgetter("ends_at")),
            Column(gettext_lazy("Title"), attrgetter("title")),
            Column(gettext_lazy("Street"), attrgetter("community.street.name")),
            Column(gettext_lazy("Community"), attrgetter("community.name")),
            Column(gettext_lazy("Campaign"), attrgetter("campaign.name")),
            Column(gettext_lazy("Organising branch"), lambda activity: activity.branch.name if activity.branch else ""),
            Column(gettext_lazy("Participants"), attrgetter("people")),
            Column(gettext_lazy("Hours"), attrgetter("hours")),
            Column(gettext_lazy("What was done"), attrgetter("description")),
        ]


def activity_or_404(pk: int) -> Activity:
    """The activity with what its page shows."""
    return get_object_or_404(Activity.objects.select_related("community__street", "campaign", "branch"), pk=pk)


class ActivityDetailView(StaffOnlyMixin, View):
    """An activity: outcomes (tally), cases resolved, participants with hours; its street's staff add people."""

    template_name = "volunteers/activity_detail.html"

    def context(self, activity: Activity, form: ParticipantForm | None = None) -> dict[str, Any]:
        user = self.request.user
        can_manage = can_manage_activity(user, activity)
        parts = list(
            activity.participations.select_related("volunteer__community", "volunteer__branch").order_by(
                "volunteer__name", "pk"
            )
        )
        return {
            "activity": activity,
            "tally": activity_tally(activity),
            "cases": activity.cases.filter(visible_cases_q(user)).select_related("category").order_by("number"),
            "hidden_cases": activity.cases.exclude(visible_cases_q(user)).count(),
            "participants": [(part, shown_phone(user, part.volunteer)) for part in parts],
            "total_hours": sum((part.hours for part in parts), 0),
            "can_manage": can_manage,
            "hours_limit": services.hours_limit(activity.starts_at, activity.ends_at),
            "participant_form": (form or ParticipantForm(activity=activity)) if can_manage else None,
            "export_formats": EXPORT_FORMATS,
            "section": "activity_list",
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, self.template_name, self.context(activity_or_404(pk)))


class ActivityFormView(StaffOnlyMixin, View):
    """Record an activity with its outcomes, or correct one (the community's street staff)."""

    template_name = "volunteers/activity_form.html"

    def activity(self, pk: int | None) -> Activity | None:
        if pk is None:
            if not can_manage_any(self.request.user):
                raise PermissionDenied
            return None
        activity = activity_or_404(pk)
        if not can_manage_activity(self.request.user, activity):
            raise PermissionDenied
        return activity

    def render_form(self, form: ActivityForm, activity: Activity | None, status: int = 200) -> HttpResponse:
        context = {"form": form, "activity": activity, "section": "activity_list"}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        activity = self.activity(pk)
        if activity is not None:
            initial = ActivityForm.initial_for(activity)
        else:
            initial = {
                "community": request.GET.get("community"),
                "date": last_weekend_day(timezone.localdate()),
                "start_time": datetime.time(8, 30),
                "end_time": datetime.time(11, 30),
            }
        return self.render_form(ActivityForm(initial=initial, user=request.user, activity=activity), activity)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        activity = self.activity(pk)
        form = ActivityForm(request.POST, user=request.user, activity=activity)
        if form.is_valid():
            try:
                saved = services.save_activity(request.user, activity, **form.service_kwargs())
            except DomainError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The activity “%(title)s” has been saved.") % {"title": saved.title})
                return redirect("volunteers:activity_detail", pk=saved.pk)
        return self.render_form(form, activity, status=400)


def last_weekend_day(today: datetime.date) -> datetime.date:
    """The most recent Saturday (today if it is one): clean-ups are recorded after the weekend."""
    return today - datetime.timedelta(days=(today.weekday() - 5) % 7)


class ParticipantAddView(StaffOnlyMixin, View):
    """Credit a volunteer with hours on the activity (or change their hours)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return redirect("volunteers:activity_detail", pk=pk)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        activity = activity_or_404(pk)
        if not can_manage_activity(request.user, activity):
            raise PermissionDenied
        form = ParticipantForm(request.POST, activity=activity)
        if form.is_valid():
            volunteer, hours = form.cleaned_data["volunteer"], form.cleaned_data["hours"]
            try:
                services.add_participants(request.user, activity, [(volunteer, hours)])
            except DomainError as error:
                for message in error.fields.get("hours", [error.message]):
                    form.add_error("hours" if error.fields else None, str(message))
            else:
                messages.success(
                    request, _("%(name)s: %(hours)s hours recorded.") % {"name": volunteer.name, "hours": hours}
                )
                return redirect("volunteers:activity_detail", pk=activity.pk)
        view = ActivityDetailView()
        view.setup(request, pk=pk)
        return render(request, view.template_name, view.context(activity, form), status=400)


class ParticipantRemoveView(StaffOnlyMixin, View):
    """Take a mistaken participant off the activity."""

    def get(self, request: HttpRequest, pk: int, participation: int) -> HttpResponse:
        return redirect("volunteers:activity_detail", pk=pk)

    def post(self, request: HttpRequest, pk: int, participation: int) -> HttpResponse:
        part = get_object_or_404(
            Participation.objects.select_related("activity__community", "volunteer"), pk=participation, activity_id=pk
        )
        if not can_manage_activity(request.user, part.activity):
            raise PermissionDenied
        services.remove_participant(request.user, part)
        messages.success(request, _("%(name)s has been taken off the activity.") % {"name": part.volunteer.name})
        return redirect("volunteers:activity_detail", pk=pk)


class ParticipantExportView(StaffOnlyMixin, View):
    """An activity's participants as CSV or XLSX, in the columns of the participants import."""

    def get(self, request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
        if file_format not in EXPORT_FORMATS:
            raise Http404
        activity = activity_or_404(pk)
        parts = activity.participations.select_related("volunteer__community__street", "volunteer__branch").order_by(
            "volunteer__name", "pk"
        )
        user = request.user
        columns = [
            *import_file_columns(
                PARTICIPANT_COLUMNS,
                {
                    "name": attrgetter("volunteer.name"),
                    "phone": lambda part: shown_phone(user, part.volunteer),
                    "hours": attrgetter("hours"),
                    "is_party_member": attrgetter("volunteer.is_party_member"),
                },
            ),
            Column(gettext_lazy("Community"), attrgetter("volunteer.community.name")),
        ]
        stem = f"{activity.date:%Y%m%d}-{activity.title}"
        return export_response(rows=parts.iterator(), columns=columns, filename=stem, file_format=file_format)


# --- leaderboards -------------------------------------------------------------------------------

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
    """Branches ranked by activities, people-times or hours; volunteers ranked by hours."""

    def get(self, request: HttpRequest) -> HttpResponse:
        choices = leaderboard_choices(request)
        branches = branch_leaderboard(choices["period"], choices["street"], choices["order_by"])
        volunteers = Paginator(volunteer_hours(choices["period"], choices["street"]), LEADERBOARD_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context = {
            **choices,
            "branches": branches,
            "page_obj": volunteers,
            "volunteers": volunteers.object_list,
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
