"""The one rule for a resident reporter's phone (cases.permissions.reporter_phone_for) gives the same answer on
the case page, in the API, in the export and in the admin, for every role that may see the case."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

FULL, MASKED = "13812341234", "138****1234"

# Who sees the case at all, and whether they see the phone in full (DESIGN.md §4).
SEES = [
    ("staff_own", FULL),
    ("officer_lead", FULL),
    ("roadchief_own", MASKED),
    ("officer_assist", MASKED),
    ("leader", MASKED),
    ("admin", MASKED),
    ("superuser", MASKED),
]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _exported_phones(client: Client, number: str) -> list[str]:
    body = b"".join(client.get("/cases/export.csv", {"q": number}).streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    column = rows[0].index("反映人电话")
    return [row[column] for row in rows[1:]]


@pytest.mark.parametrize(("user", "shown"), SEES)
def test_page_api_and_export_show_the_reporter_phone_alike(world, user, shown):
    case = world.case_in("in_progress")
    client = _client(world.users[user])
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert shown in page
    if shown == MASKED:
        assert FULL not in page
    assert client.get(f"/api/v1/cases/{case.number}/").json()["reporter_phone"] == shown
    assert _exported_phones(client, case.number) == [shown]


def test_the_admin_shows_the_reporter_phone_as_the_rule_says(world):
    case = world.case_in("in_progress")
    page = _client(world.users["superuser"]).get(f"/admin/cases/case/{case.pk}/change/").content.decode()
    assert MASKED in page
    assert FULL not in page
