"""The dashboard pages and GET /api/v1/dashboard/: every role, the same figures, filters, exports, bounded queries."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases.models import Campaign, Drive, TallyEntry
from communities.models import Community, Street
from dashboard.views import FIGURE_LABELS, figure_text
from tests.factories import CaseFactory


def as_user(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def api_as(username: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(username=username))
    return client


def page_figures(content: str) -> dict[str, str]:
    """The drive's figure cards of the overview page: {name: text}."""
    section = content.split('data-testid="figures"')[1].split("</section>")[0]
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', section))


def test_every_role_watches_the_dashboard(demo):
    # The issue "street staff and officers see their own figures" widened DESIGN.md §4 (leaders only):
    # street staff and officers open the dashboard within their scope (tests/dashboard/test_scope.py). Road chiefs
    # see only their roads' cases, so a street's figures (which open their cases) are not theirs.
    for username in ("leader", "admin", "staff", "officer"):
        assert as_user(username).get("/dashboard/").status_code == 200
        assert api_as(username).get("/api/v1/dashboard/").status_code == 200
    assert as_user("roadchief").get("/dashboard/").status_code == 302
    assert api_as("roadchief").get("/api/v1/dashboard/").status_code == 403


def test_the_overview_shows_the_drive_and_its_seven_campaigns(demo):
    content = as_user("leader").get("/dashboard/").content.decode()
    assert Drive.objects.get().name in content and "环境整治攻坚月" in Drive.objects.get().name
    cards = content.split('data-testid="campaigns"')[1].split("</section>")[0]
    for campaign in Campaign.objects.filter(drive__slug__isnull=False).order_by("order")[:7]:
        assert f"/dashboard/campaigns/{campaign.slug}/" in cards
    assert cards.count('href="/dashboard/campaigns/') == 7


@pytest.mark.parametrize("query", ["", "?street={street}", "?date_from=2026-11-20&date_to=2026-11-26"])
def test_the_page_and_the_api_show_the_same_figures(demo, query):
    query = query.format(street=Street.objects.get(name="滨河街道").pk)
    api = api_as("leader").get(f"/api/v1/dashboard/{query}").json()
    page = page_figures(as_user("leader").get(f"/dashboard/{query}").content.decode())
    assert page == {name: figure_text(api, name) for name in FIGURE_LABELS}


def test_a_street_filter_narrows_page_and_api(demo):
    leader = api_as("leader")
    everything = leader.get("/api/v1/dashboard/").json()
    binhe = Street.objects.get(name="滨河街道")
    narrowed = leader.get(f"/api/v1/dashboard/?street={binhe.pk}").json()
    assert 0 < narrowed["intake"] < everything["intake"]
    assert narrowed["intake"] == binhe.cases.count()
    assert page_figures(as_user("leader").get(f"/dashboard/?street={binhe.pk}").content.decode())["intake"] == str(
        narrowed["intake"]
    )


def test_the_tally_reproduces_the_demos_entries(demo):
    api = api_as("leader").get("/api/v1/dashboard/").json()
    expected = {
        row["metric__code"]: row["total"]
        for row in TallyEntry.objects.counted().values("metric__code").annotate(total=Sum("quantity"))
    }
    assert expected, "the demo has tally entries"
    shown = {row["metric"]: Decimal(str(row["total"])) for row in api["tally"] if row["total"]}
    assert shown == expected


def test_wrong_filters_are_refused_beside_the_field(demo):
    response = as_user("leader").get("/dashboard/?date_from=2026-13-01")
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    body = api_as("leader").get("/api/v1/dashboard/?campaign=no-such").json()
    assert body["code"] == "validation_error"
    assert "campaign" in body["fields"]


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/campaigns/street-disorder/",
        "/dashboard/rankings/",
        "/dashboard/bulletin/",
        "/dashboard/bulletin/?date_from=2026-11-01&date_to=2026-11-30",
    ],
)
def test_every_dashboard_page_renders(demo, url):
    response = as_user("leader").get(url)
    assert response.status_code == 200
    assert "Traceback" not in response.content.decode()


