"""Rankings say how many cases stand behind each rate, rank only units with enough of them, list every unit."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from communities.models import Department, Street
from dashboard.queries import DEPARTMENT_RANKINGS, STREET_RANKINGS, DashboardFilters, rankings


def leader() -> Client:
    client = Client()
    client.force_login(User.objects.get(username="leader"))
    return client


def test_every_street_and_department_is_listed_with_n_of_m(demo):
    ranked = rankings(DashboardFilters.from_query({}), minimum=0)
    for ranking in STREET_RANKINGS:
        entries = ranked["streets"][ranking.figure]
        assert sorted(entry["id"] for entry in entries) == sorted(Street.objects.values_list("pk", flat=True))
        for entry in entries:
            assert entry["part"] == entry["figures"][ranking.part]
            assert entry["whole"] == entry["figures"][ranking.whole]
    for ranking in DEPARTMENT_RANKINGS:
        entries = ranked["departments"][ranking.figure]
        assert len(entries) == Department.objects.count()


@pytest.mark.parametrize("ranking", [*DEPARTMENT_RANKINGS, *STREET_RANKINGS], ids=lambda r: r.figure)
def test_units_with_fewer_cases_than_the_minimum_are_listed_but_not_ranked(demo, ranking):
    group = "departments" if ranking in DEPARTMENT_RANKINGS else "streets"
    everything = rankings(DashboardFilters.from_query({}), minimum=0)[group][ranking.figure]
    wholes = sorted({entry["whole"] for entry in everything if entry["value"] is not None})
    assert len(wholes) >= 2, "the demo should have units of different sizes"
    minimum = wholes[len(wholes) // 2]  # about half the units fall below it

    entries = rankings(DashboardFilters.from_query({}), minimum=minimum)[group][ranking.figure]

    assert len(entries) == len(everything)
    ranked = [entry for entry in entries if entry["rank"] is not None]
    unranked = [entry for entry in entries if entry["rank"] is None]
    assert ranked and unranked
    assert entries[: len(ranked)] == ranked  # ranked first
    assert all(entry["whole"] >= minimum for entry in ranked)
    assert all(entry["whole"] < minimum or entry["value"] is None for entry in unranked)
    assert all(entry["too_few"] for entry in unranked if entry["value"] is not None)
    values = [entry["value"] for entry in ranked]
    assert values == sorted(values, reverse=ranking.best_high)
    assert ranked[0]["rank"] == 1


def test_the_minimum_is_a_setting_and_the_page_says_so(demo, settings):
    settings.DASHBOARD_RANKING_MIN_CASES = 10**6
    content = leader().get("/dashboard/rankings/").content.decode()
    table = content.split('data-testid="ranking-streets-closure_rate"')[1].split("</table>")[0]
    assert table.count("<tr data-unit=") == Street.objects.count()
    assert "不排名" in table
    assert not re.search(r"<td>\d+</td>", table)  # nobody has a million cases: no rank at all
    assert "1000000" in content  # the rule is printed with its number

    settings.DASHBOARD_RANKING_MIN_CASES = 0
    content = leader().get("/dashboard/rankings/").content.decode()
    table = content.split('data-testid="ranking-streets-closure_rate"')[1].split("</table>")[0]
    assert "<td>1</td>" in table and "不排名" not in table


def test_the_bulletin_lists_every_street(demo):
    content = leader().get("/dashboard/bulletin/").content.decode()
    table = content.split('data-testid="bulletin-streets"')[1].split("</table>")[0]
    for street in Street.objects.all():
        assert f">{street.name}</th>" in table
    assert table.count("<tr data-unit=") == Street.objects.count()


def test_in_english_the_rankings_say_n_of_m(demo):
    client = leader()
    client.cookies.load({"django_language": "en"})
    content = client.get("/dashboard/rankings/").content.decode()
    assert re.search(r'data-count="part">\d+</a> of <a [^>]*data-count="whole">\d+</a>', content)
    assert "Cases behind it" in content
