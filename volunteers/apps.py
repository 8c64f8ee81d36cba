from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "volunteers"
    verbose_name = _("Party branches and volunteers")

    def ready(self) -> None:
        # The dashboard (cases) shows what volunteers do without importing this app.
        from cases.dashboard import register_mobilisation
        from volunteers.dashboard import mobilisation

        register_mobilisation(mobilisation)
