"""Every figure opens its cases: each number on the dashboard pages links to the case list that it counts.

The links are followed as a leader would click them, and the list's count (for a summons figure,
the summonses the listed cases hold) must be the number the dashboard printed.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from cases.figures import CASE_SETS, SUMMONS_SETS
from cases.models import Campaign, Case
from communities.models import Department, Street
from volunteers.models import Activity

LINK = re.compile(r'<a [^>]*?href="(/cases/\?[^"]*)"[^>]*data-(figure|count)="(\w+)">([^<]*)</a>')


def leader() -> Client:
    return signed_in("leader")


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def figure_links(content: str) -> list[tuple[str, str, str]]:
    """(url, what, text) of every link to the case list: `what` names the figure or the part/whole count."""
    return [(html.unescape(url), name, text.strip()) for url, _kind, name, text in LINK.findall(content)]


def listed(client: Client, url: str) -> tuple[int, int | None]:
    """The case count a list page prints, and its summons count when it shows one."""
    response = client.get(url)
    assert response.status_code == 200, url
    content = response.content.decode()
    count = content.split('data-testid="result-count"')[1].split("</p>")[0]
    cases = int(re.search(r"\d+", count.split(">", 1)[1]).group())
    summonses = re.search(r'data-testid="summons-count">\D*(\d+)', count)
    return cases, int(summonses.group(1)) if summonses else None


def api_count(client: APIClient, **params: str) -> int:
    """How many cases the API lists for the filters, following its cursor pages."""
    count, answer = 0, client.get("/api/v1/cases/", params | {"page_size": 100}).json()
    while True:
        count += len(answer["results"])
        if not answer["next"]:
            return count
        answer = client.get(answer["next"]).json()


def check_counts(client: Client, page: str, *, limit: int | None = None) -> int:
    """Follow each linked count on the page; return how many were checked."""
    content = client.get(page).content.decode()
    links = figure_links(content)
    assert links, f"{page} links no figure to its cases"
    seen: dict[str, tuple[int, int | None]] = {}
    checked = 0
    for url, _what, text in links:
        if not text.isdigit():
            continue  # a rate or a mean: its "n of m" are the linked counts beside it
        if url not in seen:
            if limit is not None and len(seen) >= limit:
                continue
            seen[url] = listed(client, url)
        cases, summonses = seen[url]
        figure = parse_qs(urlsplit(url).query)["figure"][0]
        shown = summonses if figure in SUMMONS_SETS else cases
        assert shown == int(text), f"{page}: {text} links to {url}, which lists {shown}"
        checked += 1
    return checked


@pytest.mark.parametrize(
    "query",
    ["", "?street={street}", "?department={department}", "?date_from={week_start}&date_to={today}"],
    ids=["all", "street", "department", "week"],
)
def test_every_count_on_the_overview_lists_exactly_its_cases(demo, query):
    client = leader()
    street = Street.objects.get(name="滨河街道").pk
    department = Department.objects.get(short_name="环卫").pk
    latest = Case.objects.latest("created_at").created_at.date()
    query = query.format(
        street=street, department=department, week_start=latest.replace(day=max(1, latest.day - 6)), today=latest
    )
    assert check_counts(client, f"/dashboard/{query}") > 20


@pytest.mark.parametrize("username", ["staff", "officer"])
def test_a_scoped_dashboards_counts_list_exactly_the_cases_the_user_sees(demo, username):
    """Street staff and officers open their own figures' cases: the same numbers in their case list."""
    assert check_counts(signed_in(username), "/dashboard/") > 20


def test_every_count_on_a_campaign_page_lists_exactly_its_cases(demo):
    campaign = Campaign.objects.filter(cases__isnull=False).distinct().order_by("order").first()
    assert check_counts(leader(), f"/dashboard/campaigns/{campaign.slug}/", limit=120) > 40


@pytest.mark.parametrize("page", ["/dashboard/rankings/", "/dashboard/bulletin/"])
def test_every_count_in_rankings_and_bulletin_lists_exactly_its_cases(demo, page):
    assert check_counts(leader(), page) > 10


