from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared helpers, the worker's heartbeat and the schedule of periodic jobs."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = _("Shared helpers")

    def ready(self) -> None:
        from core.worker import connect_heartbeat

        connect_heartbeat()
