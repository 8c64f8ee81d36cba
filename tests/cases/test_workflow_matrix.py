"""Every action × every state × every role and relationship, from DESIGN.md §3–4 restated as tables.

The tables below are written from the design, not from cases/permissions.py, so that a slip in
either shows up as a mismatch. For each (action, state) the test tries every user on a fresh case
and checks: allowed → exactly one new event; refused → the right reason and nothing changed.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from cases import workflow
from cases.choices import CaseState
from cases.models import Assignment, CaseEvent, Photo, TallyEntry
from cases.permissions import ACTION_RULES
from core.errors import DomainError
from tests.utils import photo_upload

STATES = list(CaseState.values)

# DESIGN.md §3: the states each action starts from.
FROM_STATES = {
    "accept": {"reported"},
    "reject": {"reported", "registered"},
    "dispatch": {"registered"},
    "report_in": {"dispatched", "in_progress"},
    "send_back": {"dispatched", "in_progress"},
    "resolve": {"in_progress"},
    "verify": {"resolved"},
    "rework": {"resolved"},
    "reopen": {"closed"},
    "request_extension": {"dispatched", "in_progress"},
    "approve_extension": {"dispatched", "in_progress"},
    "supervise": {"dispatched", "in_progress"},
    "request_deferral": {"in_progress"},
    "decide_deferral": {"in_progress"},
    "comment": set(STATES),
    "add_photos": {"reported", "registered", "dispatched", "in_progress", "resolved"},
}

# DESIGN.md §3's "who", as the users of the test world that fit it.
WHO = {
    "accept": {"staff_own"},
    "reject": {"staff_own"},
    "dispatch": {"staff_own", "roadchief_own"},
    "report_in": {"officer_lead", "officer_assist"},
    "send_back": {"officer_lead"},
    "resolve": {"officer_lead"},
    "verify": {"staff_own"},
    "rework": {"staff_own"},
    "reopen": {"staff_own", "leader"},
    "request_extension": {"officer_lead"},
    "approve_extension": {"leader"},
    "supervise": {"leader", "admin", "superuser"},
    "request_deferral": {"officer_lead"},
    "decide_deferral": {"leader"},
    "comment": "viewers",
    "add_photos": "viewers",
}

ROLE_OF = {
    "staff_own": "street_staff",
    "staff_other": "street_staff",
    "roadchief_own": "road_chief",
    "roadchief_other": "road_chief",
    "officer_lead": "dept_officer",
    "officer_assist": "dept_officer",
    "officer_unrelated": "dept_officer",
    "leader": "leader",
    "admin": "admin",
    "superuser": "admin",
}
USERS = list(ROLE_OF)

# Why a user of an allowed role who sees the case is still refused: what ties them to it is missing.
RELATION_REASON = {
    "roadchief_own": "not_your_road",
    "roadchief_other": "not_your_road",
    "officer_lead": "not_your_department",
    "officer_assist": "not_your_department",
}

# Two cases in staff_own's street: one on roadchief_own's road, one off the roads that roadchief_other filed.
PLACES = ["on_road", "filed_by_other_chief"]
# DESIGN.md §4: departments see a case once it has been dispatched to them.
ASSIGNED_STATES = {"dispatched", "in_progress", "resolved", "closed"}


def sees(user: str, state: str, place: str) -> bool:
    if user in ("staff_own", "leader", "admin", "superuser"):
        return True
    if user == "roadchief_own":
        return place == "on_road"
    if user == "roadchief_other":
        return place == "filed_by_other_chief"
    if user in ("officer_lead", "officer_assist"):
        return state in ASSIGNED_STATES
    return False


def expected(action: str, state: str, user: str, place: str) -> str:
    """'ok' or the reason DESIGN.md gives for refusing; a case one may not see is simply not found."""
    if not sees(user, state, place):
        return "not_found"
    who = WHO[action]
    if who == "viewers":
        return "ok" if state in FROM_STATES[action] else "invalid_state"
    allowed_roles = {ROLE_OF[name] for name in who}
    if action == "dispatch" and place != "on_road":
        who = who - {"roadchief_own"}  # the road chief's whistle is for cases on their roads
    if ROLE_OF[user] not in allowed_roles:
        return "role_not_allowed"
    if state not in FROM_STATES[action]:
        return "invalid_state"
    if action == "report_in" and state == "in_progress" and user == "officer_lead":
        return "already_done"  # the lead reported in when the case went in progress
    if user in who:
        return "ok"
    return RELATION_REASON.get(user, "role_not_allowed")


def inputs(action: str, world) -> dict:
    """Valid data for each action, so that only the user and the state decide."""
    return {
        "reject": {"reason": "不属于环境整治范围"},
        "dispatch": {"lead_department": world.lead},
        "send_back": {"reason": "不属于本部门职责"},
        "resolve": {"note": "已清理完毕", "tally": {world.metric.code: "3"}},
        "verify": {"satisfaction": "satisfied"},
        "rework": {"reason": "现场仍有残留"},
        "reopen": {"reason": "问题反弹"},
        "request_extension": {"until": timezone.now() + datetime.timedelta(days=10), "reason": "需协调产权单位"},
        "supervise": {"note": "请三日内处置完毕", "until": timezone.localdate() + datetime.timedelta(days=3)},
        "request_deferral": {
            "reason": "需整体翻修",
            "until": timezone.localdate() + datetime.timedelta(days=120),
            "plan": "纳入明年道路更新改造计划",
        },
        "comment": {"note": "已电话联系居民"},
        "add_photos": {"photos": [photo_upload()], "stage": "before"},
    }.get(action, {})


class Rollback(Exception):
    """Undo an allowed action so the next user tries the same case."""


def records() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (CaseEvent, Assignment, TallyEntry, Photo))


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(FROM_STATES))
def test_who_may_take_which_action_in_which_state(world, action, state, place):
    where = {} if place == "on_road" else {"road": None, "created_by": world.users["roadchief_other"]}
    case = world.case_in(
        state,
        pending_extension=action == "approve_extension",
        pending_deferral=action == "decide_deferral",
        **where,
    )
    mismatches = []
    for user in USERS:
        want = expected(action, state, user, place)
        events_before = CaseEvent.objects.filter(case=case).count()
        before = records()
        got, event_count = "ok", None
        try:
            with transaction.atomic():
                workflow.ACTIONS[action](world.users[user], case, **inputs(action, world))
                event_count = CaseEvent.objects.filter(case=case).count() - events_before
                raise Rollback
        except Rollback:
            pass
        except DomainError as error:
            got = error.reason
            assert str(error.message), "every refusal carries a message"
        case.refresh_from_db()
        assert records() == before, "a refusal or a rollback writes nothing"
        if got != want:
            mismatches.append(f"{user}: expected {want}, got {got}")
        elif got == "ok" and event_count != 1:
            mismatches.append(f"{user}: allowed but wrote {event_count} events")
        assert case.state == state, "a refusal or a rollback leaves the state as it was"
    assert not mismatches, f"{action} in {state} ({place}):\n" + "\n".join(mismatches)


def test_the_tables_cover_every_action_of_the_workflow():
    assert set(FROM_STATES) == set(workflow.ACTIONS) == set(WHO)


# DESIGN.md §3's transition table, as written there: action → (from states, to state; None = unchanged).
DESIGN_TRANSITIONS = {
    "accept": ({"reported"}, "registered"),
    "reject": ({"reported", "registered"}, "rejected"),
    "dispatch": ({"registered"}, "dispatched"),
    "report_in": ({"dispatched", "in_progress"}, "in_progress"),
    "send_back": ({"dispatched", "in_progress"}, "registered"),
    "resolve": ({"in_progress"}, "resolved"),
    "verify": ({"resolved"}, "closed"),
    "rework": ({"resolved"}, "in_progress"),
    "reopen": ({"closed"}, "dispatched"),
    "request_extension": ({"dispatched", "in_progress"}, None),
    "approve_extension": ({"dispatched", "in_progress"}, None),
    "supervise": ({"dispatched", "in_progress"}, None),
    "request_deferral": ({"in_progress"}, None),
    "decide_deferral": ({"in_progress"}, None),
}


@pytest.mark.parametrize("action", sorted(DESIGN_TRANSITIONS))
def test_the_rules_table_names_design_states_from_and_to(action):
    states, to_state = DESIGN_TRANSITIONS[action]
    assert set(ACTION_RULES[action].states) == states
    assert ACTION_RULES[action].to_state == to_state
