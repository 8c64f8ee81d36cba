"""Fixed vocabularies of the communities app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    """What a user does in the drive (DESIGN.md §4)."""

    STREET_STAFF = "street_staff", _("Street-office staff")
    ROAD_CHIEF = "road_chief", _("Road chief")
    DEPT_OFFICER = "dept_officer", _("Department officer")
    LEADER = "leader", _("District leader")
    ADMIN = "admin", _("Administrator")


class CompoundKind(models.TextChoices):
    """Kinds of residential compound the campaigns treat differently."""

    OLD_RESIDENTIAL = "old_residential", _("Old residential compound")
    COURTYARD = "courtyard", _("Courtyard (dazayuan)")
    OTHER = "other", _("Other")


class PropertyManagement(models.TextChoices):
    """Who manages a compound's property."""

    GUARANTEED = "guaranteed", _("Guaranteed-type (government-backed)")
    MARKET = "market", _("Market-based")
    NONE = "none", pgettext_lazy("property management", "None")


class DepartmentKind(models.TextChoices):
    """Functional departments that cases are dispatched to."""

    ENFORCEMENT = "enforcement", _("Urban management enforcement")
    SANITATION = "sanitation", _("Sanitation")
    HOUSING = "housing", _("Housing and construction")
    TRAFFIC_POLICE = "traffic_police", _("Traffic police")
    MARKET_REGULATION = "market_regulation", _("Market regulation")
    CITY_MANAGEMENT_CENTRE = "city_management_centre", _("City management centre")
    OTHER = "other", _("Other")


class RobotKind(models.TextChoices):
    """The group chat whose robot webhook a department's notifications go to."""

    WECOM = "wecom", _("WeCom group robot (企业微信)")
    DINGTALK = "dingtalk", _("DingTalk group robot (钉钉)")