def test_the_rankings_say_how_each_score_is_computed(demo):
    content = as_user("leader").get("/dashboard/rankings/").content.decode()
    assert "应结案数" in content
    for group, figure in (("departments", "on_time_report_in_rate"), ("streets", "closure_rate")):
        assert f'data-testid="ranking-{group}-{figure}"' in content


@pytest.mark.parametrize(
    "table",
    [
        "campaigns",
        "street",
        "community",
        "category",
        "department",
        "daily",
        "tally",
        "overdue",
        "rankings-departments",
        "rankings-streets",
    ],
)
def test_every_table_exports_as_xlsx(demo, table):
    response = as_user("leader").get(f"/dashboard/export/{table}.xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0][0]  # a translated header
    assert any("\u4e00" <= char <= "\u9fff" for char in str(rows[0]))


def test_the_overview_costs_the_same_queries_with_more_cases(demo):
    leader = as_user("leader")
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert leader.get("/dashboard/").status_code == 200
        counts.append(len(queries))
        campaign = Campaign.objects.order_by("order").first()
        for _case in range(20):
            CaseFactory(campaign=campaign, category__campaign=campaign)
    assert counts[0] == counts[1]


def drive_mobilisation() -> dict[str, float]:
    """The latest drive's mobilisation figures, summed from the activity and participation rows."""
    from volunteers.models import Activity, Participation

    activities = Activity.objects.filter(campaign__drive=Campaign.objects.order_by("-drive__starts_on")[0].drive)
    parts = Participation.objects.filter(activity__in=activities)
    return {
        "branches": activities.exclude(branch=None).values("branch").distinct().count(),
        "volunteers": parts.values("volunteer").distinct().count(),
        "activities": activities.count(),
        "people_times": parts.count(),
        "hours": float(parts.aggregate(hours=Sum("hours"))["hours"] or 0),
    }


def test_mobilisation_counts_the_activities_of_the_drive(demo):
    from tests.factories import ActivityFactory, PartyBranchFactory, VolunteerFactory
    from volunteers.models import Participation

    before = drive_mobilisation()
    # The demo's weekend clean-ups are counted.
    assert before["activities"] > 0 and before["people_times"] > 0
    campaign = Campaign.objects.order_by("order").first()
    community = Community.objects.order_by("code").first()
    branch = PartyBranchFactory()
    volunteers = VolunteerFactory.create_batch(3, community=community, branch=branch, is_party_member=True)
    activity = ActivityFactory(campaign=campaign, community=community, branch=branch)
    for volunteer, hours in zip(volunteers, ("2.0", "3.5", "1.5"), strict=True):
        Participation.objects.create(activity=activity, volunteer=volunteer, hours=hours)
    figures = api_as("leader").get("/api/v1/dashboard/").json()["mobilisation"]
    # A new branch, three new volunteers, one more activity, three people-times and 7 hours more.
    expected = {
        "branches": before["branches"] + 1,
        "volunteers": before["volunteers"] + 3,
        "activities": before["activities"] + 1,
        "people_times": before["people_times"] + 3,
        "hours": before["hours"] + 7.0,
    }
    assert figures == expected == drive_mobilisation()
    content = as_user("leader").get("/dashboard/").content.decode()
    shown = re.findall(
        r'figure-value">([\d.,]+)<', content.split('data-testid="mobilisation"')[1].split("</section>")[0]
    )
    assert [float(value.replace(",", "")) for value in shown] == list(expected.values())


def test_links_and_exports_keep_the_filters(demo):
    binhe = Street.objects.get(name="滨河街道")
    content = as_user("leader").get(f"/dashboard/?street={binhe.pk}").content.decode()
    link = re.search(r'href="(/dashboard/export/campaigns\.csv\?[^"]+)"', content).group(1).replace("&amp;", "&")
    response = as_user("leader").get(link)
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    first = body.splitlines()[1].split(",")
    api = api_as("leader").get(f"/api/v1/dashboard/?street={binhe.pk}").json()
    assert first[0] == api["campaigns"][0]["name"]
    assert int(first[1]) == api["campaigns"][0]["intake"]
    card = re.search(r'href="(/dashboard/campaigns/[\w-]+/\?[^"]+)"', content).group(1)
    assert f"street={binhe.pk}" in card
