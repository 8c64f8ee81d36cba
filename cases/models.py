"""The drive, its campaigns, problem categories and tally metrics (reference data of cases)."""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    WORKING_STATES,
    AssignmentRole,
    CalendarDayKind,
    CaseAction,
    CaseSource,
    CaseState,
    Clock,
    PhotoStage,
    Priority,
    Satisfaction,
)
from communities.models import Community, Compound, Department, FrontageUnit, Road, Street, phone_validator
from core.db import ends_after_start


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
    clock = models.CharField(
        _("clock"),
        max_length=10,
        choices=Clock.choices,
        default=Clock.CALENDAR,
        help_text=_(
            "How the report-in and resolve hours count: around the clock, or only working hours on working "
            "days (per the working-time calendar). A whistle's minutes always count around the clock."
        ),
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


class CalendarDay(models.Model):
    """A day of the working-time calendar that differs from the week: a public holiday or a make-up workday (调休).

    Any other Monday to Friday is a working day and any other Saturday or Sunday is not (cases.worktime).
    """

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=40, help_text=_("The holiday, e.g. 国庆节."))

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CalendarDayKind.values), name="calendar_day_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name} ({self.get_kind_display()})"


COORDINATE_LABELS = {"latitude": _("latitude"), "longitude": _("longitude")}


def coordinates_errors(latitude: Decimal | None, longitude: Decimal | None) -> dict[str, ValidationError]:
    """Why a pair of coordinates cannot be a place in the district (settings.DISTRICT_BOUNDS), by field."""
    errors = {}
    if (latitude is None) != (longitude is None):
        field = "longitude" if longitude is None else "latitude"
        errors[field] = ValidationError(_("Give both latitude and longitude, or neither."), code="coordinates_pair")
    for field, value in (("latitude", latitude), ("longitude", longitude)):
        if value is None:
            continue
        low, high = settings.DISTRICT_BOUNDS[field]
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            continue  # not a number: the field's own validation says so
        if not number.is_finite() or not Decimal(str(low)) <= number <= Decimal(str(high)):
            errors[field] = ValidationError(
                _("This point is outside Shenhe District: %(field)s must be between %(low)s and %(high)s."),
                code="outside_district",
                params={"field": COORDINATE_LABELS[field], "low": low, "high": high},
            )
    return errors


