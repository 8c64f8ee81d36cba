"""What the browser tests do again and again: sign in and out, switch language, check a phone layout.

Plain functions on a Playwright `Page`; the fixtures that make pages and screenshots are in
conftest.py beside this file.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

DEMO_PASSWORD = "shenhe-demo"

# The accounts DESIGN.md §6 promises (username: role badge in Chinese, scope the home page names).
DESIGN_ACCOUNTS = {
    "admin": ("管理员", "沈河区"),
    "leader": ("区领导", "沈河区"),
    "staff": ("街道工作人员", "滨河街道"),
    "staff2": ("街道工作人员", "大南街道"),
    "roadchief": ("路长", "滨河街道"),
    "officer": ("职能部门人员", "城管执法"),
    "officer2": ("职能部门人员", "环卫"),
}

# The demo's extra officers, one for each other department (README.md, "Demo accounts").
EXTRA_OFFICERS = {
    "officer-housing": "住建",
    "officer-traffic": "交警",
    "officer-market": "市场监管",
    "officer-centre": "城管中心",
    "officer-commerce": "商务",
}

# The value of <html lang> for each language code of the switch (templates/base.html).
HTML_LANG = {"zh-hans": "zh-Hans", "en": "en"}


def base_url(live_server) -> str:
    """The server's root URL without the trailing slash; takes the live_server fixture or a URL."""
    return str(getattr(live_server, "url", live_server)).rstrip("/")


def login(page: Page, live_server, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form and wait for the home page (its role badge).

    A refused sign-in fails at once with the form's error message, not after a timeout.
    """
    root = base_url(live_server)
    if page.url != f"{root}/accounts/login/":  # e.g. just signed out: the form is already there
        page.goto(f"{root}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    if page.url != f"{root}/":
        alert = page.locator("main .alert")
        message = alert.inner_text() if alert.count() else "(no message on the page)"
        raise AssertionError(f"signing in as {username!r} ended on {page.url}, not the home page: {message}")
    expect(page.get_by_test_id("role")).to_be_visible()


def open_menu(page: Page) -> None:
    """Open the navbar's collapsed menu when the page is narrow enough to collapse it."""
    toggler = page.locator(".navbar-toggler")
    if not toggler.is_visible():
        return
    menu = page.locator("#site-nav")
    if "show" not in (menu.get_attribute("class") or "").split():
        toggler.click()
    # Bootstrap animates the collapse; "show" is set once it has finished.
    expect(menu).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(toggler).to_have_attribute("aria-expanded", "true")


def logout(page: Page) -> None:
    """Sign out with the navbar's button (opening the phone menu first) and wait for the login page."""
    open_menu(page)
    with page.expect_navigation():
        page.locator("#site-nav form[action$='/logout/'] button[type=submit]").click()
    expect(page.locator("input[name=username]")).to_be_visible()


def switch_language(page: Page, code: str) -> None:
    """Press the navbar's language button (`zh-hans` or `en`) and wait for the page in that language."""
    open_menu(page)
    with page.expect_navigation():
        page.locator(f"form.language-switch button[name=language][value='{code}']").click()
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG.get(code, code))


def assert_no_horizontal_scroll(page: Page) -> None:
    """The page fits the window's width: nothing makes the reader scroll sideways."""
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,"
        " viewport: document.documentElement.clientWidth})"
    )
    assert widths["scroll"] <= widths["inner"], f"the page scrolls sideways on {page.url}: {widths}"
