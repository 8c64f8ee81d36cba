"""The bell in a real browser: an officer's open page shows a whistle to his department within seconds, unreloaded.

Then the list shows it with its countdown, and opening it marks it read.
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from cases import workflow
from cases.choices import CaseState
from cases.models import Case
from tests.e2e.helpers import login


def test_the_bell_rings_without_a_reload(page: Page, live_server):
    users = get_user_model().objects
    staff, officer = users.get(username="staff"), users.get(username="officer")
    case = Case.objects.filter(state=CaseState.REGISTERED, street=staff.staff_profile.street).first()
    assert case is not None, "the demo has a registered case in the staff's street"

    login(page, live_server, "officer")
    count = page.get_by_test_id("bell-count")
    expect(count).to_have_text(re.compile(r"^\d+$"))
    before = int(count.inner_text())
    page.evaluate("window.notReloaded = true")

    workflow.dispatch(staff, case, lead_department=officer.staff_profile.department, whistle=True)

    expect(count).to_have_text(str(before + 1), timeout=12_000)
    assert page.evaluate("window.notReloaded") is True
    bell = page.get_by_test_id("bell")
    assert str(before + 1) in bell.get_attribute("aria-label")

    bell.click()
    page.wait_for_url(f"{live_server.url}/notifications/")
    item = page.get_by_test_id("notification").filter(has_text=case.number).first
    expect(item).to_have_attribute("data-read", "false")
    # The countdown runs in the page (static/js/notifications.js).
    expect(item.get_by_test_id("countdown")).to_contain_text(re.compile(r"\d+:\d\d"))
    expect(item.get_by_test_id("report-in")).to_be_visible()
    with page.expect_navigation():
        item.get_by_role("link", name=re.compile(case.number)).first.click()
    assert page.url.startswith(f"{live_server.url}/cases/{case.number}/")
    expect(page.get_by_test_id("bell-count")).to_have_text(str(before))
