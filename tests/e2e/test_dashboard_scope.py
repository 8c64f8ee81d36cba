"""The issue's Done-when in a real browser: `staff` (street staff of 滨河街道) opens the dashboard of 滨河街道.

At desktop width and at 375 px: the menu's dashboard link, the note that the figures are the street's only,
the street's own intake, the filter panel offering only that street, and a campaign page keeping it.
"""

import pytest
from playwright.sync_api import expect

from communities.models import Street
from tests.e2e.helpers import assert_no_horizontal_scroll, login, open_menu


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_street_staff_open_the_dashboard_of_their_street(make_page, live_server, screenshot, phone):
    page = make_page(phone=phone)
    binhe = Street.objects.get(name="滨河街道")
    login(page, live_server, "staff")
    open_menu(page)
    page.locator("#site-nav a[href='/dashboard/']").click()
    expect(page.get_by_test_id("dashboard-scope")).to_have_text("滨河街道 · 仅本街道数据")
    expect(page.get_by_test_id("figures").locator("[data-figure=intake]")).to_have_text(str(binhe.cases.count()))
    expect(page.get_by_test_id("campaigns").locator(".card")).to_have_count(7)
    page.locator("summary", has_text="筛选").click()
    street = page.locator("select[name=street]")
    expect(street.locator("option")).to_have_count(1)
    expect(street).to_have_value(str(binhe.pk))
    if phone:
        assert_no_horizontal_scroll(page)
    screenshot(page, "overview")
    page.get_by_test_id("campaigns").locator("a").first.click()
    expect(page.get_by_test_id("dashboard-scope")).to_contain_text("滨河街道")
    assert f"street={binhe.pk}" in page.url
    if phone:
        assert_no_horizontal_scroll(page)
    screenshot(page, "campaign")
