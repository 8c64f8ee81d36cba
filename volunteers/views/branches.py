"""Party branch pages: the list and its export, a branch's page, moving its pairing."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from communities.mixins import StaffOnlyMixin
from core.errors import DomainError
from core.exports import Column
from core.views import FilteredExportView
from volunteers import services
from volunteers.filters import PartyBranchFilterSet
from volunteers.forms import PairingForm
from volunteers.models import PartyBranch
from volunteers.permissions import can_manage_pairings
from volunteers.queries import activity_rows, branch_leaderboard, branch_rows
from volunteers.views.common import SectionListView


class BranchListView(SectionListView):
    """The 111 branches: paired community now, members, registered volunteers, activities."""

    filterset_class = PartyBranchFilterSet
    template_name = "volunteers/branch_list.html"
    export_url_name = "volunteers:branch_export"
    section = "branch_list"

    def rows(self) -> QuerySet[PartyBranch]:
        return branch_rows().order_by("name")


def current_community(branch: PartyBranch) -> Any:
    """The community the branch is paired with now (from the `current_pairings` prefetch)."""
    return branch.current_pairings[0].community if branch.current_pairings else None


class BranchExportView(StaffOnlyMixin, FilteredExportView):
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

    def context(
        self, branch: PartyBranch, form: PairingForm | None = None, left_unpaired: list | None = None
    ) -> dict[str, Any]:
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
            "left_unpaired": left_unpaired or [],
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
            left = services.left_without_branch(branch, form.cleaned_data["community"])
            needs_confirmation = bool(left) and not form.cleaned_data["confirm"]
            try:
                with transaction.atomic():
                    pairing = services.move_pairing(
                        request.user,
                        branch,
                        form.cleaned_data["community"],
                        form.cleaned_data["starts_on"],
                        form.cleaned_data["kind"],
                    )
                    # Checked whole by the service, but undone: say first which community it leaves unpaired.
                    transaction.set_rollback(needs_confirmation)
            except DomainError as error:
                form.add_service_error(error)
            else:
                if needs_confirmation:
                    data = request.POST.copy()
                    data["confirm"] = "true"
                    view = BranchDetailView()
                    view.setup(request, pk=pk)
                    return render(request, view.template_name, view.context(branch, PairingForm(data), left))
                messages.success(
                    request,
                    _("%(branch)s is paired with %(community)s from %(date)s.")
                    % {"branch": branch, "community": pairing.community, "date": pairing.starts_on.isoformat()},
                )
                for community in left:
                    messages.warning(
                        request,
                        _("%(community)s has no party branch now: pair another branch with it.")
                        % {"community": community},
                    )
                return redirect("volunteers:branch_detail", pk=branch.pk)
        view = BranchDetailView()
        view.setup(request, pk=pk)
        return render(request, view.template_name, view.context(branch, form), status=400)
