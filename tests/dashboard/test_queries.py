"""The leaders' dashboard figures (dashboard/queries.py) against a small hand-built district.

Every expected value below was worked out by hand from the data set in `district`; the
comments there say what each case is for. docs/dashboard.md defines the figures.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from cases import workflow
from cases.choices import AssignmentRole, CaseState, Satisfaction
from cases.models import Case, TallyEntry
from core import clock
from core.errors import InvalidInput
from dashboard.queries import (
    FIGURES,
    DashboardFilters,
    breakdown,
    daily,
    overdue_cases,
    overview,
    rankings,
    tally_totals,
)
from tests.factories import (
    ActivityFactory,
    AssignmentFactory,
    CampaignFactory,
    CaseFactory,
    CategoryFactory,
    CommunityFactory,
    DepartmentFactory,
    DriveFactory,
    MetricFactory,
    StreetFactory,
    TallyEntryFactory,
)

SHENYANG = ZoneInfo("Asia/Shanghai")
LEAD, ASSIST, CC = AssignmentRole.LEAD, AssignmentRole.ASSIST, AssignmentRole.CC


def at(day: int, hour: int, minute: int = 0, month: int = 9) -> datetime.datetime:
    """A moment of 2021 in Shenyang time."""
    return datetime.datetime(2021, month, day, hour, minute, tzinfo=SHENYANG)


NOW = at(10, 12)  # 2021-09-10 12:00 in Shenyang
RANGE = {"date_from": "2021-09-02", "date_to": "2021-09-08"}


def only_figures(row: dict) -> dict:
    return {name: row[name] for name in FIGURES}


@dataclass
class District:
    drive: object
    old_drive: object
    campaigns: dict
    streets: dict
    communities: dict
    departments: dict
    categories: dict
    metrics: dict
    cases: dict


def make_case(key, category, community, created, state, *, parts=(), **fields) -> Case:
    """A case as the workflow would have left it; `parts` are (department, role, assignment fields)."""
    case = CaseFactory(
        title=key,
        category=category,
        community=community,
        street=community.street,
        created_at=created,
        state=state,
        reporter_name=fields.pop("reporter_name", "李先生"),
        **fields,
    )
    for department, role, values in parts:
        AssignmentFactory(case=case, department=department, role=role, **values)
    return case


def part(assigned, due=None, reported=None, late=None, finished=None) -> dict:
    return {
        "assigned_at": assigned,
        "report_in_due_at": due,
        "reported_in_at": reported,
        "report_in_late": late,
        "finished_at": finished,
    }


@pytest.fixture
def district(db) -> District:
    """Ten cases of the 2021 drive (and one of an older drive), seen at NOW = 2021-09-10 12:00."""
    old_drive = DriveFactory(name="2020 攻坚行动", slug="drive-2020", starts_on=datetime.date(2020, 8, 24))
    drive = DriveFactory(name="2021 环境整治攻坚月", slug="drive-2021", starts_on=datetime.date(2021, 8, 24))
    c1 = CampaignFactory(drive=drive, order=1, slug="ten-disorders", name="街路沿线“十乱”整治")
    c2 = CampaignFactory(drive=drive, order=2, slug="stairwells", name="楼道清洁整治")
    c3 = CampaignFactory(drive=drive, order=3, slug="markets", name="农贸市场周边整治")  # no cases at all
    old = CampaignFactory(drive=old_drive, order=1, slug="old-campaign", name="2020 专项整治")
    s1 = StreetFactory(name="滨河街道", order=1)
    s2 = StreetFactory(name="大南街道", order=2)
    k1a = CommunityFactory(street=s1, name="怀远社区")
    k1b = CommunityFactory(street=s1, name="风雨坛社区")
    k2 = CommunityFactory(street=s2, name="大南社区")
    a = DepartmentFactory(name="城管执法局")
    b = DepartmentFactory(name="环卫中心")
    x = DepartmentFactory(name="市场监管局")
    cat1 = CategoryFactory(campaign=c1, default_department=a, code="stall", name="占道经营", order=1)
    cat2 = CategoryFactory(campaign=c2, default_department=b, code="stairwell", name="楼道堆物", order=1)
    cat_old = CategoryFactory(campaign=old, default_department=a, code="old", name="旧类别")
    road = MetricFactory(code="road_repaired", name="修补道路", unit="m²", order=1)
    posters = MetricFactory(code="posters_removed", name="清除小招贴", unit="处", order=2)
    cars = MetricFactory(code="zombie_cars_removed", name="清理僵尸车", unit="辆", order=3)  # nothing recorded

    cases = {}
    # 1: closed well before its deadline (closure at 00:30 on 9-02 Shenyang time is still 9-01 in UTC).
    cases["c1"] = make_case(
        "c1", cat1, k1a, at(1, 9), CaseState.CLOSED,
        dispatched_at=at(1, 10), report_in_due_at=at(1, 12), reported_in_at=at(1, 10, 30), report_in_late=False,
        resolve_due_at=at(4, 10), resolved_at=at(1, 22), resolve_late=False, closed_at=at(2, 0, 30),
        satisfaction=Satisfaction.SATISFIED,
        parts=[
            (a, LEAD, part(at(1, 10), at(1, 12), at(1, 10, 30), False, at(2, 0, 30))),  # 30 min
            (b, ASSIST, part(at(1, 10), at(1, 12), at(1, 11, 30), False, at(2, 0, 30))),  # 90 min
        ],
    )  # fmt: skip
    # 2: reworked twice, resolved and closed late, lead reported in late, resident dissatisfied.
    cases["c2"] = make_case(
        "c2", cat1, k1b, at(2, 8), CaseState.CLOSED,
        dispatched_at=at(2, 9), report_in_due_at=at(2, 11), reported_in_at=at(2, 12), report_in_late=True,
        resolve_due_at=at(5, 9), resolved_at=at(6, 9), resolve_late=True, closed_at=at(6, 12),
        satisfaction=Satisfaction.DISSATISFIED, rework_count=2,
        parts=[(a, LEAD, part(at(2, 9), at(2, 11), at(2, 12), True, at(6, 12)))],  # 180 min, late
    )  # fmt: skip
    # 3: reported in and resolved exactly on the deadlines (both on time), verified after the deadline.
    cases["c3"] = make_case(
        "c3", cat1, k2, at(3, 10), CaseState.CLOSED,
        dispatched_at=at(3, 10), report_in_due_at=at(3, 12), reported_in_at=at(3, 12), report_in_late=False,
        resolve_due_at=at(6, 10), resolved_at=at(6, 10), resolve_late=False, closed_at=at(6, 16),
        satisfaction=Satisfaction.BASICALLY_SATISFIED,
        parts=[(b, LEAD, part(at(3, 10), at(3, 12), at(3, 12), False, at(6, 16)))],  # 120 min
    )  # fmt: skip
    # 4: rejected (filed at 07:30 Shenyang time, still 9-03 in UTC); never due.
    cases["c4"] = make_case("c4", cat1, k1a, at(4, 7, 30), CaseState.REJECTED)
    # 5: an extension approved before the deadline moved it from 9-07 10:00 to 9-09 10:00; resolved on
    # 9-08 (after the first deadline, before the extended one) and closed: on time. No resident to call back.
    cases["c5"] = make_case(
        "c5", cat2, k1a, at(4, 10), CaseState.CLOSED, reporter_name="", extension_count=1,
        dispatched_at=at(4, 10), report_in_due_at=at(4, 12), reported_in_at=at(4, 11), report_in_late=False,
        resolve_due_at=at(9, 10), resolved_at=at(8, 10), resolve_late=False, closed_at=at(8, 17),
        parts=[(a, LEAD, part(at(4, 10), at(4, 12), at(4, 11), False, at(8, 17)))],  # 60 min
    )  # fmt: skip
    # 6: in progress past its resolve deadline (overdue); the assisting department never reported in;
    # a copied department has no report-in duty.
    cases["c6"] = make_case(
        "c6", cat2, k2, at(5, 9), CaseState.IN_PROGRESS,
        dispatched_at=at(5, 10), report_in_due_at=at(5, 12), reported_in_at=at(5, 11), report_in_late=False,
        resolve_due_at=at(8, 10),
        parts=[
            (b, LEAD, part(at(5, 10), at(5, 12), at(5, 11), False)),  # 60 min
            (a, ASSIST, part(at(5, 10), at(5, 12))),  # due, never reported in
            (x, CC, part(at(5, 10))),
        ],
    )  # fmt: skip
    # 7: a whistle today; the lead has not reported in 30 minutes (overdue); resolve deadline ahead.
    cases["c7"] = make_case(
        "c7", cat2, k1b, at(10, 9), CaseState.DISPATCHED, whistle=True,
        dispatched_at=at(10, 9, 30), report_in_due_at=at(10, 10), resolve_due_at=at(13, 9, 30),
        parts=[(a, LEAD, part(at(10, 9, 30), at(10, 10)))],
    )  # fmt: skip
    # 8: closed before a deadline that is still ahead: due at its closure.
    cases["c8"] = make_case(
        "c8", cat1, k2, at(9, 14), CaseState.CLOSED,
        dispatched_at=at(9, 14), report_in_due_at=at(9, 16), reported_in_at=at(9, 14, 20), report_in_late=False,
        resolve_due_at=at(12, 14), resolved_at=at(10, 8), resolve_late=False, closed_at=at(10, 10),
        satisfaction=Satisfaction.SATISFIED,
        parts=[(b, LEAD, part(at(9, 14), at(9, 16), at(9, 14, 20), False, at(10, 10)))],  # 20 min
    )  # fmt: skip
    # 9: filed, handled and closed in August: outside the date range of RANGE.
    cases["c9"] = make_case(
        "c9", cat1, k1a, at(25, 9, month=8), CaseState.CLOSED,
        dispatched_at=at(25, 10, month=8), report_in_due_at=at(25, 12, month=8),
        reported_in_at=at(25, 10, 10, month=8), report_in_late=False, resolve_due_at=at(28, 10, month=8),
        resolved_at=at(26, 10, month=8), resolve_late=False, closed_at=at(26, 12, month=8),
        satisfaction=Satisfaction.SATISFIED,
        parts=[(a, LEAD, part(at(25, 10, month=8), at(25, 12, month=8), at(25, 10, 10, month=8), False,
                              at(26, 12, month=8)))],  # 10 min
    )  # fmt: skip
    # 10: sent back by the lead within its report-in window, waiting at the street office: no deadline runs,
    # and the department that sent it back was not late (its summons is not counted).
    cases["c10"] = make_case(
        "c10", cat2, k2, at(7, 9), CaseState.REGISTERED,
        parts=[(a, LEAD, part(at(7, 9, 30), at(7, 11, 30), None, False, at(7, 10)))],
    )  # fmt: skip
    # A case of the older drive, which never counts in the 2021 drive.
    cases["old"] = make_case(
        "old", cat_old, k1a, at(1, 9), CaseState.IN_PROGRESS,
        dispatched_at=at(1, 9), report_in_due_at=at(1, 11), resolve_due_at=at(2, 9),
        parts=[(a, LEAD, part(at(1, 9), at(1, 11)))],
    )  # fmt: skip

    def tally(metric, quantity, day, case=None, activity=None, campaign=None, community=None, voided=None):
        TallyEntryFactory(
            metric=metric,
            quantity=Decimal(quantity),
            date=day,
            case=case,
            activity=activity,
            campaign=campaign or case.campaign,
            community=community or case.community,
            voided_at=voided,
        )

    tally(posters, "5", datetime.date(2021, 9, 1), case=cases["c1"])
    tally(posters, "3", datetime.date(2021, 9, 3), case=cases["c2"], voided=at(4, 9))  # the reworked fix
    tally(posters, "4", datetime.date(2021, 9, 6), case=cases["c2"])
    tally(road, "12.5", datetime.date(2021, 9, 8), case=cases["c5"])
    tally(posters, "2", datetime.date(2021, 8, 26), case=cases["c9"])
    tally(posters, "100", datetime.date(2021, 9, 1), case=cases["old"])
    clean_up = ActivityFactory(community=k2, campaign=c2, starts_at=at(5, 8), ends_at=at(5, 11))
    tally(road, "20", datetime.date(2021, 9, 5), activity=clean_up, campaign=c2, community=k2)

    return District(
        drive=drive,
        old_drive=old_drive,
        campaigns={"c1": c1, "c2": c2, "c3": c3, "old": old},
        streets={"s1": s1, "s2": s2},
        communities={"k1a": k1a, "k1b": k1b, "k2": k2},
        departments={"a": a, "b": b, "x": x},
        categories={"cat1": cat1, "cat2": cat2},
        metrics={"road": road, "posters": posters, "cars": cars},
        cases=cases,
    )


def filters(**params) -> DashboardFilters:
    return DashboardFilters.from_query({name: str(value) for name, value in params.items()})


# --- expected figures, worked out by hand ------------------------------------------------------

DRIVE_2021 = {
    "intake": 10,  # c1–c10
    "open": 3,  # c6, c7, c10
    "closed": 6,  # c1, c2, c3, c5, c8, c9
    "overdue": 2,  # c6 (resolve), c7 (report-in)
    "escalated": 0,
    "supervised": 0,
    "deferred": 0,
    "closure_rate": 0.8571,  # due: c1 c2 c3 c5 c6 c8 c9 (7); closed: all but c6 (6)
    "on_time_closure_rate": 0.7143,  # closed and resolved on time: c1 c3 c5 c8 c9 (5) / 7
    "on_time_report_in_rate": 0.7,  # 10 summonses due (not c6's copy, not c10's sent back), 7 on time
    "mean_report_in_minutes": 71.25,  # (30 + 90 + 180 + 120 + 60 + 60 + 20 + 10) / 8
    "mean_resolve_hours": 53.0,  # (12 + 96 + 72 + 96 + 18 + 24) / 6
    "rework_rate": 0.1429,  # c2 (reworked twice, counted once) / 7
    "satisfaction_rate": 0.8,  # rated: c1 c2 c3 c8 c9; satisfied or basically: 4
}
CAMPAIGN_1 = {  # c1 c2 c3 c4 c8 c9
    "intake": 6,
    "open": 0,
    "closed": 5,
    "overdue": 0,
    "escalated": 0,
    "supervised": 0,
    "deferred": 0,
    "closure_rate": 1.0,
    "on_time_closure_rate": 0.8,
    "on_time_report_in_rate": 0.8333,  # 5 of 6
    "mean_report_in_minutes": 75.0,
    "mean_resolve_hours": 44.4,
    "rework_rate": 0.2,
    "satisfaction_rate": 0.8,
}
CAMPAIGN_2 = {  # c5 c6 c7 c10
    "intake": 4,
    "open": 3,
    "closed": 1,
    "overdue": 2,
    "escalated": 0,
    "supervised": 0,
    "deferred": 0,
    "closure_rate": 0.5,
    "on_time_closure_rate": 0.5,
    "on_time_report_in_rate": 0.5,  # c5 lead, c6 lead on time; c6 assist, c7 lead not
    "mean_report_in_minutes": 60.0,
    "mean_resolve_hours": 96.0,
    "rework_rate": 0.0,
    "satisfaction_rate": None,  # nobody was called back
}
NOTHING = {
    "intake": 0,
    "open": 0,
    "closed": 0,
    "overdue": 0,
    "escalated": 0,
    "supervised": 0,
    "deferred": 0,
    "closure_rate": None,
    "on_time_closure_rate": None,
    "on_time_report_in_rate": None,
    "mean_report_in_minutes": None,
    "mean_resolve_hours": None,
    "rework_rate": None,
    "satisfaction_rate": None,
}
STREET_1 = {  # c1 c2 c4 c5 c7 c9
    "intake": 6,
    "open": 1,
    "closed": 4,
    "overdue": 1,
    "escalated": 0,
    "supervised": 0,
    "deferred": 0,
    "closure_rate": 1.0,
    "on_time_closure_rate": 0.75,
    "on_time_report_in_rate": 0.6667,
    "mean_report_in_minutes": 74.0,
    "mean_resolve_hours": 57.0,
    "rework_rate": 0.25,
    "satisfaction_rate": 0.6667,
}
STREET_2 = {  # c3 c6 c8 c10
    "intake": 4,
    "open": 2,
    "closed": 2,
    "overdue": 1,
    "escalated": 0,
    "supervised": 0,
    "deferred": 0,
    "closure_rate": 0.6667,
    "on_time_closure_rate": 0.6667,
    "on_time_report_in_rate": 0.75,
    "mean_report_in_minutes": 66.67,
    "mean_resolve_hours": 45.0,
    "rework_rate": 0.0,
    "satisfaction_rate": 1.0,
}
DEPARTMENT_A = {  # any part in c1 c2 c5 c6 c7 c9 c10; its own summonses only for report-in
    "intake": 7,
    "open": 3,
    "closed": 4,
    "overdue": 2,
    "escalated": 0,
    "supervised": 0,
    "deferred": 0,
    "closure_rate": 0.8,
    "on_time_closure_rate": 0.6,
    "on_time_report_in_rate": 0.5,
    "mean_report_in_minutes": 70.0,
    "mean_resolve_hours": 57.0,
    "rework_rate": 0.2,
    "satisfaction_rate": 0.6667,
}
DEPARTMENT_B = {  # c1 (assisting) c3 c6 c8
    "intake": 4,
    "open": 1,
    "closed": 3,
    "overdue": 1,
    "escalated": 0,
    "supervised": 0,
    "deferred": 0,
    "closure_rate": 0.75,
    "on_time_closure_rate": 0.75,
    "on_time_report_in_rate": 1.0,
    "mean_report_in_minutes": 72.5,
    "mean_resolve_hours": 34.0,
    "rework_rate": 0.0,
    "satisfaction_rate": 1.0,
}
DEPARTMENT_X = {  # copied on c6 only
    "intake": 1,
    "open": 1,
    "closed": 0,
    "overdue": 1,
    "escalated": 0,
    "supervised": 0,
    "deferred": 0,
    "closure_rate": 0.0,
    "on_time_closure_rate": 0.0,
    "on_time_report_in_rate": None,
    "mean_report_in_minutes": None,
    "mean_resolve_hours": None,
    "rework_rate": 0.0,
    "satisfaction_rate": None,
}


def tally_of(result: list[dict]) -> dict:
    return {row["metric"]: row["total"] for row in result}


# --- overview ------------------------------------------------------------------------------------


def test_overview_of_the_latest_drive_by_default(district):
    figures = overview(filters(), now=NOW)

    assert only_figures(figures) == DRIVE_2021
    assert {name: figures[name] for name in ("rejected", "due", "due_closed", "due_closed_on_time")} == {
        "rejected": 1,
        "due": 7,
        "due_closed": 6,
        "due_closed_on_time": 5,
    }
    assert {name: figures[name] for name in ("due_reworked", "due_resolved", "rated", "rated_satisfied")} == {
        "due_reworked": 1,
        "due_resolved": 6,
        "rated": 5,
        "rated_satisfied": 4,
    }
    assert (figures["report_in_due"], figures["report_in_on_time"], figures["reported_in"]) == (10, 7, 8)
    assert [(row["slug"], row["name"]) for row in figures["campaigns"]] == [
        ("ten-disorders", "街路沿线“十乱”整治"),
        ("stairwells", "楼道清洁整治"),
        ("markets", "农贸市场周边整治"),
    ]
    assert [only_figures(row) for row in figures["campaigns"]] == [CAMPAIGN_1, CAMPAIGN_2, NOTHING]
    assert figures["tally"] == [
        {"metric": "road_repaired", "name": "修补道路", "unit": "m²", "total": Decimal("32.50")},
        {"metric": "posters_removed", "name": "清除小招贴", "unit": "处", "total": Decimal("11.00")},
        {"metric": "zombie_cars_removed", "name": "清理僵尸车", "unit": "辆", "total": Decimal("0.00")},
    ]


def test_a_date_range_counts_what_happened_in_it(district):
    figures = overview(filters(**RANGE), now=NOW)

    assert only_figures(figures) == {
        "intake": 6,  # filed 9-02…9-08: c2 c3 c4 c5 c6 c10 (not c1 of 9-01, c8 of 9-09, c7, c9)
        "open": 2,  # c6, c10
        "closed": 3,  # c2, c3, c5
        "overdue": 1,  # c6 (c7 is overdue but was filed on 9-10)
        "escalated": 0,
        "supervised": 0,
        "deferred": 0,
        "closure_rate": 0.8,  # due in range: c1 (closed 9-02 00:30) c2 c3 c5 c6 = 5; closed 4
        "on_time_closure_rate": 0.6,  # c1 c3 c5
        "on_time_report_in_rate": 0.6,  # c2 lead (late), c3 lead, c5 lead, c6 lead, c6 assist (never)
        "mean_report_in_minutes": 105.0,  # (180 + 120 + 60 + 60) / 4
        "mean_resolve_hours": 69.0,  # (12 + 96 + 72 + 96) / 4
        "rework_rate": 0.2,
        "satisfaction_rate": 0.6667,  # closed in range and rated: c1, c2, c3
    }
    assert (figures["due"], figures["rejected"], figures["report_in_due"]) == (5, 1, 5)
    assert [only_figures(row) for row in figures["campaigns"]] == [
        {
            "intake": 3,
            "open": 0,
            "closed": 2,
            "overdue": 0,
            "escalated": 0,
            "supervised": 0,
            "deferred": 0,
            "closure_rate": 1.0,
            "on_time_closure_rate": 0.6667,
            "on_time_report_in_rate": 0.5,
            "mean_report_in_minutes": 150.0,
            "mean_resolve_hours": 60.0,
            "rework_rate": 0.3333,
            "satisfaction_rate": 0.6667,
        },
        {
            "intake": 3,
            "open": 2,
            "closed": 1,
            "overdue": 1,
            "escalated": 0,
            "supervised": 0,
            "deferred": 0,
            "closure_rate": 0.5,
            "on_time_closure_rate": 0.5,
            "on_time_report_in_rate": 0.6667,
            "mean_report_in_minutes": 60.0,
            "mean_resolve_hours": 96.0,
            "rework_rate": 0.0,
            "satisfaction_rate": None,
        },
        NOTHING,
    ]
    # By entry date: c2's counted 4 posters (its voided 3 never count), c5's road and the activity's road.
    assert tally_of(figures["tally"]) == {
        "road_repaired": Decimal("32.50"),
        "posters_removed": Decimal("4.00"),
        "zombie_cars_removed": Decimal("0.00"),
    }


def test_a_campaign_narrows_the_figures_and_the_campaign_list(district):
    figures = overview(filters(campaign="stairwells"), now=NOW)

    assert only_figures(figures) == CAMPAIGN_2
    assert [row["slug"] for row in figures["campaigns"]] == ["stairwells"]
    assert tally_of(figures["tally"]) == {
        "road_repaired": Decimal("32.50"),
        "posters_removed": Decimal("0.00"),
        "zombie_cars_removed": Decimal("0.00"),
    }


def test_a_street_narrows_the_figures(district):
    figures = overview(filters(street=district.streets["s2"].pk), now=NOW)

    assert only_figures(figures) == STREET_2
    assert [only_figures(row)["intake"] for row in figures["campaigns"]] == [2, 2, 0]
    assert tally_of(figures["tally"])["road_repaired"] == Decimal("20.00")  # the clean-up in 大南社区
    assert tally_of(figures["tally"])["posters_removed"] == Decimal("0.00")


def test_a_department_narrows_to_cases_it_had_a_part_in_and_its_own_report_ins(district):
    figures = overview(filters(department=district.departments["a"].pk), now=NOW)

    assert only_figures(figures) == DEPARTMENT_A
    assert (figures["report_in_due"], figures["report_in_on_time"]) == (6, 3)
    # Only entries of cases the department had a part in; activities have no department.
    assert tally_of(figures["tally"]) == {
        "road_repaired": Decimal("12.50"),
        "posters_removed": Decimal("11.00"),
        "zombie_cars_removed": Decimal("0.00"),
    }


def test_filters_combine(district):
    figures = overview(filters(department=district.departments["b"].pk, **RANGE), now=NOW)

    assert only_figures(figures) == {
        "intake": 2,  # c3, c6
        "open": 1,
        "closed": 1,
        "overdue": 1,
        "escalated": 0,
        "supervised": 0,
        "deferred": 0,
        "closure_rate": 0.6667,  # due: c1 c3 c6; closed c1 c3
        "on_time_closure_rate": 0.6667,
        "on_time_report_in_rate": 1.0,  # its summonses on c3 and c6
        "mean_report_in_minutes": 90.0,
        "mean_resolve_hours": 42.0,  # (12 + 72) / 2
        "rework_rate": 0.0,
        "satisfaction_rate": 1.0,
    }


def test_the_older_drive_is_chosen_by_slug_or_by_one_of_its_campaigns(district):
    by_drive = overview(filters(drive="drive-2020"), now=NOW)
    by_campaign = overview(filters(campaign="old-campaign"), now=NOW)

    for figures in (by_drive, by_campaign):
        assert (figures["intake"], figures["open"], figures["overdue"], figures["due"]) == (1, 1, 1, 1)
        assert figures["closure_rate"] == 0.0
        assert figures["on_time_report_in_rate"] == 0.0
        assert [row["slug"] for row in figures["campaigns"]] == ["old-campaign"]
        assert tally_of(figures["tally"])["posters_removed"] == Decimal("100.00")


def test_without_any_drive_every_figure_is_empty(db):
    MetricFactory(code="steps", unit="m²")
    empty = DashboardFilters.from_query({})

    assert empty.drive is None
    figures = overview(empty, now=NOW)
    assert only_figures(figures) == NOTHING
    assert figures["campaigns"] == []
    assert figures["tally"] == [{"metric": "steps", "name": figures["tally"][0]["name"], "unit": "m²", "total": 0}]
    assert breakdown(empty, by="street", now=NOW) == []
    assert daily(empty, now=NOW) == []
    assert list(overdue_cases(empty, now=NOW)) == []
    assert rankings(empty, now=NOW)["streets"]["overdue"] == []


# --- breakdowns ----------------------------------------------------------------------------------


def test_breakdown_by_street(district):
    rows = breakdown(filters(), by="street", now=NOW)

    assert [(row["id"], row["name"]) for row in rows] == [
        (district.streets["s1"].pk, "滨河街道"),
        (district.streets["s2"].pk, "大南街道"),
    ]
    assert [only_figures(row) for row in rows] == [STREET_1, STREET_2]


def test_breakdown_by_community(district):
    rows = breakdown(filters(), by="community", now=NOW)

    assert [(row["name"], row["street"]) for row in rows] == [
        ("怀远社区", "滨河街道"),
        ("风雨坛社区", "滨河街道"),
        ("大南社区", "大南街道"),
    ]
    assert [only_figures(row) for row in rows] == [
        {  # c1 c4 c5 c9
            "intake": 4,
            "open": 0,
            "closed": 3,
            "overdue": 0,
            "escalated": 0,
            "supervised": 0,
            "deferred": 0,
            "closure_rate": 1.0,
            "on_time_closure_rate": 1.0,
            "on_time_report_in_rate": 1.0,
            "mean_report_in_minutes": 47.5,
            "mean_resolve_hours": 44.0,
            "rework_rate": 0.0,
            "satisfaction_rate": 1.0,
        },
        {  # c2 c7
            "intake": 2,
            "open": 1,
            "closed": 1,
            "overdue": 1,
            "escalated": 0,
            "supervised": 0,
            "deferred": 0,
            "closure_rate": 1.0,
            "on_time_closure_rate": 0.0,
            "on_time_report_in_rate": 0.0,
            "mean_report_in_minutes": 180.0,
            "mean_resolve_hours": 96.0,
            "rework_rate": 1.0,
            "satisfaction_rate": 0.0,
        },
        STREET_2,
    ]
    # The community filter gives the same figures as its row.
    assert only_figures(overview(filters(community=district.communities["k1b"].pk), now=NOW)) == only_figures(rows[1])


def test_breakdown_by_category(district):
    rows = breakdown(filters(), by="category", now=NOW)

    assert [(row["code"], row["name"]) for row in rows] == [("stall", "占道经营"), ("stairwell", "楼道堆物")]
    assert [only_figures(row) for row in rows] == [CAMPAIGN_1, CAMPAIGN_2]


def test_breakdown_by_department(district):
    rows = breakdown(filters(), by="department", now=NOW)

    assert [row["name"] for row in rows] == ["城管执法局", "市场监管局", "环卫中心"]
    assert [only_figures(row) for row in rows] == [DEPARTMENT_A, DEPARTMENT_X, DEPARTMENT_B]
    assert only_figures(overview(filters(department=district.departments["b"].pk), now=NOW)) == DEPARTMENT_B


def test_breakdown_of_one_department_by_street(district):
    rows = breakdown(filters(department=district.departments["b"].pk), by="street", now=NOW)

    assert [row["name"] for row in rows] == ["滨河街道", "大南街道"]
    assert [only_figures(row) for row in rows] == [
        {  # c1, where it assisted
            "intake": 1,
            "open": 0,
            "closed": 1,
            "overdue": 0,
            "escalated": 0,
            "supervised": 0,
            "deferred": 0,
            "closure_rate": 1.0,
            "on_time_closure_rate": 1.0,
            "on_time_report_in_rate": 1.0,
            "mean_report_in_minutes": 90.0,
            "mean_resolve_hours": 12.0,
            "rework_rate": 0.0,
            "satisfaction_rate": 1.0,
        },
        {  # c3 c6 c8
            "intake": 3,
            "open": 1,
            "closed": 2,
            "overdue": 1,
            "escalated": 0,
            "supervised": 0,
            "deferred": 0,
            "closure_rate": 0.6667,
            "on_time_closure_rate": 0.6667,
            "on_time_report_in_rate": 1.0,
            "mean_report_in_minutes": 66.67,
            "mean_resolve_hours": 45.0,
            "rework_rate": 0.0,
            "satisfaction_rate": 1.0,
        },
    ]


def test_breakdown_in_a_date_range_leaves_out_groups_with_nothing_in_it(district):
    rows = breakdown(filters(date_from="2021-09-09", date_to="2021-09-10"), by="community", now=NOW)

    # c8 (大南社区) was filed and closed, c7 (风雨坛社区) filed; 怀远社区 has nothing on those days.
    assert [(row["name"], row["intake"], row["closed"], row["overdue"]) for row in rows] == [
        ("风雨坛社区", 1, 0, 1),
        ("大南社区", 1, 1, 0),
    ]
    assert rows[1]["closure_rate"] == 1.0  # c8, closed before its deadline
    assert rows[0]["closure_rate"] is None  # c7's deadline has not come


def test_breakdown_refuses_an_unknown_grouping(district):
    with pytest.raises(ValueError, match="breakdown by one of"):
        breakdown(filters(), by="road", now=NOW)


# --- daily, overdue list, rankings, tally ----------------------------------------------------------


def test_daily_intake_and_closures_by_shenyang_day(district):
    days = daily(filters(), now=NOW)

    assert (days[0]["date"], days[-1]["date"], len(days)) == (
        datetime.date(2021, 8, 25),
        datetime.date(2021, 9, 10),
        17,
    )
    busy = {row["date"].isoformat(): (row["intake"], row["closed"]) for row in days if row["intake"] or row["closed"]}
    assert busy == {
        "2021-08-25": (1, 0),  # c9 filed
        "2021-08-26": (0, 1),  # c9 closed
        "2021-09-01": (1, 0),  # c1
        "2021-09-02": (1, 1),  # c2 filed; c1 closed at 00:30 Shenyang time
        "2021-09-03": (1, 0),  # c3
        "2021-09-04": (2, 0),  # c4 (07:30 Shenyang time) and c5
        "2021-09-05": (1, 0),  # c6
        "2021-09-06": (0, 2),  # c2 and c3 closed
        "2021-09-07": (1, 0),  # c10
        "2021-09-08": (0, 1),  # c5 closed
        "2021-09-09": (1, 0),  # c8
        "2021-09-10": (1, 1),  # c7 filed, c8 closed
    }


def test_daily_of_one_department(district):
    days = daily(filters(department=district.departments["b"].pk), now=NOW)

    assert (days[0]["date"], days[-1]["date"]) == (datetime.date(2021, 9, 1), datetime.date(2021, 9, 10))
    assert {row["date"].day: (row["intake"], row["closed"]) for row in days if row["intake"] or row["closed"]} == {
        1: (1, 0),  # c1
        2: (0, 1),
        3: (1, 0),  # c3
        5: (1, 0),  # c6
        6: (0, 1),
        9: (1, 0),  # c8
        10: (0, 1),
    }


def test_daily_in_a_date_range_lists_every_day_of_it(district):
    days = daily(filters(**RANGE), now=NOW)

    assert [(row["date"].day, row["intake"], row["closed"]) for row in days] == [
        (2, 1, 1),
        (3, 1, 0),
        (4, 2, 0),
        (5, 1, 0),
        (6, 0, 2),
        (7, 1, 0),
        (8, 0, 1),
    ]
    # A range reaching into the future stops at today.
    assert daily(filters(date_from="2021-09-09", date_to="2021-09-30"), now=NOW)[-1]["date"] == datetime.date(
        2021, 9, 10
    )


def test_overdue_cases_longest_overdue_first(district):
    cases = list(overdue_cases(filters(), now=NOW))

    assert [(case.title, case.overdue_since, case.lead_department) for case in cases] == [
        ("c6", at(8, 10), "环卫中心"),  # resolve deadline passed on 9-08
        ("c7", at(10, 10), "城管执法局"),  # report-in deadline passed at 10:00 today
    ]
    assert all(case.overdue for case in cases)
    assert [case.title for case in overdue_cases(filters(), now=NOW, limit=1)] == ["c6"]
    assert [case.title for case in overdue_cases(filters(**RANGE), now=NOW)] == ["c6"]
    assert [case.title for case in overdue_cases(filters(street=district.streets["s1"].pk), now=NOW)] == ["c7"]


def test_rankings_share_a_rank_on_ties_and_put_missing_figures_last(district):
    ranks = rankings(filters(), now=NOW, minimum=1)
    a, b, x = (district.departments[key].pk for key in ("a", "b", "x"))
    s1, s2 = district.streets["s1"].pk, district.streets["s2"].pk

    def table(entries):
        return [(entry["id"], entry["rank"], entry["value"]) for entry in entries]

    assert table(ranks["departments"]["on_time_report_in_rate"]) == [(b, 1, 1.0), (a, 2, 0.5), (x, None, None)]
    assert table(ranks["departments"]["on_time_closure_rate"]) == [(b, 1, 0.75), (a, 2, 0.6), (x, 3, 0.0)]
    assert table(ranks["departments"]["rework_rate"]) == [(x, 1, 0.0), (b, 1, 0.0), (a, 3, 0.2)]  # lower is better
    assert table(ranks["streets"]["closure_rate"]) == [(s1, 1, 1.0), (s2, 2, 0.6667)]
    assert table(ranks["streets"]["overdue"]) == [(s1, 1, 1), (s2, 1, 1)]  # fewer is better; a tie
    assert ranks["streets"]["closure_rate"][0]["name"] == "滨河街道"


def test_rankings_follow_the_filters(district):
    ranks = rankings(filters(**RANGE), now=NOW, minimum=1)

    # In range, department A's summonses: c2 (late), c5 (on time), c6 assist (never) → 1/3.
    assert [
        (entry["name"], entry["rank"], entry["value"]) for entry in ranks["departments"]["on_time_report_in_rate"]
    ] == [
        ("环卫中心", 1, 1.0),
        ("城管执法局", 2, 0.3333),
        ("市场监管局", None, None),
    ]
    # In range, 大南街道 has c6 overdue (filed 9-05); 滨河街道's c7 was filed on 9-10.
    assert [(entry["name"], entry["rank"], entry["value"]) for entry in ranks["streets"]["overdue"]] == [
        ("滨河街道", 1, 0),
        ("大南街道", 2, 1),
    ]


def test_tally_totals_by_entry_date_without_voided_entries(district):
    assert tally_totals(filters(date_from="2021-09-01", date_to="2021-09-01")) == [
        {"metric": "road_repaired", "name": "修补道路", "unit": "m²", "total": Decimal("0.00")},
        {"metric": "posters_removed", "name": "清除小招贴", "unit": "处", "total": Decimal("5.00")},
        {"metric": "zombie_cars_removed", "name": "清理僵尸车", "unit": "辆", "total": Decimal("0.00")},
    ]
    assert tally_of(tally_totals(filters(date_from="2021-09-03", date_to="2021-09-03")))["posters_removed"] == 0
    assert tally_of(tally_totals(filters(community=district.communities["k1a"].pk))) == {
        "road_repaired": Decimal("12.50"),
        "posters_removed": Decimal("7.00"),  # c1's 5 and c9's 2
        "zombie_cars_removed": Decimal("0.00"),
    }


# --- the workflow's own records ----------------------------------------------------------------


def test_figures_follow_what_the_workflow_records(world):
    """Extension approved before the deadline, report-in exactly on time, two reworks: through cases.workflow."""
    users = world.users
    start = at(1, 9)
    with clock.at(start):
        case = workflow.create_case(
            users["staff_own"], title="楼道堆物", category=world.category, community=world.community,
            reporter_name="王女士", reporter_phone="13812341234",
        )  # fmt: skip
    steps = [
        (at(1, 9, 10), workflow.dispatch, "staff_own", {"lead_department": world.lead,
                                                        "assist_departments": [world.assist]}),
        (at(1, 11, 10), workflow.report_in, "officer_lead", {}),  # exactly at the 2-hour deadline
        (at(1, 11, 40), workflow.report_in, "officer_assist", {}),  # 30 minutes late
        (at(3, 9), workflow.request_extension, "officer_lead", {"until": at(6, 9, 10), "reason": "材料未到"}),
        (at(3, 10), workflow.approve_extension, "leader", {}),  # before the first deadline (9-04 09:10)
        (at(4, 12), workflow.resolve, "officer_lead", {"note": "已清理", "tally": {world.metric.code: 3}}),
        (at(4, 15), workflow.rework, "staff_own", {"reason": "未清理干净"}),
        (at(5, 9), workflow.resolve, "officer_lead", {"note": "再次清理", "tally": {world.metric.code: 2}}),
        (at(5, 10), workflow.rework, "staff_own", {"reason": "仍有残留"}),
        (at(5, 16), workflow.resolve, "officer_lead", {"note": "清理完毕", "tally": {world.metric.code: 1}}),
        (at(6, 8), workflow.verify, "staff_own", {"satisfaction": Satisfaction.BASICALLY_SATISFIED}),
    ]  # fmt: skip
    for moment, action, user, arguments in steps:
        with clock.at(moment):
            case = action(users[user], case, **arguments)
    assert (case.state, case.rework_count, case.resolve_due_at, case.resolve_late) == ("closed", 2, at(6, 9, 10), False)

    figures = overview(DashboardFilters.from_query({}), now=NOW)

    assert only_figures(figures) == {
        "intake": 1,
        "open": 0,
        "closed": 1,
        "overdue": 0,
        "escalated": 0,
        "supervised": 0,
        "deferred": 0,
        "closure_rate": 1.0,
        "on_time_closure_rate": 1.0,  # resolved after the first deadline, before the extended one
        "on_time_report_in_rate": 0.5,  # the lead on the dot, the assisting department late
        "mean_report_in_minutes": 135.0,  # (120 + 150) / 2
        "mean_resolve_hours": 102.83,  # 9-01 09:10 → 9-05 16:00
        "rework_rate": 1.0,  # reworked twice, one case
        "satisfaction_rate": 1.0,
    }
    assert tally_of(figures["tally"]) == {world.metric.code: Decimal("1.00")}  # the reworked fixes are voided
    assert [(row["date"].day, row["intake"], row["closed"]) for row in daily(DashboardFilters.from_query({}), now=NOW)][
        ::5
    ] == [(1, 1, 0), (6, 0, 1)]


# --- filters -------------------------------------------------------------------------------------


def test_filters_parse_a_query_string(district):
    parsed = DashboardFilters.from_query(
        QueryDict(
            f"campaign=ten-disorders&street={district.streets['s1'].pk}&department={district.departments['a'].pk}"
            "&date_from=2021-09-02&date_to=2021-09-08&page=2"
        )
    )

    assert parsed.drive == district.drive  # the campaign's drive
    assert (parsed.campaign, parsed.street, parsed.department) == (
        district.campaigns["c1"],
        district.streets["s1"],
        district.departments["a"],
    )
    assert parsed.window == (at(2, 0), at(9, 0))  # Shenyang midnights, the end exclusive
    assert DashboardFilters.from_query(parsed.as_params()) == parsed


def test_filters_default_to_the_latest_drive_and_all_dates(district):
    parsed = DashboardFilters.from_query({"drive": "", "date_from": ""})

    assert parsed == DashboardFilters(drive=district.drive)
    assert parsed.window == (None, None)


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"drive": "no-such-drive"}, {"drive"}),
        ({"drive": "drive-2021", "campaign": "old-campaign"}, {"campaign"}),
        ({"street": "abc", "department": "999999"}, {"street", "department"}),
        ({"community": "-1"}, {"community"}),
        ({"date_from": "2021/09/02"}, {"date_from"}),
        ({"date_from": "2021-09-08", "date_to": "2021-09-02"}, {"date_to"}),
        ({"date_to": "1999-12-31"}, {"date_to"}),
    ],
)
def test_bad_filters_are_refused_field_by_field(district, params, fields):
    with pytest.raises(InvalidInput) as refused:
        DashboardFilters.from_query(params)

    assert set(refused.value.fields) == fields
    assert refused.value.code == "validation_error"
    assert all(messages for messages in refused.value.fields.values())


# --- bounded queries -----------------------------------------------------------------------------


def add_cases(count: int, start: int, streets, departments, categories) -> None:
    """`count` cases spread over streets, categories, states and departments, with summonses and tally."""
    states = [CaseState.CLOSED, CaseState.IN_PROGRESS, CaseState.DISPATCHED, CaseState.REGISTERED, CaseState.REJECTED]
    for n in range(start, start + count):
        street = streets[n % len(streets)]
        community = CommunityFactory(street=street)
        created = at(1 + n % 9, 9)
        state = states[n % len(states)]
        working = state in (CaseState.CLOSED, CaseState.IN_PROGRESS, CaseState.DISPATCHED)
        closed = state == CaseState.CLOSED
        case = make_case(
            f"bulk-{n}", categories[n % len(categories)], community, created, state,
            dispatched_at=created if working else None,
            report_in_due_at=created + datetime.timedelta(hours=2) if working else None,
            resolve_due_at=created + datetime.timedelta(hours=72) if working else None,
            resolved_at=created + datetime.timedelta(hours=n % 80) if closed else None,
            resolve_late=(n % 80 > 72) if closed else None,
            closed_at=created + datetime.timedelta(hours=n % 80 + 1) if closed else None,
            satisfaction=Satisfaction.SATISFIED if closed and n % 2 else "",
            rework_count=n % 3 if closed else 0,
        )  # fmt: skip
        if working:
            due = created + datetime.timedelta(hours=2)
            reported = created + datetime.timedelta(minutes=10 * (n % 20)) if state != CaseState.DISPATCHED else None
            AssignmentFactory(case=case, department=departments[n % len(departments)], role=LEAD,
                              **part(created, due, reported, (reported > due) if reported else None))  # fmt: skip
            AssignmentFactory(case=case, department=departments[(n + 1) % len(departments)], role=ASSIST,
                              **part(created, due))  # fmt: skip
        if closed:
            metric = MetricFactory() if n < 3 else None
            if metric:
                TallyEntryFactory(metric=metric, case=case, campaign=case.campaign, community=community)


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        result = call()
        if isinstance(result, QuerySet):
            list(result)
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_number_of_cases(db):
    drive = DriveFactory()
    categories = [CategoryFactory(campaign=CampaignFactory(drive=drive)) for _ in range(3)]
    streets = [StreetFactory() for _ in range(4)]
    departments = [DepartmentFactory() for _ in range(4)]
    parsed = DashboardFilters.from_query({})
    ranged = DashboardFilters.from_query({"date_from": "2021-09-02", "date_to": "2021-09-30"})
    department = DashboardFilters.from_query({"department": departments[0].pk})
    calls = {
        "overview": lambda: overview(parsed, now=NOW),
        "overview in a range": lambda: overview(ranged, now=NOW),
        "overview of a department": lambda: overview(department, now=NOW),
        **{f"breakdown by {by}": (lambda by=by: breakdown(ranged, by=by, now=NOW)) for by in
           ("street", "community", "category", "department")},
        "breakdown of a department by street": lambda: breakdown(department, by="street", now=NOW),
        "daily": lambda: daily(parsed, now=NOW),
        "daily of a department": lambda: daily(department, now=NOW),
        "overdue cases": lambda: overdue_cases(parsed, now=NOW),
        "rankings": lambda: rankings(ranged, now=NOW),
        "tally": lambda: tally_totals(department),
        "filters": lambda: DashboardFilters.from_query({"campaign": categories[0].campaign.slug}),
    }  # fmt: skip

    add_cases(3, 0, streets, departments, categories)
    with_three = {name: count_queries(call) for name, call in calls.items()}
    add_cases(27, 3, streets, departments, categories)
    with_thirty = {name: count_queries(call) for name, call in calls.items()}

    assert Case.objects.count() == 30
    assert with_thirty == with_three
    assert with_three == {
        "overview": 4,  # campaigns, case figures by campaign, summons figures by campaign, tally
        "overview in a range": 4,
        "overview of a department": 4,
        "breakdown by street": 2,  # case figures, summons figures
        "breakdown by community": 2,
        "breakdown by category": 2,
        "breakdown by department": 2,
        "breakdown of a department by street": 2,
        "daily": 2,  # intake, closures
        "daily of a department": 2,
        "overdue cases": 1,
        "rankings": 6,  # the department and the street breakdowns, every department and every street
        "tally": 1,
        "filters": 1,  # the campaign (with its drive)
    }


def test_a_road_cases_tally_counts_in_its_street(district):
    """A case filed on a road without a community: its work is counted in the case's street, not lost."""
    road_case = district.cases["c5"]
    Case.objects.filter(pk=road_case.pk).update(community=None)
    TallyEntry.objects.filter(case=road_case).update(community=None)
    street = road_case.street

    narrowed = tally_of(overview(filters(street=street.pk), now=NOW)["tally"])
    other = next(s for s in district.streets.values() if s != street)
    elsewhere = tally_of(overview(filters(street=other.pk), now=NOW)["tally"])

    assert narrowed["road_repaired"] >= Decimal("12.50")
    everything = tally_of(overview(filters(), now=NOW)["tally"])
    assert narrowed["road_repaired"] + elsewhere["road_repaired"] == everything["road_repaired"]
