"""Monthly evaluation (dashboard/evaluation.py): the arithmetic, publishing, the page, the export and the API.

Every expected score below is worked out by hand: the 天门 figures of the issue (911 / 972 and
737 / 972) and a November of ten cases under the demo's 金华-style rules (dashboard/demo.py).
"""

from __future__ import annotations

import datetime
import html
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases.choices import AssignmentRole, CaseState, Satisfaction
from core import clock
from core.errors import Conflict, InvalidInput
from dashboard.demo import seed_rule_set
from dashboard.evaluation import Period, copy_rule_set, evaluation, publish, rate_percent, rule_points, score_month
from dashboard.models import EvaluationMonth, RuleMethod, ScoringRule, UnitKind
from tests.dashboard.test_figure_links import figure_links, listed
from tests.factories import (
    AssignmentFactory,
    CampaignFactory,
    CaseFactory,
    CategoryFactory,
    CommunityFactory,
    DepartmentFactory,
    DriveFactory,
    StaffProfileFactory,
    StreetFactory,
)

SHENYANG = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2021, 12, 5, 12, 0, tzinfo=SHENYANG)
NOVEMBER = Period(2021, 11)
LEAD, ASSIST = AssignmentRole.LEAD, AssignmentRole.ASSIST


def at(day: int, hour: int, month: int = 11) -> datetime.datetime:
    return datetime.datetime(2021, month, day, hour, tzinfo=SHENYANG)


def rule(**fields) -> ScoringRule:
    defaults = {"label": "规则", "kind": UnitKind.DEPARTMENT, "method": RuleMethod.RATE}
    return ScoringRule(**(defaults | fields))


# --- the arithmetic: the 天门 figures ------------------------------------------------------------

TIANMEN = {"due": 972, "due_closed": 911, "due_closed_on_time": 737}
CLOSURE_RATE = rule(
    numerator="due_closed", denominator="due", full_points=Decimal(20), threshold=Decimal(90),
    points_per_point=Decimal(1),
)  # fmt: skip
ON_TIME_RATE = rule(
    numerator="due_closed_on_time", denominator="due", denominator_minus="deferred", full_points=Decimal(50),
    threshold=Decimal(70), points_per_point=Decimal(1),
)  # fmt: skip


def test_tianmen_rates():
    assert rate_percent(911, 972) == Decimal("93.72")
    assert rate_percent(737, 972) == Decimal("75.82")
    assert rate_percent(1, 0) is None


def test_tianmen_figures_under_the_jinhua_rules():
    closure = rule_points(CLOSURE_RATE, TIANMEN)
    assert (closure["rate"], closure["points"], closure["denominator_count"]) == ("93.72", "20.00", 972)
    # No deferral count yet: it counts 0, and the denominator stays 972.
    on_time = rule_points(ON_TIME_RATE, TIANMEN)
    assert (on_time["rate"], on_time["points"]) == ("75.82", "50.00")


def test_points_below_the_threshold_and_deferred_cases_out_of_the_denominator():
    stricter = rule(
        numerator="due_closed_on_time", denominator="due", full_points=Decimal(50), threshold=Decimal(80),
        points_per_point=Decimal(1),
    )  # fmt: skip
    assert rule_points(stricter, TIANMEN)["points"] == "45.82"  # 50 − (80 − 75.82)
    deferred = rule_points(ON_TIME_RATE, TIANMEN | {"deferred": 22})  # 737 / (972 − 22) = 77.58 %
    assert (deferred["rate"], deferred["denominator_count"]) == ("77.58", 950)
    harsh = rule(numerator="due_closed", denominator="due", full_points=Decimal(20), threshold=Decimal(99),
                 points_per_point=Decimal(5))  # fmt: skip
    assert rule_points(harsh, TIANMEN)["points"] == "0.00"  # 20 − 5 × 5.28, never below 0
    rework = rule(method=RuleMethod.DEDUCTION, numerator="due_reworked", points_per_event=Decimal("0.2"))
    assert rule_points(rework, {"due_reworked": 7})["points"] == "-1.40"
    assert rule_points(CLOSURE_RATE, {"due": 0})["points"] == "20.00"  # nothing due: nothing lost


# --- a hand-built November under the 金华-style rules ------------------------------------------


