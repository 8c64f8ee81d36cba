"""Community pages: the list of communities (with exports) and a community's profile.

Views only parse, ask permissions and queries, and render; the figures come from community_profile/queries.py.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from cases.permissions import can_file_cases
from communities import queries as place_queries
from communities.filters import CommunityFilterSet
from communities.models import Community
from core.exports import EXPORT_FORMATS, Column, export_response
from core.masking import mask_phone
from shenhe_env.community_profile import queries
from volunteers.permissions import can_manage_community, can_view_volunteers

PAGE_SIZE = 30

EXPORT_COLUMNS = [
    Column(gettext_lazy("Street"), attrgetter("street.name")),
    Column(gettext_lazy("Community"), attrgetter("name")),
    Column(gettext_lazy("Households"), attrgetter("households")),
    Column(gettext_lazy("Paired branch"), attrgetter("branch_name")),
    Column(gettext_lazy("Volunteers"), attrgetter("volunteers_count")),
    Column(gettext_lazy("Activities"), attrgetter("activities_count")),
    Column(gettext_lazy("Open cases"), attrgetter("open_cases")),
]


class StaffOnlyMixin(LoginRequiredMixin):
    """Signed-in members of staff only: a user without a role gets the 403 page."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not can_view_volunteers(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def filter_data(request: HttpRequest) -> QueryDict:
    """The list filters of the request; street staff start on their own street until they choose another or none."""
    data = request.GET.copy()
    street = place_queries.default_street(request.user)
    # A submitted form always sends `street` (empty when cleared), so only a fresh visit gets the default.
    if street is not None and "street" not in data:
        data["street"] = str(street.pk)
    return data


def filtered_communities(request: HttpRequest) -> CommunityFilterSet:
    """The request's filters applied to the communities with their counts."""
    data = filter_data(request)
    return CommunityFilterSet(data or None, queryset=queries.community_rows(request.user), request=request)


class CommunityListView(StaffOnlyMixin, View):
    """Every community with its paired branch, volunteers, activities and the open cases the user may see."""

    template_name = "communities/community_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = filtered_communities(request)
        valid = not filterset.is_bound or filterset.is_valid()
        communities: QuerySet[Community] = filterset.qs if valid else Community.objects.none()
        page = Paginator(communities, PAGE_SIZE).get_page(request.GET.get("page"))
        export_query = filterset.data.copy()
        export_query.pop("page", None)
        context = {
            "filterset": filterset,
            "page_obj": page,
            "communities": page.object_list,
            "export_formats": EXPORT_FORMATS,
            "export_query": export_query.urlencode(),
            "filters_applied": any(value for key, value in filterset.data.items() if key != "page"),
        }
        return render(request, self.template_name, context, status=200 if valid else 400)


class CommunityExportView(StaffOnlyMixin, View):
    """The filtered community list as a CSV or XLSX file."""

    def get(self, request: HttpRequest, file_format: str) -> HttpResponse:
        if file_format not in EXPORT_FORMATS:
            raise Http404
        filterset = filtered_communities(request)
        if filterset.is_bound and not filterset.is_valid():
            messages.error(request, _("Correct the filters before exporting."))
            return HttpResponseRedirect(f"{reverse('communities:community_list')}?{request.GET.urlencode()}")
        return export_response(
            rows=filterset.qs.iterator(chunk_size=500),
            columns=EXPORT_COLUMNS,
            filename=gettext_lazy("Communities"),
            file_format=file_format,
        )


class CommunityDetailView(StaffOnlyMixin, View):
    """A community's profile: street, pairing, compounds, roads, cases, activities, tally and volunteers."""

    template_name = "communities/community_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request.user
        community = get_object_or_404(Community.objects.select_related("street"), pk=pk)
        pairings = queries.pairing_history(community)
        show_phones = place_queries.can_see_contact_phones(user, community.street)
        roads = list(place_queries.street_roads(community.street))
        for road in roads:
            for unit in road.frontage_units.all():
                unit.shown_phone = unit.contact_phone if show_phones else mask_phone(unit.contact_phone)
        context = {
            "community": community,
            "current_pairing": next((p for p in pairings if p.ends_on is None), None),
            "pairings": pairings,
            "compounds": list(community.compounds.order_by("name")),
            "roads": roads,
            "case_counts": queries.case_counts(user, community),
            "cases": queries.latest_cases(user, community),
            "activities": queries.latest_activities(community),
            "activity_count": queries.activity_count(community),
            "tally": queries.community_tally(community),
            "volunteers": queries.volunteer_counts(community),
            "can_file": can_file_cases(user),
            "can_manage": can_manage_community(user, community),
        }
        return render(request, self.template_name, context)
