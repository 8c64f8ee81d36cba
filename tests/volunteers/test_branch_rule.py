"""Only a party member has a party branch: the page form, the API and the import refuse the same bad input
with the same message on the branch and change nothing (issue 14; the pages and API used to clear it silently)."""

from __future__ import annotations

from django.utils import translation

from tests.cases.test_api import assert_error
from tests.volunteers.test_api import api
from tests.volunteers.test_imports import row_problem
from volunteers.models import Volunteer
from volunteers.services import branch_error

PHONE = "13900004444"


def expected(mob) -> str:
    with translation.override("en"):
        return str(branch_error(False, mob.pairings["own"].branch))


def test_the_rule_answers_none_for_a_member_or_no_branch(mob):
    branch = mob.pairings["own"].branch
    assert branch_error(True, branch) is None
    assert branch_error(False, None) is None
    assert branch_error(True, None) is None
    assert branch_error(False, branch)


def test_the_page_form_refuses_a_branch_for_a_non_member(mob):
    client = mob.client("staff_own")
    client.post("/i18n/setlang/", {"language": "en"})
    data = {
        "name": "孙志强",
        "phone": PHONE,
        "community": mob.community.pk,
        "is_party_member": "",
        "branch": mob.pairings["own"].branch.pk,
    }
    response = client.post("/volunteers/new/", data)
    assert response.status_code == 400
    assert expected(mob) in response.content.decode().replace("&#x27;", "'")
    assert not Volunteer.objects.filter(phone=PHONE).exists()


def test_the_api_refuses_a_branch_for_a_non_member(mob):
    data = {
        "name": "孙志强",
        "phone": PHONE,
        "community": mob.community.pk,
        "is_party_member": False,
        "branch": mob.pairings["own"].branch.pk,
    }
    response = api(mob.users["staff_own"]).post("/api/v1/volunteers/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert assert_error(response, 400, "validation_error")["fields"] == {"branch": [expected(mob)]}
    assert not Volunteer.objects.filter(phone=PHONE).exists()


def test_the_api_refuses_unmarking_a_member_who_keeps_a_branch(mob):
    member = Volunteer.objects.create(
        name="党员", phone=PHONE, community=mob.community, is_party_member=True, branch=mob.pairings["own"].branch
    )
    client = api(mob.users["staff_own"])
    response = client.patch(f"/api/v1/volunteers/{member.pk}/", {"is_party_member": False}, HTTP_ACCEPT_LANGUAGE="en")
    assert assert_error(response, 400, "validation_error")["fields"] == {"branch": [expected(mob)]}
    member.refresh_from_db()
    assert member.is_party_member and member.branch == mob.pairings["own"].branch


def test_the_import_refuses_a_branch_for_a_non_member_with_the_same_message(mob):
    [(row, column, message)] = row_problem(mob, {4: mob.pairings["own"].branch.name, 3: "否"})
    assert (row, column, message) == (4, "党支部", expected(mob))