@pytest.fixture
def november(db):
    """Ten cases of department A in street S1 falling due in November 2021 (B assists on four), one in October.

    A: due 10; closed 8 (0–7), on time 6 (0–5); reworked 2 (6, 7; 7 three times); rated 8, satisfied 6 (0–5);
       summonses 10, on time 9 (9 reported in late).
    B (assisting 0–3): due 4, all closed on time and satisfied; summonses 4, on time 2 (2, 3 late).
    X: nothing at all.
    """
    drive = DriveFactory(name="2021 环境整治攻坚月", slug="drive-2021", starts_on=datetime.date(2021, 8, 24))
    campaign = CampaignFactory(drive=drive, order=1, slug="ten-disorders")
    s1, s2 = StreetFactory(name="滨河街道", order=1), StreetFactory(name="大南街道", order=2)
    community = CommunityFactory(street=s1, name="怀远社区")
    a, b, x = (
        DepartmentFactory(name="城管执法局"),
        DepartmentFactory(name="环卫中心"),
        DepartmentFactory(name="市场监管局"),
    )
    category = CategoryFactory(campaign=campaign, default_department=a, code="stall")
    for i in range(10):
        day = i + 1
        due = at(day + 3, 10)
        closed = i < 8
        late = i in (6, 7)
        resolved = due + datetime.timedelta(days=1 if late else -1) if closed else None
        case = CaseFactory(
            title=f"n{i}",
            category=category,
            community=community,
            street=s1,
            created_at=at(day, 9),
            state=CaseState.CLOSED if closed else CaseState.IN_PROGRESS,
            dispatched_at=at(day, 10),
            report_in_due_at=at(day, 12),
            resolve_due_at=due,
            resolved_at=resolved,
            resolve_late=late if closed else None,
            closed_at=resolved + datetime.timedelta(hours=2) if closed else None,
            rework_count=(3 if i == 7 else 1) if late else 0,  # 7 failed verification three times
            satisfaction=(Satisfaction.DISSATISFIED if late else Satisfaction.SATISFIED) if closed else "",
        )
        lead_late = i == 9
        AssignmentFactory(
            case=case, department=a, role=LEAD, assigned_at=at(day, 10), report_in_due_at=at(day, 12),
            reported_in_at=at(day, 13 if lead_late else 11), report_in_late=lead_late,
        )  # fmt: skip
        if i < 4:
            assist_late = i in (2, 3)
            AssignmentFactory(
                case=case, department=b, role=ASSIST, assigned_at=at(day, 10), report_in_due_at=at(day, 12),
                reported_in_at=at(day, 14 if assist_late else 11), report_in_late=assist_late,
            )  # fmt: skip
    # Due (and closed late) in October: not November's.
    october = CaseFactory(
        title="oct", category=category, community=community, street=s1, created_at=at(20, 9, 10),
        state=CaseState.CLOSED, dispatched_at=at(20, 10, 10), resolve_due_at=at(23, 10, 10),
        resolved_at=at(25, 10, 10), resolve_late=True, closed_at=at(25, 12, 10), rework_count=3,
    )  # fmt: skip
    AssignmentFactory(case=october, department=a, role=LEAD, assigned_at=at(20, 10, 10))
    rules = seed_rule_set()
    return {"a": a, "b": b, "x": x, "s1": s1, "s2": s2, "rules": rules, "drive": drive}


def scores(results) -> dict[str, str]:
    return {entry["unit"]["name"]: entry["score"] for entry in results}


def points(results, name) -> dict[str, str]:
    entry = next(entry for entry in results if entry["unit"]["name"] == name)
    return {line["label"]: line["points"] for line in entry["rules"]}


def test_november_departments(november):
    results = score_month(NOVEMBER, "department", november["rules"], now=NOW)
    # A: on time 6/10 = 60 % → 50 − 10 = 40; closed 8/10 = 80 % → 20 − 10 = 10; report-in 9/10 = 90 % →
    # 20 − 5 = 15; satisfied 6/8 = 75 % → 10 − 0.5 × 15 = 2.5; two reworked → −0.4; one of them failed
    # verification three times → −0.5: 66.60.
    assert points(results, "城管执法局") == {
        "按期结案率": "40.00", "结案率": "10.00", "按时报到率": "15.00", "满意率": "2.50", "返工扣分": "-0.40",
        "三次核查不通过扣分": "-0.50",
    }  # fmt: skip
    # B: 50 + 20 + (2/4 = 50 % → 20 − 45, never below 0) + 10 = 80; X had nothing due: nothing lost.
    assert points(results, "环卫中心")["按时报到率"] == "0.00"
    assert scores(results) == {"市场监管局": "100.00", "环卫中心": "80.00", "城管执法局": "66.60"}
    assert [entry["rank"] for entry in results] == [1, 2, 3]
    a = results[2]
    assert (a["figures"]["due"], a["figures"]["due_closed_on_time"], a["figures"]["on_time_closure_rate"]) == (
        10,
        6,
        0.6,
    )


