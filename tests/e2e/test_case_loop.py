"""A case goes around the whole loop in a real browser, as the demo accounts would do it.

Street staff file a case with a photo and dispatch it; the officer of the lead department
reports in and resolves it with an after-photo and a quantity; street staff verify and close it;
the timeline shows every step. The loop runs on a desktop in Chinese and on a phone in English.
A road chief blows a whistle that summons two departments.
Each test files its own case, so the tests do not depend on one another.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.helpers import assert_no_horizontal_scroll, login, logout, open_menu, switch_language

CASE_URL = re.compile(r"/cases/(SH-\d{4}-\d{6})/")


@pytest.fixture
def photo(tmp_path) -> Path:
    """A real JPEG on disk for the file inputs."""
    path = tmp_path / "现场.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "#8a6d3b").save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def file_case(page: Page, live_server, photo: Path, *, title: str, category: str = "street-pile") -> None:
    """Fill in the intake form as street staff or a road chief does and return the new case's number."""
    page.goto(f"{live_server.url}/cases/new/")
    page.select_option("select[name=category]", category)
    page.fill("input[name=title]", title)
    page.fill("textarea[name=description]", "巡查发现：人行道上堆放建筑垃圾和旧家具，影响通行。")
    # Choosing the community reloads the compounds of that community (htmx) — wait for it.
    community = page.locator("select[name=community] option").nth(1).get_attribute("value")
    with page.expect_response(lambda response: "fragment=places" in response.url):
        page.select_option("select[name=community]", community)
    expect(page.locator("select[name=compound] option")).not_to_have_count(1)
    page.fill("input[name=address]", "沈河区青年大街123号")
    page.fill("input[name=reporter_name]", "张女士")
    page.fill("input[name=reporter_phone]", "13840001234")
    page.set_input_files("input[name=photos]", str(photo))


def submit_intake(page: Page) -> str:
    page.locator("#case-form button[type=submit]").click()
    page.wait_for_url(CASE_URL)
    return CASE_URL.search(page.url).group(1)


def open_action(page: Page, action: str):
    """The action's form on the case page, opened if it is folded."""
    card = page.locator(f"#action-{action}")
    if card.get_attribute("open") is None:
        card.locator("summary").click()
    return card.locator("form")


def expect_state(page: Page, label: str) -> None:
    expect(page.get_by_test_id("case-state")).to_have_text(label)


# What the pages say at each step, in each language.
LABELS = {
    "zh-hans": {
        "registered": "已立案",
        "dispatched": "已派遣",
        "in_progress": "处置中",
        "resolved": "已处置",
        "closed": "已结案",
        "time_left": "剩余",
        "satisfied": "满意",
        "lead": "城管执法",
    },
    "en": {
        "registered": "Registered",
        "dispatched": "Dispatched",
        "in_progress": "In progress",
        "resolved": "Resolved",
        "closed": "Closed",
        "time_left": "left",
        "satisfied": "Satisfied",
        "lead": "城管执法",
    },
}


def checkpoint(page: Page, screenshot, name: str, phone: bool) -> None:
    """Screenshot the step; on a phone, also check that nothing makes the reader scroll sideways."""
    if phone:
        assert_no_horizontal_scroll(page)
    screenshot(page, name)


