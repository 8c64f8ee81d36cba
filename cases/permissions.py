"""Who may see a case and who may take which action on it (DESIGN.md §4), written once.

Pages, the API and the workflow all ask this module. A refusal says why: the role never takes
this action (`role_not_allowed`), the case is in the wrong state (`invalid_state`), or the case is
not the user's (`not_your_street`, `not_your_road`, `not_your_department`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import Enum

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cases.choices import AssignmentRole, CaseState
from cases.models import Assignment, Case
from communities.choices import Role
from communities.roles import AnyUser, department_id_of, role_of, street_id_of
from core import clock
from core.errors import Forbidden, InvalidState, NotFound
from core.masking import mask_phone


class Relation(Enum):
    """What ties a user to a case so that the user may act on it."""

    STREET = "street"  # staff of the case's street
    ROAD = "road"  # chief of the case's road
    LEAD = "lead"  # officer of the department that leads the current round
    ASSIGNED = "assigned"  # officer of a department that leads or assists in the current round
    ANYONE = "anyone"  # any user of the role
    VIEWER = "viewer"  # anyone who can see the case


@dataclass(frozen=True)
class ActionRule:
    """The states an action starts from, the state it leads to, and per role the tie to the case it needs.

    `to_state` is None for actions that leave the state as it is (notes, photos, extensions); report-in
    leads to in_progress only for the lead department (an assisting one's report-in is recorded only).
    """

    name: Promise
    states: tuple[str, ...]
    roles: dict[str, Relation]
    to_state: str | None = None


ALL_ROLES = tuple(Role.values)
# A case in these states has no lead department (a sent-back one's last round is over).
WAITING_FOR_DISPATCH = (CaseState.REPORTED, CaseState.REGISTERED, CaseState.REJECTED)
WORKING = (CaseState.DISPATCHED, CaseState.IN_PROGRESS)
PHOTO_STATES = (
    CaseState.REPORTED,
    CaseState.REGISTERED,
    CaseState.DISPATCHED,
    CaseState.IN_PROGRESS,
    CaseState.RESOLVED,
)

# DESIGN.md §3's transition table. The workflow checks the data each action needs on top.
ACTION_RULES: dict[str, ActionRule] = {
    "accept": ActionRule(
        _("accept"), (CaseState.REPORTED,), {Role.STREET_STAFF: Relation.STREET}, CaseState.REGISTERED
    ),
    "reject": ActionRule(
        _("reject"),
        (CaseState.REPORTED, CaseState.REGISTERED),
        {Role.STREET_STAFF: Relation.STREET},
        CaseState.REJECTED,
    ),
    "dispatch": ActionRule(
        _("dispatch"),
        (CaseState.REGISTERED,),
        {Role.STREET_STAFF: Relation.STREET, Role.ROAD_CHIEF: Relation.ROAD},
        CaseState.DISPATCHED,
    ),
    "report_in": ActionRule(_("report in"), WORKING, {Role.DEPT_OFFICER: Relation.ASSIGNED}, CaseState.IN_PROGRESS),
    "send_back": ActionRule(_("send back"), WORKING, {Role.DEPT_OFFICER: Relation.LEAD}, CaseState.REGISTERED),
    "resolve": ActionRule(
        _("resolve"), (CaseState.IN_PROGRESS,), {Role.DEPT_OFFICER: Relation.LEAD}, CaseState.RESOLVED
    ),
    "verify": ActionRule(
        _("verify and close"), (CaseState.RESOLVED,), {Role.STREET_STAFF: Relation.STREET}, CaseState.CLOSED
    ),
    "rework": ActionRule(
        _("send for rework"), (CaseState.RESOLVED,), {Role.STREET_STAFF: Relation.STREET}, CaseState.IN_PROGRESS
    ),
    "reopen": ActionRule(
        _("reopen"),
        (CaseState.CLOSED,),
        {Role.STREET_STAFF: Relation.STREET, Role.LEADER: Relation.ANYONE},
        CaseState.DISPATCHED,
    ),
    "request_extension": ActionRule(_("request an extension"), WORKING, {Role.DEPT_OFFICER: Relation.LEAD}),
    "approve_extension": ActionRule(_("decide on an extension"), WORKING, {Role.LEADER: Relation.ANYONE}),
    "supervise": ActionRule(
        _("put under supervision"), WORKING, {Role.LEADER: Relation.ANYONE, Role.ADMIN: Relation.ANYONE}
    ),
    "request_deferral": ActionRule(
        _("request a deferral"), (CaseState.IN_PROGRESS,), {Role.DEPT_OFFICER: Relation.LEAD}
    ),
    "decide_deferral": ActionRule(_("decide on a deferral"), (CaseState.IN_PROGRESS,), {Role.LEADER: Relation.ANYONE}),
    "comment": ActionRule(
        _("add an internal note"), tuple(CaseState.values), dict.fromkeys(ALL_ROLES, Relation.VIEWER)
    ),
    "add_photos": ActionRule(_("add photos"), PHOTO_STATES, dict.fromkeys(ALL_ROLES, Relation.VIEWER)),
}
WORKFLOW_ACTIONS = tuple(ACTION_RULES)


def visible_cases_q(user: AnyUser) -> Q:
    """The condition on cases that a user may see."""
    role = role_of(user)
    if role in (Role.LEADER, Role.ADMIN):
        return Q()
    if role == Role.STREET_STAFF:
        return Q(street_id=street_id_of(user))
    if role == Role.ROAD_CHIEF:
        return Q(road__road_chief=user) | Q(created_by=user)
    if role == Role.DEPT_OFFICER:
        # Any part, past or present: a department keeps seeing what it once worked on.
        assigned = Assignment.objects.filter(case=OuterRef("pk"), department_id=department_id_of(user))
        return Q(Exists(assigned))
    return Q(pk__in=[])


FILING_ROLES = (Role.STREET_STAFF, Role.ROAD_CHIEF, Role.LEADER, Role.ADMIN)


def can_file_cases(user: AnyUser) -> bool:
    """Whether the user may file cases (officers tell the street office instead)."""
    return role_of(user) in FILING_ROLES


def can_view(user: AnyUser, case: Case) -> bool:
    """Whether the user may see this case (else it is a 404 for them)."""
    if role_of(user) in (Role.LEADER, Role.ADMIN):
        return True
    return Case.objects.filter(visible_cases_q(user), pk=case.pk).exists()


def active_assignments(case: Case) -> list[Assignment]:
    """The case's assignments in the current round (uses a prefetch when there is one)."""
    return [assignment for assignment in case.assignments.all() if assignment.finished_at is None]


def department_assignment(user: AnyUser, case: Case, roles: tuple[str, ...]) -> Assignment | None:
    """The user's department's current assignment on the case in one of these parts, if any."""
    department_id = department_id_of(user)
    for assignment in active_assignments(case):
        if assignment.department_id == department_id and assignment.role in roles:
            return assignment
    return None


def can_see_full_phone(user: AnyUser, case: Case) -> bool:
    """Residents' phones are shown only to the case's street staff and its lead department (PIPL)."""
    role = role_of(user)
    if role == Role.STREET_STAFF:
        return street_id_of(user) == case.street_id
    if role == Role.DEPT_OFFICER:
        # The department that leads now, or led last: it may still need to call the resident.
        lead = lead_assignment(case)
        return lead is not None and lead.department_id == department_id_of(user)
    return False


def reporter_phone_for(user: AnyUser, case: Case) -> str:
    """The resident reporter's phone as this user may see it: in full or masked (the one rule for pages, API,
    exports and the admin)."""
    phone = case.reporter_phone
    if not phone or can_see_full_phone(user, case):
        return phone
    return mask_phone(phone)


def lead_assignment(case: Case) -> Assignment | None:
    """The lead part of the current round, or of the last round when none is current (uses a prefetch).

    None while the case waits for a (new) dispatch: a case sent back has no lead until it is dispatched again.
    """
    if case.state in WAITING_FOR_DISPATCH:
        return None
    leads = [assignment for assignment in case.assignments.all() if assignment.role == AssignmentRole.LEAD]
    current = [assignment for assignment in leads if assignment.finished_at is None]
    return max(current or leads, key=lambda assignment: (assignment.assigned_at, assignment.pk), default=None)


def always_whistles(user: AnyUser) -> bool:
    """A road chief's dispatch is always a whistle (吹哨): the departments must report in within minutes."""
    return role_of(user) == Role.ROAD_CHIEF


def has_department_inbox(user: AnyUser) -> bool:
    """Department officers work from their department's inbox."""
    return role_of(user) == Role.DEPT_OFFICER


def _relation_refusal(user: AnyUser, case: Case, relation: Relation, rule: ActionRule) -> Forbidden | None:
    """Why the user's tie to the case is not the one the action needs, or None if it is."""
    if relation is Relation.ANYONE:
        return None
    if relation is Relation.VIEWER:
        return None  # check_action has made sure the user sees the case
    if relation is Relation.STREET:
        if street_id_of(user) == case.street_id:
            return None
        return Forbidden(
            format_lazy(
                _("This case belongs to {street}; only its staff can {action} it."),
                street=case.street.name,
                action=rule.name,
            ),
            reason="not_your_street",
        )
    if relation is Relation.ROAD:
        if case.road_id is not None and case.road.road_chief_id == user.pk:
            return None
        return Forbidden(_("This case is not on one of your roads."), reason="not_your_road")
    parts = (AssignmentRole.LEAD,) if relation is Relation.LEAD else (AssignmentRole.LEAD, AssignmentRole.ASSIST)
    if department_assignment(user, case, parts) is not None:
        return None
    if relation is Relation.LEAD:
        message = format_lazy(_("Only the lead department may do this: {action}."), action=rule.name)
    else:
        message = _("Your department has no part to report in on this case.")
    return Forbidden(message, reason="not_your_department")


NOT_FOUND_MESSAGE = _("There is no such case, or you may not see it.")


def check_action(user: AnyUser, action: str, case: Case) -> None:
    """Raise NotFound, Forbidden or InvalidState if the user may not take the action on the case now.

    The order matters: a user who may not see the case learns nothing about it (not even its state).
    """
    if not can_view(user, case):
        raise NotFound(NOT_FOUND_MESSAGE)
    _check_rules(user, action, case)


def _check_rules(user: AnyUser, action: str, case: Case) -> None:
    """check_action for a case the user is known to see."""
    rule = ACTION_RULES[action]
    role = role_of(user)
    if role not in rule.roles:
        raise Forbidden(
            format_lazy(_("Your role may not do this: {action}."), action=rule.name), reason="role_not_allowed"
        )
    if case.state not in rule.states:
        allowed = " / ".join(str(CaseState(state).label) for state in rule.states)
        raise InvalidState(
            format_lazy(
                _("This case is “{state}”; to {action} it, it must be “{allowed}”."),
                state=CaseState(case.state).label,
                action=rule.name,
                allowed=allowed,
            )
        )
    refusal = _relation_refusal(user, case, rule.roles[role], rule)
    if refusal is not None:
        raise refusal
    _check_preconditions(user, action, case)


def _check_preconditions(user: AnyUser, action: str, case: Case) -> None:
    """What else the case must be like for the action, beyond its state."""
    if action == "report_in":
        assignment = department_assignment(user, case, (AssignmentRole.LEAD, AssignmentRole.ASSIST))
        if assignment.reported_in_at is not None:
            raise InvalidState(_("Your department has already reported in on this case."), reason="already_done")
    elif action == "request_extension" and case.extension_requested_until is not None:
        raise InvalidState(
            _("An extension request is already waiting for a leader's decision."), reason="extension_pending"
        )
    elif action == "approve_extension" and case.extension_requested_until is None:
        raise InvalidState(_("There is no extension request waiting on this case."), reason="no_request")
    elif action == "request_deferral" and case.deferred_at is not None:
        raise InvalidState(_("This case is already deferred."), reason="already_deferred")
    elif action == "request_deferral" and case.deferral_requested_at is not None:
        raise InvalidState(
            _("A deferral request is already waiting for a leader's decision."), reason="deferral_pending"
        )
    elif action == "decide_deferral" and (case.deferral_requested_at is None or case.deferred_at is not None):
        raise InvalidState(_("There is no deferral request waiting on this case."), reason="no_request")
    elif action == "reopen" and case.closed_at is not None:
        days = settings.CASE_REOPEN_DAYS
        if clock.now() - case.closed_at > datetime.timedelta(days=days):
            raise InvalidState(
                _("This case was closed more than %(days)s days ago and can no longer be reopened; file a new case.")
                % {"days": days},
                reason="reopen_window_passed",
            )


def can_take_on_visible(user: AnyUser, action: str, case: Case) -> bool:
    """Whether the user may take the action now on a case known to be visible to them (e.g. from their inbox),
    without asking the database again whether they see it."""
    try:
        _check_rules(user, action, case)
    except (Forbidden, InvalidState):
        return False
    return True


def allowed_actions(user: AnyUser, case: Case) -> list[str]:
    """The actions the user may take on the case now, in the order of DESIGN.md §3."""
    if not can_view(user, case):
        return []
    allowed = []
    for action in WORKFLOW_ACTIONS:
        try:
            _check_rules(user, action, case)
        except (Forbidden, InvalidState):
            continue
        allowed.append(action)
    return allowed
