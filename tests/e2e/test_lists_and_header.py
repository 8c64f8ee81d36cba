"""Issue 17, field readiness: filters that narrow, long lists that paginate on phones, a header on one line.

On a phone the case list's community select offers only the chosen street's communities and the intake
form's compound select only the chosen community's compounds; the leaderboards are a few screens long with
a working next page; at 1280 px the header's links sit on one line for every demo role, in both languages.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from communities.models import Community, Compound, Street
from tests.e2e.helpers import DESIGN_ACCOUNTS, base_url, login, switch_language

PHONE_812 = {"viewport": {"width": 375, "height": 812}}

# The values of the options a select offers now (neither hidden nor disabled), the empty one left out.
OFFERED = "select => [...select.options].filter(o => o.value && !o.hidden && !o.disabled).map(o => Number(o.value))"


def offered(page: Page, name: str) -> list[int]:
    return page.locator(f"select[name={name}]").evaluate(OFFERED)


def test_the_case_filters_community_follows_the_street(make_page, live_server, screenshot):
    page = make_page(phone=True, **PHONE_812)
    login(page, live_server, "leader")
    page.goto(f"{base_url(live_server)}/cases/")
    page.locator(".filter-panel summary").click()
    everywhere = offered(page, "community")
    assert len(everywhere) == Community.objects.count()  # no street chosen: every community

    street, other = Street.objects.order_by("order", "name")[:2]
    page.select_option("select[name=street]", str(street.pk))
    assert sorted(offered(page, "community")) == sorted(street.communities.values_list("pk", flat=True))
    community = street.communities.order_by("name").first()
    page.select_option("select[name=community]", str(community.pk))
    screenshot(page, "community-of-the-street")

    # Another street: the community chosen in the first is no choice any more.
    page.select_option("select[name=street]", str(other.pk))
    expect(page.locator("select[name=community]")).to_have_value("")
    assert sorted(offered(page, "community")) == sorted(other.communities.values_list("pk", flat=True))
    page.select_option("select[name=street]", "")
    assert len(offered(page, "community")) == len(everywhere)


def test_the_intake_forms_compound_follows_the_community(make_page, live_server, screenshot):
    page = make_page(phone=True, **PHONE_812)
    login(page, live_server, "staff")
    page.goto(f"{base_url(live_server)}/cases/new/")
    communities = Community.objects.filter(compounds__isnull=False).distinct()
    community = communities.filter(street__staff__user__username="staff").order_by("name").first()
    assert community is not None, "the demo should give the staff's street compounds"
    with page.expect_response(lambda response: "fragment=places" in response.url):
        page.select_option("select[name=community]", str(community.pk))
    expect(page.locator("select[name=community]")).to_have_value(str(community.pk))
    assert sorted(offered(page, "compound")) == sorted(
        Compound.objects.filter(community=community).values_list("pk", flat=True)
    )
    screenshot(page, "compounds-of-the-community")


def branch_rows(page: Page) -> list[tuple[str, int]]:
    """(branch id, rank) of each row of the branch leaderboard on the page."""
    rows = page.locator("[data-testid=branch-leaderboard] tr[data-branch]")
    return [(row.get_attribute("data-branch"), int(row.locator("td").first.inner_text())) for row in rows.all()]


def test_the_leaderboards_are_a_few_phone_screens_with_a_next_page(make_page, live_server, screenshot):
    page = make_page(phone=True, **PHONE_812)
    login(page, live_server, "leader")
    page.goto(f"{base_url(live_server)}/volunteers/leaderboards/?period=all")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 5 * 812, f"the leaderboards are {height} px long on a phone"
    first = branch_rows(page)
    assert len(first) == 20
    screenshot(page, "leaderboards-page-1")

    next_link = page.locator("[aria-labelledby=branch-board] a[rel=next]")
    next_link.scroll_into_view_if_needed()
    with page.expect_navigation():
        next_link.click()
    assert "branches_page=2" in page.url and "period=all" in page.url
    second = branch_rows(page)
    assert second and not {pk for pk, _ in first} & {pk for pk, _ in second}
    assert second[0][1] >= first[-1][1] > 1  # the district's ranks go on from page 1
    screenshot(page, "leaderboards-page-2")


# The header's links, buttons and name: the top of each (one line when they are all the same) and the bar's height.
HEADER_LINE = """() => {
  const items = [...document.querySelectorAll(".site-navbar .navbar-brand, #site-nav .nav-link, #site-nav .btn,"
    + " #site-nav .navbar-text")].filter(item => item.offsetParent !== null);
  return {
    tops: [...new Set(items.map(item => Math.round(item.getBoundingClientRect().top + item.offsetHeight / 2)))],
    height: document.querySelector(".site-navbar").offsetHeight,
    texts: items.map(item => item.innerText.trim()),
  };
}"""


@pytest.mark.parametrize("username", list(DESIGN_ACCOUNTS))
def test_the_header_fits_one_line_at_1280_px_in_both_languages(make_page, live_server, screenshot, username):
    page = make_page(viewport={"width": 1280, "height": 800})
    login(page, live_server, username)
    for language in ("zh-hans", "en"):
        if language == "en":
            switch_language(page, "en")
        line = page.evaluate(HEADER_LINE)
        screenshot(page, f"header-{language}")
        # Centres within a few pixels: buttons and links of different heights on one line.
        assert max(line["tops"]) - min(line["tops"]) <= 4 and line["height"] < 70, (language, line)
