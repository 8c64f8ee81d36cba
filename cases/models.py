"""The drive, its campaigns, problem categories and tally metrics (reference data of cases)."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.models import Department
from shenhe_env.db import ends_after_start


class Drive(models.Model):
    """A district-wide remediation drive (攻坚行动), e.g. the 2021 攻坚月."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        get_latest_by = "starts_on"
        verbose_name = _("drive")
        verbose_name_plural = _("drives")
        constraints = [
            ends_after_start("drive_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """One of a drive's special campaigns (专项整治), e.g. 楼道清洁整治."""

    drive = models.ForeignKey(Drive, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("drive"))
    order = models.PositiveSmallIntegerField(_("number"))
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=80)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["drive", "order"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.UniqueConstraint(fields=["drive", "order"], name="campaign_unique_order_per_drive"),
            models.UniqueConstraint(fields=["drive", "name"], name="campaign_unique_name_per_drive"),
            ends_after_start("campaign_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name


class Metric(models.Model):
    """A quantity of work counted in the tally (工作量盘点), e.g. road repaired in m²."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    unit = models.CharField(_("unit"), max_length=10)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class Category(models.Model):
    """A kind of problem (问题类别): its campaign, default department, deadlines and tally."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="categories", verbose_name=_("campaign")
    )
    default_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="default_for_categories",
        verbose_name=_("default department"),
    )
    report_in_hours = models.PositiveSmallIntegerField(
        _("report-in deadline (hours)"),
        default=2,
        validators=[MinValueValidator(1)],
        help_text=_("Hours the lead department has to report in after an ordinary dispatch."),
    )
    resolve_hours = models.PositiveSmallIntegerField(
        _("resolve deadline (hours)"),
        default=72,
        validators=[MinValueValidator(1)],
        help_text=_("Hours from dispatch until the problem must be resolved."),
    )
    whistle_report_in_minutes = models.PositiveSmallIntegerField(
        _("whistle report-in deadline (minutes)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("Minutes a summoned department has to report in when a road chief blows the whistle."),
    )
    after_photo_required = models.BooleanField(
        _("after-photo required"),
        default=True,
        help_text=_("Whether resolving a case of this category needs a photo of the result."),
    )
    metrics = models.ManyToManyField(
        Metric,
        blank=True,
        related_name="categories",
        verbose_name=_("tally metrics"),
        help_text=_("The quantities a resolution of this category records."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["campaign__order", "order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="category_unique_name_per_campaign"),
            models.CheckConstraint(condition=Q(report_in_hours__gte=1), name="category_report_in_positive"),
            models.CheckConstraint(condition=Q(resolve_hours__gte=1), name="category_resolve_positive"),
            models.CheckConstraint(condition=Q(whistle_report_in_minutes__gte=1), name="category_whistle_positive"),
        ]

    def __str__(self) -> str:
        return self.name