def test_rates_open_the_cases_they_divide(demo):
    content = leader().get("/dashboard/").content.decode()
    cards = content.split('data-testid="figures"')[1].split("</section>")[0]
    opened = {what: parse_qs(urlsplit(url).query)["figure"][0] for url, what, _text in figure_links(cards)}
    assert opened["on_time_closure_rate"] == "due"
    assert opened["on_time_report_in_rate"] == "report_in_due"
    assert opened["satisfaction_rate"] == "rated"
    assert opened["overdue"] == "overdue"
    # The card's "n of m": n cases closed on time of m cases due.
    card = cards.split('data-figure="on_time_closure_rate"')[1].split("</div></div>")[0]
    counts = {what: parse_qs(urlsplit(url).query)["figure"][0] for url, what, _text in figure_links(card)}
    assert counts == {"part": "due_closed_on_time", "whole": "due"}


def test_the_daily_numbers_open_the_days_cases(demo):
    content = leader().get("/dashboard/").content.decode()
    table = content.split('id="daily-title"')[1].split("</table>")[0]
    links = figure_links(table)
    assert {what for _url, what, _text in links} == {"intake", "closures"}
    checked = [(url, text) for url, _what, text in links if text != "0"][:10]
    assert checked
    for url, text in checked:
        assert listed(leader(), url)[0] == int(text)


def test_the_sets_add_up(demo):
    """Closed on time + closed late = closed; due closed + not closed = due; on time + late report-ins = due."""
    client = APIClient()
    client.force_authenticate(User.objects.get(username="leader"))

    def count(figure: str) -> int:
        return api_count(client, figure=figure)

    assert count("due_closed_on_time") + count("due_closed_late") == count("due_closed") > 0
    assert count("due_closed") + count("due_not_closed") == count("due") > 0
    assert count("rated_satisfied") + count("rated_dissatisfied") == count("rated") > 0
    assert set(CASE_SETS) >= {"due_closed_late", "due_reworked", "rated_dissatisfied", "escalated", "overdue"}
    lists = leader()
    due, late = (listed(lists, f"/cases/?figure={name}")[1] for name in ("report_in_due", "report_in_late"))
    on_time = listed(lists, "/cases/?figure=report_in_on_time")[1]
    assert on_time + late == due > 0


def test_the_api_filters_by_the_same_sets(demo):
    client = APIClient()
    client.force_authenticate(User.objects.get(username="leader"))
    figures = client.get("/api/v1/dashboard/").json()
    for figure in ("intake", "open", "closed", "overdue", "escalated", "due", "due_closed", "rated"):
        assert api_count(client, figure=figure) == figures[figure], figure


def test_a_period_that_ends_before_it_starts_is_refused_with_a_message(demo):
    response = leader().get("/cases/?figure=due&date_from=2026-11-20&date_to=2026-11-01")
    content = response.content.decode()
    assert "结束日期不能早于开始日期" in content
    client = APIClient()
    client.force_authenticate(User.objects.get(username="leader"))
    answer = client.get("/api/v1/cases/", {"figure": "due", "date_from": "2026-11-20", "date_to": "2026-11-01"})
    assert answer.status_code == 400
    assert "date_to" in str(answer.json())


@pytest.mark.parametrize("query", ["", "?street={street}", "?date_from={day}&date_to={day}"])
def test_the_mobilisation_activities_open_the_activity_list(demo, query):
    first = Activity.objects.order_by("starts_at").first()
    query = query.format(street=first.community.street_id, day=timezone.localdate(first.starts_at))
    content = leader().get(f"/dashboard/{query}").content.decode()
    section = content.split('data-testid="mobilisation"')[1].split("</section>")[0]
    url, shown = re.search(r'<a href="([^"]+)" data-mobilisation="activities"[^>]*>(\d+)<', section).groups()
    assert int(shown) > 0
    listing = leader().get(html.unescape(url)).content.decode()
    count = listing.split('data-testid="result-count"')[1].split("</p>")[0]
    assert int(re.search(r"\d+", count.split(">", 1)[1]).group()) == int(shown)


@pytest.mark.parametrize("kind", ["department", "street"])
def test_every_count_behind_an_evaluation_score_lists_exactly_its_cases(demo, kind):
    period = timezone.localtime(Case.objects.latest("created_at").created_at).strftime("%Y-%m")
    assert check_counts(leader(), f"/dashboard/evaluation/?period={period}&kind={kind}") > 10
