"""Issue 17, field readiness, in a real browser at phone (375×812) and desktop widths.

A double tap on intake files one case; a case sent back by 环卫 is offered to another department;
a road chief files a road case without choosing a community; an officer reports in from the inbox
on a phone; on a phone the case page shows the actions first and the departments table stays readable.
Each test makes its own cases, so the tests do not depend on one another.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from cases import workflow
from cases.models import Case, CaseEvent, Category
from communities.models import Department
from tests.e2e.helpers import assert_no_horizontal_scroll, login, logout
from tests.e2e.test_case_loop import CASE_URL, expect_state, open_action

PHONE_812 = {"viewport": {"width": 375, "height": 812}}
DEVICES = ["phone", "desktop"]


def device_page(make_page, device: str) -> Page:
    return make_page(phone=True, **PHONE_812) if device == "phone" else make_page()


def demo_user(username: str):
    return get_user_model().objects.get(username=username)


def department(short_name: str) -> Department:
    return Department.objects.get(short_name=short_name)


def registered_case(title: str, category: str = "street-pile") -> Case:
    """A case filed by `staff` in the first community of their street (through the workflow)."""
    staff = demo_user("staff")
    community = staff.staff_profile.street.communities.order_by("name").first()
    return workflow.create_case(staff, title=title, category=Category.objects.get(code=category), community=community)


@pytest.mark.parametrize("device", DEVICES)
def test_a_double_tap_on_intake_files_one_case(make_page, live_server, screenshot, device):
    page = device_page(make_page, device)
    login(page, live_server, "staff")
    page.goto(f"{live_server.url}/cases/new/")
    title = f"双击只登记一次（{device}）"
    page.select_option("select[name=category]", "street-pile")
    page.fill("input[name=title]", title)
    community = page.locator("select[name=community] option").nth(1).get_attribute("value")
    with page.expect_response(lambda response: "fragment=places" in response.url):
        page.select_option("select[name=community]", community)
    button = page.locator("#case-form button[type=submit]")
    button.scroll_into_view_if_needed()
    if device == "phone":
        # Two taps in a row, the second before the page has gone (a patchy connection keeps it there).
        button.evaluate("button => { button.click(); button.click(); }")
    else:
        button.dblclick()
    page.wait_for_url(CASE_URL)
    expect_state(page, "已立案")
    screenshot(page, "filed-once")
    assert Case.objects.filter(title=title).count() == 1


def test_a_case_sent_back_by_sanitation_is_offered_to_another_department(make_page, live_server, screenshot):
    case = registered_case("暴露垃圾退回后改派", category="exposed-garbage")
    case = workflow.dispatch(demo_user("staff"), case, lead_department=department("环卫"))

    # 环卫 (officer2) sends it back from a phone.
    phone = make_page(phone=True, **PHONE_812)
    login(phone, live_server, "officer2")
    phone.goto(f"{live_server.url}/cases/{case.number}/")
    form = open_action(phone, "send_back")
    form.locator("textarea[name=send_back-reason]").fill("属于城管执法职责，非环卫作业范围")
    form.locator("button[type=submit]").click()
    expect_state(phone, "已立案")
    logout(phone)

    # Street staff: the list shows no lead while it is registered; the dispatch form does not offer 环卫.
    page = make_page()
    login(page, live_server, "staff")
    page.goto(f"{live_server.url}/cases/?q={case.number}")
    row = page.locator(f"tr[data-case='{case.number}']")
    expect(row).not_to_contain_text("环境卫生服务中心")
    page.goto(f"{live_server.url}/cases/{case.number}/")
    form = open_action(page, "dispatch")
    notice = form.get_by_test_id("sent-back")
    expect(notice).to_contain_text("环境卫生服务中心")
    expect(notice).to_contain_text("属于城管执法职责")
    expect(form.locator("select[name=dispatch-lead_department] option:checked")).not_to_have_text("环卫")
    screenshot(page, "dispatch-after-send-back")
    form.locator("select[name=dispatch-lead_department]").select_option(label="城管执法")
    form.locator("button[type=submit]").click()
    expect_state(page, "已派遣")
    assert case.assignments.get(finished_at__isnull=True).department == department("城管执法")


@pytest.mark.parametrize("device", DEVICES)
def test_the_road_chief_files_a_road_case_without_choosing_a_community(make_page, live_server, screenshot, device):
    page = device_page(make_page, device)
    login(page, live_server, "roadchief")
    page.goto(f"{live_server.url}/cases/new/")
    title = f"文艺路路面破损（{device}）"
    page.select_option("select[name=category]", "exposed-garbage")
    # The whistle starts with the category's department as lead.
    expect(page.locator("select[name=whistle_lead] option:checked")).to_have_text("环卫")
    page.fill("input[name=title]", title)
    road = page.locator("select[name=road] option", has_text="文艺路").get_attribute("value")
    with page.expect_response(lambda response: "fragment=places" in response.url):
        page.select_option("select[name=road]", road)
    expect(page.locator("select[name=community]")).to_have_value("")
    if device == "phone":
        assert_no_horizontal_scroll(page)
    screenshot(page, "road-case-filled")
    page.locator("#case-form button[type=submit]").click()
    page.wait_for_url(CASE_URL)
    expect_state(page, "已派遣")  # the whistle was blown on 环卫
    expect(page.locator(".case-facts")).to_contain_text("文艺路")
    screenshot(page, "road-case-filed")
    case = Case.objects.get(title=title)
    assert (case.community, case.road.name, case.street.name) == (None, "文艺路", "滨河街道")
    assert case.assignments.get().department == department("环卫")


def test_the_officer_reports_in_from_the_inbox_on_a_phone(make_page, live_server, screenshot):
    case = registered_case("收件箱里直接报到")
    workflow.dispatch(demo_user("staff"), case, lead_department=department("城管执法"))
    page = make_page(phone=True, **PHONE_812)
    login(page, live_server, "officer")
    page.goto(f"{live_server.url}/cases/inbox/")
    row = page.get_by_test_id("inbox-waiting").locator(f"tr[data-case='{case.number}']")
    expect(row.get_by_test_id("time-left")).to_contain_text("剩余")
    button = row.locator("form[data-action=report_in] button")
    expect(button).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "inbox-phone")
    button.tap()
    page.wait_for_url(re.compile(r"/cases/inbox/"))
    expect(page.locator("main .alert-success")).to_be_visible()
    expect(page.get_by_test_id("inbox-in-hand")).to_contain_text(case.number)
    screenshot(page, "inbox-reported-in")
    assert CaseEvent.objects.filter(case=case, action="report_in").count() == 1
    assert Case.objects.get(pk=case.pk).state == "in_progress"


def test_the_case_pages_actions_are_on_screen_first_on_a_phone(make_page, live_server, screenshot):
    case = registered_case("手机上先看到操作")
    workflow.dispatch(demo_user("staff"), case, lead_department=department("城管执法"))
    page = make_page(phone=True, **PHONE_812)
    login(page, live_server, "officer")
    page.goto(f"{live_server.url}/cases/{case.number}/")
    actions = page.get_by_test_id("actions")
    report_in = actions.locator("#action-report_in button[type=submit]")
    expect(report_in).to_be_in_viewport()
    facts = page.locator("#facts-title").bounding_box()
    assert actions.bounding_box()["y"] < facts["y"]
    # The departments table: no one-character columns at 375 px.
    cells = page.get_by_test_id("assignments").locator("tbody td")
    widths = cells.evaluate_all("cells => cells.map(cell => cell.getBoundingClientRect().width)")
    assert widths and min(widths) > 200, widths
    assert_no_horizontal_scroll(page)
    screenshot(page, "case-phone")

    desktop = make_page()
    login(desktop, live_server, "officer")
    desktop.goto(f"{live_server.url}/cases/{case.number}/")
    expect(desktop.get_by_test_id("actions").locator("#action-report_in button[type=submit]")).to_be_in_viewport()
    screenshot(desktop, "case-desktop")
