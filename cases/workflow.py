"""The case workflow of DESIGN.md §3: intake and every action, each one atomic and concurrency-safe.

Every action follows one pattern (`_perform`): check the user and state on the case as read,
check the data, then in one transaction lock the case row, check again (someone may have acted
in between), change the case and its assignments, and write exactly one CaseEvent. A refusal
raises a DomainError (core/errors.py) and changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cases import worktime
from cases.choices import (
    AssignmentRole,
    CaseAction,
    CaseSource,
    CaseState,
    Clock,
    Deadline,
    PhotoStage,
    Satisfaction,
)
from cases.models import Assignment, Campaign, Case, CaseEvent, CaseNumberSequence, Category, Photo, TallyEntry
from cases.permissions import ACTION_RULES, always_whistles, can_file_cases, check_action, department_assignment
from cases.photos import ProcessedPhoto, process_photo
from cases.queries import escalation_due_q
from cases.signals import event_recorded
from communities.choices import Role
from communities.models import Community, Compound, Department, FrontageUnit, Road
from communities.roles import role_of
from core import clock
from core.errors import Conflict, DomainError, Forbidden, InvalidInput, InvalidState

User = AbstractBaseUser

CONFLICT_MESSAGE = _("Someone else is changing this case at this moment. Reload it and try again.")
REASON_REQUIRED = _("Please give a reason.")


@dataclass
class Outcome:
    """What an action writes into its CaseEvent besides the states."""

    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    photos: list[ProcessedPhoto] = field(default_factory=list)
    photo_stage: str = PhotoStage.OTHER


def _optional_text(value: str | None) -> str:
    return (value or "").strip()


def _required_text(value: str | None, field_name: str, message=REASON_REQUIRED) -> str:
    text = _optional_text(value)
    if not text:
        raise InvalidInput.for_fields({field_name: [message]})
    return text


def _processed_photos(files: Iterable[Any] | None) -> list[ProcessedPhoto]:
    """Validate every uploaded photo before anything is written; name the file that is wrong."""
    processed = []
    for upload in files or ():
        if not hasattr(upload, "read"):
            raise InvalidInput.for_fields({"photos": [_("Upload the photo as a file.")]})
        try:
            processed.append(process_photo(upload))
        except ValidationError as error:
            raise InvalidInput.for_fields({"photos": list(error.messages)}) from error
    return processed


def _local_iso(moment: datetime.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _save_photos(case: Case, actor: User | None, outcome: Outcome, event: CaseEvent, stored: list[Photo]) -> None:
    for photo in outcome.photos:
        stored.append(
            Photo(
                case=case,
                stage=outcome.photo_stage,
                image=photo.image,
                thumbnail=photo.thumbnail,
                event=event,
                uploaded_by=actor,
                uploaded_at=event.created_at,
            )
        )
        stored[-1].save()


@contextmanager
def _files_kept_only_if_saved(stored: list[Photo]) -> Iterator[None]:
    """Remove the files of photos whose rows were rolled back, so no orphan file stays on disk."""
    try:
        yield
    except BaseException:
        for photo in stored:
            photo.image.delete(save=False)
            photo.thumbnail.delete(save=False)
        raise


def _record_event(
    case: Case,
    actor: User | None,
    action: str,
    from_state: str,
    *,
    now: datetime.datetime,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """The one way a case's timeline grows: intake, every action and escalation each write one event here.

    Apps above (notifications) hear of it through `event_recorded`, inside the same transaction.
    """
    event = CaseEvent.objects.create(
        case=case,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=case.state,
        note=note,
        data=data or {},
        created_at=now,
    )
    event_recorded.send(sender=CaseEvent, event=event)
    return event


def target_state(action: str, current: str) -> str:
    """The state an action leads to, read from the transition table (ACTION_RULES); unchanged where it names none."""
    return ACTION_RULES[action].to_state or current


# What a round of work (dispatch → report-in → resolve → close) sets on a case; a new round, or the end of one
# without a fix (send-back), clears them all.
ROUND_FIELDS: dict[str, Any] = {
    "dispatched_at": None,
    "whistle": False,
    "report_in_due_at": None,
    "reported_in_at": None,
    "report_in_late": None,
    "work_started_at": None,
    "resolve_due_at": None,
    "resolved_at": None,
    "resolve_late": None,
    "resolve_duration": None,
    "paused_duration": datetime.timedelta(0),
    "closed_at": None,
    "extension_requested_until": None,
    "extension_reason": "",
    "deferral_requested_at": None,
    "deferral_until": None,
    "deferral_reason": "",
    "deferral_plan": "",
    "deferred_at": None,
    "deferred_by": None,
}


def _clear_round(case: Case) -> None:
    """Forget the current round's times and flags (its record stays on the assignments and in the events)."""
    for name, empty in ROUND_FIELDS.items():
        setattr(case, name, empty)


