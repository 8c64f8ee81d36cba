"""Community pages: the list of communities (with exports) and a community's profile.

Views only parse, ask permissions and queries, and render; the figures come from community_profile/queries.py.
"""

from __future__ import annotations

from operator import attrgetter

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy
from django.views import View

from cases.permissions import can_file_cases
from communities import queries as place_queries
from communities.mixins import StaffOnlyMixin
from communities.models import Community
from core.exports import Column
from core.masking import mask_phone
from core.views import FilteredExportView, FilteredListView
from shenhe_env.community_profile import queries
from shenhe_env.community_profile.filters import CommunityListFilterSet
from volunteers.permissions import can_manage_community

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


class CommunityListView(StaffOnlyMixin, FilteredListView):
    """Every community with its paired branch, volunteers, activities and the open cases the user may see."""

    filterset_class = CommunityListFilterSet
    template_name = "communities/community_list.html"
    list_url_name = "communities:community_list"
    export_url_name = "communities:community_export"
    results_id = "community-results"
    rows_name = "communities"
    page_size = PAGE_SIZE
    wide_filter_fields = ("q", "street", "paired")
    # An empty street, not no street: street staff would otherwise land on their own street again.
    clear_query = "street="

    def rows(self) -> QuerySet[Community]:
        return queries.community_rows(self.request.user)

    def filter_data(self) -> QueryDict:
        """The list filters; street staff start on their own street until they choose another or none."""
        data = self.request.GET.copy()
        street = place_queries.default_street(self.request.user)
        # A submitted form always sends `street` (empty when cleared), so only a fresh visit gets the default.
        if street is not None and "street" not in data:
            data["street"] = str(street.pk)
        return data


class CommunityExportView(StaffOnlyMixin, FilteredExportView):
    """The filtered community list as a CSV or XLSX file."""

    list_view = CommunityListView
    filename = gettext_lazy("Communities")

    def columns(self) -> list[Column]:
        return EXPORT_COLUMNS


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
