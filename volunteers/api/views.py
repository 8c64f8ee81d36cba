"""Party branches, volunteers and activities, read-only (pages and imports: the volunteers issue)."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from cases.models import TallyEntry
from volunteers.api.serializers import ActivitySerializer, PartyBranchSerializer, VolunteerSerializer
from volunteers.models import Activity, BranchPairing, PartyBranch, Volunteer


@extend_schema_view(list=extend_schema(summary="Party branches (党支部)"), retrieve=extend_schema(summary="A branch"))
class PartyBranchViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = PartyBranch.objects.prefetch_related(
        Prefetch("pairings", queryset=BranchPairing.objects.filter(ends_on__isnull=True))
    ).order_by("name")
    serializer_class = PartyBranchSerializer


@extend_schema_view(list=extend_schema(summary="Volunteers (志愿者)"), retrieve=extend_schema(summary="A volunteer"))
class VolunteerViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Volunteer.objects.select_related("community").order_by("community__name", "name", "id")
    serializer_class = VolunteerSerializer
    filterset_fields = ["community", "branch", "is_party_member"]


TALLY = TallyEntry.objects.select_related("metric")


@extend_schema_view(list=extend_schema(summary="Activities (活动)"), retrieve=extend_schema(summary="An activity"))
class ActivityViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = (
        Activity.objects.select_related("campaign")
        .prefetch_related(
            "participations", Prefetch("tally_entries", queryset=TallyEntry.objects.select_related("metric"))
        )
        .order_by("-starts_at", "id")
    )
    serializer_class = ActivitySerializer
    filterset_fields = ["community", "branch", "campaign"]