def _with_relations(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.select_related("category", "road", "street").prefetch_related("assignments")


def _perform(
    actor: User,
    case: Case,
    action: str,
    prepare: Callable[[Case], Callable[[Case, datetime.datetime], Outcome]],
) -> Case:
    """Run one action: check, validate (`prepare`), lock, re-check, apply, record one event."""
    # Read afresh (the caller's copy may be stale) with the assignments every check needs, in one go.
    current = _with_relations(Case.objects).get(pk=case.pk)
    check_action(actor, action, current)
    apply = prepare(current)
    stored: list[Photo] = []
    try:
        with _files_kept_only_if_saved(stored), transaction.atomic():
            locked = _with_relations(Case.objects.select_for_update(of=("self",))).get(pk=case.pk)
            check_action(actor, action, locked)
            now = clock.now()
            from_state = locked.state
            outcome = apply(locked, now)
            # The action may have added or ended assignments: the caller must not see the old list.
            locked._prefetched_objects_cache.pop("assignments", None)
            locked.save()
            event = _record_event(locked, actor, action, from_state, now=now, note=outcome.note, data=outcome.data)
            _save_photos(locked, actor, outcome, event, stored)
            # The outcome a retry of the same request is answered with (cases/idempotency.py).
            locked.recorded_event = event
    except DomainError:
        raise
    except DatabaseError as error:
        # A lock wait that timed out, a deadlock, or SQLite's "database is locked".
        raise Conflict(CONFLICT_MESSAGE) from error
    return locked


# --- intake ------------------------------------------------------------------------------------


def _next_number(now: datetime.datetime) -> str:
    """SH-<year>-<6 digits>, counted per year under a row lock so two intakes never share one."""
    year = timezone.localtime(now).year
    CaseNumberSequence.objects.get_or_create(year=year)
    sequence = CaseNumberSequence.objects.select_for_update().get(year=year)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return f"SH-{year}-{sequence.last_value:06d}"


def _intake_state(actor: User | None, street_id: int) -> str:
    """Street staff and road chiefs file in their own street and register directly; others wait to be accepted."""
    role = role_of(actor) if actor is not None else None
    if role in (Role.STREET_STAFF, Role.ROAD_CHIEF):
        if actor.staff_profile.street_id != street_id:
            raise Forbidden(_("You can file cases only in your own street."), reason="not_your_street")
        return CaseState.REGISTERED
    return CaseState.REPORTED


def create_case(
    actor: User | None,
    *,
    title: str,
    category: Category,
    community: Community | None = None,
    description: str = "",
    compound: Compound | None = None,
    road: Road | None = None,
    frontage_unit: FrontageUnit | None = None,
    address: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    source: str | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    priority: str = "",
    campaign: Campaign | None = None,
    photos: Iterable[Any] | None = None,
    lead_department: Department | None = None,
    assist_departments: Iterable[Department] = (),
    whistle: bool = False,
) -> Case:
    """Take in a new case: registered when street staff or a road chief of the place files it, else reported.

    With `lead_department` (and `assist_departments`) the case is dispatched at once, in the same
    transaction: a road chief's dispatch is always a whistle (吹哨), and a whistle needs the road it is
    blown on. Refused as a whole (nothing saved) when the actor may not dispatch the new case.

    The place (`_intake_place`): a community, or a compound (whose community it is), or a road — a problem
    on a road may lie between communities, so the community may stay empty; the street comes from them.
    """
    role = role_of(actor) if actor is not None else None
    if actor is not None and not can_file_cases(actor):
        # Officers report a problem they find to the street office (a comment or a call), not as intake.
        raise Forbidden(_("Your role cannot file cases."), reason="role_not_allowed")
    community, street_id = _intake_place(community, compound, road)
    state = _intake_state(actor, street_id)
    if source is None:
        source = {Role.ROAD_CHIEF: CaseSource.WHISTLE}.get(role, CaseSource.PATROL if role else CaseSource.API)
    fields: dict[str, list] = {}
    if role == Role.ROAD_CHIEF and road is not None and road.road_chief_id != actor.pk:
        fields["road"] = [_("This is not one of your roads.")]
    if not category.is_active:
        fields["category"] = [_("This category is no longer in use.")]
    if campaign is not None and campaign.drive_id != category.campaign.drive_id:
        fields["campaign"] = [_("Choose a campaign of the category's drive.")]
    summon = lead_department is not None or whistle or bool(assist_departments)
    whistle = summon and (whistle or (actor is not None and always_whistles(actor)))
    if whistle and road is None:
        fields["road"] = [_("A whistle is blown on one of your roads: choose the road.")]
    if fields:
        raise InvalidInput.for_fields(fields)
    parts = _dispatch_parts(lead_department, assist_departments, ()) if summon else []
    case = Case(
        title=_optional_text(title),
        description=_optional_text(description),
        category=category,
        campaign=campaign or category.campaign,
        street_id=street_id,
        community=community,
        compound=compound,
        road=road,
        frontage_unit=frontage_unit,
        address=_optional_text(address),
        latitude=latitude,
        longitude=longitude,
        source=source,
        reporter_name=_optional_text(reporter_name),
        reporter_phone=_optional_text(reporter_phone),
        state=state,
        created_by=actor,
        number="pending",
    )
    if priority:
        case.priority = priority
    try:
        case.full_clean(exclude=["number"])
    except ValidationError as error:
        raise InvalidInput.for_fields(
            {name: list(messages) for name, messages in error.message_dict.items()}
        ) from error
    processed = _processed_photos(photos)
    stored: list[Photo] = []
    try:
        with _files_kept_only_if_saved(stored), transaction.atomic():
            now = clock.now()
            case.created_at = now
            case.number = _next_number(now)
            case.save()
            event = _record_event(
                case,
                actor,
                CaseAction.CREATE,
                "",
                now=now,
                note=case.description,
                data={"source": case.source, "photos": len(processed)},
            )
            _save_photos(case, actor, Outcome(photos=processed, photo_stage=PhotoStage.BEFORE), event, stored)
            case.recorded_event = event
            if summon:
                _dispatch_at_intake(case, actor, parts, whistle=whistle, now=now)
    except DatabaseError as error:
        raise Conflict(CONFLICT_MESSAGE) from error
    return case


PLACE_NEEDED = _("Choose the community, or the road the problem is on.")


def _intake_place(
    community: Community | None, compound: Compound | None, road: Road | None
) -> tuple[Community | None, int]:
    """(community, street id) of a new case: the community given or the compound's; none for a road case."""
    if community is None and compound is not None:
        community = compound.community
    if community is not None:
        return community, community.street_id
    if road is not None:
        return None, road.street_id
    raise InvalidInput.for_fields({"community": [PLACE_NEEDED]})


def _dispatch_at_intake(
    case: Case, actor: User | None, parts: list[tuple[Department, str]], *, whistle: bool, now: datetime.datetime
) -> None:
    """Dispatch a case just filed (inside create_case's transaction), by the same rule as the dispatch action."""
    if actor is None:
        message = format_lazy(_("Your role may not do this: {action}."), action=ACTION_RULES["dispatch"].name)
        raise Forbidden(message, reason="role_not_allowed")
    check_action(actor, "dispatch", case)
    from_state = case.state
    data = _start_round(case, actor, now, parts, whistle=whistle)
    case.state = target_state("dispatch", case.state)
    case.save()
    _record_event(case, actor, "dispatch", from_state, now=now, data=data)


# --- street office: accept, reject, dispatch, verify, rework, reopen ----------------------------


def accept(actor: User, case: Case, *, note: str = "") -> Case:
    """reported → registered: the street office takes the case on."""

    def prepare(_case: Case):
        def apply(locked: Case, now: datetime.datetime) -> Outcome:
            locked.state = target_state("accept", locked.state)
            return Outcome(note=_optional_text(note))

        return apply

    return _perform(actor, case, "accept", prepare)


def reject(actor: User, case: Case, *, reason: str, duplicate_of: Case | str | None = None) -> Case:
    """reported/registered → rejected: not a case; a duplicate names the case it repeats."""

    def prepare(current: Case):
        text = _required_text(reason, "reason")
        original = _duplicate_target(current, duplicate_of)

        def apply(locked: Case, now: datetime.datetime) -> Outcome:
            locked.state = target_state("reject", locked.state)
            locked.duplicate_of = original
            return Outcome(note=text, data={"duplicate_of": original.number} if original else {})

        return apply

    return _perform(actor, case, "reject", prepare)


# What may be the original of a duplicate, said once: the reject form's help text is this sentence.
DUPLICATE_TARGET_RULE = _(
    "The number of the case this one repeats: another case of the same street, open or closed, "
    "that was not itself rejected."
)


def _duplicate_target(case: Case, duplicate_of: Case | str | None) -> Case | None:
    """The original named by a rejection as a duplicate, by DUPLICATE_TARGET_RULE; None when none is named."""
    if duplicate_of in (None, ""):
        return None
    number = duplicate_of.number if isinstance(duplicate_of, Case) else str(duplicate_of).strip()
    original = Case.objects.filter(number=number).first()
    if original is None or original.street_id != case.street_id:
        raise InvalidInput.for_fields({"duplicate_of": [_("There is no case with this number in your street.")]})
    if original.pk == case.pk:
        raise InvalidInput.for_fields({"duplicate_of": [_("A case cannot duplicate itself.")]})
    if original.state == CaseState.REJECTED:
        raise InvalidInput.for_fields({"duplicate_of": [_("That case was itself rejected; name the case it repeats.")]})
    return original


def deadlines(category: Category, start: datetime.datetime, *, whistle: bool) -> tuple[datetime.datetime, ...]:
    """(report-in due, resolve due) of a dispatch at `start`, by the category's clock (cases.worktime).

    A whistle's report-in minutes always count around the clock: a whistle is urgent whatever the category.
    """
    calendar = worktime.DatabaseCalendar()  # shared by both deadlines: one query per year they touch
    if whistle:
        report_in = start + datetime.timedelta(minutes=category.whistle_report_in_minutes)
    else:
        report_in = worktime.due_at(category, start, category.report_in_hours, calendar=calendar)
    return report_in, worktime.due_at(category, start, category.resolve_hours, calendar=calendar)


def _start_round(
    locked: Case,
    actor: User,
    now: datetime.datetime,
    parts: list[tuple[Department, str]],
    *,
    whistle: bool,
) -> dict[str, Any]:
    """Give the departments their parts and deadlines for a new round of work."""
    report_in_due, resolve_due = deadlines(locked.category, now, whistle=whistle)
    Assignment.objects.bulk_create(
        Assignment(
            case=locked,
            department=department,
            role=part,
            assigned_at=now,
            assigned_by=actor,
            whistle=whistle and part != AssignmentRole.CC,
            report_in_due_at=None if part == AssignmentRole.CC else report_in_due,
        )
        for department, part in parts
    )
    _clear_round(locked)
    locked.dispatched_at = now
    locked.whistle = whistle
    locked.report_in_due_at = report_in_due
    locked.resolve_due_at = resolve_due
    return {
        "departments": [{"id": department.pk, "name": department.name, "role": part} for department, part in parts],
        "whistle": whistle,
        "report_in_due_at": _local_iso(report_in_due),
        "resolve_due_at": _local_iso(resolve_due),
    }


def _dispatch_parts(
    lead: Department | None, assist: Iterable[Department], cc: Iterable[Department]
) -> list[tuple[Department, str]]:
    assist, cc = list(assist or ()), list(cc or ())
    fields: dict[str, list] = {}
    if lead is None:
        fields["lead_department"] = [_("Choose the lead department.")]
    everyone = ([lead] if lead else []) + assist + cc
    chosen = {"lead_department": [lead] if lead else [], "assist_departments": assist, "cc_departments": cc}
    for field_name, departments in chosen.items():
        if any(not department.is_active for department in departments):
            fields.setdefault(field_name, []).append(_("A department chosen is no longer active."))
    if len({department.pk for department in everyone}) != len(everyone):
        fields["assist_departments"] = [_("Each department can have only one part in a case.")]
    if fields:
        raise InvalidInput.for_fields(fields)
    return (
        [(lead, AssignmentRole.LEAD)]
        + [(d, AssignmentRole.ASSIST) for d in assist]
        + [(d, AssignmentRole.CC) for d in cc]
    )


def dispatch(
    actor: User,
    case: Case,
    *,
    lead_department: Department | None,
    assist_departments: Iterable[Department] = (),
    cc_departments: Iterable[Department] = (),
    whistle: bool = False,
    note: str = "",
) -> Case:
    """registered → dispatched: summon the departments; a road chief's dispatch is always a whistle (吹哨)."""
    whistle = whistle or always_whistles(actor)

    def prepare(_case: Case):
        parts = _dispatch_parts(lead_department, assist_departments, cc_departments)

        def apply(locked: Case, now: datetime.datetime) -> Outcome:
            data = _start_round(locked, actor, now, parts, whistle=whistle)
            locked.state = target_state("dispatch", locked.state)
            return Outcome(note=_optional_text(note), data=data)

        return apply

    return _perform(actor, case, "dispatch", prepare)


def _finish_round(locked: Case, now: datetime.datetime) -> None:
    """End every current assignment; a department that never reported in is marked late if it was due."""
    current = Assignment.objects.filter(case=locked, finished_at__isnull=True)
    unreported = current.filter(reported_in_at__isnull=True, report_in_due_at__isnull=False)
    unreported.filter(report_in_due_at__lt=now).update(report_in_late=True)
    unreported.filter(report_in_due_at__gte=now).update(report_in_late=False)
    current.update(finished_at=now)


def verify(actor: User, case: Case, *, note: str = "", satisfaction: str = "") -> Case:
    """resolved → closed: the street office checked the fix; records the resident's call-back if any."""

    def prepare(current: Case):
        if satisfaction and satisfaction not in Satisfaction.values:
            raise InvalidInput.for_fields(
                {"satisfaction": [_("Choose satisfied, basically satisfied or dissatisfied.")]}
            )
        if satisfaction and not current.has_resident_reporter:
            raise InvalidInput.for_fields({"satisfaction": [_("This case has no resident reporter to call back.")]})

        def apply(locked: Case, now: datetime.datetime) -> Outcome:
            _finish_round(locked, now)
            locked.state = target_state("verify", locked.state)
            locked.closed_at = now
            locked.satisfaction = satisfaction or ""
            return Outcome(note=_optional_text(note), data={"satisfaction": satisfaction} if satisfaction else {})

        return apply

    return _perform(actor, case, "verify", prepare)


def rework(actor: User, case: Case, *, reason: str) -> Case:
    """resolved → in_progress: the fix is not good enough; the resolution's tally no longer counts."""

    def prepare(_case: Case):
        text = _required_text(reason, "reason")

        def apply(locked: Case, now: datetime.datetime) -> Outcome:
            voided = TallyEntry.objects.counted().filter(case=locked).update(voided_at=now)
            locked.state = target_state("rework", locked.state)
            locked.rework_count += 1
            locked.work_started_at = now
            locked.resolved_at = None
            locked.resolve_late = None
            locked.resolve_duration = None
            return Outcome(note=text, data={"rework_count": locked.rework_count, "tally_entries_voided": voided})

        return apply

    return _perform(actor, case, "rework", prepare)


def reopen(actor: User, case: Case, *, reason: str) -> Case:
    """closed → dispatched, within CASE_REOPEN_DAYS of closing: the same departments start a new round."""

    def prepare(_case: Case):
        text = _required_text(reason, "reason")

        def apply(locked: Case, now: datetime.datetime) -> Outcome:
            last_round = locked.assignments.filter(finished_at=locked.closed_at).select_related("department")
            parts = [(assignment.department, assignment.role) for assignment in last_round]
            if not any(part == AssignmentRole.LEAD for _department, part in parts):
                raise InvalidState(
                    _("This case has no lead department to send it back to; ask a leader."), reason="no_lead"
                )
            locked.reopen_count += 1
            locked.satisfaction = ""
            data = _start_round(locked, actor, now, parts, whistle=False)
            locked.state = target_state("reopen", locked.state)
            return Outcome(note=text, data=data)

        return apply

    return _perform(actor, case, "reopen", prepare)


# --- departments: report in, send back, resolve, extensions -----------------------------------


def report_in(actor: User, case: Case, *, note: str = "") -> Case:
    """报到: the lead department's report-in moves the case to in_progress; an assisting one's is recorded."""

    def prepare(_case: Case):
        def apply(locked: Case, now: datetime.datetime) -> Outcome:
            assignment = department_assignment(actor, locked, (AssignmentRole.LEAD, AssignmentRole.ASSIST))
            late = now > assignment.report_in_due_at if assignment.report_in_due_at else False
            assignment.reported_in_at = now
            assignment.reported_in_by = actor
            assignment.report_in_late = late
            assignment.report_in_duration = worktime.duration_by_clock(
                locked.category, assignment.assigned_at, now, around_the_clock=assignment.whistle
            )
            assignment.save(update_fields=["reported_in_at", "reported_in_by", "report_in_late", "report_in_duration"])
            if assignment.role == AssignmentRole.LEAD:
                locked.state = target_state("report_in", locked.state)
                locked.reported_in_at = now
                locked.report_in_late = late
                locked.work_started_at = now
            minutes = round((now - assignment.assigned_at).total_seconds() / 60)
            return Outcome(
                note=_optional_text(note),
                data={
                    "department": assignment.department.name,
                    "role": assignment.role,
                    "late": late,
                    "minutes": minutes,
                },
            )

        return apply

    return _perform(actor, case, "report_in", prepare)


def send_back(actor: User, case: Case, *, reason: str) -> Case:
    """dispatched/in_progress → registered: not this department's job; the street office dispatches again."""

    def prepare(_case: Case):
        text = _required_text(reason, "reason")

        def apply(locked: Case, now: datetime.datetime) -> Outcome:
            # Which department refused: the next dispatch does not offer it again (queries.refusing_departments).
            lead = department_assignment(actor, locked, (AssignmentRole.LEAD,))
            _finish_round(locked, now)
            # The round is over; its report-in record stays on the assignments.
            _clear_round(locked)
            locked.state = target_state("send_back", locked.state)
            return Outcome(note=text, data={"department": lead.department.name, "department_id": lead.department_id})

        return apply

    return _perform(actor, case, "send_back", prepare)


def _tally_quantities(category: Category, tally: Mapping[str, Any] | None) -> dict:
    """Check the quantities against the category's metrics; {Metric: Decimal}."""
    metrics = {metric.code: metric for metric in category.metrics.all()}
    quantities, errors = {}, []
    for code, raw in (tally or {}).items():
        if raw in (None, ""):
            continue
        if code not in metrics:
            errors.append(_("“%(code)s” is not a quantity this category records.") % {"code": code})
            continue
        try:
            quantity = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            quantity = None
        if quantity is None or not quantity.is_finite() or quantity <= 0 or quantity >= Decimal("1e10"):
            errors.append(_("%(metric)s: enter a number greater than zero.") % {"metric": metrics[code].name})
            continue
        quantities[metrics[code]] = quantity.quantize(Decimal("0.01"))
    if metrics and not quantities and not errors:
        names = "、".join(metric.name for metric in metrics.values())
        errors.append(_("Record the work done (%(metrics)s).") % {"metrics": names})
    if errors:
        raise InvalidInput.for_fields({"tally": errors})
    return quantities


def resolve(
    actor: User,
    case: Case,
    *,
    note: str,
    tally: Mapping[str, Any] | None = None,
    photos: Iterable[Any] | None = None,
) -> Case:
    """in_progress → resolved: the lead department reports the fix with a note, after-photos and quantities."""

    def prepare(current: Case):
        fields: dict[str, list] = {}
        text = _optional_text(note)
        if not text:
            fields["note"] = [_("Describe what was done.")]
        try:
            quantities = _tally_quantities(current.category, tally)
        except InvalidInput as error:
            fields.update(error.fields)
            quantities = {}
        processed = _processed_photos(photos)
        if _needs_after_photo(current, processed):
            fields["photos"] = [AFTER_PHOTO_NEEDED]
        if fields:
            raise InvalidInput.for_fields(fields)

        def apply(locked: Case, now: datetime.datetime) -> Outcome:
            if _needs_after_photo(locked, processed):  # a rework may have happened meanwhile
                raise InvalidInput.for_fields({"photos": [AFTER_PHOTO_NEEDED]})
            today = timezone.localdate(now)
            for metric, quantity in quantities.items():
                TallyEntry.objects.create(
                    metric=metric,
                    quantity=quantity,
                    date=today,
                    community_id=locked.community_id,
                    campaign_id=locked.campaign_id,
                    case=locked,
                    recorded_by=actor,
                    recorded_at=now,
                )
            # Resolved while deferred: the stopped clock starts again first, so lateness leaves out the pause.
            _end_deferral(locked, now)
            locked.state = target_state("resolve", locked.state)
            locked.resolved_at = now
            locked.resolve_late = bool(locked.resolve_due_at and now > locked.resolve_due_at)
            locked.resolve_duration = _resolve_duration(locked, now)
            # The lead's assignment keeps this round's outcome even if the case is reopened later.
            lead = department_assignment(actor, locked, (AssignmentRole.LEAD,))
            lead.resolved_at, lead.resolve_late = now, locked.resolve_late
            lead.save(update_fields=["resolved_at", "resolve_late"])
            # A pending extension request is moot once the work is done.
            locked.extension_requested_until = None
            locked.extension_reason = ""
            data = {
                "tally": {metric.code: str(quantity) for metric, quantity in quantities.items()},
                "late": locked.resolve_late,
                "photos": len(processed),
            }
            return Outcome(note=text, data=data, photos=processed, photo_stage=PhotoStage.AFTER)

        return apply

    return _perform(actor, case, "resolve", prepare)


AFTER_PHOTO_NEEDED = _("This category needs a photo of the result.")


def _resolve_duration(case: Case, now: datetime.datetime) -> datetime.timedelta | None:
    """Dispatch to resolution by the category's clock, leaving out the time the case was deferred."""
    if case.dispatched_at is None:
        return None
    worked = worktime.duration_by_clock(case.category, case.dispatched_at, now)
    return max(worked - (case.paused_duration or datetime.timedelta(0)), datetime.timedelta(0))


def _needs_after_photo(case: Case, uploads: list[ProcessedPhoto]) -> bool:
    """Whether the category asks for an after-photo and none comes with the action or since work (re)started."""
    if not case.category.after_photo_required or uploads:
        return False
    photos = case.photos.filter(stage=PhotoStage.AFTER)
    if case.work_started_at:
        # An after-photo of a fix that was sent for rework does not show the new fix.
        photos = photos.filter(uploaded_at__gte=case.work_started_at)
    return not photos.exists()


LATER_DEADLINE = _("The new deadline must be later than the current one.")


def _later_than_current(until: datetime.datetime, case: Case) -> bool:
    return until > max(clock.now(), case.resolve_due_at or clock.now())


def _latest_extension(case: Case) -> datetime.datetime:
    """The latest deadline an extension may ask for: CASE_EXTENSION_MAX_DAYS past the current one, by its clock.

    On a working-time clock these are working days (each the working hours of one day), so a request made
    before a holiday is not eaten up by it.
    """
    base = max(clock.now(), case.resolve_due_at or clock.now())
    return worktime.add_by_clock(
        case.category, base, worktime.day_length(case.category) * settings.CASE_EXTENSION_MAX_DAYS
    )


def request_extension(actor: User, case: Case, *, until: datetime.datetime, reason: str) -> Case:
    """The lead department asks a leader for more time to resolve."""

    def prepare(current: Case):
        fields: dict[str, list] = {}
        text = _optional_text(reason)
        if not text:
            fields["reason"] = [REASON_REQUIRED]
        if not isinstance(until, datetime.datetime) or timezone.is_naive(until):
            fields["until"] = [_("Give the new deadline as a date and time.")]
        elif not _later_than_current(until, current):
            fields["until"] = [LATER_DEADLINE]
        elif until > _latest_extension(current):
            days = settings.CASE_EXTENSION_MAX_DAYS
            if current.category.clock == Clock.WORKING:
                message = _("An extension may add at most %(days)s working days; ask again later if needed.")
            else:
                message = _("An extension may add at most %(days)s days; ask again later if needed.")
            fields["until"] = [message % {"days": days}]
        if fields:
            raise InvalidInput.for_fields(fields)

        def apply(locked: Case, now: datetime.datetime) -> Outcome:
            if not _later_than_current(until, locked):  # a leader may have moved the deadline meanwhile
                raise InvalidInput.for_fields({"until": [LATER_DEADLINE]})
            locked.extension_requested_until = until
            locked.extension_reason = text[:500]
            return Outcome(
                note=text, data={"until": _local_iso(until), "resolve_due_at": _local_iso(locked.resolve_due_at)}
            )

        return apply

    return _perform(actor, case, "request_extension", prepare)


def approve_extension(actor: User, case: Case, *, approve: bool = True, note: str = "") -> Case:
    """A leader grants (moving the resolve deadline) or refuses (with a reason) the pending extension."""

    def prepare(_case: Case):
        if not approve:
            _required_text(note, "note")

        def apply(locked: Case, now: datetime.datetime) -> Outcome:
            requested = locked.extension_requested_until
            if approve and requested <= now:
                raise InvalidState(
                    _(
                        "The requested deadline has already passed; "
                        "refuse this request so the department can ask again."
                    ),
                    reason="request_expired",
                )
            data = {
                "approved": approve,
                "until": _local_iso(requested),
                "previous_due_at": _local_iso(locked.resolve_due_at),
            }
            if approve:
                locked.resolve_due_at = requested
                locked.extension_count += 1
            locked.extension_requested_until = None
            locked.extension_reason = ""
            return Outcome(note=_optional_text(note), data=data)

        return apply

    return _perform(actor, case, "approve_extension", prepare)


# --- leaders: supervision (督办) ------------------------------------------------------------------


def _date_or_none(value: Any, field_name: str, message) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise InvalidInput.for_fields({field_name: [message]})
    return value


def supervise(actor: User, case: Case, *, note: str, until: datetime.date | None = None) -> Case:
    """督办: a leader marks a case the lead department holds for attention (note, optional date to finish by).

    The case keeps the latest supervision; every one is an event (and tells the departments, notifications/rules.py).
    """

    def prepare(_case: Case):
        fields: dict[str, list] = {}
        text = _optional_text(note)
        if not text:
            fields["note"] = [_("Say what the department is to do.")]
        try:
            day = _date_or_none(until, "until", _("Give the date as YYYY-MM-DD."))
        except InvalidInput as error:
            fields.update(error.fields)
            day = None
        if day is not None and day < timezone.localdate(clock.now()):
            fields["until"] = [_("The date must not be in the past.")]
        if fields:
            raise InvalidInput.for_fields(fields)

        def apply(locked: Case, now: datetime.datetime) -> Outcome:
            locked.supervised_at = now
            locked.supervised_by = actor
            locked.supervision_note = text[:2000]
            locked.supervised_until = day
            return Outcome(note=text, data={"until": day.isoformat() if day else None})

        return apply

    return _perform(actor, case, "supervise", prepare)


# --- deferral (缓办/挂账) ---------------------------------------------------------------------------

DEFERRAL_MAX_DAYS = 400


def request_deferral(actor: User, case: Case, *, reason: str, until: datetime.date, plan: str) -> Case:
    """The lead department asks a leader to defer a case that needs a capital project, until a date, with a plan."""

    def prepare(_case: Case):
        fields: dict[str, list] = {}
        text = _optional_text(reason)
        if not text:
            fields["reason"] = [REASON_REQUIRED]
        plan_text = _optional_text(plan)
        if not plan_text:
            fields["plan"] = [_("Name the plan or project the work is deferred into.")]
        today = timezone.localdate(clock.now())
        try:
            day = _date_or_none(until, "until", _("Give the date as YYYY-MM-DD."))
        except InvalidInput as error:
            fields.update(error.fields)
            day = today
        if day is None:
            fields["until"] = [_("Give the date the case comes back.")]
        elif "until" not in fields and day <= today:
            fields["until"] = [_("The date must be in the future.")]
        elif "until" not in fields and day > today + datetime.timedelta(days=DEFERRAL_MAX_DAYS):
            fields["until"] = [
                _("A deferral may last at most %(days)s days; ask again later if needed.") % {"days": DEFERRAL_MAX_DAYS}
            ]
        if fields:
            raise InvalidInput.for_fields(fields)

        def apply(locked: Case, now: datetime.datetime) -> Outcome:
            locked.deferral_requested_at = now
            locked.deferral_until = day
            locked.deferral_reason = text[:2000]
            locked.deferral_plan = plan_text[:2000]
            return Outcome(note=text, data={"until": day.isoformat(), "plan": plan_text[:2000]})

        return apply

    return _perform(actor, case, "request_deferral", prepare)


def decide_deferral(actor: User, case: Case, *, approve: bool = True, note: str = "") -> Case:
    """A leader defers the case (its resolve clock stops until the date) or refuses the request (with a reason)."""

    def prepare(_case: Case):
        if not approve:
            _required_text(note, "note")

        def apply(locked: Case, now: datetime.datetime) -> Outcome:
            day = locked.deferral_until
            if approve and day <= timezone.localdate(now):
                raise InvalidState(
                    _("The requested date has already come; refuse this request so the department can ask again."),
                    reason="request_expired",
                )
            data = {"approved": approve, "until": day.isoformat() if day else None, "plan": locked.deferral_plan}
            if approve:
                locked.deferred_at = now
                locked.deferred_by = actor
            else:
                _clear_deferral(locked)
            return Outcome(note=_optional_text(note), data=data)

        return apply

    return _perform(actor, case, "decide_deferral", prepare)


def _clear_deferral(case: Case) -> None:
    for name in ("deferral_requested_at", "deferral_until", "deferred_at", "deferred_by"):
        setattr(case, name, None)
    case.deferral_reason = case.deferral_plan = ""


def _end_deferral(case: Case, now: datetime.datetime) -> datetime.timedelta | None:
    """Start the stopped clock again: the resolve deadline moves by the time the case was deferred.

    Returns that time (None when the case was not deferred); a pending request is dropped as well.
    """
    paused = None
    if case.deferred_at is not None:
        paused = max(now - case.deferred_at, datetime.timedelta(0))
        if case.resolve_due_at is not None:
            case.resolve_due_at += paused
        case.paused_duration = (case.paused_duration or datetime.timedelta(0)) + worktime.duration_by_clock(
            case.category, case.deferred_at, now
        )
    _clear_deferral(case)
    return paused


def resume_deferred(now: datetime.datetime | None = None) -> int:
    """Bring every deferred case whose date has come back into the loop (one `resume` event each).

    Run every minute by the worker (cases/tasks.py); a case comes back at the start of its date
    (Shenyang time), its resolve deadline moved by the time it was deferred.
    """
    now = now or clock.now()
    today = timezone.localdate(now)
    due = Case.objects.filter(deferred_at__isnull=False, deferral_until__lte=today).values_list("pk", flat=True)
    resumed = 0
    for pk in list(due):
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(of=("self",))
                .filter(pk=pk, deferred_at__isnull=False, deferral_until__lte=today)
                .first()
            )
            if case is None:  # resumed meanwhile by a parallel run, or resolved
                continue
            data = {
                "deferred_at": _local_iso(case.deferred_at),
                "until": case.deferral_until.isoformat(),
                "plan": case.deferral_plan,
                "previous_due_at": _local_iso(case.resolve_due_at),
            }
            paused = _end_deferral(case, now)
            data |= {"resolve_due_at": _local_iso(case.resolve_due_at), "deferred_days": paused.days}
            case.save()
            _record_event(case, None, CaseAction.RESUME, case.state, now=now, data=data)
            resumed += 1
    return resumed


