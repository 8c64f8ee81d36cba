"""Party branches paired with communities, and the volunteers they mobilise."""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.models import Community, phone_validator
from core.db import ends_after_start
from volunteers.choices import ImportKind, ImportStatus, PairingKind


class PartyBranch(models.Model):
    """A party branch (党支部) of a district organ, paired with one community at a time."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    organisation = models.CharField(_("parent organisation"), max_length=100, blank=True)
    secretary = models.CharField(_("branch secretary"), max_length=30, blank=True)
    member_count = models.PositiveIntegerField(_("party members"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("party branch")
        verbose_name_plural = _("party branches")

    def __str__(self) -> str:
        return self.name


class BranchPairing(models.Model):
    """A branch's point-to-point pairing with a community over a period; history is kept."""

    branch = models.ForeignKey(
        PartyBranch, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("party branch")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("community")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PairingKind.choices, default=PairingKind.POINT_TO_POINT)
    starts_on = models.DateField(pgettext_lazy("period", "from"))
    ends_on = models.DateField(
        pgettext_lazy("period", "until"), null=True, blank=True, help_text=_("Empty while the pairing lasts.")
    )

    class Meta:
        ordering = ["community__name", "-starts_on"]
        verbose_name = _("branch pairing")
        verbose_name_plural = _("branch pairings")
        constraints = [
            # At most one open pairing per community and per branch: when a branch moves,
            # the old pairing is ended, not edited, so the history stays.
            models.UniqueConstraint(
                fields=["community"],
                condition=Q(ends_on__isnull=True),
                name="pairing_one_active_per_community",
                violation_error_message=_(
                    "This community already has an active pairing; end it before pairing another branch."
                ),
            ),
            models.UniqueConstraint(
                fields=["branch"],
                condition=Q(ends_on__isnull=True),
                name="pairing_one_active_per_branch",
                violation_error_message=_(
                    "This branch already has an active pairing; end it before moving the branch."
                ),
            ),
            ends_after_start("pairing_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.branch} ↔ {self.community}"

    def clean(self) -> None:
        """Refuse a period that overlaps another pairing of the same community or branch."""
        if self.starts_on is None or (self.ends_on is not None and self.ends_on < self.starts_on):
            return  # the field and check-constraint validation report these
        overlapping = BranchPairing.objects.exclude(pk=self.pk).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=self.starts_on)
        )
        if self.ends_on is not None:
            overlapping = overlapping.filter(starts_on__lte=self.ends_on)
        errors = {}
        if self.community_id and overlapping.filter(community_id=self.community_id).exists():
            errors["community"] = _("This community is paired with another branch during this period.")
        if self.branch_id and overlapping.filter(branch_id=self.branch_id).exists():
            errors["branch"] = _("This branch is paired with another community during this period.")
        if errors:
            raise ValidationError(errors)


def periods_overlap(
    first: tuple[datetime.date, datetime.date | None], second: tuple[datetime.date, datetime.date | None]
) -> bool:
    """Whether two (start, end-or-open) periods share a day."""
    (first_start, first_end), (second_start, second_end) = first, second
    return (first_end is None or first_end >= second_start) and (second_end is None or second_end >= first_start)


def new_record_token() -> str:
    """An unguessable key for a volunteer's personal record link."""
    return secrets.token_urlsafe(18)


class Volunteer(models.Model):
    """A volunteer (志愿者): a party member or a resident who joins clean-ups."""

    name = models.CharField(_("name"), max_length=30)
    phone = models.CharField(_("phone"), max_length=20, validators=[phone_validator])
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="volunteers", verbose_name=_("community")
    )
    is_party_member = models.BooleanField(_("party member"), default=False)
    branch = models.ForeignKey(
        PartyBranch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteers",
        verbose_name=_("party branch"),
    )
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    # Volunteers have no accounts: their street sends them this link to see their own record.
    record_token = models.CharField(
        _("personal record key"), max_length=32, unique=True, default=new_record_token, editable=False
    )

    class Meta:
        ordering = ["community__name", "name"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        constraints = [
            # The phone identifies a person when lists are imported again.
            models.UniqueConstraint(fields=["phone"], name="volunteer_unique_phone"),
        ]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    """A volunteer activity (活动), e.g. a weekend clean-up a branch organises in its community."""

    title = models.CharField(_("title"), max_length=120)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="activities", verbose_name=_("community")
    )
    campaign = models.ForeignKey(
        "cases.Campaign", on_delete=models.PROTECT, related_name="activities", verbose_name=_("campaign")
    )
    branch = models.ForeignKey(
        PartyBranch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("organising branch"),
    )
    description = models.TextField(_("what was done"), blank=True)
    cases = models.ManyToManyField(
        "cases.Case", blank=True, related_name="activities", verbose_name=_("cases resolved")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="activity_ends_after_start",
                violation_error_message=_("An activity must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def date(self) -> datetime.date:
        """The day the activity took place, in the district's time."""
        return timezone.localdate(self.starts_at)


class Participation(models.Model):
    """A volunteer's part in an activity and the hours they gave."""

    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="participations", verbose_name=_("activity")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="participations", verbose_name=_("volunteer")
    )
    hours = models.DecimalField(
        _("hours"), max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )

    class Meta:
        ordering = ["activity", "volunteer__name"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "volunteer"],
                name="participation_once_per_activity",
                violation_error_message=_("This volunteer is already listed for the activity."),
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24),
                name="participation_hours_in_day",
                violation_error_message=_("Hours must be more than 0 and at most 24."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.activity}"


class ImportJob(models.Model):
    """One uploaded CSV or XLSX file: checked whole, then saved whole or not at all; kept as a record."""

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=200)
    file_format = models.CharField(_("format"), max_length=10)
    activity = models.ForeignKey(
        Activity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="imports",
        verbose_name=_("activity"),
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default community"),
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    checked_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    # [{"row": 5, "column": "手机号", "message": "..."}], in the uploader's language.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_running(self) -> bool:
        """Whether the file is still being checked or saved."""
        return self.status in (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.SAVING)

    @property
    def percent(self) -> int:
        """How far the check has gone, 0–100."""
        if self.status == ImportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.checked_rows * 100 // self.total_rows)
