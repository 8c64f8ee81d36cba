"""The API of the 1+1 mobilisation: party branches and their pairings, volunteers, activities and leaderboards.

Thin callers (docs/api.md): who may see and do what comes from volunteers/permissions.py, the reads from
volunteers/queries.py and the filters from volunteers/filters.py (the pages' own), every change from
volunteers/services.py, whose refusals the one API error handler answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from cases.models import Case, TallyEntry
from communities.models import Community
from communities.roles import AnyUser
from core.api import ErrorSerializer
from core.errors import Forbidden, InvalidInput
from core.pagination import StandardPagination
from core.parsers import SafeJSONParser
from volunteers.api.serializers import (
    ActivitySerializer,
    ActivityWriteSerializer,
    BranchLeaderboardQuerySerializer,
    BranchRankSerializer,
    LeaderboardQuerySerializer,
    PairingSerializer,
    PairSerializer,
    ParticipantListSerializer,
    ParticipantSerializer,
    PartyBranchSerializer,
    VolunteerRankSerializer,
    VolunteerSerializer,
    VolunteerWriteSerializer,
)
from volunteers.filters import ActivityFilterSet, PartyBranchFilterSet, VolunteerFilterSet
from volunteers.models import Activity, BranchPairing, PartyBranch, Volunteer
from volunteers.permissions import can_manage_any, can_manage_community, can_view_volunteers
from volunteers.queries import activity_rows, branch_leaderboard, branch_rows, volunteer_hours, volunteer_rows
from volunteers.services import add_participants, move_pairing, save_activity, save_volunteer

CONFLICT = OpenApiResponse(
    ErrorSerializer, description="conflict: someone else changed it just now, or it is already so; reload and retry."
)


class CanViewVolunteers(BasePermission):
    """Every member of staff (any role) sees the mobilisation; a signed-in user without a role does not."""

    message = gettext_lazy("The party branches, volunteers and activities are for district staff.")

    def has_permission(self, request: Request, view: object) -> bool:
        return can_view_volunteers(request.user)


STAFF_ONLY = [IsAuthenticated, CanViewVolunteers]


def require_manager(user: AnyUser) -> None:
    """Refuse a write by a role that records volunteers and activities nowhere (before its body is read)."""
    if not can_manage_any(user):
        raise Forbidden(
            _("Only street staff and administrators record volunteers and activities."), reason="role_not_allowed"
        )


def require_community(user: AnyUser, community: Community) -> None:
    """Refuse a change to what belongs to another street's community (before its body is read)."""
    if not can_manage_community(user, community):
        raise Forbidden(
            _("Only the staff of %(street)s record volunteers and activities of this community.")
            % {"street": community.street},
            reason="not_your_street",
        )


def credit_participants(user: AnyUser, activity: Activity, participants: Sequence[tuple[Volunteer, Decimal]]) -> None:
    """services.add_participants, its refusals reported under the body's `participants` field."""
    try:
        add_participants(user, activity, participants)
    except InvalidInput as error:
        messages = [message for field_messages in error.fields.values() for message in field_messages]
        raise InvalidInput.for_fields({"participants": messages or [error.message]}) from None