# --- anyone who can see the case ---------------------------------------------------------------


def comment(actor: User, case: Case, *, note: str) -> Case:
    """An internal note on the timeline; the state does not change."""

    def prepare(_case: Case):
        text = _required_text(note, "note", _("Write the note."))

        def apply(locked: Case, now: datetime.datetime) -> Outcome:
            return Outcome(note=text)

        return apply

    return _perform(actor, case, "comment", prepare)


def add_photos(
    actor: User, case: Case, *, photos: Iterable[Any], stage: str = PhotoStage.BEFORE, note: str = ""
) -> Case:
    """Attach photos to an open case, recorded as one timeline entry."""

    def prepare(_case: Case):
        if stage not in PhotoStage.values:
            raise InvalidInput.for_fields({"stage": [_("Choose before, after or other.")]})
        processed = _processed_photos(photos)
        if not processed:
            raise InvalidInput.for_fields({"photos": [_("Choose at least one photo.")]})

        def apply(locked: Case, now: datetime.datetime) -> Outcome:
            return Outcome(
                note=_optional_text(note),
                data={"photos": len(processed), "stage": stage},
                photos=processed,
                photo_stage=stage,
            )

        return apply

    return _perform(actor, case, "add_photos", prepare)


ACTIONS: dict[str, Callable[..., Case]] = {
    "accept": accept,
    "reject": reject,
    "dispatch": dispatch,
    "report_in": report_in,
    "send_back": send_back,
    "resolve": resolve,
    "verify": verify,
    "rework": rework,
    "reopen": reopen,
    "request_extension": request_extension,
    "approve_extension": approve_extension,
    "supervise": supervise,
    "request_deferral": request_deferral,
    "decide_deferral": decide_deferral,
    "comment": comment,
    "add_photos": add_photos,
}


