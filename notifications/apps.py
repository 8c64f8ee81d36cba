from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Who is told what, through which channel (DESIGN.md §9): the outbox and its delivery."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from cases.signals import event_recorded
        from notifications.outbox import on_event_recorded

        event_recorded.connect(on_event_recorded, dispatch_uid="notifications.outbox")
