"""The notifications API (DESIGN.md §9): notifications/, notifications/{id}/read/, notifications/read-all/, me/."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from cases import workflow
from cases.choices import CaseState
from notifications.models import Notification

pytestmark = pytest.mark.django_db

API = "/api/v1/"


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def whistle(world):
    case = world.case_in(CaseState.REGISTERED)
    workflow.dispatch(world.users["staff_own"], case, lead_department=world.lead, whistle=True)
    case.refresh_from_db()
    return case


def test_the_list_has_the_fields_newest_first(world):
    officer = world.users["officer_lead"]
    case = whistle(world)
    Notification.objects.create(
        recipient=officer, kind="new_report", key="later", created_at=timezone.now() + timezone.timedelta(minutes=1)
    )
    Notification.objects.create(recipient=world.users["officer_assist"], kind="new_report", key="someone else's")
    body = api_for(officer).get(API + "notifications/").json()
    assert body["count"] == 2
    newest, told = body["results"]
    assert set(told) == {"id", "kind", "case", "title", "created_at", "read"}
    assert newest["case"] is None and newest["kind"] == "new_report"
    assert told["kind"] == "whistle" and told["case"] == case.number and told["read"] is False
    assert (case.number in told["title"] and "吹哨" in told["title"]) or "报到" in told["title"]


def test_the_title_follows_the_callers_language(world):
    whistle(world)
    body = api_for(world.users["officer_lead"]).get(API + "notifications/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["results"][0]["title"].startswith("Whistle")


def test_mark_one_read_and_all(world):
    officer = world.users["officer_lead"]
    items = [Notification.objects.create(recipient=officer, kind="new_report", key=f"k{index}") for index in range(3)]
    client = api_for(officer)
    response = client.post(API + f"notifications/{items[0].pk}/read/")
    assert response.status_code == 200 and response.json()["read"] is True
    assert client.get(API + "me/").json()["unread_notifications"] == 2
    assert client.post(API + "notifications/read-all/").json() == {"marked": 2}
    assert client.post(API + "notifications/read-all/").json() == {"marked": 0}
    assert client.get(API + "me/").json()["unread_notifications"] == 0


def test_another_users_notification_is_404(world):
    item = Notification.objects.create(recipient=world.users["officer_lead"], kind="new_report", key="k")
    client = api_for(world.users["officer_assist"])
    response = client.post(API + f"notifications/{item.pk}/read/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.post(API + "notifications/read-all/").json() == {"marked": 0}
    item.refresh_from_db()
    assert not item.read


def test_signed_out_is_401():
    client = APIClient()
    assert client.get(API + "notifications/").status_code in (401, 403)
    assert client.post(API + "notifications/read-all/").status_code in (401, 403)


def test_me_counts_unread(world):
    officer = world.users["officer_lead"]
    assert api_for(officer).get(API + "me/").json()["unread_notifications"] == 0
    whistle(world)
    assert api_for(officer).get(API + "me/").json()["unread_notifications"] == 1


def test_the_list_queries_are_bounded(world):
    officer = world.users["officer_lead"]
    client = api_for(officer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(API + "notifications/").status_code == 200
        return len(captured)

    whistle(world)
    few = queries()
    for index in range(20):
        Notification.objects.create(
            recipient=officer, kind="new_report", key=f"k{index}", case=world.case_in(CaseState.REGISTERED)
        )
    assert queries() == few