# --- party branches -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Party branches (党支部) and the community each is paired with now"),
    retrieve=extend_schema(summary="A party branch"),
)
class PartyBranchViewSet(viewsets.ReadOnlyModelViewSet):
    """Party branches; `community` is the community paired with the branch now (null between pairings)."""

    permission_classes = STAFF_ONLY
    serializer_class = PartyBranchSerializer
    filterset_class = PartyBranchFilterSet
    ordering_fields = ["name"]

    def get_queryset(self) -> QuerySet[PartyBranch]:
        return branch_rows().order_by("name", "pk")

    def branch_response(self, branch: PartyBranch) -> Response:
        """The branch as it is now (its pairing just changed)."""
        fresh = self.get_queryset().get(pk=branch.pk)
        return Response(PartyBranchSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="The branch's pairings, newest first (the history is kept)",
        responses={200: PairingSerializer(many=True)},
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=StandardPagination)
    def pairings(self, request: Request, pk: str | None = None) -> Response:
        branch = self.get_object()
        history = BranchPairing.objects.filter(branch=branch).select_related("community").order_by("-starts_on", "-pk")
        page = self.paginate_queryset(history)
        return self.get_paginated_response(PairingSerializer(page, many=True).data)

    @extend_schema(
        summary="Pair the branch with a community from a day (leaders and administrators)",
        description="The current pairings of the branch and of the community end the day before `starts_on`; "
        "earlier pairings stay in the history. Answers with the branch.",
        request=PairSerializer,
        responses={200: PartyBranchSerializer, 409: CONFLICT},
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def pair(self, request: Request, pk: str | None = None) -> Response:
        branch = self.get_object()
        serializer = PairSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        move_pairing(request.user, branch, **serializer.service_kwargs())
        return self.branch_response(branch)


# --- volunteers -----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Volunteers (志愿者); phones masked except for their street's staff"),
    retrieve=extend_schema(summary="A volunteer"),
)
class VolunteerViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Volunteers with their activities and hours; the street's staff (and administrators) register and edit them."""

    permission_classes = STAFF_ONLY
    serializer_class = VolunteerSerializer
    filterset_class = VolunteerFilterSet
    ordering_fields = ["name", "joined_on"]

    def get_queryset(self) -> QuerySet[Volunteer]:
        return volunteer_rows().order_by("community__name", "name", "pk")

    def volunteer_response(self, volunteer: Volunteer, status: int = 200) -> Response:
        """The volunteer as the caller may see them now."""
        fresh = self.get_queryset().get(pk=volunteer.pk)
        return Response(self.get_serializer(fresh).data, status=status)

    @extend_schema(
        summary="Register a volunteer (street staff of the community's street, administrators)",
        request=VolunteerWriteSerializer,
        responses={201: VolunteerSerializer},
    )
    def create(self, request: Request) -> Response:
        require_manager(request.user)
        serializer = VolunteerWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        volunteer = save_volunteer(request.user, None, serializer.service_data())
        return self.volunteer_response(volunteer, status=201)

    @extend_schema(
        summary="Change a volunteer's details (the fields given)",
        request=VolunteerWriteSerializer,
        responses={200: VolunteerSerializer},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        volunteer = self.get_object()
        require_community(request.user, volunteer.community)
        serializer = VolunteerWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        save_volunteer(request.user, volunteer, serializer.service_data())
        return self.volunteer_response(volunteer)


# --- activities -----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Volunteer activities (活动) with participants and outcomes"),
    retrieve=extend_schema(summary="An activity"),
)
class ActivityViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Activities: who took part for how many hours, what was done (counted in the campaign's tally)."""

    permission_classes = STAFF_ONLY
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet
    ordering_fields = ["starts_at", "title"]
    # Participants and tallies are nested lists and objects: JSON only.
    parser_classes = [SafeJSONParser]

    def get_queryset(self) -> QuerySet[Activity]:
        return (
            activity_rows()
            .prefetch_related(
                "participations",
                Prefetch("tally_entries", queryset=TallyEntry.objects.counted().select_related("metric")),
                Prefetch("cases", queryset=Case.objects.only("pk", "number")),
            )
            .order_by("-starts_at", "-pk")
        )

    def activity_response(self, activity: Activity, status: int = 200) -> Response:
        """The activity as it is now."""
        fresh = self.get_queryset().get(pk=activity.pk)
        return Response(self.get_serializer(fresh).data, status=status)

    @extend_schema(
        summary="Record an activity with its participants, outcomes and cases (the community's street staff)",
        description="Everything is saved or, if anything is wrong (e.g. a participant's hours exceed the "
        "activity's length), nothing is.",
        request=ActivityWriteSerializer,
        responses={201: ActivitySerializer, 409: CONFLICT},
    )
    def create(self, request: Request) -> Response:
        require_manager(request.user)
        serializer = ActivityWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            activity = save_activity(request.user, None, **serializer.activity_kwargs())
            if serializer.participant_pairs():
                credit_participants(request.user, activity, serializer.participant_pairs())
        return self.activity_response(activity, status=201)

    @extend_schema(
        summary="Correct an activity (the fields given; participants listed are added or their hours replaced)",
        request=ActivityWriteSerializer,
        responses={200: ActivitySerializer, 409: CONFLICT},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        activity = self.get_object()
        require_community(request.user, activity.community)
        serializer = ActivityWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            activity = save_activity(request.user, activity, **serializer.activity_kwargs(activity))
            if serializer.participant_pairs():
                credit_participants(request.user, activity, serializer.participant_pairs())
        return self.activity_response(activity)

    @extend_schema(
        summary="Add participants (a JSON list of volunteer and hours); a volunteer already listed gets the new hours",
        request=ParticipantSerializer(many=True),
        responses={200: ActivitySerializer, 409: CONFLICT},
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def participants(self, request: Request, pk: str | None = None) -> Response:
        activity = self.get_object()
        require_community(request.user, activity.community)
        serializer = ParticipantListSerializer(data={"participants": request.data})
        serializer.is_valid(raise_exception=True)
        credit_participants(request.user, activity, serializer.participant_pairs())
        return self.activity_response(activity)


# --- leaderboards ---------------------------------------------------------------------------------------


class LeaderboardViewSet(viewsets.GenericViewSet):
    """Branches by hours, people-times or activities, and volunteers by hours, over a period (ties share a rank)."""

    permission_classes = STAFF_ONLY
    filter_backends: list = []
    pagination_class = StandardPagination

    @extend_schema(
        summary="Party branches ranked by hours, people-times or activities",
        parameters=[BranchLeaderboardQuerySerializer],
        responses={200: BranchRankSerializer(many=True)},
    )
    @action(detail=False, methods=["get"])
    def branches(self, request: Request) -> Response:
        query = BranchLeaderboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        board = branch_leaderboard(query.period(), query.street_or_none(), query.validated_data["order_by"])
        page = self.paginate_queryset(board)
        return self.get_paginated_response(BranchRankSerializer(page, many=True).data)

    @extend_schema(
        summary="Volunteers ranked by hours served",
        parameters=[LeaderboardQuerySerializer],
        responses={200: VolunteerRankSerializer(many=True)},
    )
    @action(detail=False, methods=["get"])
    def volunteers(self, request: Request) -> Response:
        query = LeaderboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = self.paginate_queryset(volunteer_hours(query.period(), query.street_or_none()))
        return self.get_paginated_response(VolunteerRankSerializer(page, many=True).data)
