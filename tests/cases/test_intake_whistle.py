"""A whistle at intake (吹哨) is one step of workflow.create_case: the page and the API file and dispatch
the case in one transaction, by the same rules, and refuse alike (nothing saved) without a road."""

from __future__ import annotations

import pytest

from cases.choices import AssignmentRole, CaseState
from cases.models import Case, CaseEvent
from tests.cases.test_api import assert_error, token_client
from tests.cases.test_views import client_for, intake_data


def _page(world, **extra):
    data = intake_data(world, whistle_lead=world.lead.pk, whistle_assist=[world.assist.pk], **extra)
    return client_for(world.users["roadchief_own"]).post("/cases/new/", data)


def _api(world, **extra):
    body = {
        "title": "青年大街沿线小广告",
        "description": "电线杆上贴满小广告",
        "category": world.category.code,
        "community": world.community.pk,
        "lead_department": world.lead.pk,
        "assist_departments": [world.assist.pk],
        "whistle": True,
        **extra,
    }
    return token_client(world.users["roadchief_own"]).post("/api/v1/cases/", body, format="json")


def _shape(case: Case) -> dict:
    """What the two ways of filing must agree on."""
    return {
        "state": case.state,
        "whistle": case.whistle,
        "window": case.report_in_due_at - case.dispatched_at,
        "parts": sorted((a.department_id, a.role, a.whistle) for a in case.assignments.all()),
        "events": [(e.action, e.from_state, e.to_state) for e in CaseEvent.objects.filter(case=case).order_by("pk")],
    }


def test_the_page_and_the_api_whistle_at_intake_alike(world):
    assert _page(world, road=world.road.pk).status_code == 302
    by_page = Case.objects.get()
    response = _api(world, road=world.road.pk)
    assert response.status_code == 201, response.content
    by_api = Case.objects.get(number=response.json()["number"])
    assert response.json()["state"] == CaseState.DISPATCHED
    assert _shape(by_page) == _shape(by_api)
    assert _shape(by_api)["parts"] == sorted(
        [(world.lead.pk, AssignmentRole.LEAD, True), (world.assist.pk, AssignmentRole.ASSIST, True)]
    )
    assert [event[0] for event in _shape(by_api)["events"]] == ["create", "dispatch"]


@pytest.mark.parametrize("way", ["page", "api"])
def test_a_whistle_without_a_road_is_refused_and_files_nothing(world, way):
    if way == "page":
        response = _page(world)
        assert response.status_code == 400
        assert 'id="id_road_error"' in response.content.decode()
    else:
        body = assert_error(_api(world), 400, "validation_error")
        assert "road" in body["fields"]
    assert Case.objects.count() == 0
    assert CaseEvent.objects.count() == 0


def test_a_whistle_the_actor_may_not_blow_files_nothing(world):
    # Street staff may dispatch, but not on another street's community: the whole intake is refused.
    body = {
        "title": "小广告",
        "category": world.category.code,
        "community": world.community.pk,
        "lead_department": world.lead.pk,
    }
    response = token_client(world.users["staff_other"]).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_street_staff_may_dispatch_at_intake_without_a_whistle(world):
    body = {"title": "楼道堆物", "category": world.category.code, "community": world.community.pk}
    response = token_client(world.users["staff_own"]).post(
        "/api/v1/cases/", body | {"lead_department": world.lead.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.state == CaseState.DISPATCHED
    assert case.whistle is False
