"""Notifications in the admin: who was told what, the outgoing deliveries (with "retry now") and users' settings."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications.choices import DeliveryStatus
from notifications.messages import title
from notifications.models import Delivery, Notification, NotificationSettings


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the workflow's outbox and the worker, never by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "case", "notification_title", "is_read"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["recipient__username", "recipient__last_name", "recipient__first_name", "case__number", "key"]
    list_select_related = ["recipient", "case"]
    date_hierarchy = "created_at"
    raw_id_fields = ["recipient", "case", "event"]

    @admin.display(description=_("title"))
    def notification_title(self, notification: Notification) -> str:
        return title(notification.kind, notification.data, notification.case.number if notification.case_id else None)

    @admin.display(description=_("read"), boolean=True, ordering="read_at")
    def is_read(self, notification: Notification) -> bool:
        return notification.read


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "channel", "kind", "address", "status", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["address", "key", "case__number", "last_error"]
    list_select_related = ["case"]
    date_hierarchy = "created_at"
    raw_id_fields = ["notification", "department", "case"]
    actions = ["retry_now"]

    @admin.action(description=_("Retry now (waiting or failed deliveries)"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        retried = queryset.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]).update(
            status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), attempts=0
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery will be sent again now.", "%(count)d deliveries will be sent again now.", retried
            )
            % {"count": retried},
            messages.SUCCESS,
        )


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "language"]
    list_filter = ["email", "language"]
    search_fields = ["user__username", "user__last_name", "user__first_name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
