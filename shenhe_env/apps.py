from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShenheEnvConfig(AppConfig):
    name = "shenhe_env"
    verbose_name = _("Shenhe environmental remediation")
