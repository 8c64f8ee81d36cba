"""The working-time calendar (DESIGN.md §11): arithmetic from tables, deadlines by clock, lateness, import, admin.

Working hours are settings.WORKING_HOURS, 08:30–12:00 and 13:00–17:00: 7.5 hours a working day. So 24
working hours from outside working hours are three full working days (22.5 h) and 1.5 h of the fourth,
due at 10:00 on the fourth working day.
"""

from __future__ import annotations

import datetime
import importlib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from cases import workflow, worktime
from cases.calendar_import import DEMO_CALENDAR_FILE, parse_calendar
from cases.choices import AssignmentRole, CalendarDayKind, Clock
from cases.models import CalendarDay, Category
from core.errors import InvalidInput
from tests.factories import AssignmentFactory, CaseFactory, CategoryFactory

SHENYANG = ZoneInfo("Asia/Shanghai")
# The shipped calendar (the State Council's notices for 2025 and 2026), as the pure functions take it.
CN = {day: kind for day, kind, _name in parse_calendar(DEMO_CALENDAR_FILE.read_bytes(), "csv")}


def at(text: str) -> datetime.datetime:
    """A local (Shenyang) time written as 2026-10-09 17:30."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=SHENYANG)


def test_the_shipped_calendar_holds_the_official_notices():
    holidays = {day for day, kind in CN.items() if kind == CalendarDayKind.HOLIDAY}
    workdays = sorted(day for day, kind in CN.items() if kind == CalendarDayKind.WORKDAY)
    assert {datetime.date(2025, 10, day) for day in range(1, 9)} <= holidays
    assert {datetime.date(2026, 10, day) for day in range(1, 8)} <= holidays
    assert {datetime.date(2026, 2, day) for day in range(15, 24)} <= holidays
    assert datetime.date(2026, 10, 8) not in holidays
    assert [day.isoformat() for day in workdays] == [
        "2025-01-26",
        "2025-02-08",
        "2025-04-27",
        "2025-09-28",
        "2025-10-11",
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ]
    assert all(day.weekday() >= 5 for day in workdays)  # a make-up workday is always a Saturday or Sunday


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-11-06", True),  # an ordinary Friday
        ("2026-11-07", False),  # an ordinary Saturday
        ("2026-10-01", False),  # 国庆节
        ("2026-10-08", True),  # the Thursday after National Day
        ("2026-10-10", True),  # make-up Saturday
        ("2025-09-28", True),  # make-up Sunday
        ("2026-09-25", False),  # 中秋节 on a Friday
    ],
)
def test_is_working_day(day, working):
    assert worktime.is_working_day(datetime.date.fromisoformat(day), CN) is working


ADD_WORKING_TIME = [
    # (start, working hours, calendar, due, why)
    ("2026-11-06 17:30", 24, CN, "2026-11-12 10:00", "Friday after hours: Mon, Tue, Wed and 1.5 h of Thursday"),
    ("2025-09-26 17:30", 24, CN, "2025-10-09 10:00", "National Day 2025: Sun 28 (make-up), 29, 30, then 9 Oct"),
    ("2026-09-25 17:30", 24, CN, "2026-10-08 10:00", "National Day 2026 (Friday is 中秋): 28, 29, 30, then 8 Oct"),
    ("2026-09-18 17:30", 24, CN, "2026-09-23 10:00", "make-up Sunday 2026-09-20 counts"),
    ("2026-10-09 17:30", 24, CN, "2026-10-14 10:00", "make-up Saturday 2026-10-10 counts"),
    ("2026-10-09 17:30", 24, {}, "2026-10-15 10:00", "the same without a calendar: Saturday is off"),
    ("2025-10-10 17:30", 4, CN, "2025-10-11 13:30", "make-up Saturday 2025-10-11, across lunch"),
    ("2026-02-13 17:30", 24, CN, "2026-02-26 10:00", "Spring Festival 2026: Sat 14 (make-up), then 24, 25, 26"),
    ("2026-10-03 10:00", 4, CN, "2026-10-08 13:30", "start on a holiday: counts from the next working morning"),
    ("2026-11-10 07:00", 1, CN, "2026-11-10 09:30", "start before working hours"),
    ("2026-11-10 12:30", 1, CN, "2026-11-10 14:00", "start in the lunch break"),
    ("2026-11-10 10:00", 3, CN, "2026-11-10 14:00", "start in working hours, across lunch"),
    ("2026-11-10 08:30", 7.5, CN, "2026-11-10 17:00", "a whole working day ends at 17:00, not next morning"),
    ("2026-11-10 16:00", 2, CN, "2026-11-11 09:30", "into the next working day"),
    ("2026-11-10 10:00", 0, CN, "2026-11-10 10:00", "no time at all"),
]


@pytest.mark.parametrize(("start", "hours", "calendar", "due", "why"), ADD_WORKING_TIME)
def test_add_working_time(start, hours, calendar, due, why):
    result = worktime.add_working_time(at(start), datetime.timedelta(hours=hours), calendar=calendar)
    assert result == at(due), why
    assert result.tzinfo is not None


@pytest.mark.parametrize(("start", "hours", "calendar", "due", "why"), ADD_WORKING_TIME)
def test_working_duration_undoes_add_working_time(start, hours, calendar, due, why):
    # Time outside working hours counts nothing, so from the start to the due moment is the duration asked for.
    assert worktime.working_duration(at(start), at(due), calendar=calendar) == datetime.timedelta(hours=hours)


def test_working_duration():
    assert worktime.working_duration(at("2026-11-10 10:00"), at("2026-11-10 14:00"), calendar=CN) == datetime.timedelta(
        hours=3
    )
    # The whole National Day week counts no working time.
    assert not worktime.working_duration(at("2026-09-30 17:00"), at("2026-10-08 08:30"), calendar=CN)
    assert not worktime.working_duration(at("2026-11-10 14:00"), at("2026-11-10 10:00"), calendar=CN)


def test_utc_input_counts_in_shenyang_time():
    start = datetime.datetime(2025, 9, 26, 9, 30, tzinfo=datetime.UTC)  # 17:30 in Shenyang
    assert worktime.add_working_time(start, datetime.timedelta(hours=24), calendar=CN) == at("2025-10-09 10:00")


def test_a_calendar_without_working_days_is_refused():
    never = {datetime.date(2026, 1, 1) + datetime.timedelta(days=n): "holiday" for n in range(4 * 366)}
    with pytest.raises(ValueError):
        worktime.add_working_time(at("2026-01-01 09:00"), datetime.timedelta(hours=1), calendar=never)


@pytest.mark.parametrize(
    ("clock", "start", "due"),
    [
        (Clock.CALENDAR, "2025-09-26 17:30", "2025-09-27 17:30"),  # around the clock: holidays do not matter
        (Clock.WORKING, "2025-09-26 17:30", "2025-10-09 10:00"),
    ],
)
def test_due_at_follows_the_category_clock(clock, start, due):
    category = Category(clock=clock)
    assert worktime.due_at(category, at(start), 24, calendar=CN) == at(due)


@pytest.fixture
def calendar_cn(db):
    call_command("import_calendar", str(DEMO_CALENDAR_FILE))


# --- the Done-when: an officer's 24-working-hour case dispatched on the Friday before National Day -------


@pytest.mark.parametrize(
    ("dispatched", "due"),
    [
        # 2025: Sun 28 Sep is a make-up workday, so 28, 29, 30 Sep give 22.5 h; 1–8 Oct are off;
        # the last 1.5 h fall on Thu 9 Oct, the first working day after the holiday.
        ("2025-09-26 17:30", "2025-10-09 10:00"),
        # 2026: the Friday before National Day is itself 中秋节; 28, 29, 30 Sep give 22.5 h; 1–7 Oct are off;
        # the last 1.5 h fall on Thu 8 Oct, the first working day after the holiday.
        ("2026-09-25 17:30", "2026-10-08 10:00"),
    ],
)
def test_a_24_working_hour_case_dispatched_before_national_day_is_due_after_it(calendar_cn, dispatched, due):
    category = CategoryFactory(clock=Clock.WORKING, report_in_hours=2, resolve_hours=24)
    _report_in, resolve = workflow.deadlines(category, at(dispatched), whistle=False)
    assert resolve == at(due)
    assert not worktime.is_working_day(resolve.date() - datetime.timedelta(days=1), CN)


# --- deadlines() per clock --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clock", "whistle", "report_in_due", "resolve_due"),
    [
        (Clock.CALENDAR, False, "2025-09-26 21:30", "2025-09-27 17:30"),
        (Clock.CALENDAR, True, "2025-09-26 18:00", "2025-09-27 17:30"),
        # 4 working hours: Sun 28 Sep (make-up) 08:30–12:00 and 13:00–13:30.
        (Clock.WORKING, False, "2025-09-28 13:30", "2025-10-09 10:00"),
        # A whistle's 30 minutes count around the clock whatever the category's clock.
        (Clock.WORKING, True, "2025-09-26 18:00", "2025-10-09 10:00"),
    ],
)
def test_deadlines_by_clock(calendar_cn, django_assert_num_queries, clock, whistle, report_in_due, resolve_due):
    category = CategoryFactory(clock=clock, report_in_hours=4, resolve_hours=24, whistle_report_in_minutes=30)
    # The working clock reads the calendar once for the year it touches; the calendar clock not at all.
    with django_assert_num_queries(1 if clock == Clock.WORKING else 0):
        assert workflow.deadlines(category, at("2025-09-26 17:30"), whistle=whistle) == (
            at(report_in_due),
            at(resolve_due),
        )


def test_deadlines_of_a_working_category_change_with_the_admins_calendar(db):
    category = CategoryFactory(clock=Clock.WORKING, report_in_hours=2, resolve_hours=24)
    start = at("2026-10-09 17:30")
    assert workflow.deadlines(category, start, whistle=False)[1] == at("2026-10-15 10:00")
    CalendarDay.objects.create(date=datetime.date(2026, 10, 10), kind=CalendarDayKind.WORKDAY, name="国庆节")
    assert workflow.deadlines(category, start, whistle=False)[1] == at("2026-10-14 10:00")


# --- lateness at the step, as before, for a working-clock case ---------------------------------------------


def test_lateness_is_recorded_at_the_step_by_the_working_clock(world, calendar_cn):
    users = world.users
    world.category.clock = Clock.WORKING
    world.category.save(update_fields=["clock"])  # report in 2 h, resolve 72 h (the defaults)
    with time_machine.travel(at("2025-09-26 17:30"), tick=False):
        case = workflow.create_case(
            users["staff_own"], title="小区道路破损", category=world.category, community=world.community
        )
        case = workflow.dispatch(users["staff_own"], case, lead_department=world.lead)
    assert case.report_in_due_at == at("2025-09-28 10:30")  # 2 h on the make-up Sunday
    # 72 working hours = 9 days (67.5 h) + 4.5 h: 28, 29, 30 Sep, 9, 10, 11 (make-up Saturday), 13, 14, 15 Oct,
    # then 08:30–12:00 and 13:00–14:00 on 16 Oct.
    assert case.resolve_due_at == at("2025-10-16 14:00")

    # A day and a half of calendar time later, but within the 2 working hours: on time.
    with time_machine.travel(at("2025-09-28 09:00"), tick=False):
        case = workflow.report_in(users["officer_lead"], case)
    assert case.report_in_late is False
    assert case.assignments.get(department=world.lead).report_in_late is False

    with time_machine.travel(at("2025-10-16 14:30"), tick=False):
        case = workflow.resolve(users["officer_lead"], case, note="已修补路面", tally={world.metric.code: "3"})
    assert case.resolve_late is True
    assert case.assignments.get(department=world.lead).resolve_late is True


# --- import ---------------------------------------------------------------------------------------------------


def test_import_calendar_loads_the_shipped_file_once(db, capsys):
    call_command("import_calendar", str(DEMO_CALENDAR_FILE))
    assert CalendarDay.objects.count() == len(CN) == 72
    national_day = CalendarDay.objects.get(date=datetime.date(2026, 10, 10))
    assert (national_day.kind, national_day.name) == (CalendarDayKind.WORKDAY, "国庆节")
    call_command("import_calendar", str(DEMO_CALENDAR_FILE))
    assert CalendarDay.objects.count() == 72
    assert "added: 0, changed: 0" in capsys.readouterr().out


def test_import_accepts_chinese_headers_and_kinds_and_updates_a_day(db, tmp_path):
    CalendarDay.objects.create(date=datetime.date(2027, 1, 1), kind=CalendarDayKind.WORKDAY, name="旧")
    path = tmp_path / "2027.csv"
    path.write_text("日期,类型,名称\n2027/1/1,法定节假日,元旦\n2027-02-06,调休上班,春节\n", encoding="utf-8")
    call_command("import_calendar", str(path))
    assert list(CalendarDay.objects.values_list("date", "kind", "name")) == [
        (datetime.date(2027, 1, 1), "holiday", "元旦"),
        (datetime.date(2027, 2, 6), "workday", "春节"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,vacation,春节\n", "第 3 行"),
        ("date,kind,name\n2027-01-01,holiday,元旦\n2027-13-01,holiday,春节\n", "第 3 行"),
        ("date,kind,name\n2027-01-01,holiday,元旦\n2027-01-01,workday,元旦\n", "第 3 行"),
        ("date,kind,name\n2027-01-01,holiday,\n", "第 2 行"),
        ("date,kind\n2027-01-01,holiday\n", "名称"),
    ],
)
def test_a_bad_file_is_refused_with_a_translated_reason_and_saves_nothing(db, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("import_calendar", str(path))
    assert message in str(refused.value)
    assert not CalendarDay.objects.exists()


def test_a_missing_file_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="无法读取"):
        call_command("import_calendar", str(tmp_path / "none.csv"))


# --- admin ------------------------------------------------------------------------------------------------------


def test_the_calendar_admin_lists_days_by_year(world, calendar_cn):
    client = Client()
    client.force_login(world.users["superuser"])
    page = client.get("/admin/cases/calendarday/", {"year": "2026"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "2026" in body and "国庆节" in body and "2025年9月28日" not in body
    assert "调休上班" in body
    categories = client.get("/admin/cases/category/")
    assert categories.status_code == 200 and "自然时" in categories.content.decode()


# --- the case page ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clock", "says"),
    [(Clock.WORKING, "按工作时计算"), (Clock.CALENDAR, "按自然时计算")],
)
def test_the_case_page_says_which_clock_its_deadlines_run_on(world, clock, says):
    world.category.clock = clock
    world.category.save(update_fields=["clock"])
    case = world.case_in("dispatched", resolve_due_at=datetime.datetime(2026, 10, 8, 2, 0, tzinfo=datetime.UTC))
    client = Client()
    client.force_login(world.users["staff_own"])
    body = client.get(reverse("cases:case_detail", args=[case.number])).content.decode()
    assert says in body and "北京时间" in body
    assert "2026-10-08 10:00" in body  # the resolve deadline in local time (02:00 UTC)


def test_the_api_gives_each_categorys_clock(world):
    world.category.clock = Clock.WORKING
    world.category.save(update_fields=["clock"])
    client = Client()
    client.force_login(world.users["staff_own"])
    body = client.get(f"/api/v1/categories/{world.category.code}/").json()
    assert body["clock"] == "working"
    assert body["report_in_hours"] == 2  # the fields before it are unchanged


# --- every other time the app counts follows the clock too (docs/working-time.md) ---------------------------


def _working_case(world, dispatched: str, *, resolve_hours: int = 72):
    world.category.clock = Clock.WORKING
    world.category.resolve_hours = resolve_hours
    world.category.save(update_fields=["clock", "resolve_hours"])
    with time_machine.travel(at(dispatched), tick=False):
        case = workflow.create_case(
            world.users["staff_own"], title="小区道路破损", category=world.category, community=world.community
        )
        return workflow.dispatch(world.users["staff_own"], case, lead_department=world.lead)


def test_mean_times_on_the_dashboard_count_working_time(world, calendar_cn):
    from dashboard.queries import DashboardFilters, overview

    case = _working_case(world, "2025-09-26 17:30")  # Friday evening, before the National Day week
    with time_machine.travel(at("2025-09-28 09:00"), tick=False):  # the make-up Sunday, 30 working minutes in
        case = workflow.report_in(world.users["officer_lead"], case)
    with time_machine.travel(at("2025-10-16 14:30"), tick=False):  # 72.5 working hours in, 20 calendar days
        case = workflow.resolve(world.users["officer_lead"], case, note="已修补路面", tally={world.metric.code: "3"})

    assert case.assignments.get(department=world.lead).report_in_duration == datetime.timedelta(minutes=30)
    assert case.resolve_duration == datetime.timedelta(hours=72, minutes=30)
    period = {"date_from": "2025-09-01", "date_to": "2025-10-31", "drive": case.campaign.drive.slug}
    figures = overview(DashboardFilters.from_query(period), now=at("2025-10-20 12:00"))
    assert (figures["mean_report_in_minutes"], figures["mean_resolve_hours"]) == (30.0, 72.5)


def test_a_whistles_report_in_time_counts_around_the_clock(world, calendar_cn):
    world.category.clock = Clock.WORKING
    world.category.save(update_fields=["clock"])
    with time_machine.travel(at("2025-09-26 17:30"), tick=False):
        case = workflow.create_case(
            world.users["staff_own"], title="路面塌陷", category=world.category, community=world.community
        )
        case = workflow.dispatch(world.users["staff_own"], case, lead_department=world.lead, whistle=True)
    with time_machine.travel(at("2025-09-26 17:50"), tick=False):  # after hours: no working time at all
        case = workflow.report_in(world.users["officer_lead"], case)
    assert case.assignments.get(department=world.lead).report_in_duration == datetime.timedelta(minutes=20)


def test_time_deferred_is_left_out_of_the_time_to_resolve(world, calendar_cn):
    case = _working_case(world, "2026-11-02 08:30")  # Monday
    with time_machine.travel(at("2026-11-02 09:00"), tick=False):
        case = workflow.report_in(world.users["officer_lead"], case)
        case = workflow.request_deferral(
            world.users["officer_lead"],
            case,
            reason="需纳入道路更新",
            until=datetime.date(2026, 11, 9),
            plan="明年实施",
        )
    with time_machine.travel(at("2026-11-02 10:30"), tick=False):  # deferred after 2 working hours
        case = workflow.decide_deferral(world.users["leader"], case, approve=True, note="同意")
    with time_machine.travel(at("2026-11-09 00:05"), tick=False):  # back on its date, Monday
        assert workflow.resume_deferred() == 1
    with time_machine.travel(at("2026-11-09 10:30"), tick=False):  # 2 more working hours
        case = workflow.resolve(world.users["officer_lead"], case, note="已修补路面", tally={world.metric.code: "3"})
    assert case.resolve_duration == datetime.timedelta(hours=4)


def test_the_second_escalation_waits_the_window_again_in_working_time(world, calendar_cn):
    case = _working_case(world, "2026-11-04 08:30", resolve_hours=24)  # Wednesday
    assert case.resolve_due_at == at("2026-11-09 10:00")  # Wed, Thu, Fri 22.5 h + 1.5 h on Monday
    with time_machine.travel(at("2026-11-04 09:00"), tick=False):
        case = workflow.report_in(world.users["officer_lead"], case)
    assert workflow.second_escalation_at(case, "resolve") == at("2026-11-12 11:30")  # 24 working hours later

    def levels() -> list[int]:
        return sorted(e.data["level"] for e in case.events.filter(action="escalate"))

    with time_machine.travel(at("2026-11-09 10:01"), tick=False):
        workflow.escalate_overdue()
    assert levels() == [1]
    # By calendar time (due + dispatch-to-due again) it would go up on Saturday 14 Nov; by the clock, on Thursday.
    with time_machine.travel(at("2026-11-12 11:29"), tick=False):
        workflow.escalate_overdue()
    assert levels() == [1]
    with time_machine.travel(at("2026-11-12 11:30"), tick=False):
        workflow.escalate_overdue()
        workflow.escalate_overdue()  # once only
    assert levels() == [1, 2]


@pytest.mark.parametrize(
    ("until", "accepted"),
    [("2026-11-11 10:00", True), ("2026-11-11 10:01", False)],
)
def test_the_extension_limit_counts_working_days_on_a_working_clock(world, calendar_cn, settings, until, accepted):
    settings.CASE_EXTENSION_MAX_DAYS = 2  # two working days of 7.5 h past the deadline (Mon 10:00): Wed 10:00
    case = _working_case(world, "2026-11-04 08:30", resolve_hours=24)
    with time_machine.travel(at("2026-11-05 09:00"), tick=False):
        case = workflow.report_in(world.users["officer_lead"], case)
        if accepted:
            case = workflow.request_extension(world.users["officer_lead"], case, until=at(until), reason="材料未到")
            assert case.extension_requested_until == at(until)
        else:
            with pytest.raises(InvalidInput) as refused:
                workflow.request_extension(world.users["officer_lead"], case, until=at(until), reason="材料未到")
            assert "2 个工作日" in str(refused.value.fields["until"])  # working days, in the default language


def test_the_migration_measures_the_steps_recorded_before_by_each_clock(calendar_cn):
    from django.apps import apps

    measure = importlib.import_module("cases.migrations.0009_clock_durations").measure_recorded_steps
    working = CategoryFactory(clock=Clock.WORKING)
    calendar = CategoryFactory(clock=Clock.CALENDAR)
    friday, monday = at("2026-11-06 16:00"), at("2026-11-09 09:30")  # 1 working hour + 1 working hour
    cases = [
        CaseFactory(category=category, dispatched_at=friday, resolved_at=monday, resolve_duration=None)
        for category in (working, calendar)
    ]
    summonses = [
        AssignmentFactory(
            case=case, role=role, assigned_at=friday, reported_in_at=monday, report_in_duration=None, whistle=whistle
        )
        for case, role, whistle in (
            (cases[0], AssignmentRole.LEAD, False),
            (cases[0], AssignmentRole.ASSIST, True),
            (cases[1], AssignmentRole.LEAD, False),
        )
    ]
    measure(apps, None)
    for row in (*cases, *summonses):
        row.refresh_from_db()
    weekend = monday - friday
    assert [case.resolve_duration for case in cases] == [datetime.timedelta(hours=2), weekend]
    assert [s.report_in_duration for s in summonses] == [datetime.timedelta(hours=2), weekend, weekend]
