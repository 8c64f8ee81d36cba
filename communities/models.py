"""Geography and organisation of Shenhe District: streets, communities, roads, departments, staff."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.choices import CompoundKind, DepartmentKind, PropertyManagement, RobotKind, Role

phone_validator = RegexValidator(
    regex=r"^(1\d{10}|0\d{2,3}-?\d{7,8})$",
    message=_("Enter a mobile number of 11 digits or a landline such as 024-22345678."),
)


class Street(models.Model):
    """A street office (街道办事处), the unit that takes in, dispatches and verifies cases."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    phone = models.CharField(_("duty phone"), max_length=20, blank=True, validators=[phone_validator])
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("street")
        verbose_name_plural = _("streets")

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    """A residents' community (社区); belongs to exactly one street."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="communities", verbose_name=_("street"))
    name = models.CharField(_("name"), max_length=50)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["street__order", "street__name", "name"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="community_unique_name_per_street"),
        ]

    def __str__(self) -> str:
        return self.name


class Compound(models.Model):
    """A residential compound (小区) or courtyard (大杂院) inside a community."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="compounds", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(
        _("kind"), max_length=20, choices=CompoundKind.choices, default=CompoundKind.OLD_RESIDENTIAL
    )
    property_management = models.CharField(
        _("property management"),
        max_length=20,
        choices=PropertyManagement.choices,
        default=PropertyManagement.NONE,
    )
    stairwell_units = models.PositiveIntegerField(_("stairwell units"), default=0)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["community__name", "name"]
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="compound_unique_name_per_community"),
        ]

    def __str__(self) -> str:
        return self.name


class Road(models.Model):
    """A road (道路) and the road chief (路长) who blows the whistle on it."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="roads", verbose_name=_("street"))
    name = models.CharField(_("name"), max_length=80)
    section = models.CharField(
        _("section"), max_length=120, blank=True, help_text=_("e.g. from Qingnian Street to Wenyi Road")
    )
    road_chief = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chief_of_roads",
        verbose_name=_("road chief"),
        limit_choices_to={"staff_profile__role": Role.ROAD_CHIEF},
    )

    class Meta:
        ordering = ["street__order", "name"]
        verbose_name = _("road")
        verbose_name_plural = _("roads")
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="road_unique_name_per_street"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A road chief blows the whistle for their own street: refuse one from elsewhere."""
        if self.road_chief_id is None or self.street_id is None:
            return
        profile = StaffProfile.objects.filter(user_id=self.road_chief_id).first()
        if profile is None or profile.role != Role.ROAD_CHIEF:
            raise ValidationError({"road_chief": _("Only a user with the road chief role can be a road chief.")})
        if profile.street_id != self.street_id:
            raise ValidationError(
                {"road_chief": _("This road chief works for another street; choose one of this street.")}
            )


class FrontageUnit(models.Model):
    """A unit responsible for the pavement in front of its door (门前三包责任单位)."""

    road = models.ForeignKey(Road, on_delete=models.PROTECT, related_name="frontage_units", verbose_name=_("road"))
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=30, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True, validators=[phone_validator])

    class Meta:
        ordering = ["road__name", "name"]
        verbose_name = _("frontage unit")
        verbose_name_plural = _("frontage units")
        constraints = [
            models.UniqueConstraint(fields=["road", "name"], name="frontageunit_unique_name_per_road"),
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A functional department (职能部门) that reports in and handles dispatched cases."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    short_name = models.CharField(_("short name"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=DepartmentKind.choices)
    contact_person = models.CharField(_("contact person"), max_length=30, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True, validators=[phone_validator])
    is_active = models.BooleanField(_("active"), default=True)
    # The department's group robot (企业微信 / 钉钉 群机器人): notifications of its cases are posted there too.
    robot_kind = models.CharField(_("group robot"), max_length=20, choices=RobotKind.choices, blank=True)
    robot_webhook_url = models.URLField(
        _("group robot webhook URL"),
        max_length=500,
        blank=True,
        help_text=_("The webhook address the group robot's settings show; leave empty to post nothing."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.short_name or self.name

    def clean(self) -> None:
        """A robot needs both its kind and its address."""
        if bool(self.robot_kind) != bool(self.robot_webhook_url):
            field = "robot_webhook_url" if self.robot_kind else "robot_kind"
            raise ValidationError({field: _("Give both the kind of group robot and its webhook address, or neither.")})


class StaffProfile(models.Model):
    """What a user is in the drive: their role and the street or department they act for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    street = models.ForeignKey(
        Street,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("street"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name=_("department"),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])

    class Meta:
        ordering = ["role", "user__username"]
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")
        constraints = [
            # Street staff and road chiefs act for one street; officers for one department.
            models.CheckConstraint(
                condition=~Q(role__in=[Role.STREET_STAFF, Role.ROAD_CHIEF]) | Q(street__isnull=False),
                name="staffprofile_street_roles_have_street",
                violation_error_message=_("Street staff and road chiefs must belong to a street."),
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.DEPT_OFFICER) | Q(department__isnull=False),
                name="staffprofile_officer_has_department",
                violation_error_message=_("A department officer must belong to a department."),
            ),
            models.CheckConstraint(
                condition=Q(role=Role.DEPT_OFFICER) | Q(department__isnull=True),
                name="staffprofile_only_officers_have_department",
                violation_error_message=_("Only department officers belong to a department."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=[Role.STREET_STAFF, Role.ROAD_CHIEF]) | Q(street__isnull=True),
                name="staffprofile_only_street_roles_have_street",
                violation_error_message=_("Only street staff and road chiefs belong to a street."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values),
                name="staffprofile_role_valid",
                violation_error_message=_("Choose one of the roles."),
            ),
        ]

    def __str__(self) -> str:
        return f"{display_name(self.user)} ({self.get_role_display()})"

    def clean(self) -> None:
        """Keep roads' chiefs consistent: a chief who changes role or street hands over first."""
        if not self.user_id:
            return
        roads = Road.objects.filter(road_chief_id=self.user_id)
        if self.role == Role.ROAD_CHIEF and self.street_id:
            roads = roads.exclude(street_id=self.street_id)
        names = "、".join(roads.values_list("name", flat=True)[:5])
        if names:
            raise ValidationError(
                _("This user is still road chief of %(roads)s; give those roads another chief first.")
                % {"roads": names}
            )

    @property
    def roads(self) -> models.QuerySet[Road]:
        """The roads this user is road chief of (Road.road_chief is the one source)."""
        return Road.objects.filter(road_chief_id=self.user_id)

    @property
    def scope_label(self) -> str:
        """The street or department the user acts for, for greetings and headers."""
        if self.department_id:
            return str(self.department)
        if self.street_id:
            return str(self.street)
        return str(_("Shenhe District"))


def display_name(user: models.Model) -> str:
    """A person's name as staff write it (姓名), falling back to the username."""
    full_name = f"{user.last_name}{user.first_name}".strip()
    return full_name or user.get_username()
