"""DESIGN.md §6's field names, which outside systems rely on, on the demo data."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from tests.factories import ActivityFactory
from volunteers.models import Volunteer

CONTRACT = {
    "cases": {
        "number",
        "state",
        "title",
        "description",
        "category",
        "campaign",
        "street",
        "community",
        "compound",
        "road",
        "frontage_unit",
        "address",
        "latitude",
        "longitude",
        "source",
        "reporter_name",
        "reporter_phone",
        "created_at",
        "report_in_due_at",
        "resolve_due_at",
        "overdue",
    },
    "categories": {"code", "name", "campaign", "default_department", "metrics"},
    "departments": {"id", "name"},
    "streets": {"id", "name"},
    "communities": {"id", "name"},
    "roads": {"id", "name", "street", "road_chief"},
    "metrics": {"code", "name", "unit"},
    "party-branches": {"id", "name", "community", "members"},
    "volunteers": {"id", "name", "phone", "community", "is_party_member", "branch"},
}


def client_as(username: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(username=username))
    return client


@pytest.mark.parametrize("resource", list(CONTRACT))
def test_each_resource_has_the_fields_of_the_contract(demo, resource):
    body = client_as("leader").get(f"/api/v1/{resource}/").json()
    assert body["results"], f"the demo has {resource}"
    assert CONTRACT[resource] <= set(body["results"][0])


def test_a_case_names_its_category_and_campaign_by_code_and_slug(demo):
    case = client_as("leader").get("/api/v1/cases/?state=closed").json()["results"][0]
    assert client_as("leader").get(f"/api/v1/categories/{case['category']}/").status_code == 200
    assert client_as("leader").get(f"/api/v1/campaigns/{case['campaign']}/").status_code == 200
    assert isinstance(case["overdue"], bool)


def test_volunteer_phones_are_whole_only_for_their_streets_staff(demo):
    volunteer = Volunteer.objects.filter(community__street__staff__user__username="staff").first()
    whole = client_as("staff").get(f"/api/v1/volunteers/{volunteer.pk}/").json()["phone"]
    masked = client_as("staff2").get(f"/api/v1/volunteers/{volunteer.pk}/").json()["phone"]
    assert whole == volunteer.phone
    assert masked == f"{volunteer.phone[:3]}****{volunteer.phone[-4:]}"
    assert client_as("leader").get(f"/api/v1/volunteers/{volunteer.pk}/").json()["phone"] == masked


def test_an_activity_lists_participants_and_its_tally(demo):
    from cases.models import Metric, TallyEntry
    from volunteers.models import Participation

    volunteer = Volunteer.objects.first()
    activity = ActivityFactory(community=volunteer.community)
    Participation.objects.get_or_create(activity=activity, volunteer=volunteer, defaults={"hours": "2.5"})
    metric = Metric.objects.get(code="stairwells_cleaned")
    TallyEntry.objects.create(
        metric=metric,
        quantity=12,
        date=activity.starts_at.date(),
        community=activity.community,
        campaign=activity.campaign,
        activity=activity,
    )
    body = client_as("leader").get(f"/api/v1/activities/{activity.pk}/").json()
    assert {"id", "title", "date", "community", "campaign", "branch", "participants", "tally"} <= set(body)
    assert {"volunteer": volunteer.pk, "hours": "2.5"} in body["participants"]
    assert body["tally"]["stairwells_cleaned"] == "12.00"
