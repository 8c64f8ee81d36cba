"""Notification pages: the bell, the list, mark read, open, settings (DESIGN.md §9)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import workflow
from cases.choices import CaseState
from notifications.models import Notification, NotificationSettings
from tests.utils import client_for

pytestmark = pytest.mark.django_db


def whistle(world):
    """Staff dispatch a whistle to the lead department: its officer is told."""
    case = world.case_in(CaseState.REGISTERED)
    workflow.dispatch(world.users["staff_own"], case, lead_department=world.lead, whistle=True)
    case.refresh_from_db()
    return case


def bell_count(client) -> int:
    html = client.get(reverse("notifications:bell")).content.decode()
    return int(re.search(r'data-testid="bell-count">(\d+)<', html).group(1))


def test_the_page_carries_the_bell_without_a_count_and_the_fragment_brings_it(world):
    officer = world.users["officer_lead"]
    client = client_for(officer)
    page = client.get(reverse("home")).content.decode()
    bell = re.search(r'<a [^>]*data-testid="bell"[^>]*>', page).group(0)
    assert 'hx-get="/notifications/bell/"' in bell and 'hx-trigger="load, every 5s"' in bell
    assert 'href="/notifications/"' in bell
    assert bell_count(client) == 0
    whistle(world)
    assert bell_count(client) == Notification.objects.filter(recipient=officer).count() == 1
    fragment = client.get(reverse("notifications:bell")).content.decode()
    assert (
        "<html" not in fragment
        and 'aria-label="' in fragment
        and "1" in re.search(r'aria-label="([^"]+)"', fragment).group(1)
    )
    # The fragment keeps polling but never re-triggers on load (that would loop).
    assert 'hx-trigger="every 5s"' in fragment


def test_signed_out_bell_stops_polling(client):
    assert client.get(reverse("notifications:bell")).status_code == 286


def test_the_list_shows_titles_numbers_and_unread(world):
    case = whistle(world)
    client = client_for(world.users["officer_lead"])
    html = client.get(reverse("notifications:list")).content.decode()
    assert case.number in html and f'href="/cases/{case.number}/"' in html
    assert 'data-read="false"' in html and 'data-testid="countdown"' in html
    assert f'data-countdown="{Notification.objects.get().data["report_in_due_at"]}"' in html
    # The officer may report in now: a one-click form posting the case's report_in action.
    assert f'action="/cases/{case.number}/report_in/"' in html
    assert "js/notifications.js" in html


def test_no_report_in_button_once_reported_in(world):
    case = whistle(world)
    officer = world.users["officer_lead"]
    workflow.report_in(officer, case)
    html = client_for(officer).get(reverse("notifications:list")).content.decode()
    assert 'data-testid="report-in"' not in html


def test_the_list_is_newest_first_and_paginated(world):
    officer = world.users["officer_lead"]
    for index in range(25):
        Notification.objects.create(recipient=officer, kind="new_report", key=f"k{index}", data={})
    client = client_for(officer)
    first = client.get(reverse("notifications:list"))
    assert first.context["page_obj"].paginator.num_pages == 2
    keys = [item.key for item in first.context["notifications"]]
    assert len(keys) == 20 and keys[0] == "k24"
    assert len(client.get(reverse("notifications:list") + "?page=2").context["notifications"]) == 5


def test_mark_read_and_mark_all(world):
    officer = world.users["officer_lead"]
    one, _two, _three = (
        Notification.objects.create(recipient=officer, kind="new_report", key=f"k{index}") for index in range(3)
    )
    client = client_for(officer)
    response = client.post(reverse("notifications:read", args=[one.pk]), {"next": "/notifications/?page=1"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?page=1"
    one.refresh_from_db()
    assert one.read and bell_count(client) == 2
    # A `next` to another site is not followed.
    response = client.post(reverse("notifications:read_all"), {"next": "https://evil.example/"})
    assert response["Location"] == "/notifications/"
    assert bell_count(client) == 0
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_mark_read_needs_post_and_csrf(world):
    officer = world.users["officer_lead"]
    item = Notification.objects.create(recipient=officer, kind="new_report", key="k")
    client = client_for(officer)
    assert client.get(reverse("notifications:read", args=[item.pk])).status_code == 405
    strict = client_for(officer)
    strict.handler.enforce_csrf_checks = True
    assert strict.post(reverse("notifications:read", args=[item.pk])).status_code == 403
    item.refresh_from_db()
    assert not item.read


def test_open_marks_read_and_goes_to_the_case(world):
    case = whistle(world)
    officer = world.users["officer_lead"]
    item = Notification.objects.get(recipient=officer)
    response = client_for(officer).get(reverse("notifications:open", args=[item.pk]))
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    item.refresh_from_db()
    assert item.read


def test_another_users_notification_is_404(world):
    item = Notification.objects.create(recipient=world.users["officer_lead"], kind="new_report", key="k")
    other = client_for(world.users["officer_assist"])
    assert other.get(reverse("notifications:open", args=[item.pk])).status_code == 404
    assert other.post(reverse("notifications:read", args=[item.pk])).status_code == 404
    other.post(reverse("notifications:read_all"))
    item.refresh_from_db()
    assert not item.read
    assert "k" not in [n.key for n in other.get(reverse("notifications:list")).context["notifications"]]


def test_pages_need_a_signed_in_user(client):
    for name in ("notifications:list", "notifications:settings"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_settings_are_saved(world):
    officer = world.users["officer_lead"]
    officer.email = ""
    officer.save()
    client = client_for(officer)
    page = client.get(reverse("notifications:settings")).content.decode()
    assert 'data-testid="no-email"' in page
    response = client.post(reverse("notifications:settings"), {"language": "en"})
    assert response.status_code == 302
    saved = NotificationSettings.objects.get(user=officer)
    assert saved.email is False and saved.language == "en"
    officer.email = "officer@shenhe.example"
    officer.save()
    page = client.get(reverse("notifications:settings")).content.decode()
    assert 'data-testid="no-email"' not in page and "officer@shenhe.example" in page
    assert client.post(reverse("notifications:settings"), {"email": "on", "language": "xx"}).status_code == 400


def test_bell_and_list_queries_are_bounded(world):
    officer = world.users["officer_lead"]
    client = client_for(officer)
    whistle(world)

    def queries(url: str) -> int:
        client.get(url)  # warm up (session, user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    bell, listing = queries(reverse("notifications:bell")), queries(reverse("notifications:list"))
    for index in range(30):
        Notification.objects.create(
            recipient=officer, kind="new_report", key=f"k{index}", case=world.case_in("registered")
        )
    assert queries(reverse("notifications:bell")) == bell <= 4
    assert queries(reverse("notifications:list")) <= listing + 1


def test_the_report_in_button_reports_in(world):
    case = whistle(world)
    officer = world.users["officer_lead"]
    client = client_for(officer)
    response = client.post(reverse("cases:case_action", args=[case.number, "report_in"]), {"next": "/notifications/"})
    assert response.status_code == 302
    assert case.assignments.get(department=world.lead).reported_in_at is not None
