"""Monthly evaluation (综合评价/考核, DESIGN.md §11): versioned scoring rules and published months.

A rule set is one version of the rules; a month, once published, keeps its frozen results and
the rule set it was scored with. A rule set that a published month used can no longer be edited
or deleted (the admin shows it read-only, and `save`/`delete` refuse): to change the rules, copy
it to a new version (the admin action) and edit the copy. docs/evaluation.md explains the rules.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict


class UnitKind(models.TextChoices):
    """What a month's evaluation scores: the departments or the streets."""

    DEPARTMENT = "department", _("Departments")
    STREET = "street", _("Streets")


class RuleMethod(models.TextChoices):
    """How a rule turns figures into points."""

    RATE = "rate", _("Rate against a threshold")
    DEDUCTION = "deduction", _("Deduction per event")


class Count(models.TextChoices):
    """The counts a rule may use (docs/dashboard.md); one the figures lack (deferred, for now) counts 0."""

    DUE = "due", _("Cases due (应结案数)")
    DUE_CLOSED = "due_closed", _("Cases due and closed (结案数)")
    DUE_CLOSED_ON_TIME = "due_closed_on_time", _("Cases due and closed on time (按期结案数)")
    DUE_REWORKED = "due_reworked", _("Cases due sent for rework (返工数)")
    DUE_REWORKED_THREE_TIMES = (
        "due_reworked_three_times",
        _("Cases due failing verification three times (三次核查不通过数)"),
    )
    DUE_RESOLVED = "due_resolved", _("Cases due and resolved")
    RATED = "rated", _("Cases called back and rated")
    RATED_SATISFIED = "rated_satisfied", _("Cases rated satisfied (满意数)")
    REPORT_IN_DUE = "report_in_due", _("Summonses due (应报到数)")
    REPORT_IN_ON_TIME = "report_in_on_time", _("Summonses reported in on time (按时报到数)")
    INTAKE = "intake", _("Cases filed")
    OVERDUE = "overdue", _("Cases overdue now")
    ESCALATED = "escalated", _("Cases escalated (督办)")
    DEFERRED = "deferred", _("Cases deferred (缓办数)")


class ScoringRuleSet(models.Model):
    """One version of the scoring rules; `version` numbers every rule set of the district in order."""

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("scoring rule set")
        verbose_name_plural = _("scoring rule sets")

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def save(self, *args, **kwargs) -> None:
        self.refuse_if_used()
        if self.version is None:
            latest = ScoringRuleSet.objects.aggregate(models.Max("version"))["version__max"]
            self.version = (latest or 0) + 1
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.refuse_if_used()
        return super().delete(*args, **kwargs)

    @property
    def is_used(self) -> bool:
        """Whether a published month was scored with this version (then it never changes)."""
        return self.pk is not None and self.months.filter(status=EvaluationMonth.Status.PUBLISHED).exists()

    def refuse_if_used(self) -> None:
        if self.is_used:
            raise Conflict(
                _("A published month was scored with this rule set; copy it to a new version to change the rules."),
                reason="rule_set_used",
            )


class ScoringRule(models.Model):
    """One line of a rule set: a rate scored against a threshold, or a deduction per counted case.

    A rate rule gives `full_points` when numerator ÷ (denominator − `denominator_minus`) reaches
    `threshold` percent, and loses `points_per_point` for each percentage point below (never below 0).
    A deduction rule takes `points_per_event` off the score for each case its `numerator` counts.
    """

    rule_set = models.ForeignKey(
        ScoringRuleSet, verbose_name=_("rule set"), on_delete=models.CASCADE, related_name="rules"
    )
    kind = models.CharField(_("scores"), max_length=20, choices=UnitKind.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("label"), max_length=100)
    method = models.CharField(_("method"), max_length=20, choices=RuleMethod.choices, default=RuleMethod.RATE)
    numerator = models.CharField(
        _("count"), max_length=30, choices=Count.choices, help_text=_("A rate's numerator, or what a deduction counts.")
    )
    denominator = models.CharField(_("denominator"), max_length=30, choices=Count.choices, blank=True)
    denominator_minus = models.CharField(
        _("taken out of the denominator"),
        max_length=30,
        choices=Count.choices,
        blank=True,
        help_text=_("E.g. the deferred cases (缓办数), as in the 金华 rules."),
    )
    full_points = models.DecimalField(
        _("full points"), max_digits=6, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    threshold = models.DecimalField(
        _("threshold (%)"), max_digits=5, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    points_per_point = models.DecimalField(
        _("points lost per percentage point below"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    points_per_event = models.DecimalField(
        _("points deducted per case"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["rule_set", "kind", "order", "pk"]
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs) -> None:
        self.rule_set.refuse_if_used()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.rule_set.refuse_if_used()
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        if self.method == RuleMethod.RATE and not self.denominator:
            raise ValidationError({"denominator": _("A rate needs a denominator.")})


PERIOD = RegexValidator(r"^20\d\d-(0[1-9]|1[0-2])$", _("Give the month as YYYY-MM, e.g. 2021-11."))


class EvaluationMonth(models.Model):
    """A month's evaluation of the departments or the streets; once published, its results never change."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    period = models.CharField(_("month"), max_length=7, validators=[PERIOD])
    kind = models.CharField(_("scores"), max_length=20, choices=UnitKind.choices)
    rule_set = models.ForeignKey(
        ScoringRuleSet, verbose_name=_("rule set"), on_delete=models.PROTECT, related_name="months"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    results = models.JSONField(_("results"), default=list, blank=True)

    class Meta:
        ordering = ["-period", "kind"]
        verbose_name = _("evaluation month")
        verbose_name_plural = _("evaluation months")
        constraints = [models.UniqueConstraint(fields=["period", "kind"], name="dashboard_one_evaluation_per_month")]

    def __str__(self) -> str:
        return f"{self.period} {self.get_kind_display()}"
