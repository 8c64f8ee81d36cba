"""The workflow matrix again, over HTTP: every action × state × user through /api/v1/, with §6's codes.

Expected outcomes come from the tables of test_workflow_matrix.py (DESIGN.md §3–4 restated), mapped to
the API's answers: not seeing the case → 404 not_found; the wrong role or tie → 403 forbidden; the
wrong state or a step already done → 409 invalid_state; allowed → 200 with the case.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from cases import workflow
from tests.cases.test_workflow_matrix import PLACES, STATES, USERS, Rollback, expected, inputs, records, sees
from tests.utils import photo_upload

ANSWERS = {
    "ok": (200, None),
    "not_found": (404, "not_found"),
    "role_not_allowed": (403, "forbidden"),
    "not_your_street": (403, "forbidden"),
    "not_your_road": (403, "forbidden"),
    "not_your_department": (403, "forbidden"),
    "invalid_state": (409, "invalid_state"),
    "already_done": (409, "invalid_state"),
}


def request_for(action: str, world, number: str) -> tuple[str, dict, str]:
    """The URL, body and format of the action's API request, with the same data as the workflow matrix."""
    if action == "add_photos":
        return f"/api/v1/cases/{number}/photos/", {"photos": [photo_upload()], "stage": "before"}, "multipart"
    body = dict(inputs(action, world))
    if action == "dispatch":
        body["lead_department"] = world.lead.pk
    if action in ("request_extension", "supervise", "request_deferral"):
        body["until"] = body["until"].isoformat()
    return f"/api/v1/cases/{number}/{action}/", body, "json"


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(workflow.ACTIONS))
def test_the_api_answers_as_the_workflow_rules_say(world, action, state, place):
    where = {} if place == "on_road" else {"road": None, "created_by": world.users["roadchief_other"]}
    case = world.case_in(
        state,
        pending_extension=action == "approve_extension",
        pending_deferral=action == "decide_deferral",
        **where,
    )
    client = APIClient()
    mismatches = []
    for user in USERS:
        client.force_authenticate(world.users[user])
        status, code = ANSWERS[expected(action, state, user, place)]
        if action == "add_photos" and status == 200:
            status = 201
        url, body, body_format = request_for(action, world, case.number)
        before = records()
        try:
            with transaction.atomic():
                response = client.post(url, body, format=body_format)
                raise Rollback
        except Rollback:
            pass
        got = (response.status_code, response.json().get("code") if response.status_code >= 400 else None)
        if got != (status, code):
            mismatches.append(f"{user}: expected {status} {code}, got {got[0]} {got[1]}: {response.content[:200]}")
        assert records() == before
        # Reading the case follows the same visibility.
        detail = client.get(f"/api/v1/cases/{case.number}/").status_code
        if detail != (200 if sees(user, state, place) else 404):
            mismatches.append(f"{user}: GET answered {detail}")
    assert not mismatches, f"{action} in {state} ({place}):\n" + "\n".join(mismatches)
