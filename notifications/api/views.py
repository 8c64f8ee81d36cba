"""The notifications API: the caller's notifications, newest first, and marking them read."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ErrorSerializer
from core.pagination import StandardPagination
from notifications.api.serializers import MarkedSerializer, NotificationSerializer
from notifications.models import Notification

UNAUTHENTICATED = OpenApiResponse(ErrorSerializer, description="not_authenticated: no or a wrong token or session.")
BAD_PAGE = OpenApiResponse(ErrorSerializer, description="validation_error: there is no such page (see `fields`).")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="not_found: no such notification of yours.")


def unread_notifications(user) -> int:
    """How many of the user's notifications are unread (the bell's count)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@extend_schema_view(
    list=extend_schema(
        summary="Your notifications, newest first",
        responses={200: NotificationSerializer, 400: BAD_PAGE, 401: UNAUTHENTICATED},
    ),
)
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's notifications; another user's is a 404."""

    serializer_class = NotificationSerializer
    pagination_class = StandardPagination
    filter_backends: list = []
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self) -> QuerySet[Notification]:
        return Notification.objects.filter(recipient=self.request.user).select_related("case")

    @extend_schema(
        summary="Mark one notification read",
        request=None,
        responses={200: NotificationSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = self.get_object()
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary="Mark all your notifications read",
        request=None,
        responses={200: MarkedSerializer, 401: UNAUTHENTICATED},
    )
    @action(detail=False, methods=["post"], url_path="read-all", pagination_class=None)
    def read_all(self, request: Request) -> Response:
        marked = self.get_queryset().filter(read_at__isnull=True).update(read_at=timezone.now())
        return Response({"marked": marked})
