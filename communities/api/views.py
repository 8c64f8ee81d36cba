"""Reference data of the district (read-only for every signed-in user): streets, communities, roads, departments."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from communities.api.serializers import CommunitySerializer, DepartmentSerializer, RoadSerializer, StreetSerializer
from communities.models import Community, Department, Road, Street


@extend_schema_view(list=extend_schema(summary="Streets (街道)"), retrieve=extend_schema(summary="A street"))
class StreetViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Street.objects.order_by("order", "name")
    serializer_class = StreetSerializer


@extend_schema_view(list=extend_schema(summary="Communities (社区)"), retrieve=extend_schema(summary="A community"))
class CommunityViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Community.objects.order_by("street__order", "name")
    serializer_class = CommunitySerializer
    filterset_fields = ["street"]


@extend_schema_view(
    list=extend_schema(summary="Roads (道路) and their chiefs"), retrieve=extend_schema(summary="A road")
)
class RoadViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Road.objects.select_related("road_chief").order_by("street__order", "name", "section")
    serializer_class = RoadSerializer
    filterset_fields = ["street", "road_chief"]


@extend_schema_view(
    list=extend_schema(summary="Departments (职能部门)"), retrieve=extend_schema(summary="A department")
)
class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Department.objects.order_by("name")
    serializer_class = DepartmentSerializer
    filterset_fields = ["is_active", "kind"]
