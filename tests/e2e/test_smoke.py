"""Smoke test in a real browser: every demo account signs in and sees its home page, in Chinese
and in English, on a desktop and on a phone. The tests only sign in and out: they change nothing
another test relies on, and run in any order."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    DESIGN_ACCOUNTS,
    EXTRA_OFFICERS,
    assert_no_horizontal_scroll,
    login,
    logout,
    open_menu,
    switch_language,
)


@pytest.mark.parametrize("username", DESIGN_ACCOUNTS)
def test_each_design_account_signs_in_to_its_home(page, live_server, screenshot, username):
    role, scope = DESIGN_ACCOUNTS[username]
    login(page, live_server, username)

    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_test_id("role")).to_have_text(role)
    expect(page.get_by_test_id("scope")).to_contain_text(scope)
    screenshot(page, "home")

    logout(page)
    assert page.url == f"{live_server.url}/accounts/login/"
    page.goto(f"{live_server.url}/")
    assert page.url == f"{live_server.url}/accounts/login/?next=/", "signed out, the home page asks to sign in again"


def test_extra_officers_sign_in_for_their_department(page, live_server):
    for username, department in EXTRA_OFFICERS.items():
        login(page, live_server, username)
        expect(page.get_by_test_id("role")).to_have_text("职能部门人员")
        expect(page.get_by_test_id("scope")).to_contain_text(department)
        logout(page)


def test_a_wrong_password_is_refused_on_the_login_page(page, live_server, screenshot):
    with pytest.raises(AssertionError, match="not the home page"):
        login(page, live_server, "staff", password="not-the-password")
    expect(page.locator("main .alert-danger")).to_be_visible()
    expect(page.locator("input[name=username]")).to_have_value("staff")
    screenshot(page, "refused")


def test_english_after_switching_language(page, live_server, screenshot):
    login(page, live_server, "staff")
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()

    switch_language(page, "en")
    assert page.url == f"{live_server.url}/", "the switch returns to the page it was pressed on"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_test_id("role")).to_have_text("Street-office staff")
    expect(page.locator("form.language-switch button[value=en]")).to_have_attribute("aria-pressed", "true")
    screenshot(page, "home-en")

    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the choice is kept

    switch_language(page, "zh-hans")
    expect(page.get_by_test_id("role")).to_have_text("街道工作人员")


def test_phone_width_every_home_fits_and_the_menu_opens(phone_page, live_server, screenshot):
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.evaluate("window.innerWidth") == 375
    assert_no_horizontal_scroll(page)
    screenshot(page, "login")
    for username in DESIGN_ACCOUNTS:
        login(page, live_server, username)
        assert_no_horizontal_scroll(page)
        screenshot(page, f"{username}-home")

        toggler = page.locator(".navbar-toggler")
        expect(toggler).to_be_visible()
        expect(toggler).to_have_attribute("aria-expanded", "false")
        expect(page.get_by_role("button", name="退出登录")).to_be_hidden()
        open_menu(page)
        expect(page.get_by_role("button", name="退出登录")).to_be_visible()
        expect(page.locator("form.language-switch button[value=en]")).to_be_visible()
        assert_no_horizontal_scroll(page)
        screenshot(page, f"{username}-menu")

        logout(page)
