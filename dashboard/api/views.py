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
from dashboard.api.serializers import DashboardSerializer, EvaluationSerializer
from dashboard.evaluation import evaluation, evaluation_request, scoped_results
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


class EvaluationApiView(APIView):
    """GET /api/v1/evaluation/: a month's scores per department or street, within the caller's scope."""

    @extend_schema(
        summary="Monthly evaluation (综合评价/考核)",
        parameters=[
            OpenApiParameter("period", str, description="The month, YYYY-MM; by default last month."),
            OpenApiParameter(
                "kind", str, enum=["department", "street"], description="By default departments (or the caller's own)."
            ),
        ],
        responses={200: EvaluationSerializer, **errors(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        scope = dashboard_scope(request.user)
        if scope is None:
            raise PermissionDenied(_("Ask an administrator to give your account a role."))
        period, kind = evaluation_request(request.query_params, scope)
        result = evaluation(period, kind)
        version = result.formula_version
        return Response(
            EvaluationSerializer(
                {
                    "period": str(period),
                    "kind": kind,
                    "status": result.status,
                    "formula_version": version,
                    "published_at": result.month.published_at if result.month else None,
                    "results": [entry | {"formula_version": version} for entry in scoped_results(result, scope)],
                }
            ).data
        )
