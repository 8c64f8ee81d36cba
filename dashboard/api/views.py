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
from dashboard.permissions import dashboard_scope
from dashboard.queries import DashboardFilters, mobilisation, overview


class DashboardApiView(APIView):
    """GET /api/v1/dashboard/: the dashboard's figures, with the page's filters, within the caller's scope."""

    @extend_schema(
        summary="Dashboard figures",
        parameters=[
            OpenApiParameter("drive", str, description="Drive slug; by default the latest."),
            OpenApiParameter("campaign", str, description="Campaign slug."),
            OpenApiParameter("street", int, description="Street staff and road chiefs: always their own street."),
            OpenApiParameter("community", int),
            OpenApiParameter("department", int, description="Officers: always their own department."),
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
        ],
        responses={200: DashboardSerializer, **errors(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        scope = dashboard_scope(request.user)
        if scope is None:
            raise PermissionDenied(_("Ask an administrator to give your account a role."))
        filters = DashboardFilters.from_query(request.query_params, scope=scope)
        figures = overview(filters) | {"mobilisation": mobilisation(filters)}
        return Response(DashboardSerializer(figures).data)
