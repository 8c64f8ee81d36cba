"""Party branches paired with communities, and the volunteers they mobilise."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from communities.models import Community, phone_validator
from volunteers.choices import PairingKind


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
    kind = models.CharField(
        _("kind"), max_length=20, choices=PairingKind.choices, default=PairingKind.POINT_TO_POINT
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Empty while the pairing lasts.")
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
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="pairing_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch} ↔ {self.community}"


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
