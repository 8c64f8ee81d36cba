"""The case list's export: one row per case in the list's order, Chinese headers, phones masked per DESIGN.md §4."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from cases.choices import AssignmentRole, CaseState
from cases.exports import case_columns, case_export_response
from cases.models import Case
from cases.queries import visible_to, with_overdue
from core.exports import EXPORT_FORMATS
from tests.factories import AssignmentFactory, CommunityFactory, DepartmentFactory

CHINESE_HEADERS = [
    "案件编号",
    "标题",
    "状态",
    "专项整治",
    "问题类别",
    "街道",
    "社区",
    "小区",
    "道路",
    "地址",
    "来源",
    "紧急程度",
    "反映人姓名",
    "反映人电话",
    "主办部门",
    "登记时间",
    "报到时限",
    "处置时限",
    "超期",
    "处置时间",
    "结案时间",
    "回访满意度",
    "返工次数",
]
ENGLISH_HEADERS = [
    "Case number",
    "Title",
    "State",
    "Campaign",
    "Category",
    "Street",
    "Community",
    "Compound",
    "Road",
    "Address",
    "Source",
    "Priority",
    "Reporter's name",
    "Reporter's phone",
    "Lead department",
    "Created at",
    "Report-in due",
    "Resolve due",
    "Overdue",
    "Resolved at",
    "Closed at",
    "Satisfaction",
    "Reworks",
]
COLUMN = {header: index for index, header in enumerate(ENGLISH_HEADERS)}
FULL_PHONE, MASKED_PHONE = "13812341234", "138****1234"


def exported(user, cases, file_format):
    """The export as rows of cells: strings from the CSV, typed values from the XLSX."""
    response = case_export_response(user, cases, file_format)
    body = response.getvalue()
    if file_format == "csv":
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def cell(row, header):
    return row[COLUMN[header]]


@pytest.fixture
def cases(world):
    """Three cases of the world's street: overdue in progress, waiting for dispatch, and closed."""
    now = timezone.now()
    overdue = world.case_in(
        CaseState.IN_PROGRESS,
        title="青年大街占道经营",
        resolve_due_at=now - datetime.timedelta(hours=1),
        created_at=datetime.datetime(2021, 8, 24, 1, 30, tzinfo=datetime.UTC),  # 09:30 in Shenyang
        address="青年大街12号",
    )
    registered = world.case_in(CaseState.REGISTERED, title="楼道堆物", reporter_phone="")
    closed = world.case_in(CaseState.CLOSED, title="乱贴小广告", satisfaction="satisfied", rework_count=1)
    return overdue, registered, closed


def test_columns():
    assert [str(column.header) for column in case_columns(None)] == CHINESE_HEADERS
    with translation.override("en"):
        assert [str(column.header) for column in case_columns(None)] == ENGLISH_HEADERS


@pytest.mark.parametrize("file_format", EXPORT_FORMATS)
def test_one_row_per_case_with_chinese_headers_and_labels(world, cases, file_format):
    overdue, registered, closed = cases
    rows = exported(world.users["leader"], Case.objects.order_by("pk"), file_format)

    assert rows[0] == CHINESE_HEADERS
    assert [cell(row, "Case number") for row in rows[1:]] == [overdue.number, registered.number, closed.number]
    first = rows[1]
    assert cell(first, "Title") == "青年大街占道经营"
    assert cell(first, "State") == "处置中"
    assert cell(first, "Campaign") == world.category.campaign.name
    assert cell(first, "Category") == world.category.name
    assert cell(first, "Street") == "滨河街道"
    assert cell(first, "Community") == world.community.name
    assert cell(first, "Road") == world.road.name
    assert cell(first, "Address") == "青年大街12号"
    assert cell(first, "Source") == "巡查发现"
    assert cell(first, "Priority") == "一般"
    assert cell(first, "Reporter's name") == "王女士"
    assert cell(first, "Lead department") == "城管执法局"
    assert cell(first, "Overdue") == "是"
    assert cell(rows[2], "State") == "已立案"
    assert cell(rows[2], "Overdue") == "否"
    assert cell(rows[3], "State") == "已结案"
    assert cell(rows[3], "Satisfaction") == "满意"
    if file_format == "csv":
        assert cell(first, "Created at") == "2021-08-24 09:30"
        assert cell(first, "Compound") == ""
        assert cell(rows[2], "Lead department") == ""  # not dispatched yet
        assert cell(rows[3], "Reworks") == "1"
    else:
        assert cell(first, "Created at") == datetime.datetime(2021, 8, 24, 9, 30)
        assert cell(first, "Compound") is None
        assert cell(rows[2], "Lead department") is None
        assert cell(rows[3], "Reworks") == 1
        assert cell(rows[3], "Closed at") == timezone.localtime(closed.closed_at).replace(tzinfo=None, microsecond=0)