# --- escalation -------------------------------------------------------------------------------


def escalate_overdue(now: datetime.datetime | None = None) -> int:
    """Record one escalation event per overdue deadline and level of each case; returns how many were recorded.

    Run every minute by the schedule (core/schedule.py); safe to run as often and in as many processes as wanted.
    """
    now = now or clock.now()
    calendar = worktime.DatabaseCalendar()
    recorded = 0
    for deadline in Deadline:
        for level in (1, 2):
            candidates = _escalation_candidates(deadline, now, level)
            if level == 1:
                due = list(candidates.values_list("pk", flat=True))
            else:
                due = [case.pk for case in candidates if _second_escalation_due(case, deadline, now, calendar)]
            for pk in due:
                recorded += _escalate(pk, deadline, level, now, calendar)
    return recorded


def second_escalation_at(
    case: Case, deadline: str, *, calendar: worktime.Calendar | None = None
) -> datetime.datetime | None:
    """When a missed deadline goes up to the leaders: missed by as long again as its window, by the case's clock.

    The window is dispatch → due measured by the category's clock (a whistle's report-in around the clock), so a
    24-working-hour repair due on a Friday goes up after 24 more working hours, not over the weekend.
    """
    due = getattr(case, f"{deadline}_due_at")
    if due is None or case.dispatched_at is None:
        return None
    around_the_clock = deadline == Deadline.REPORT_IN and case.whistle
    window = worktime.duration_by_clock(
        case.category, case.dispatched_at, due, calendar=calendar, around_the_clock=around_the_clock
    )
    return worktime.add_by_clock(case.category, due, window, calendar=calendar, around_the_clock=around_the_clock)


