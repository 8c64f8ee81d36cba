"""The closed loop as users live it, and every refusal of bad data (DESIGN.md §3)."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import workflow
from cases.choices import AssignmentRole, CaseAction, CaseSource, CaseState
from cases.models import Assignment, Case, CaseEvent, Photo, TallyEntry
from core.errors import Conflict, Forbidden, InvalidInput, InvalidState
from tests.cases.test_workflow_matrix import inputs
from tests.factories import CommunityFactory, CompoundFactory, DepartmentFactory, RoadFactory, StaffProfileFactory
from tests.utils import photo_upload

START = datetime.datetime(2021, 8, 25, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def events(case: Case) -> list[tuple[str, str, str]]:
    return list(CaseEvent.objects.filter(case=case).values_list("action", "from_state", "to_state"))


def refused(error_type, call, *args, **kwargs):
    """Run a workflow call that must be refused; return the error."""
    with pytest.raises(error_type) as caught:
        call(*args, **kwargs)
    assert str(caught.value.message)
    return caught.value


def new_case(world, user="staff_own", **fields) -> Case:
    values = {"title": "小区道路破损", "category": world.category, "community": world.community} | fields
    return workflow.create_case(world.users[user], **values)


def test_a_case_goes_around_the_whole_loop_as_real_users(world):
    users = world.users
    cc = DepartmentFactory(name="住建局")
    with time_machine.travel(START, tick=False):
        case = new_case(
            world,
            description="和平小区3号楼前道路坑洼，约35平方米",
            road=world.road,
            latitude=Decimal("41.796500"),
            longitude=Decimal("123.451200"),
            reporter_name="李先生",
            reporter_phone="13900001234",
            photos=[photo_upload("before.png")],
        )
    assert re.fullmatch(r"SH-2021-\d{6}", case.number)
    assert case.state == CaseState.REGISTERED and case.source == CaseSource.PATROL
    assert case.campaign == world.category.campaign and case.street == world.street

    with time_machine.travel(START + datetime.timedelta(minutes=10), tick=False):
        case = workflow.dispatch(
            users["staff_own"], case, lead_department=world.lead, assist_departments=[world.assist], cc_departments=[cc]
        )
    assert case.state == CaseState.DISPATCHED
    assert case.report_in_due_at == START + datetime.timedelta(minutes=10, hours=2)
    assert case.resolve_due_at == START + datetime.timedelta(minutes=10, hours=72)

    with time_machine.travel(START + datetime.timedelta(minutes=40), tick=False):
        case = workflow.report_in(users["officer_lead"], case)
        case = workflow.report_in(users["officer_assist"], case, note="环卫配合清运")
    assert case.state == CaseState.IN_PROGRESS and case.report_in_late is False

    # 01:00 in Shenyang is still the day before in UTC: the tally's date must be Shenyang's.
    with time_machine.travel(START + datetime.timedelta(hours=16), tick=False):
        case = workflow.resolve(
            users["officer_lead"],
            case,
            note="已修补路面",
            tally={world.metric.code: "35"},
            photos=[photo_upload("after.png", color="gray")],
        )
    assert case.state == CaseState.RESOLVED and case.resolve_late is False

    with time_machine.travel(START + datetime.timedelta(hours=18), tick=False):
        case = workflow.verify(users["staff_own"], case, note="现场核查合格", satisfaction="satisfied")
    assert case.state == CaseState.CLOSED and case.satisfaction == "satisfied"

    assert events(case) == [
        ("create", "", "registered"),
        ("dispatch", "registered", "dispatched"),
        ("report_in", "dispatched", "in_progress"),
        ("report_in", "in_progress", "in_progress"),
        ("resolve", "in_progress", "resolved"),
        ("verify", "resolved", "closed"),
    ]
    actors = list(CaseEvent.objects.filter(case=case).values_list("actor__username", flat=True))
    assert actors == [users[name].username for name in ("staff_own",) * 2 + ("officer_lead", "officer_assist")] + [
        users["officer_lead"].username,
        users["staff_own"].username,
    ]
    assert [(p.stage, p.event.action) for p in case.photos.select_related("event")] == [
        ("before", "create"),
        ("after", "resolve"),
    ]
    entry = TallyEntry.objects.get(case=case)
    assert (entry.metric, entry.quantity, entry.community, entry.campaign) == (
        world.metric,
        Decimal("35.00"),
        world.community,
        world.category.campaign,
    )
    assert entry.date == datetime.date(2021, 8, 26)  # local date in Shenyang
    assert not Assignment.objects.filter(case=case, finished_at__isnull=True).exists()
    assigned = {a.department: (a.role, a.reported_in_at is not None) for a in case.assignments.all()}
    assert assigned == {
        world.lead: (AssignmentRole.LEAD, True),
        world.assist: (AssignmentRole.ASSIST, True),
        cc: (AssignmentRole.CC, False),
    }


def test_case_numbers_count_up_within_each_year(world):
    with time_machine.travel(START, tick=False):
        first, second = new_case(world), new_case(world)
    with time_machine.travel(datetime.datetime(2022, 1, 1, 0, 30, tzinfo=START.tzinfo), tick=False):
        next_year = new_case(world)
    assert (first.number, second.number, next_year.number) == ("SH-2021-000001", "SH-2021-000002", "SH-2022-000001")


# --- intake --------------------------------------------------------------------------------------


def test_outside_reports_wait_for_the_street_to_accept_them(world):
    hotline = workflow.create_case(
        None, title="楼道堆物", category=world.category, community=world.community, source=CaseSource.HOTLINE
    )
    by_leader = new_case(world, user="leader")
    assert (hotline.state, hotline.source) == (CaseState.REPORTED, CaseSource.HOTLINE)
    assert by_leader.state == CaseState.REPORTED
    assert events(hotline) == [("create", "", "reported")]


def test_a_road_chief_files_whistle_cases_on_their_own_roads_only(world):
    case = new_case(world, user="roadchief_own", road=world.road)
    assert (case.state, case.source) == (CaseState.REGISTERED, CaseSource.WHISTLE)
    error = refused(InvalidInput, new_case, world, user="roadchief_other", road=world.road)
    assert "road" in error.fields


def test_officers_do_not_file_cases(world):
    error = refused(Forbidden, new_case, world, user="officer_lead")
    assert error.reason == "role_not_allowed"


def test_a_case_may_count_for_another_campaign_of_the_same_drive_only(world):
    from tests.factories import CampaignFactory

    sibling = CampaignFactory(drive=world.category.campaign.drive)
    assert new_case(world, campaign=sibling).campaign == sibling
    error = refused(InvalidInput, new_case, world, campaign=CampaignFactory())
    assert "campaign" in error.fields


def test_street_staff_cannot_file_in_another_street(world):
    error = refused(Forbidden, new_case, world, user="staff_other")
    assert error.reason == "not_your_street"
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "   "}, "title"),
        ({"latitude": Decimal("39.9"), "longitude": Decimal("116.4")}, "latitude"),
        ({"latitude": Decimal("41.8")}, "longitude"),
        ({"latitude": "north", "longitude": "123.45"}, "latitude"),
        ({"reporter_phone": "12345"}, "reporter_phone"),
        ({"priority": "yesterday"}, "priority"),
        ({"source": "carrier-pigeon"}, "source"),
        ({"photos": ["not a file"]}, "photos"),
    ],
)
def test_bad_intake_data_is_refused_field_by_field_and_nothing_is_saved(world, fields, field):
    error = refused(InvalidInput, new_case, world, **fields)
    assert field in error.fields
    assert error.code == "validation_error"
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_the_place_must_hang_together(world):
    other_compound = CompoundFactory()
    other_road = RoadFactory()
    error = refused(InvalidInput, new_case, world, compound=other_compound, road=other_road)
    assert {"compound", "road"} <= set(error.fields)


def test_a_bad_photo_refuses_the_whole_intake(world):
    text = photo_upload()
    text.file.write(b"not really")  # corrupt the PNG after its header
    text.file.seek(0)
    text.file.truncate(20)
    error = refused(InvalidInput, new_case, world, photos=[photo_upload(), text])
    assert "photos" in error.fields
    assert not Case.objects.exists() and not Photo.objects.exists()


# --- data each action needs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "action", "user", "data", "field"),
    [
        ("registered", "reject", "staff_own", {"reason": " "}, "reason"),
        ("registered", "reject", "staff_own", {"reason": "重复", "duplicate_of": "SH-1999-000001"}, "duplicate_of"),
        ("registered", "dispatch", "staff_own", {"lead_department": None}, "lead_department"),
        ("dispatched", "send_back", "officer_lead", {"reason": ""}, "reason"),
        ("in_progress", "resolve", "officer_lead", {"note": "", "tally": {"debris_piles_removed": 1}}, "note"),
        ("in_progress", "resolve", "officer_lead", {"note": "好了", "tally": {}}, "tally"),
        ("in_progress", "resolve", "officer_lead", {"note": "好了", "tally": {"road_repaired": 3}}, "tally"),
        ("in_progress", "resolve", "officer_lead", {"note": "好了", "tally": {"debris_piles_removed": "-2"}}, "tally"),
        ("in_progress", "resolve", "officer_lead", {"note": "好了", "tally": {"debris_piles_removed": "NaN"}}, "tally"),
        ("in_progress", "resolve", "officer_lead", {"note": "好了", "tally": {"debris_piles_removed": "三"}}, "tally"),
        ("resolved", "verify", "staff_own", {"satisfaction": "delighted"}, "satisfaction"),
        ("resolved", "rework", "staff_own", {"reason": ""}, "reason"),
        ("closed", "reopen", "staff_own", {"reason": ""}, "reason"),
        ("in_progress", "request_extension", "officer_lead", {"until": None, "reason": "等待"}, "until"),
        ("in_progress", "request_extension", "officer_lead", {"until": "next week", "reason": "等待"}, "until"),
        ("in_progress", "comment", "leader", {"note": "\n"}, "note"),
        ("in_progress", "add_photos", "staff_own", {"photos": []}, "photos"),
        ("in_progress", "add_photos", "staff_own", {"photos": [photo_upload()], "stage": "during"}, "stage"),
    ],
)
def test_missing_or_wrong_data_is_refused_and_changes_nothing(world, state, action, user, data, field):
    case = world.case_in(state)
    before = (events(case), TallyEntry.objects.count(), Assignment.objects.count(), Photo.objects.count())
    error = refused(InvalidInput, workflow.ACTIONS[action], world.users[user], case, **data)
    assert field in error.fields
    case.refresh_from_db()
    assert case.state == state
    assert (events(case), TallyEntry.objects.count(), Assignment.objects.count(), Photo.objects.count()) == before


def test_a_department_can_have_only_one_part(world):
    case = world.case_in("registered")
    error = refused(
        InvalidInput,
        workflow.dispatch,
        world.users["staff_own"],
        case,
        lead_department=world.lead,
        assist_departments=[world.lead],
    )
    assert "assist_departments" in error.fields


def test_an_inactive_department_cannot_be_summoned(world):
    world.assist.is_active = False
    world.assist.save()
    case = world.case_in("registered")
    error = refused(
        InvalidInput,
        workflow.dispatch,
        world.users["staff_own"],
        case,
        lead_department=world.lead,
        assist_departments=[world.assist],
    )
    assert list(error.fields) == ["assist_departments"]


def test_rejecting_as_a_duplicate_names_the_original(world):
    original = world.case_in("in_progress")
    case = world.case_in("reported")
    case = workflow.reject(world.users["staff_own"], case, reason="重复上报", duplicate_of=original.number)
    assert case.duplicate_of == original
    assert CaseEvent.objects.get(case=case, action="reject").data == {"duplicate_of": original.number}


def test_a_case_cannot_duplicate_itself_or_a_case_of_another_street(world):
    case = world.case_in("registered")
    elsewhere = world.case_in("registered", community=CommunityFactory(street=world.other_street))
    elsewhere.street = world.other_street
    elsewhere.save()
    for target in (case.number, elsewhere.number):
        refused(InvalidInput, workflow.reject, world.users["staff_own"], case, reason="重复", duplicate_of=target)


def test_satisfaction_needs_a_resident_to_call_back(world):
    case = world.case_in("resolved", reporter_name="", reporter_phone="")
    error = refused(InvalidInput, workflow.verify, world.users["staff_own"], case, satisfaction="satisfied")
    assert "satisfaction" in error.fields
    assert workflow.verify(world.users["staff_own"], case).satisfaction == ""


def test_an_after_photo_is_needed_where_the_category_says_so(world):
    world.category.after_photo_required = True
    world.category.save()
    case = world.case_in("in_progress")
    tally = {world.metric.code: 2}
    error = refused(InvalidInput, workflow.resolve, world.users["officer_lead"], case, note="已清理", tally=tally)
    assert "photos" in error.fields
    workflow.add_photos(world.users["officer_lead"], case, photos=[photo_upload()], stage="after")
    assert workflow.resolve(world.users["officer_lead"], case, note="已清理", tally=tally).state == "resolved"


def test_after_rework_the_earlier_after_photo_and_tally_no_longer_count(world):
    world.category.after_photo_required = True
    world.category.save()
    officer, staff = world.users["officer_lead"], world.users["staff_own"]
    case = world.case_in("in_progress")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        case = workflow.resolve(officer, case, note="已清理", tally={world.metric.code: 4}, photos=[photo_upload()])
        traveller.shift(datetime.timedelta(hours=1))
        case = workflow.rework(staff, case, reason="仍有垃圾")
        assert (case.state, case.rework_count) == (CaseState.IN_PROGRESS, 1)
        assert TallyEntry.objects.counted().filter(case=case).count() == 0
        assert TallyEntry.objects.filter(case=case).count() == 1  # kept, voided
        traveller.shift(datetime.timedelta(hours=1))
        refused(InvalidInput, workflow.resolve, officer, case, note="再次清理", tally={world.metric.code: 5})
        case = workflow.resolve(officer, case, note="再次清理", tally={world.metric.code: 5}, photos=[photo_upload()])
    counted = TallyEntry.objects.counted().filter(case=case)
    assert [entry.quantity for entry in counted] == [Decimal("5.00")]


# --- deadlines, lateness, overdue ----------------------------------------------------------------


def test_a_whistle_summons_several_departments_with_a_short_report_in_window(world):
    third = DepartmentFactory(name="交警大队")
    case = world.case_in("registered")
    with time_machine.travel(START, tick=False):
        case = workflow.dispatch(
            world.users["roadchief_own"],
            case,
            lead_department=world.lead,
            assist_departments=[world.assist],
            cc_departments=[third],
        )
    assert case.whistle is True  # a road chief's dispatch is always a whistle
    due = START + datetime.timedelta(minutes=30)
    parts = {a.department: (a.whistle, a.report_in_due_at) for a in case.assignments.all()}
    assert parts == {world.lead: (True, due), world.assist: (True, due), third: (False, None)}
    with time_machine.travel(START + datetime.timedelta(minutes=20), tick=False):
        workflow.report_in(world.users["officer_assist"], case)
    with time_machine.travel(START + datetime.timedelta(minutes=45), tick=False):
        case = workflow.report_in(world.users["officer_lead"], case)
    lateness = dict(case.assignments.values_list("department", "report_in_late"))
    assert lateness == {world.lead.pk: True, world.assist.pk: False, third.pk: None}
    assert case.report_in_late is True
    minutes = [e.data["minutes"] for e in CaseEvent.objects.filter(case=case, action="report_in")]
    assert minutes == [20, 45]


def overdue_numbers(moment) -> set[str]:
    from cases.queries import search_cases

    return set(search_cases(Case.objects.all(), overdue=True, now=moment).values_list("number", flat=True))


def test_overdue_follows_the_deadlines_and_lateness_is_kept_once_a_step_ends(world):
    from cases.queries import report_in_overdue_q, with_overdue

    case = world.case_in("registered")
    with time_machine.travel(START, tick=False):
        case = workflow.dispatch(world.users["staff_own"], case, lead_department=world.lead)
    assert overdue_numbers(START + datetime.timedelta(hours=1, minutes=59)) == set()
    assert overdue_numbers(START + datetime.timedelta(hours=2, minutes=1)) == {case.number}
    late = START + datetime.timedelta(hours=2, minutes=1)
    assert Case.objects.filter(report_in_overdue_q(late)).get() == case
    with time_machine.travel(START + datetime.timedelta(hours=3), tick=False):
        case = workflow.report_in(world.users["officer_lead"], case)
    assert overdue_numbers(START + datetime.timedelta(hours=71)) == set()
    assert overdue_numbers(START + datetime.timedelta(hours=73)) == {case.number}
    with time_machine.travel(START + datetime.timedelta(hours=72), tick=False):  # exactly on the deadline
        case = workflow.resolve(world.users["officer_lead"], case, note="好了", tally={world.metric.code: 1})
    assert (case.report_in_late, case.resolve_late) == (True, False)
    assert overdue_numbers(START + datetime.timedelta(days=10)) == set()
    with time_machine.travel(START + datetime.timedelta(days=10), tick=False):
        case = workflow.verify(world.users["staff_own"], case)
    case.refresh_from_db()
    assert (case.report_in_late, case.resolve_late) == (True, False)
    annotated = with_overdue(Case.objects.all(), START + datetime.timedelta(days=20)).get()
    assert (annotated.overdue, annotated.report_in_overdue) == (False, False)


def test_an_approved_extension_moves_the_resolve_deadline(world):
    officer, leader = world.users["officer_lead"], world.users["leader"]
    case = world.case_in("registered")
    with time_machine.travel(START, tick=False):
        case = workflow.dispatch(world.users["staff_own"], case, lead_department=world.lead)
        case = workflow.report_in(officer, case)
        until = START + datetime.timedelta(days=5)
        refused(InvalidInput, workflow.request_extension, officer, case, until=START, reason="等材料")
        case = workflow.request_extension(officer, case, until=until, reason="需协调产权单位")
        error = refused(InvalidState, workflow.request_extension, officer, case, until=until, reason="再次")
        assert error.reason == "extension_pending"
        refused(InvalidInput, workflow.approve_extension, leader, case, approve=False)
        case = workflow.approve_extension(leader, case, note="同意")
    assert (case.resolve_due_at, case.extension_count, case.extension_requested_until) == (until, 1, None)
    assert overdue_numbers(START + datetime.timedelta(days=4)) == set()
    error = refused(InvalidState, workflow.approve_extension, leader, case)
    assert error.reason == "no_request"


def test_an_extension_whose_date_has_passed_cannot_be_granted(world):
    case = world.case_in("in_progress", pending_extension=True)
    with time_machine.travel(case.extension_requested_until + datetime.timedelta(minutes=1), tick=False):
        error = refused(InvalidState, workflow.approve_extension, world.users["leader"], case)
        assert error.reason == "request_expired"
        workflow.approve_extension(world.users["leader"], case, approve=False, note="已过期，请重新申请")


def test_a_refused_extension_leaves_the_deadline(world):
    case = world.case_in("in_progress", pending_extension=True)
    due = case.resolve_due_at
    case = workflow.approve_extension(world.users["leader"], case, approve=False, note="不予延期")
    assert (case.resolve_due_at, case.extension_count, case.extension_requested_until) == (due, 0, None)
    assert CaseEvent.objects.get(case=case, action="approve_extension").data["approved"] is False


def test_escalation_is_recorded_once_per_deadline_and_level(world):
    from django.core.management import call_command

    case = world.case_in("registered")
    report_in = datetime.timedelta(hours=world.category.report_in_hours)
    resolve = datetime.timedelta(hours=world.category.resolve_hours)
    minute = datetime.timedelta(minutes=1)
    with time_machine.travel(START, tick=False):
        case = workflow.dispatch(world.users["staff_own"], case, lead_department=world.lead)
    with time_machine.travel(START + report_in - minute, tick=False):
        assert workflow.escalate_overdue() == 0
    with time_machine.travel(START + report_in + minute, tick=False):
        assert workflow.escalate_overdue() == 1  # level 1: the department and the street
        assert workflow.escalate_overdue() == 0
    with time_machine.travel(START + 2 * report_in - minute, tick=False):
        assert workflow.escalate_overdue() == 0
    with time_machine.travel(START + 2 * report_in + minute, tick=False):
        output = io.StringIO()
        call_command("escalate_overdue", stdout=output)
        assert output.getvalue().strip() == "Escalations recorded: 1"  # level 2: missed by its window again
        assert workflow.escalate_overdue() == 0
    with time_machine.travel(START + resolve + minute, tick=False):
        assert workflow.escalate_overdue() == 1  # only the resolve deadline is new
    with time_machine.travel(START + 2 * resolve + minute, tick=False):
        assert workflow.escalate_overdue() == 1
        assert workflow.escalate_overdue() == 0
    escalations = CaseEvent.objects.filter(case=case, action=CaseAction.ESCALATE)
    assert [(e.data["deadline"], e.data["level"]) for e in escalations] == [
        ("report_in", 1),
        ("report_in", 2),
        ("resolve", 1),
        ("resolve", 2),
    ]
    assert all(e.actor is None and e.from_state == e.to_state == "dispatched" for e in escalations)
    # A new deadline (an approved extension) that passes too is escalated again, once per level.
    moment = START + 2 * resolve + 2 * minute
    with time_machine.travel(moment, tick=False):
        workflow.report_in(world.users["officer_lead"], case)
        case = workflow.request_extension(
            world.users["officer_lead"], case, until=moment + datetime.timedelta(hours=6), reason="等材料"
        )
        workflow.approve_extension(world.users["leader"], case)
    with time_machine.travel(moment + datetime.timedelta(hours=7), tick=False):
        assert workflow.escalate_overdue() == 1
        assert workflow.escalate_overdue() == 0


# --- rounds of work: send back, reopen -------------------------------------------------------------


def test_sending_back_ends_the_round_and_keeps_its_report_in_record(world):
    case = world.case_in("in_progress")
    case = workflow.send_back(world.users["officer_lead"], case, reason="不属于本部门职责")
    assert (case.dispatched_at, case.reported_in_at, case.report_in_late, case.work_started_at) == (None,) * 4
    lead = Assignment.objects.get(case=case, department=world.lead)
    assert (lead.reported_in_at is not None, lead.report_in_late, lead.finished_at is not None) == (True, False, True)


def test_a_sent_back_case_can_be_dispatched_to_another_department(world):
    other = DepartmentFactory(name="市场监管局")
    other_officer = StaffProfileFactory(officer=True, department=other).user
    case = world.case_in("dispatched")
    case = workflow.send_back(world.users["officer_lead"], case, reason="属于市场监管职责")
    assert (case.state, case.report_in_due_at, case.resolve_due_at) == (CaseState.REGISTERED, None, None)
    finished = Assignment.objects.filter(case=case)
    assert all(a.finished_at is not None for a in finished)
    assert all(a.report_in_late for a in finished if a.reported_in_at is None)  # they were due an hour ago
    case = workflow.dispatch(world.users["staff_own"], case, lead_department=other)
    case = workflow.report_in(other_officer, case)
    assert case.state == CaseState.IN_PROGRESS
    refused(Forbidden, workflow.resolve, world.users["officer_lead"], case, note="x")


def test_reopening_starts_a_new_round_with_the_same_departments(world):
    case = world.case_in("closed", satisfaction="dissatisfied")
    case = workflow.reopen(world.users["staff_own"], case, reason="问题反弹")
    assert (case.state, case.reopen_count, case.satisfaction, case.closed_at) == ("dispatched", 1, "", None)
    current = {(a.department, a.role) for a in Assignment.objects.filter(case=case, finished_at__isnull=True)}
    assert current == {(world.lead, "lead"), (world.assist, "assist")}
    assert workflow.report_in(world.users["officer_lead"], case).state == CaseState.IN_PROGRESS


def test_each_round_keeps_its_resolution_on_the_lead_assignment(world):
    case = world.case_in("in_progress")
    with time_machine.travel(case.resolve_due_at + datetime.timedelta(hours=1), tick=False) as traveller:
        case = workflow.resolve(world.users["officer_lead"], case, note="好了", tally={world.metric.code: 1})
        case = workflow.verify(world.users["staff_own"], case)
        traveller.shift(datetime.timedelta(days=2))
        case = workflow.reopen(world.users["staff_own"], case, reason="问题反弹")
    first_round = Assignment.objects.get(case=case, department=world.lead, finished_at__isnull=False)
    assert (first_round.resolved_at is not None, first_round.resolve_late) == (True, True)
    assert case.resolve_late is None  # the new round has not ended


def test_a_case_closed_more_than_30_days_ago_cannot_be_reopened(world):
    case = world.case_in("closed", closed_at=timezone.now() - datetime.timedelta(days=31))
    error = refused(InvalidState, workflow.reopen, world.users["leader"], case, reason="问题反弹")
    assert error.reason == "reopen_window_passed"


# --- the timeline is a record -------------------------------------------------------------------


def test_events_can_be_neither_changed_nor_deleted(world):
    case = workflow.comment(world.users["leader"], world.case_in("registered"), note="请尽快处理")
    event = CaseEvent.objects.get(case=case, action="comment")
    event.note = "改写"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        CaseEvent.objects.filter(case=case).update(note="改写")
    with pytest.raises(ValidationError):
        CaseEvent.objects.filter(case=case).delete()
    assert CaseEvent.objects.get(pk=event.pk).note == "请尽快处理"


def test_resolving_clears_a_pending_extension_request(world):
    case = world.case_in("in_progress", pending_extension=True)
    case = workflow.resolve(world.users["officer_lead"], case, note="已清理", tally={world.metric.code: 1})
    assert (case.extension_requested_until, case.extension_reason) == (None, "")


def test_a_closed_case_without_a_lead_department_cannot_be_reopened(world):
    case = world.case_in("closed")
    case.assignments.all().delete()
    error = refused(InvalidState, workflow.reopen, world.users["staff_own"], case, reason="问题反弹")
    assert error.reason == "no_lead"
    case.refresh_from_db()
    assert case.state == "closed"


def test_added_photos_are_one_timeline_entry(world):
    case = workflow.add_photos(
        world.users["staff_own"], world.case_in("registered"), photos=[photo_upload(), photo_upload()], stage="before"
    )
    event = CaseEvent.objects.get(case=case)
    assert (event.action, event.get_action_display(), event.photos.count()) == ("add_photos", "上传照片", 2)


def test_a_failed_save_leaves_no_photo_file_behind(world, monkeypatch, settings):
    def stored_files() -> list:
        return sorted(path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file())

    before = stored_files()
    original_save = Photo.save
    calls = []

    def fail_on_second(photo, *args, **kwargs):
        calls.append(photo)
        if len(calls) == 2:
            raise DatabaseError("disk full")
        return original_save(photo, *args, **kwargs)

    monkeypatch.setattr(Photo, "save", fail_on_second)
    case = world.case_in("registered")
    refused(Conflict, workflow.add_photos, world.users["staff_own"], case, photos=[photo_upload(), photo_upload()])
    assert stored_files() == before
    assert not Photo.objects.exists() and not CaseEvent.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    ("action", "state", "user"),
    [
        ("report_in", "dispatched", "officer_assist"),
        ("resolve", "in_progress", "officer_lead"),
        ("verify", "resolved", "staff_own"),
        ("reopen", "closed", "staff_own"),
        ("comment", "in_progress", "officer_lead"),
    ],
)
def test_an_action_costs_the_same_queries_however_many_departments_and_events_a_case_has(world, action, state, user):
    def queries_for(case: Case) -> int:
        with CaptureQueriesContext(connection) as captured:
            workflow.ACTIONS[action](world.users[user], case, **inputs(action, world))
        return len(captured)

    small = world.case_in(state)
    big = world.case_in(state)
    for _ in range(5):
        finished = big.closed_at if state == "closed" else None
        Assignment.objects.create(case=big, department=DepartmentFactory(), role="assist", finished_at=finished)
    for number in range(20):
        workflow.comment(world.users["leader"], big, note=f"督办意见{number}")
    assert queries_for(big) == queries_for(small)
