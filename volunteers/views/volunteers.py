"""Volunteer pages: the list and its export, a volunteer's page, registering and correcting a volunteer."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from communities.mixins import StaffOnlyMixin
from core.errors import DomainError
from core.exports import Column
from core.views import FilteredExportView
from volunteers import services
from volunteers.filters import VolunteerFilterSet
from volunteers.forms import VolunteerForm
from volunteers.models import Volunteer
from volunteers.permissions import can_manage_any, can_manage_volunteer, volunteer_phone_for
from volunteers.queries import volunteer_record, volunteer_rows
from volunteers.views.common import SectionListView, volunteer_columns


class VolunteerListView(SectionListView):
    """Every volunteer with community, branch, activities and hours; phones masked but for their street's staff."""

    filterset_class = VolunteerFilterSet
    template_name = "volunteers/volunteer_list.html"
    export_url_name = "volunteers:volunteer_export"
    section = "volunteer_list"

    def rows(self) -> QuerySet[Volunteer]:
        return volunteer_rows().order_by("community__street__order", "community__name", "name", "pk")

    def decorate(self, rows: list[Volunteer]) -> None:
        for volunteer in rows:
            volunteer.shown_phone = volunteer_phone_for(self.request.user, volunteer)


class VolunteerExportView(StaffOnlyMixin, FilteredExportView):
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
            "phone": volunteer_phone_for(request.user, volunteer),
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