def _second_escalation_due(case: Case, deadline: str, now: datetime.datetime, calendar: worktime.Calendar) -> bool:
    at = second_escalation_at(case, deadline, calendar=calendar)
    return at is not None and at <= now


def _escalation_candidates(deadline: str, now: datetime.datetime, level: int) -> QuerySet[Case]:
    return Case.objects.filter(escalation_due_q(deadline, now, level)).select_related("category")


def _escalate(pk: int, deadline: str, level: int, now: datetime.datetime, calendar: worktime.Calendar) -> int:
    due_field = f"{deadline}_due_at"
    mark_field = f"{deadline}_escalated_for" if level == 1 else f"{deadline}_escalated_twice_for"
    with transaction.atomic():
        case = _escalation_candidates(deadline, now, level).select_for_update(of=("self",)).filter(pk=pk).first()
        if case is None:  # handled meanwhile, or already escalated by a parallel run
            return 0
        if level == 2 and not _second_escalation_due(case, deadline, now, calendar):  # its deadline moved meanwhile
            return 0
        due = getattr(case, due_field)
        setattr(case, mark_field, due)
        case.save(update_fields=[mark_field, "updated_at"])
        _record_event(
            case,
            None,
            CaseAction.ESCALATE,
            case.state,
            now=now,
            data={
                "deadline": deadline,
                "level": level,
                "due_at": _local_iso(due),
                "overdue_minutes": round((now - due).total_seconds() / 60),
            },
        )
    return 1
