"""Monthly evaluation (综合评价/考核, DESIGN.md §11): figures per unit → points per rule → a score.

`evaluation(period, kind)` is what pages, exports and the API show: a published month's frozen
results, or else the month scored now with the latest rule set (a draft). `score_month` computes
the results from `breakdown()` over the month (Shenyang days); `publish` freezes them once.
docs/evaluation.md states the arithmetic:

- a rate rule: rate = numerator ÷ (denominator − taken out), in percent rounded to 2 places; at or
  above the threshold, full points; below, full points − (threshold − rate) × points per point,
  never below 0; nothing to divide by (no case due) gives full points;
- a deduction rule: − count × points per case;
- the score is the sum, never below 0, rounded to 2 places. A count the figures do not have
  (`deferred`, until deferral exists) is 0.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Department, Street
from core import clock
from core.errors import Conflict, InvalidInput
from dashboard.models import Count, EvaluationMonth, RuleMethod, ScoringRule, ScoringRuleSet, UnitKind
from dashboard.permissions import DashboardScope
from dashboard.queries import DashboardFilters, breakdown, empty_figures, latest_drive

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0")
PERIOD_RE = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Period:
    """A calendar month, as `YYYY-MM`."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str | None) -> Period:
        match = PERIOD_RE.match(text or "")
        if not match:
            raise InvalidInput.for_fields({"period": [_("Give the month as YYYY-MM, e.g. 2021-11.")]})
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def last_month(cls, now: datetime.datetime | None = None) -> Period:
        first = timezone.localdate(now or clock.now()).replace(day=1)
        previous = first - datetime.timedelta(days=1)
        return cls(previous.year, previous.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def last_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def is_over(self, now: datetime.datetime | None = None) -> bool:
        return timezone.localdate(now or clock.now()) > self.last_day


def parse_kind(text: str | None) -> str:
    if text not in UnitKind.values:
        raise InvalidInput.for_fields({"kind": [_("Choose “department” or “street”.")]})
    return text


def month_filters(period: Period) -> DashboardFilters:
    """The dashboard filters of the month: the latest drive, the month's days."""
    return DashboardFilters(drive=latest_drive(), date_from=period.first_day, date_to=period.last_day)


def current_rule_set() -> ScoringRuleSet | None:
    """The rule set a draft month is scored with: the latest version."""
    return ScoringRuleSet.objects.order_by("-version").first()


# --- the arithmetic -----------------------------------------------------------------------------


def rate_percent(part: int, whole: int) -> Decimal | None:
    """part ÷ whole in percent, to 2 places (911 / 972 → 93.72); None when there is nothing to divide by."""
    if whole <= 0:
        return None
    return _cents(Decimal(part) * HUNDRED / Decimal(whole))


def rule_points(rule: ScoringRule, counts: dict[str, Any]) -> dict[str, Any]:
    """One rule applied to one unit's counts: the numbers it used, the rate and the points (as text)."""

    def count(name: str) -> int:
        return int(counts.get(name) or 0) if name else 0

    numerator = count(rule.numerator)
    line: dict[str, Any] = {
        "label": rule.label,
        "method": rule.method,
        "numerator": rule.numerator,
        "numerator_count": numerator,
        "denominator": rule.denominator or None,
        "denominator_minus": rule.denominator_minus or None,
        "denominator_count": None,
        "rate": None,
        "full_points": str(rule.full_points),
    }
    if rule.method == RuleMethod.DEDUCTION:
        points = -(numerator * rule.points_per_event)
    else:
        whole = count(rule.denominator) - count(rule.denominator_minus)
        rate = rate_percent(numerator, whole)
        line["denominator_count"] = whole
        line["rate"] = None if rate is None else str(rate)
        if rate is None or rate >= rule.threshold:
            points = rule.full_points
        else:
            points = max(ZERO, rule.full_points - (rule.threshold - rate) * rule.points_per_point)
    line["points"] = str(_cents(points))
    return line


def unit_score(rules: list[ScoringRule], counts: dict[str, Any]) -> tuple[Decimal, list[dict[str, Any]]]:
    lines = [rule_points(rule, counts) for rule in rules]
    total = sum((Decimal(line["points"]) for line in lines), ZERO)
    return _cents(max(ZERO, total)), lines


def _units(kind: str):
    if kind == UnitKind.STREET:
        return Street.objects.order_by("order", "name")
    return Department.objects.order_by("name")


def score_month(
    period: Period, kind: str, rule_set: ScoringRuleSet, *, now: datetime.datetime | None = None
) -> list[dict[str, Any]]:
    """Every department (or street) with its score, rank, figures and points per rule, best first."""
    rows = {row["id"]: row for row in breakdown(month_filters(period), by=kind, now=now)}
    rules = list(rule_set.rules.filter(kind=kind).order_by("order", "pk"))
    results = []
    for unit in _units(kind):
        figures = rows.get(unit.pk) or empty_figures()
        figures = {name: value for name, value in figures.items() if name not in ("id", "name", "short_name")}
        score, lines = unit_score(rules, figures)
        results.append(
            {"unit": {"id": unit.pk, "name": unit.name}, "score": str(score), "figures": figures, "rules": lines}
        )
    results.sort(key=lambda entry: -Decimal(entry["score"]))
    previous, rank = None, 0
    for position, entry in enumerate(results, start=1):
        if entry["score"] != previous:
            rank, previous = position, entry["score"]
        entry["rank"] = rank
    return results


@dataclass(frozen=True)
class Evaluation:
    """A month's evaluation as shown: published (frozen) or draft (scored now with the latest rules)."""

    period: Period
    kind: str
    rule_set: ScoringRuleSet | None
    results: list[dict[str, Any]]
    month: EvaluationMonth | None = None

    @property
    def status(self) -> str:
        return self.month.status if self.month else EvaluationMonth.Status.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == EvaluationMonth.Status.PUBLISHED

    @property
    def formula_version(self) -> int | None:
        return self.rule_set.version if self.rule_set else None


def evaluation(period: Period, kind: str, *, now: datetime.datetime | None = None) -> Evaluation:
    month = (
        EvaluationMonth.objects.select_related("rule_set", "published_by")
        .filter(period=str(period), kind=kind, status=EvaluationMonth.Status.PUBLISHED)
        .first()
    )
    if month is not None:
        return Evaluation(period, kind, month.rule_set, month.results, month)
    rule_set = current_rule_set()
    results = score_month(period, kind, rule_set, now=now) if rule_set else []
    return Evaluation(period, kind, rule_set, results)


def evaluation_request(params: Mapping[str, Any], scope: DashboardScope) -> tuple[Period, str]:
    """The month (default: last month) and the kind (default: departments; a scoped user's own kind)."""
    own = "street" if scope.street_id is not None else "department" if scope.department_id is not None else None
    fields: dict[str, list] = {}
    period = kind = None
    try:
        period = Period.parse(params["period"]) if params.get("period") else Period.last_month()
    except InvalidInput as error:
        fields |= error.fields
    try:
        kind = parse_kind(params.get("kind") or own or "department")
        if own is not None and kind != own:
            raise InvalidInput.for_fields({"kind": [_("You see the evaluation of your own street or department.")]})
    except InvalidInput as error:
        fields |= error.fields
    if fields:
        raise InvalidInput.for_fields(fields)
    return period, kind


def scoped_results(result: Evaluation, scope: DashboardScope) -> list[dict[str, Any]]:
    """The units the user may see: all of them, or their own street or department."""
    own = scope.street_id if scope.street_id is not None else scope.department_id
    return [entry for entry in result.results if own is None or entry["unit"]["id"] == own]


# --- writes -------------------------------------------------------------------------------------


@transaction.atomic
def publish(period: Period, kind: str, user, *, now: datetime.datetime | None = None) -> EvaluationMonth:
    """Freeze the month's results with the latest rules; once only, and only once the month is over."""
    now = now or clock.now()
    if not period.is_over(now):
        raise InvalidInput.for_fields({"period": [_("A month can be published once it is over.")]})
    rule_set = current_rule_set()
    if rule_set is None:
        raise Conflict(_("There are no scoring rules yet; add a rule set in the admin."), reason="no_rules")
    month, _created = EvaluationMonth.objects.select_for_update().get_or_create(
        period=str(period), kind=kind, defaults={"rule_set": rule_set}
    )
    if month.status == EvaluationMonth.Status.PUBLISHED:
        raise Conflict(_("This month's evaluation has been published already."), reason="published")
    month.rule_set = rule_set
    month.results = score_month(period, kind, rule_set, now=now)
    month.status = EvaluationMonth.Status.PUBLISHED
    month.published_at = now
    month.published_by = user
    month.save()
    return month


@transaction.atomic
def copy_rule_set(rule_set: ScoringRuleSet, user=None) -> ScoringRuleSet:
    """A new version with the same rules, to edit instead of a version a published month used."""
    copy = ScoringRuleSet.objects.create(name=rule_set.name, notes=rule_set.notes, created_by=user)
    ScoringRule.objects.bulk_create(
        ScoringRule(
            rule_set=copy,
            kind=rule.kind,
            order=rule.order,
            label=rule.label,
            method=rule.method,
            numerator=rule.numerator,
            denominator=rule.denominator,
            denominator_minus=rule.denominator_minus,
            full_points=rule.full_points,
            threshold=rule.threshold,
            points_per_point=rule.points_per_point,
            points_per_event=rule.points_per_event,
        )
        for rule in rule_set.rules.all()
    )
    return copy


def describe_rule(rule: ScoringRule) -> str:
    """A rule in words, for the report's "how the scores are computed"."""
    numerator = Count(rule.numerator).label if rule.numerator in Count.values else rule.numerator
    if rule.method == RuleMethod.DEDUCTION:
        return _("%(label)s: %(points)s points off for each case of “%(count)s”.") % {
            "label": rule.label,
            "points": rule.points_per_event,
            "count": numerator,
        }
    denominator = Count(rule.denominator).label if rule.denominator in Count.values else rule.denominator
    if rule.denominator_minus:
        denominator = _("%(whole)s minus %(minus)s") % {
            "whole": denominator,
            "minus": Count(rule.denominator_minus).label,
        }
    return _(
        "%(label)s: “%(part)s” ÷ (%(whole)s); %(full)s points at %(threshold)s%% or more, "
        "%(per_point)s points less for each percentage point below, never below 0."
    ) % {
        "label": rule.label,
        "part": numerator,
        "whole": denominator,
        "full": rule.full_points,
        "threshold": rule.threshold,
        "per_point": rule.points_per_point,
    }


def rule_descriptions(result: Evaluation) -> list[str]:
    if result.rule_set is None:
        return []
    return [describe_rule(rule) for rule in result.rule_set.rules.filter(kind=result.kind).order_by("order", "pk")]
