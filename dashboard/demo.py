"""The demo's scoring rules (`manage.py seed_demo`): a rule set modelled on the published 金华 rules.

金华 gives departments 50 points for an on-time closure rate (按期结案数 ÷ (应结案数 − 缓办数)) of
70 % or more, minus 1 per percentage point below; 20 points for a closure rate of 90 % or more,
minus 1 per point below; and deducts 0.2 per rework and 0.5 per case failing verification three times
(sent back for rework three times or more). The on-time report-in and satisfaction lines
and the streets' rules are the demo's own, in the same style. The dashboard's 应结案数 already
leaves a case out while it is deferred (docs/dashboard.md), so 金华's "应结案数 − 缓办数" is our
`due` as it is: taking `deferred` out again would count a deferral twice. Idempotent: an existing demo rule set
(whatever was edited in it since) is left as it is.
"""

from __future__ import annotations

from decimal import Decimal

from dashboard.models import Count, RuleMethod, ScoringRule, ScoringRuleSet, UnitKind

DEMO_RULE_SET = "金华式考核细则（示范）"

D = Decimal
# (kind, label, method, numerator, denominator, minus, full points, threshold %, per point, per case)
DEMO_RULES = (
    (UnitKind.DEPARTMENT, "按期结案率", RuleMethod.RATE, Count.DUE_CLOSED_ON_TIME, Count.DUE, "",
     D(50), D(70), D(1), D(0)),
    (UnitKind.DEPARTMENT, "结案率", RuleMethod.RATE, Count.DUE_CLOSED, Count.DUE, "", D(20), D(90), D(1), D(0)),
    (UnitKind.DEPARTMENT, "按时报到率", RuleMethod.RATE, Count.REPORT_IN_ON_TIME, Count.REPORT_IN_DUE, "",
     D(20), D(95), D(1), D(0)),
    (UnitKind.DEPARTMENT, "满意率", RuleMethod.RATE, Count.RATED_SATISFIED, Count.RATED, "",
     D(10), D(90), D("0.5"), D(0)),
    (UnitKind.DEPARTMENT, "返工扣分", RuleMethod.DEDUCTION, Count.DUE_REWORKED, "", "", D(0), D(0), D(0), D("0.2")),
    (UnitKind.DEPARTMENT, "三次核查不通过扣分", RuleMethod.DEDUCTION, Count.DUE_REWORKED_THREE_TIMES, "", "",
     D(0), D(0), D(0), D("0.5")),
    (UnitKind.STREET, "结案率", RuleMethod.RATE, Count.DUE_CLOSED, Count.DUE, "", D(40), D(90), D(1), D(0)),
    (UnitKind.STREET, "按期结案率", RuleMethod.RATE, Count.DUE_CLOSED_ON_TIME, Count.DUE, "",
     D(40), D(70), D(1), D(0)),
    (UnitKind.STREET, "满意率", RuleMethod.RATE, Count.RATED_SATISFIED, Count.RATED, "",
     D(20), D(90), D(1), D(0)),
    (UnitKind.STREET, "返工扣分", RuleMethod.DEDUCTION, Count.DUE_REWORKED, "", "", D(0), D(0), D(0), D("0.2")),
)  # fmt: skip


def seed_rule_set() -> ScoringRuleSet:
    """The demo's rule set, created on the first run only."""
    existing = ScoringRuleSet.objects.filter(name=DEMO_RULE_SET).order_by("version").first()
    if existing is not None:
        return existing
    rule_set = ScoringRuleSet.objects.create(
        name=DEMO_RULE_SET,
        notes=(
            "参照金华市数字城管考核办法：应结案数不含缓办案件（即扣除缓办数）；"
            "返工每件扣 0.2 分；三次核查不通过每件扣 0.5 分。"
        ),
    )
    ScoringRule.objects.bulk_create(
        ScoringRule(
            rule_set=rule_set,
            kind=kind,
            order=order,
            label=label,
            method=method,
            numerator=numerator,
            denominator=denominator,
            denominator_minus=minus,
            full_points=full,
            threshold=threshold,
            points_per_point=per_point,
            points_per_event=per_case,
        )
        for order, (kind, label, method, numerator, denominator, minus, full, threshold, per_point, per_case) in (
            enumerate(DEMO_RULES, start=1)
        )
    )
    return rule_set
