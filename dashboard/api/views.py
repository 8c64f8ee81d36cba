"""GET /api/v1/dashboard/: the figures of the dashboard page, computed by the same functions."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.views import errors
from dashboard.api.serializers import DashboardSerializer
from dashboard.permissions import can_view_dashboard
from dashboard.queries import DashboardFilters, mobilisation, overview


class DashboardApiView(APIView):
    """GET /api/v1/dashboard/: the dashboard's figures, with the page's filters (leaders and administrators)."""

    @extend_schema(
        summary="Dashboard figures",
        parameters=[
            OpenApiParameter("drive", str, description="Drive slug; by default the latest."),
            OpenApiParameter("campaign", str, description="Campaign slug."),
            OpenApiParameter("street", int),
            OpenApiParameter("community", int),
            OpenApiParameter("department", int),
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
        ],
        responses={200: DashboardSerializer, **errors(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        if not can_view_dashboard(request.user):
            raise PermissionDenied(_("The dashboards are for district leaders."))
        filters = DashboardFilters.from_query(request.query_params)
        figures = overview(filters) | {"mobilisation": mobilisation(filters)}
        return Response(DashboardSerializer(figures).data)
