"""Activity pages: the list and its export, an activity's page, recording it, its participants and their export."""

from __future__ import annotations

import datetime
from operator import attrgetter
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from cases.permissions import visible_cases_q
from communities.mixins import StaffOnlyMixin
from core import clock
from core.errors import DomainError
from core.exports import EXPORT_FORMATS, Column, export_response
from core.views import FilteredExportView
from volunteers import services
from volunteers.filters import ActivityFilterSet
from volunteers.forms import ActivityForm, ParticipantForm
from volunteers.models import Activity, Participation
from volunteers.permissions import can_manage_activity, can_manage_any, volunteer_phone_for
from volunteers.queries import activity_rows, activity_tally
from volunteers.views.common import SectionListView, participant_columns


class ActivityListView(SectionListView):
    """Activities, newest first: date, place, campaign, branch, people and hours."""

    filterset_class = ActivityFilterSet
    template_name = "volunteers/activity_list.html"
    export_url_name = "volunteers:activity_export"
    section = "activity_list"

    def rows(self) -> QuerySet[Activity]:
        return activity_rows().order_by("-starts_at", "-pk")


class ActivityExportView(StaffOnlyMixin, FilteredExportView):
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
            "participants": [(part, volunteer_phone_for(user, part.volunteer)) for part in parts],
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
                "date": last_weekend_day(timezone.localtime(clock.now())),
                "start_time": MORNING_STARTS,
                "end_time": MORNING_ENDS,
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


# A weekend clean-up's usual morning (the form's default times).
MORNING_STARTS, MORNING_ENDS = datetime.time(8, 30), datetime.time(11, 30)


def last_weekend_day(now: datetime.datetime) -> datetime.date:
    """The most recent Saturday whose morning clean-up has started by `now` (local time).

    Clean-ups are recorded after they took place: early on a Saturday, the default is the Saturday
    before, since an activity that has not started yet is refused.
    """
    today = now.date()
    saturday = today - datetime.timedelta(days=(today.weekday() - 5) % 7)
    if saturday == today and now.time() < MORNING_STARTS:
        saturday -= datetime.timedelta(days=7)
    return saturday


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
        columns = participant_columns(request.user)
        stem = f"{activity.date:%Y%m%d}-{activity.title}"
        return export_response(rows=parts.iterator(), columns=columns, filename=stem, file_format=file_format)
