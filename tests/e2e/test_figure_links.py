"""Every figure opens its cases, in a real browser: the leader clicks a number and the list shows that many.

Done-when of issue 17: "clicking the leader's overdue figure lists exactly that many cases"; also a
rate's "n of m", a ranking's cases and a chart point, on a phone and a desktop, in both languages.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_no_horizontal_scroll, login, switch_language


def listed_count(page) -> int:
    return int(re.search(r"\d+", page.get_by_test_id("result-count").inner_text()).group())


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_leaders_overdue_figure_lists_exactly_that_many_cases(make_page, live_server, screenshot, phone):
    page = make_page(phone=phone)
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/dashboard/")
    figure = page.get_by_test_id("figures").locator("[data-figure=overdue]")
    shown = int(figure.inner_text())
    assert shown > 0, "the demo should have overdue cases"
    with page.expect_navigation():
        figure.click()
    assert "figure=overdue" in page.url
    expect(page.get_by_test_id("figure-set")).to_have_text("期间内受理且当前超期")
    assert listed_count(page) == shown
    if phone:
        assert_no_horizontal_scroll(page)
    screenshot(page, "overdue-cases")


def test_a_rates_n_of_m_open_their_cases_in_english(make_page, live_server, screenshot):
    page = make_page()
    login(page, live_server, "leader")
    switch_language(page, "en")
    page.goto(f"{live_server.url}/dashboard/")
    card = page.get_by_test_id("figures").locator(".card", has=page.locator("[data-figure=on_time_closure_rate]"))
    expect(card.get_by_test_id("part-of-whole")).to_contain_text(" of ")
    whole = card.locator("[data-count=whole]")
    due = int(whole.inner_text())
    with page.expect_navigation():
        whole.click()
    expect(page.get_by_test_id("figure-set")).to_have_text("Due in the period (应结案)")
    assert listed_count(page) == due
    screenshot(page, "due-cases-en")


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_rankings_show_n_of_m_and_open_a_streets_cases(make_page, live_server, screenshot, phone):
    page = make_page(phone=phone)
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/dashboard/rankings/")
    table = page.get_by_test_id("ranking-streets-closure_rate")
    first = table.locator("tbody tr").first
    expect(first.get_by_test_id("part-of-whole")).to_contain_text("件中")
    part = first.locator("[data-count=part]")
    closed = int(part.inner_text())
    if phone:
        assert_no_horizontal_scroll(page)
    screenshot(page, "rankings")
    with page.expect_navigation():
        part.click()
    assert "figure=due_closed" in page.url and "street=" in page.url
    assert listed_count(page) == closed


def test_a_point_of_the_daily_chart_opens_that_days_cases(make_page, live_server):
    page = make_page()
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/dashboard/")
    chart = page.locator("[data-chart=daily]")
    expect(chart.locator("svg")).to_be_visible()
    rows = page.evaluate("() => JSON.parse(document.getElementById('daily-data').textContent)")
    busiest = max(range(len(rows)), key=lambda index: rows[index]["intake"])
    # Where ECharts drew the intake line's point of the busiest day, in the chart's own pixels.
    x, y = page.evaluate(
        "([index, value]) => echarts.getInstanceByDom(document.querySelector('[data-chart=daily]'))"
        ".convertToPixel({seriesIndex: 0}, [index, value])",
        [busiest, rows[busiest]["intake"]],
    )
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)
    assert "figure=intake" in page.url
    assert listed_count(page) == rows[busiest]["intake"]
