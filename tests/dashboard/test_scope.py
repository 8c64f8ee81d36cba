"""Each role's dashboard scope (dashboard/permissions.py): street staff their street, officers the cases their
department had a part in, leaders everything, road chiefs and users without a role nothing; pages, API and exports
alike.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases.choices import AssignmentRole, CaseState
from dashboard.permissions import DISTRICT, DashboardScope, dashboard_scope
from tests.factories import AssignmentFactory, CommunityFactory, UserFactory

INVALID_CHOICE = "选择一个有效的选项"  # Django's own "Select a valid choice", in the default language

# What the dashboard counts for each user of the world, with the cases `scoped_world` files:
# 3 in 滨河街道 (one dispatched to the lead and assisting departments), 5 in 大南街道 (one dispatched likewise,
# one where the unrelated department has a part).
INTAKE = {
    "leader": 8,
    "admin": 8,
    "superuser": 8,
    "staff_own": 3,
    "staff_other": 5,
    "officer_lead": 2,
    "officer_assist": 2,
    "officer_unrelated": 1,
}


@pytest.fixture
def scoped_world(world):
    """The world with cases in both streets and parts for each of its departments."""
    other_community = CommunityFactory(street=world.other_street)
    for _ in range(2):
        world.case_in(CaseState.REGISTERED)
    world.case_in(CaseState.DISPATCHED)
    in_other = {"community": other_community, "street": world.other_street, "road": None}
    world.case_in(CaseState.DISPATCHED, **in_other)
    for _ in range(3):
        world.case_in(CaseState.REGISTERED, **in_other)
    AssignmentFactory(
        case=world.case_in(CaseState.REGISTERED, **in_other), department=world.unrelated, role=AssignmentRole.CC
    )
    return world


def page_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def page_intake(content: str) -> str:
    """The intake card of the overview's figures."""
    section = content.split('data-testid="figures"')[1].split("</section>")[0]
    return re.search(r'data-figure="intake">([^<]*)<', section).group(1)


def test_the_scope_of_each_role(world):
    users = world.users
    assert dashboard_scope(users["leader"]) == DISTRICT
    assert dashboard_scope(users["admin"]) == DISTRICT
    assert dashboard_scope(users["superuser"]) == DISTRICT
    assert dashboard_scope(users["staff_own"]) == DashboardScope(street_id=world.street.pk)
    assert dashboard_scope(users["roadchief_own"]) is None  # sees only its roads' cases: no street's figures
    assert dashboard_scope(users["staff_other"]) == DashboardScope(street_id=world.other_street.pk)
    assert dashboard_scope(users["officer_lead"]) == DashboardScope(department_id=world.lead.pk)
    assert dashboard_scope(UserFactory()) is None


@pytest.mark.parametrize(("username", "intake"), INTAKE.items())
def test_each_role_sees_its_own_figures_on_the_page_and_the_api(scoped_world, username, intake):
    user = scoped_world.users[username]
    assert api_as(user).get("/api/v1/dashboard/").json()["intake"] == intake
    content = page_as(user).get("/dashboard/").content.decode()
    assert page_intake(content) == str(intake)
    note = re.search(r'data-testid="dashboard-scope">([^<]*)<', content)
    if username in ("leader", "admin", "superuser"):
        assert note is None  # nothing forced, nothing to say
    elif username.startswith("officer"):
        assert dashboard_scope(user).place().name in note.group(1)
    else:
        assert note.group(1) == f"{dashboard_scope(user).place().name} · 仅本街道数据"


def test_street_staff_cannot_open_another_street(scoped_world):
    staff = scoped_world.users["staff_own"]
    other = scoped_world.other_street.pk
    for url in ("/dashboard/", "/dashboard/rankings/", "/dashboard/bulletin/"):
        response = page_as(staff).get(f"{url}?street={other}")
        assert response.status_code == 400
        assert INVALID_CHOICE in response.content.decode()
    body = api_as(staff).get(f"/api/v1/dashboard/?street={other}").json()
    assert body["code"] == "validation_error"
    assert INVALID_CHOICE in body["fields"]["street"][0]
    # Nor one of its communities.
    community = scoped_world.other_street.communities.get().pk
    assert api_as(staff).get(f"/api/v1/dashboard/?community={community}").status_code == 400
    # Its own street, said aloud, is the same as saying nothing.
    own = api_as(staff).get(f"/api/v1/dashboard/?street={scoped_world.street.pk}").json()
    assert own["intake"] == INTAKE["staff_own"]