@pytest.mark.parametrize(("device", "language"), [("desktop", "zh-hans"), ("phone", "en")])
def test_a_case_goes_around_the_whole_loop(make_page, live_server, screenshot, photo, device, language):
    phone = device == "phone"
    page = make_page(phone=phone)
    text = LABELS[language]

    # Street staff: file the case with a photo.
    login(page, live_server, "staff")
    if language != "zh-hans":
        switch_language(page, language)  # the choice is kept in a cookie for the whole browser
    expect(page.get_by_test_id("queues")).to_be_visible()
    checkpoint(page, screenshot, "home-staff", phone)
    file_case(page, live_server, photo, title="青年大街人行道乱堆乱放")
    checkpoint(page, screenshot, "intake-filled", phone)
    number = submit_intake(page)
    expect_state(page, text["registered"])
    expect(page.get_by_test_id("photos-before").locator("img")).to_have_count(1)
    expect(page.locator("main .alert-success")).to_contain_text(number)
    checkpoint(page, screenshot, "case-registered", phone)

    # Dispatch to the category's department (preselected: 城管执法).
    form = open_action(page, "dispatch")
    expect(form.locator("select[name=dispatch-lead_department] option:checked")).to_have_text(text["lead"])
    form.locator("textarea[name=dispatch-note]").fill("请城管执法局尽快清理")
    form.locator("button[type=submit]").click()
    expect_state(page, text["dispatched"])
    expect(page.get_by_test_id("assignments")).to_contain_text("城市管理行政执法局")
    checkpoint(page, screenshot, "case-dispatched", phone)
    logout(page)

    # The officer finds it in the department inbox, reports in and resolves it.
    login(page, live_server, "officer")
    open_menu(page)
    page.locator("#site-nav a[href='/cases/inbox/']").click()
    waiting = page.get_by_test_id("inbox-waiting")
    expect(waiting).to_contain_text(number)
    expect(waiting.locator("tr", has_text=number)).to_contain_text(text["time_left"])
    checkpoint(page, screenshot, "inbox", phone)
    waiting.get_by_role("link", name=number).click()
    expect(page.get_by_test_id("reporter-phone")).to_have_text("13840001234")  # the lead sees the full phone
    open_action(page, "report_in").locator("button[type=submit]").click()
    expect_state(page, text["in_progress"])
    checkpoint(page, screenshot, "case-reported-in", phone)

    form = open_action(page, "resolve")
    form.locator("textarea[name=resolve-note]").fill("已清理建筑垃圾和旧家具，恢复通行。")
    form.locator("input[name^=resolve-tally_]").first.fill("3")
    form.locator("input[name=resolve-photos]").set_input_files(str(photo))
    checkpoint(page, screenshot, "resolve-filled", phone)
    form.locator("button[type=submit]").click()
    expect_state(page, text["resolved"])
    expect(page.get_by_test_id("photos-after").locator("img")).to_have_count(1)
    checkpoint(page, screenshot, "case-resolved", phone)
    logout(page)

    # Street staff verify with the resident's call-back and close it.
    login(page, live_server, "staff")
    page.get_by_test_id("queues").locator("[data-queue=to_verify]").click()
    page.get_by_role("link", name=number).click()
    form = open_action(page, "verify")
    form.locator("select[name=verify-satisfaction]").select_option("satisfied")
    form.locator("button[type=submit]").click()
    expect_state(page, text["closed"])

    timeline = page.get_by_test_id("timeline")
    steps = timeline.locator("[data-event]").evaluate_all("items => items.map(item => item.dataset.event)")
    assert steps == ["create", "dispatch", "report_in", "resolve", "verify"]
    expect(timeline).to_contain_text("请城管执法局尽快清理")
    expect(timeline).to_contain_text("已清理建筑垃圾和旧家具")
    expect(timeline).to_contain_text(text["satisfied"])
    checkpoint(page, screenshot, "case-closed", phone)

    # The closed case is found again from the list's text filter.
    open_menu(page)
    page.locator("#site-nav a[href='/cases/']").click()
    page.locator("details.filter-panel summary").click()
    page.fill("input[name=q]", number)
    page.locator("#case-filters button[type=submit]").click()
    expect(page.locator("#case-results tbody tr")).to_have_count(1)
    checkpoint(page, screenshot, "list-filtered", phone)


def test_a_road_chief_blows_the_whistle_on_two_departments(page, live_server, screenshot, photo):
    login(page, live_server, "roadchief")
    file_case(page, live_server, photo, title="文艺路沿线乱堆乱放吹哨")
    road = page.locator("select[name=road] option", has_text="文艺路").get_attribute("value")
    page.select_option("select[name=road]", road)
    page.select_option("select[name=whistle_lead]", label="城管执法")
    page.locator("input[name=whistle_assist]").locator("xpath=..").filter(has_text="环卫").locator("input").check()
    screenshot(page, "whistle-filled")
    number = submit_intake(page)
    expect_state(page, "已派遣")
    assignments = page.get_by_test_id("assignments")
    expect(assignments.locator("tbody tr")).to_have_count(2)
    expect(assignments).to_contain_text("城市管理行政执法局")
    expect(assignments).to_contain_text("环境卫生服务中心")
    expect(assignments.locator(".badge", has_text="吹哨")).to_have_count(2)
    screenshot(page, "whistle-blown")
    logout(page)

    # The assisting department (环卫, officer2) is summoned too and reports in.
    login(page, live_server, "officer2")
    page.goto(f"{live_server.url}/cases/inbox/")
    page.get_by_test_id("inbox-waiting").get_by_role("link", name=number).click()
    expect(page.get_by_test_id("reporter-phone")).to_have_text("138****1234")  # an assisting department: masked
    open_action(page, "report_in").locator("button[type=submit]").click()
    expect(page.locator("main .alert-success")).to_be_visible()
    expect_state(page, "已派遣")  # only the lead's report-in moves the case on
    expect(page.get_by_test_id("timeline").locator("[data-event=report_in]")).to_contain_text("环境卫生服务中心")
    screenshot(page, "assist-reported-in")