class CaseNumberSequence(models.Model):
    """The last case number handed out in a year; locked while a number is taken."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last_value = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("case number sequence")
        verbose_name_plural = _("case number sequences")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"


class Case(models.Model):
    """A problem found in the district (案件), from report to verified closure."""

    number = models.CharField(_("case number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category"))
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="cases", verbose_name=_("campaign"))
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="cases", verbose_name=_("street"))
    # Optional: a problem on a road (a road chief's) may lie between communities; the street is always known.
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("community"),
    )
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("compound")
    )
    road = models.ForeignKey(
        Road, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("road")
    )
    frontage_unit = models.ForeignKey(
        FrontageUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("frontage unit"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
    )
    source = models.CharField(_("source"), max_length=20, choices=CaseSource.choices, default=CaseSource.PATROL)
    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True, validators=[phone_validator])
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    state = models.CharField(_("state"), max_length=20, choices=CaseState.choices, default=CaseState.REGISTERED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="created_cases",
        verbose_name=_("created by"),
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    # The current round of work; a send-back or reopen starts a new round.
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    whistle = models.BooleanField(_("whistle"), default=False)
    report_in_due_at = models.DateTimeField(_("report-in due"), null=True, blank=True)
    reported_in_at = models.DateTimeField(_("reported in at"), null=True, blank=True)
    report_in_late = models.BooleanField(_("reported in late"), null=True, blank=True)
    work_started_at = models.DateTimeField(_("work started at"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("resolve due"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolve_late = models.BooleanField(_("resolved late"), null=True, blank=True)
    # Measured by the category's clock when the step happens (cases.worktime), so that the dashboard's
    # mean times sum stored durations instead of recomputing working time over every case.
    resolve_duration = models.DurationField(_("time to resolve (by its clock)"), null=True, blank=True)
    paused_duration = models.DurationField(
        _("time deferred this round (by its clock)"), default=datetime.timedelta(0), blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    satisfaction = models.CharField(
        _("resident's satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    rework_count = models.PositiveSmallIntegerField(_("reworks"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("reopenings"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    extension_requested_until = models.DateTimeField(_("extension requested until"), null=True, blank=True)
    extension_reason = models.CharField(_("extension reason"), max_length=500, blank=True)
    # Supervision (督办) by a leader: the latest one (every one is an event on the timeline).
    supervised_at = models.DateTimeField(_("supervised at"), null=True, blank=True)
    supervised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supervised by"),
    )
    supervision_note = models.CharField(_("supervision note"), max_length=2000, blank=True)
    supervised_until = models.DateField(_("supervised until"), null=True, blank=True)
    # Deferral (缓办/挂账): a request waiting for a leader, then the deferral itself while it lasts.
    deferral_requested_at = models.DateTimeField(_("deferral requested at"), null=True, blank=True)
    deferral_until = models.DateField(_("deferred until"), null=True, blank=True)
    deferral_reason = models.CharField(_("deferral reason"), max_length=2000, blank=True)
    deferral_plan = models.CharField(_("deferral plan"), max_length=2000, blank=True)
    # Set while the case is deferred (its resolve clock stopped); cleared when it comes back on its date.
    deferred_at = models.DateTimeField(_("deferred at"), null=True, blank=True, db_index=True)
    deferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deferred by"),
    )
    # The due time an escalation was last recorded for, so escalate_overdue records each deadline once.
    report_in_escalated_for = models.DateTimeField(_("report-in escalation recorded for"), null=True, blank=True)
    resolve_escalated_for = models.DateTimeField(_("resolve escalation recorded for"), null=True, blank=True)
    # The same for the second escalation (to the leaders), at the deadline plus its window again.
    report_in_escalated_twice_for = models.DateTimeField(
        _("report-in second escalation recorded for"), null=True, blank=True
    )
    resolve_escalated_twice_for = models.DateTimeField(
        _("resolve second escalation recorded for"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["state", "resolve_due_at"], name="case_state_resolve_due"),
            models.Index(fields=["state", "report_in_due_at"], name="case_state_report_in_due"),
            models.Index(fields=["street", "state"], name="case_street_state"),
            models.Index(fields=["campaign", "state"], name="case_campaign_state"),
            models.Index(fields=["category", "community", "created_at"], name="case_duplicate_lookup"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="case_coordinates_both_or_neither",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            ),
            models.CheckConstraint(
                condition=~Q(duplicate_of=F("id")),
                name="case_not_duplicate_of_itself",
                violation_error_message=_("A case cannot duplicate itself."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self) -> None:
        """Keep the place consistent: community in the street, compound in the community, road in the street."""
        errors = coordinates_errors(self.latitude, self.longitude)
        if self.community_id and self.street_id and self.community.street_id != self.street_id:
            errors["community"] = _("This community is not in the case's street.")
        if self.compound_id and self.compound.community_id != self.community_id:
            errors["compound"] = _("This compound is not in the case's community.")
        if self.road_id and self.road.street_id != self.street_id:
            errors["road"] = _("This road is not in the case's street.")
        if self.frontage_unit_id and self.frontage_unit.road_id != self.road_id:
            errors["frontage_unit"] = _("This frontage unit is not on the case's road.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_held_by_a_department(self) -> bool:
        """Dispatched or in progress: the deadlines are running (what `overdue` is measured on)."""
        return self.state in WORKING_STATES

    @property
    def is_deferred(self) -> bool:
        """Deferred (缓办/挂账) now: the resolve clock is stopped until `deferral_until`."""
        return self.deferred_at is not None

    @property
    def deferral_pending(self) -> bool:
        """A deferral request waits for a leader's decision."""
        return self.deferral_requested_at is not None and self.deferred_at is None

    @property
    def has_resident_reporter(self) -> bool:
        """Whether a resident can be called back about the outcome (回访)."""
        return bool(self.reporter_name or self.reporter_phone)