def test_an_officer_cannot_open_another_department(scoped_world):
    officer = scoped_world.users["officer_lead"]
    response = page_as(officer).get(f"/dashboard/?department={scoped_world.assist.pk}")
    assert response.status_code == 400
    assert INVALID_CHOICE in response.content.decode()
    body = api_as(officer).get(f"/api/v1/dashboard/?department={scoped_world.assist.pk}").json()
    assert body["code"] == "validation_error" and "department" in body["fields"]


def test_a_leader_still_filters_any_street(scoped_world):
    leader = api_as(scoped_world.users["leader"])
    assert leader.get(f"/api/v1/dashboard/?street={scoped_world.other_street.pk}").json()["intake"] == 5
    assert leader.get(f"/api/v1/dashboard/?department={scoped_world.unrelated.pk}").json()["intake"] == 1


def test_the_filter_form_offers_only_the_users_street_and_its_communities(scoped_world):
    content = page_as(scoped_world.users["staff_own"]).get("/dashboard/").content.decode()
    street_select = content.split('name="street"')[1].split("</select>")[0]
    assert f'value="{scoped_world.street.pk}" selected' in street_select
    assert scoped_world.other_street.name not in street_select
    community_select = content.split('name="community"')[1].split("</select>")[0]
    assert scoped_world.community.name in community_select
    assert scoped_world.other_street.communities.get().name not in community_select


def test_every_page_of_street_staff_is_scoped_and_its_links_keep_the_street(scoped_world):
    staff = page_as(scoped_world.users["staff_own"])
    overview = staff.get("/dashboard/").content.decode()
    street = f"street={scoped_world.street.pk}"
    campaign_link = re.search(r'href="(/dashboard/campaigns/[^"?]+/\?[^"]+)"', overview).group(1).replace("&amp;", "&")
    assert street in campaign_link
    for url in (campaign_link, f"/dashboard/rankings/?{street}", f"/dashboard/bulletin/?{street}"):
        response = staff.get(url)
        assert response.status_code == 200
        assert 'data-testid="dashboard-scope"' in response.content.decode()
    # The rankings of streets hold the user's street alone.
    ranked = {row[2] for row in export_rows(staff, "/dashboard/export/rankings-streets.csv")[1:]}
    assert ranked == {scoped_world.street.name}


def export_rows(client: Client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_exports_are_scoped(scoped_world):
    staff = page_as(scoped_world.users["staff_own"])
    streets = [row[0] for row in export_rows(staff, "/dashboard/export/street.csv")[1:]]
    assert streets == [scoped_world.street.name]
    officer = page_as(scoped_world.users["officer_lead"])
    departments = [row[0] for row in export_rows(officer, "/dashboard/export/department.csv")[1:]]
    assert departments == [scoped_world.lead.name]
    leader = page_as(scoped_world.users["leader"])
    everyone = {row[0] for row in export_rows(leader, "/dashboard/export/street.csv")[1:]}
    assert everyone == {scoped_world.street.name, scoped_world.other_street.name}
    # Another street's export goes back to the page, which says what is wrong.
    response = staff.get(f"/dashboard/export/street.csv?street={scoped_world.other_street.pk}", follow=True)
    assert response.status_code == 400 and INVALID_CHOICE in response.content.decode()


@pytest.mark.parametrize("username", ["staff_own", "officer_lead"])
def test_a_scoped_overview_costs_the_same_queries_with_more_cases(scoped_world, username):
    client = page_as(scoped_world.users[username])
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/dashboard/").status_code == 200
        counts.append(len(queries))
        for _case in range(5):
            scoped_world.case_in(CaseState.DISPATCHED)
    assert counts[0] == counts[1]


def test_a_user_without_a_role_is_refused(world):
    user = UserFactory()
    response = page_as(user).get("/dashboard/")
    assert response.status_code == 302 and response.url == "/"
    body = api_as(user).get("/api/v1/dashboard/").json()
    assert body["code"] == "forbidden"
    assert page_as(user).get("/dashboard/export/street.csv").status_code == 302


@pytest.mark.parametrize("username", ["staff_own", "officer_lead", "leader"])
def test_the_menu_links_the_dashboard_for_every_role(world, username):
    assert 'href="/dashboard/"' in page_as(world.users[username]).get("/").content.decode()


def test_the_menu_has_no_dashboard_for_a_user_without_a_role(world):
    assert 'href="/dashboard/"' not in page_as(UserFactory()).get("/").content.decode()