def test_november_streets(november):
    results = score_month(NOVEMBER, "street", november["rules"], now=NOW)
    # S1: closed 8/10 → 40 − 10 = 30; on time 6/10 → 40 − 10 = 30; satisfied 75 % → 20 − 15 = 5; −0.4: 64.60.
    assert scores(results) == {"大南街道": "100.00", "滨河街道": "64.60"}


# --- publishing freezes a month -----------------------------------------------------------------


def test_a_published_month_keeps_its_scores_and_rules_after_the_rules_change(november, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    leader = StaffProfileFactory(leader=True).user
    rules = november["rules"]
    month = publish(NOVEMBER, "department", leader, now=NOW)
    assert (month.status, month.published_by, month.rule_set) == ("published", leader, rules)
    assert scores(month.results)["城管执法局"] == "66.60"
    with pytest.raises(Conflict):
        publish(NOVEMBER, "department", leader, now=NOW)
    # The version it used cannot be edited any more; the rules change in a new version.
    line = rules.rules.get(kind="department", label="按期结案率")
    line.threshold = Decimal(50)
    with pytest.raises(Conflict):
        line.save()
    with pytest.raises(Conflict):
        rules.delete()
    new = copy_rule_set(rules, leader)
    assert new.version == rules.version + 1
    new.rules.filter(kind="department", label="按期结案率").update(threshold=Decimal(50))
    published = evaluation(NOVEMBER, "department", now=NOW)
    assert (published.is_published, published.formula_version) == (True, rules.version)
    assert scores(published.results)["城管执法局"] == "66.60"
    # Streets of November are not published yet: a draft, scored with the new version (60 % ≥ 50 %: 50 points).
    draft = evaluation(NOVEMBER, "street", now=NOW)
    assert (draft.is_published, draft.formula_version) == (False, new.version)
    redone = score_month(NOVEMBER, "department", new, now=NOW)
    assert scores(redone)["城管执法局"] == "76.60"


def test_a_month_is_published_once_it_is_over(november):
    leader = StaffProfileFactory(leader=True).user
    with pytest.raises(InvalidInput):
        publish(Period(2021, 12), "department", leader, now=NOW)
    assert not EvaluationMonth.objects.exists()


# --- the page, the export -------------------------------------------------------------------------


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def leader(db):
    return StaffProfileFactory(leader=True).user


def test_the_leader_publishes_november_prints_it_and_opens_the_cases_behind_a_score(november, leader, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    client = signed_in(leader)
    page = client.get("/dashboard/evaluation/", {"period": "2021-11", "kind": "department"})
    assert page.status_code == 200
    content = page.content.decode()
    assert "草稿" in content and 'data-testid="publish-form"' in content and "data-print" in content
    assert re.search(rf'data-unit="{november["a"].pk}">.*?>66\.60</a>', content, re.S)
    response = client.post("/dashboard/evaluation/", {"period": "2021-11", "kind": "department"})
    assert response.status_code == 302
    content = client.get(response["Location"]).content.decode()
    assert "已发布" in content and 'data-testid="publish-form"' not in content
    assert EvaluationMonth.objects.get().published_by == leader
    # Who published it, named as staff write names (姓 then 名, no space).
    assert f"{leader.last_name}{leader.first_name}" in content.split('data-testid="evaluation-status"')[1][:300]
    # The department's score opens its figures: the overview of November narrowed to the department.
    row = content.split(f'data-unit="{november["a"].pk}"')[1].split("</tr>")[0]
    overview = html.unescape(re.search(r'href="([^"]+)" data-testid="score"', row).group(1))
    assert overview.startswith("/dashboard/?") and f"department={november['a'].pk}" in overview
    assert "date_from=2021-11-01" in overview and "date_to=2021-11-30" in overview
    assert client.get(overview).status_code == 200
    # Every count behind the score opens its cases, and the list holds that many.
    links = figure_links(row)
    assert {name for _url, name, _text in links} >= {"due", "due_closed_on_time", "due_reworked", "report_in_due"}
    for url, name, text in links:
        cases, summonses = listed(client, url)
        assert (summonses if name.startswith("report_in") else cases) == int(text), url


def test_a_scoped_street_sees_its_own_street_and_may_not_publish(november, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    staff = StaffProfileFactory(street=november["s1"]).user
    client = signed_in(staff)
    content = client.get("/dashboard/evaluation/", {"period": "2021-11"}).content.decode()
    assert "64.60" in content and "大南街道" not in content.split('data-testid="evaluation-table"')[1]
    assert 'data-testid="publish-form"' not in content
    assert client.get("/dashboard/evaluation/", {"period": "2021-11", "kind": "department"}).status_code == 400
    assert client.post("/dashboard/evaluation/", {"period": "2021-11", "kind": "street"}).status_code == 403


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_page_in_both_languages_and_wrong_input(november, leader, language, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    client = signed_in(leader)
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    client.cookies["django_language"] = language
    content = client.get("/dashboard/evaluation/", {"period": "2021-11", "kind": "street"}, **headers).content.decode()
    title = "evaluation of 2021-11" if language == "en" else "2021-11 综合评价"
    assert title in content and "64.60" in content
    wrong = client.get("/dashboard/evaluation/", {"period": "2021-13", "kind": "road"}, **headers)
    assert wrong.status_code == 400
    assert ("YYYY-MM" in wrong.content.decode()) and ("“department”" in wrong.content.decode())


def test_the_default_month_is_last_month(november, leader, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    content = signed_in(leader).get("/dashboard/evaluation/").content.decode()
    assert 'value="2021-11"' in content and "66.60" in content


def test_the_xlsx_and_csv_exports(november, leader, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    client = signed_in(leader)
    response = client.get("/dashboard/evaluation/export.xlsx", {"period": "2021-11", "kind": "department"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)
                                   if response.streaming else response.content)).active  # fmt: skip
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("名次", "单位", "得分")
    assert [row[:3] for row in rows[1:]] == [(1, "市场监管局", 100), (2, "环卫中心", 80), (3, "城管执法局", 66.6)]
    csv = client.get("/dashboard/evaluation/export.csv", {"period": "2021-11", "kind": "street"})
    assert "滨河街道" in b"".join(csv.streaming_content).decode("utf-8-sig")


# --- GET /api/v1/evaluation/ ----------------------------------------------------------------------


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_answers_the_month_as_design_11_names_it(november, leader, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    client = api_as(leader)
    answer = client.get("/api/v1/evaluation/", {"period": "2021-11", "kind": "department"}).json()
    version = november["rules"].version
    assert (answer["period"], answer["kind"], answer["status"], answer["formula_version"]) == (
        "2021-11",
        "department",
        "draft",
        version,
    )
    a = answer["results"][2]
    assert {"unit", "score", "figures", "formula_version"} <= set(a)
    assert a["unit"] == {"id": november["a"].pk, "name": "城管执法局"}
    assert (a["score"], a["formula_version"]) == (66.6, version)
    assert (a["figures"]["due"], a["figures"]["due_closed"], a["figures"]["report_in_on_time"]) == (10, 8, 9)
    publish(NOVEMBER, "department", leader, now=NOW)
    assert client.get("/api/v1/evaluation/", {"period": "2021-11", "kind": "department"}).json()["status"] == (
        "published"
    )


def test_the_api_refuses_a_wrong_month_or_kind_with_a_message_for_each(november, leader):
    response = api_as(leader).get("/api/v1/evaluation/", {"period": "2021-13", "kind": "road"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert set(body["fields"]) == {"period", "kind"}
    assert "YYYY-MM" in str(body["fields"]["period"]) and "请按" in str(body["fields"]["period"])
    street_staff = StaffProfileFactory(street=november["s1"]).user
    answer = api_as(street_staff).get("/api/v1/evaluation/", {"period": "2021-11"}).json()
    assert answer["kind"] == "street" and [entry["unit"]["name"] for entry in answer["results"]] == ["滨河街道"]


# --- the admin: edit a version until a published month used it, then copy it ---------------------


def test_the_admin_edits_an_unused_version_and_copies_a_used_one(november, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    admin = StaffProfileFactory(admin=True, user__is_staff=True, user__is_superuser=True).user
    client = signed_in(admin)
    rules = november["rules"]
    url = f"/admin/dashboard/scoringruleset/{rules.pk}/change/"
    assert 'name="rules-0-threshold"' in client.get(url).content.decode()
    publish(NOVEMBER, "department", admin, now=NOW)
    content = client.get(url).content.decode()
    assert 'name="rules-0-threshold"' not in content and 'name="_save"' not in content
    response = client.post(
        "/admin/dashboard/scoringruleset/",
        {"action": "copy_to_new_version", "_selected_action": [rules.pk]},
    )
    assert response.status_code == 302
    copy = rules.__class__.objects.get(version=rules.version + 1)
    assert (copy.created_by, copy.rules.count()) == (admin, rules.rules.count())
    assert (
        'name="rules-0-threshold"' in client.get(f"/admin/dashboard/scoringruleset/{copy.pk}/change/").content.decode()
    )


def test_scoring_a_month_takes_a_fixed_number_of_queries(november):
    with CaptureQueriesContext(connection) as queries:
        score_month(NOVEMBER, "department", november["rules"], now=NOW)
    # The latest drive, the two breakdown queries, the rules, the units: however many cases.
    assert len(queries) == 5
