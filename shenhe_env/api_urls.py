"""/api/v1/: every resource of DESIGN.md §6, the OpenAPI schema and its interactive docs."""

from __future__ import annotations

from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from cases.api.views import CampaignViewSet, CaseViewSet, CategoryViewSet, MetricViewSet, TallyEntryViewSet
from communities.api.views import CommunityViewSet, DepartmentViewSet, RoadViewSet, StreetViewSet
from communities.models import Road
from communities.roles import role_of
from core.api import TokenView
from dashboard.api.views import DashboardApiView, EvaluationApiView
from notifications.api.views import NotificationViewSet, unread_notifications
from volunteers.api.views import ActivityViewSet, LeaderboardViewSet, PartyBranchViewSet, VolunteerViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("cases", CaseViewSet, basename="case")
router.register("categories", CategoryViewSet, basename="category")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("departments", DepartmentViewSet, basename="department")
router.register("streets", StreetViewSet, basename="street")
router.register("communities", CommunityViewSet, basename="community")
router.register("roads", RoadViewSet, basename="road")
router.register("metrics", MetricViewSet, basename="metric")
router.register("tally", TallyEntryViewSet, basename="tally")
router.register("party-branches", PartyBranchViewSet, basename="party-branch")
router.register("volunteers", VolunteerViewSet, basename="volunteer")
router.register("activities", ActivityViewSet, basename="activity")
router.register("leaderboards", LeaderboardViewSet, basename="leaderboard")
router.register("notifications", NotificationViewSet, basename="notification")


class MeView(APIView):
    """Who the caller is: username, role, street, department, roads and how many notifications are unread."""

    @extend_schema(
        summary="The caller",
        responses=inline_serializer(
            "Me",
            fields={
                "username": serializers.CharField(),
                "name": serializers.CharField(),
                "role": serializers.CharField(allow_null=True),
                "street": serializers.IntegerField(allow_null=True),
                "department": serializers.IntegerField(allow_null=True),
                "roads": serializers.ListField(child=serializers.IntegerField()),
                "unread_notifications": serializers.IntegerField(),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        user = request.user
        profile = getattr(user, "staff_profile", None)
        return Response(
            {
                "username": user.get_username(),
                "name": f"{user.last_name}{user.first_name}" or user.get_username(),
                "role": role_of(user),
                "street": getattr(profile, "street_id", None),
                "department": getattr(profile, "department_id", None),
                "roads": list(Road.objects.filter(road_chief=user).values_list("pk", flat=True)),
                "unread_notifications": unread_notifications(user),
            }
        )


class ApiNotFoundView(APIView):
    """No such endpoint: the API's 404 in its one error format."""

    permission_classes = [AllowAny]
    schema = None

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise NotFound(_("There is no such API endpoint. The list is at /api/v1/docs/."))

    get = post = put = patch = delete = head = options = http_method_not_allowed


app_name = "api"

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("me/", MeView.as_view(), name="me"),
    path("dashboard/", DashboardApiView.as_view(), name="dashboard"),
    path("evaluation/", EvaluationApiView.as_view(), name="evaluation"),
    path(
        "schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny], authentication_classes=[]), name="schema"
    ),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", permission_classes=[AllowAny]),
        name="docs",
    ),
    path("", include(router.urls)),
    # Anything else under /api/v1/ is a JSON 404 too, never the HTML page of the site.
    re_path(r"^[\s\S]*$", ApiNotFoundView.as_view(), name="not_found"),
]