def test_headers_follow_the_language(world, cases):
    with translation.override("en"):
        rows = exported(world.users["leader"], Case.objects.order_by("pk"), "csv")

    assert rows[0] == ENGLISH_HEADERS
    assert cell(rows[1], "State") == "In progress"
    assert cell(rows[1], "Overdue") == "Yes"


@pytest.mark.parametrize("file_format", EXPORT_FORMATS)
def test_the_rows_keep_the_order_and_the_narrowing_of_the_given_queryset(world, cases, file_format):
    overdue, _registered, closed = cases
    given = Case.objects.filter(pk__in=[overdue.pk, closed.pk]).order_by("-pk")

    rows = exported(world.users["leader"], given, file_format)

    assert [cell(row, "Case number") for row in rows[1:]] == [closed.number, overdue.number]


def test_the_caller_s_visibility_stands(world, cases):
    other = world.case_in(
        CaseState.REGISTERED,
        street=world.other_street,
        community=CommunityFactory(street=world.other_street),
        road=None,
    )
    user = world.users["staff_other"]

    rows = exported(user, visible_to(user), "csv")

    assert [cell(row, "Case number") for row in rows[1:]] == [other.number]


def test_a_queryset_already_annotated_and_prefetched_exports_too(world, cases):
    given = with_overdue(Case.objects.order_by("pk")).prefetch_related("assignments", "events")

    rows = exported(world.users["leader"], given, "csv")

    assert [cell(row, "Overdue") for row in rows[1:]] == ["是", "否", "否"]


@pytest.mark.parametrize(
    ("user", "phone"),
    [
        ("staff_own", FULL_PHONE),
        ("officer_lead", FULL_PHONE),
        ("leader", MASKED_PHONE),
        ("admin", MASKED_PHONE),
        ("superuser", MASKED_PHONE),
        ("roadchief_own", MASKED_PHONE),
        ("officer_assist", MASKED_PHONE),
        ("staff_other", MASKED_PHONE),
        ("officer_unrelated", MASKED_PHONE),
    ],
)
@pytest.mark.parametrize("file_format", EXPORT_FORMATS)
@pytest.mark.usefixtures("cases")
def test_the_reporter_s_phone_is_full_only_for_the_street_staff_and_the_lead_department(
    world, user, phone, file_format
):
    rows = exported(world.users[user], Case.objects.order_by("pk"), file_format)

    phones = [cell(row, "Reporter's phone") for row in rows[1:]]
    no_phone = "" if file_format == "csv" else None
    assert phones == [phone, no_phone, phone]  # the closed case's last lead may still call the resident


def test_a_case_sent_back_shows_its_last_lead_and_only_that_department_sees_the_phone(world):
    case = world.case_in(CaseState.IN_PROGRESS)
    case.assignments.update(finished_at=timezone.now())
    later = DepartmentFactory(name="住建局")
    AssignmentFactory(
        case=case,
        department=later,
        role=AssignmentRole.LEAD,
        assigned_at=timezone.now() + datetime.timedelta(minutes=1),
        finished_at=timezone.now() + datetime.timedelta(minutes=2),
    )

    rows = exported(world.users["officer_lead"], Case.objects.filter(pk=case.pk), "csv")

    assert cell(rows[1], "Lead department") == "住建局"
    assert cell(rows[1], "Reporter's phone") == MASKED_PHONE


@pytest.mark.parametrize("file_format", EXPORT_FORMATS)
def test_the_number_of_queries_does_not_grow_with_the_number_of_cases(world, file_format):
    def queries_for_export():
        user = get_user_model().objects.get(pk=world.users["officer_lead"].pk)  # profile not loaded yet
        with CaptureQueriesContext(connection) as queries:
            rows = exported(user, visible_to(user).order_by("-created_at"), file_format)
        return len(queries), len(rows) - 1

    for _ in range(2):
        world.case_in(CaseState.IN_PROGRESS)
    few = queries_for_export()
    for _ in range(18):
        world.case_in(CaseState.DISPATCHED)
    many = queries_for_export()

    assert few == (3, 2)  # the officer's profile, the cases, their assignments with departments
    assert many == (3, 20)