class Assignment(models.Model):
    """A department's duty on a case in one round of work: lead, assisting or copied."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("case"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("department")
    )
    role = models.CharField(_("part"), max_length=10, choices=AssignmentRole.choices)
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    whistle = models.BooleanField(_("whistle"), default=False)
    report_in_due_at = models.DateTimeField(_("report-in due"), null=True, blank=True)
    reported_in_at = models.DateTimeField(_("reported in at"), null=True, blank=True)
    reported_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported in by"),
    )
    report_in_late = models.BooleanField(_("reported in late"), null=True, blank=True)
    report_in_duration = models.DurationField(_("time to report in (by its clock)"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolve_late = models.BooleanField(_("resolved late"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["case", "assigned_at", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [
            models.Index(fields=["department", "finished_at"], name="assignment_department_active"),
            models.Index(fields=["report_in_due_at"], name="assignment_report_in_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "department"],
                condition=Q(finished_at__isnull=True),
                name="assignment_one_active_per_department",
                violation_error_message=_("This department already has a part in the case."),
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(finished_at__isnull=True, role=AssignmentRole.LEAD),
                name="assignment_one_active_lead",
                violation_error_message=_("A case has one lead department at a time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.department} ({self.get_role_display()})"


class CaseEventQuerySet(models.QuerySet):
    """Events are a record: the queryset refuses bulk changes and deletes too."""

    def update(self, **kwargs):
        raise ValidationError(_("Case events cannot be changed once written."), code="immutable")

    def delete(self):
        raise ValidationError(_("Case events cannot be deleted."), code="immutable")


class CaseEvent(models.Model):
    """One entry of a case's timeline; written once by the workflow, never changed."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", verbose_name=_("case"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_events",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=20, choices=CaseAction.choices)
    from_state = models.CharField(_("from state"), max_length=20, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("to state"), max_length=20, choices=CaseState.choices)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "created_at"], name="case_event_timeline")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        """Refuse to change an event that is already written: the timeline is a record."""
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("Case events cannot be changed once written."), code="immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        """Refuse to delete: the timeline is a record."""
        raise ValidationError(_("Case events cannot be deleted."), code="immutable")


def photo_image_path(instance: Photo, filename: str) -> str:
    """Where a cleaned photo is stored; names are random (cases/photos.py), folders by month."""
    return timezone.localtime(instance.uploaded_at).strftime("cases/photos/%Y/%m/") + filename


def photo_thumbnail_path(instance: Photo, filename: str) -> str:
    """Where a photo's thumbnail is stored."""
    return timezone.localtime(instance.uploaded_at).strftime("cases/thumbnails/%Y/%m/") + filename


class Photo(models.Model):
    """A photo of a case before or after the fix, stored without its metadata."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="photos", verbose_name=_("case"))
    stage = models.CharField(_("stage"), max_length=10, choices=PhotoStage.choices, default=PhotoStage.BEFORE)
    image = models.ImageField(_("image"), upload_to=photo_image_path, width_field="width", height_field="height")
    thumbnail = models.ImageField(_("thumbnail"), upload_to=photo_thumbnail_path)
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    event = models.ForeignKey(
        CaseEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="photos", verbose_name=_("event")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["case", "uploaded_at", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_stage_display()} {self.pk}"


class TallyEntryQuerySet(models.QuerySet):
    """Tally entries; voided ones (from a resolution later sent for rework) do not count."""

    def counted(self) -> TallyEntryQuerySet:
        return self.filter(voided_at__isnull=True)


class TallyEntry(models.Model):
    """A quantity of work done (工作量盘点), from a resolved case or a volunteer activity."""

    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="entries", verbose_name=_("metric"))
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    date = models.DateField(_("date"))
    # None for work on a case filed without a community (a road case); an activity's always has one.
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tally_entries",
        verbose_name=_("community"),
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="tally_entries", verbose_name=_("campaign")
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="tally_entries", verbose_name=_("case")
    )
    activity = models.ForeignKey(
        "volunteers.Activity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tally_entries",
        verbose_name=_("activity"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)

    objects = TallyEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "metric__order", "id"]
        verbose_name = _("tally entry")
        verbose_name_plural = _("tally entries")
        indexes = [models.Index(fields=["campaign", "metric", "date"], name="tally_campaign_metric_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="tally_quantity_positive",
                violation_error_message=_("A quantity must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(case__isnull=True) | Q(activity__isnull=True),
                name="tally_from_case_or_activity",
                violation_error_message=_("A tally entry comes from a case or an activity, not both."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric.name} {self.quantity}{self.metric.unit} {self.date}"


class IdempotencyKey(models.Model):
    """A key that makes a request happen once (cases/idempotency.py): an API `Idempotency-Key` or a page's
    one-time form token. A retry gets the case (and event) the first request produced."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key = models.CharField(_("key"), max_length=255)
    request_hash = models.CharField(_("request fingerprint"), max_length=64)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("case")
    )
    event = models.ForeignKey(
        CaseEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("event")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return self.key


def new_api_key() -> str:
    """A random Open311 API key (40 hex characters)."""
    return secrets.token_hex(20)


class Open311ApiKey(models.Model):
    """A key an outside system (e.g. the 12345 hotline) sends as `api_key` to post Open311 requests."""

    name = models.CharField(_("system"), max_length=100, help_text=_("Who uses this key, e.g. 12345 hotline."))
    key = models.CharField(_("key"), max_length=64, unique=True, default=new_api_key)
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Untick to revoke the key."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self) -> str:
        return self.name
