"""The one rule for a volunteer's phone (volunteers.permissions.volunteer_phone_for) gives the same answer on
the volunteer pages, in the API, in the export and in the admin, for every role."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from tests.factories import CommunityFactory, StaffProfileFactory, StreetFactory, UserFactory, VolunteerFactory

FULL, MASKED = "13912345678", "139****5678"


@pytest.fixture
def people(db):
    street = StreetFactory(name="滨河街道")
    volunteer = VolunteerFactory(community=CommunityFactory(street=street), phone=FULL, name="李志愿")
    return volunteer, {
        "staff_own": StaffProfileFactory(street=street).user,
        "staff_other": StaffProfileFactory(street=StreetFactory()).user,
        "officer": StaffProfileFactory(officer=True).user,
        "leader": StaffProfileFactory(leader=True).user,
        "admin": StaffProfileFactory(admin=True).user,
    }


SEES = [("staff_own", FULL), ("staff_other", MASKED), ("officer", MASKED), ("leader", MASKED), ("admin", MASKED)]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("user", "shown"), SEES)
def test_pages_api_and_export_show_a_volunteers_phone_alike(people, user, shown):
    volunteer, users = people
    client = _client(users[user])
    for url in ("/volunteers/", f"/volunteers/{volunteer.pk}/"):
        page = client.get(url).content.decode()
        assert shown in page
        if shown == MASKED:
            assert FULL not in page
    assert client.get(f"/api/v1/volunteers/{volunteer.pk}/").json()["phone"] == shown
    body = b"".join(client.get("/volunteers/export.csv").streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert [row[rows[0].index("手机号")] for row in rows[1:]] == [shown]


def test_the_admin_lists_and_edits_a_volunteer_with_the_phone_masked(people):
    volunteer, _users = people
    client = _client(UserFactory(is_superuser=True, is_staff=True))
    listing = client.get("/admin/volunteers/volunteer/").content.decode()
    assert MASKED in listing
    assert FULL not in listing
    form = client.get(f"/admin/volunteers/volunteer/{volunteer.pk}/change/").content.decode()
    assert MASKED in form
    assert FULL not in form
