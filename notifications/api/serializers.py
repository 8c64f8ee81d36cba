"""The notifications API's shapes (DESIGN.md §9)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from notifications.messages import title
from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    """One notification of the caller: `case` is the case number (or null), `title` in the caller's language."""

    case = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "case", "title", "created_at", "read"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_case(self, notification: Notification) -> str | None:
        return notification.case.number if notification.case_id else None

    def get_title(self, notification: Notification) -> str:
        return title(notification.kind, notification.data, self.get_case(notification))


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread and are now read.")
