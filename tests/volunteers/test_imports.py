"""Volunteer and participant imports: the whole file is checked first, saved whole or not at all (issue 7).

Uses `mob` of tests/volunteers/conftest.py (two streets, a user of every role).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from unittest import mock

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from core import tabular
from core.errors import Forbidden
from tests.factories import (
    ActivityFactory,
    CommunityFactory,
    PartyBranchFactory,
    StreetFactory,
    VolunteerFactory,
)
from volunteers import import_rows, imports
from volunteers.choices import ImportKind, ImportStatus
from volunteers.models import ImportJob, Participation, Volunteer

pytestmark = pytest.mark.django_db

VOLUNTEER_HEADERS = ["姓名", "手机号", "社区", "党员", "党支部", "技能", "加入日期"]
PARTICIPANT_HEADERS = ["姓名", "手机号", "服务时长（小时）", "党员"]


# --- helpers (also used by test_import_views.py) -----------------------------------------------------


def xlsx_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    """A workbook whose first sheet holds the rows (the first one the header)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], encoding: str = "utf-8-sig") -> bytes:
    """The rows as CSV text in an encoding."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def phone(number: int) -> str:
    """A valid mobile number that the factories do not make (theirs start with 138)."""
    return f"139{number:08d}"


def volunteer_rows(count: int, community: str, *, start: int = 0) -> list[list[Any]]:
    return [[f"志愿者{start + n}", phone(start + n), community, "否", "", "", ""] for n in range(count)]


def participant_rows(count: int, *, start: int = 0, hours: Any = 2) -> list[list[Any]]:
    return [[f"居民{start + n}", phone(start + n), hours, ""] for n in range(count)]


def import_file(user, name: str, data: bytes, *, kind: str = ImportKind.VOLUNTEERS, **kwargs) -> ImportJob:
    """Upload a file as the user; tests run imports inline, so the job has ended."""
    job = imports.create_import(user, kind=kind, upload=upload(name, data), **kwargs)
    job.refresh_from_db()
    return job


def saturday_clean_up(community, **kwargs):
    """A three-hour clean-up last Saturday morning (credits at most 3 hours)."""
    starts = datetime.datetime(2021, 8, 28, 8, 30, tzinfo=timezone.get_fixed_timezone(480))
    return ActivityFactory(
        community=community, starts_at=starts, ends_at=starts + datetime.timedelta(hours=3), **kwargs
    )


def snapshot() -> tuple:
    """Everything an import may write."""
    return (
        sorted(
            Volunteer.objects.values_list("phone", "name", "community_id", "is_party_member", "branch_id", "skills")
        ),
        sorted(Participation.objects.values_list("activity_id", "volunteer_id", "hours")),
    )


# --- volunteers ----------------------------------------------------------------------------------------


def test_a_valid_xlsx_registers_new_volunteers_and_updates_known_ones(mob):
    branch = PartyBranchFactory(name="区城建局第一党支部")
    known = VolunteerFactory(community=mob.community, name="王秀兰", phone="13800001111", skills="")
    rows = [
        [*VOLUNTEER_HEADERS, "备注"],  # an unknown column is ignored
        ["张建国", 13900000001.0, mob.community.name, "是", branch.name, "电工", datetime.datetime(2021, 8, 24)],
        ["李淑芬", "139 0000 0002", mob.community.name, "否", "", "", "2021/8/25"],
        [None, None, None, None, None, None, None],  # empty rows are skipped
        ["王秀兰", "13800001111", mob.community.name, "", "", "理发", "", "老志愿者"],
    ]
    job = import_file(mob.users["staff_own"], "志愿者名单.xlsx", xlsx_bytes(rows))
    assert (job.status, job.created_count, job.updated_count, job.errors) == (ImportStatus.DONE, 2, 1, [])
    assert (job.total_rows, job.checked_rows, job.file_format) == (3, 3, "xlsx")
    zhang = Volunteer.objects.get(phone="13900000001")
    assert (zhang.name, zhang.community, zhang.is_party_member, zhang.branch, zhang.skills, zhang.joined_on) == (
        "张建国",
        mob.community,
        True,
        branch,
        "电工",
        datetime.date(2021, 8, 24),
    )
    assert Volunteer.objects.get(phone="13900000002").joined_on == datetime.date(2021, 8, 25)
    known.refresh_from_db()
    assert known.skills == "理发"


def test_a_valid_csv_with_english_headers_and_a_default_community(mob):
    data = csv_bytes(
        [
            ["  name ", "PHONE", "Party Member", "Skills", "Joined on"],
            ["Zhao Lei", "13900000011", "yes", "first aid", "2021-08-24"],
            ["Qian Li", "+8613900000012", "no", "", ""],
        ]
    )
    job = import_file(mob.users["staff_own"], "volunteers.csv", data, community=mob.community)
    assert (job.status, job.created_count) == (ImportStatus.DONE, 2)
    assert set(Volunteer.objects.values_list("phone", "community", "is_party_member")) == {
        ("13900000011", mob.community.pk, True),
        ("13900000012", mob.community.pk, False),
    }


def test_a_gbk_csv_from_excel_on_chinese_windows_is_read(mob):
    data = csv_bytes([VOLUNTEER_HEADERS, ["刘德华", "13900000021", mob.community.name, "否", "", "", ""]], "gbk")
    job = import_file(mob.users["staff_own"], "名单.csv", data)
    assert job.status == ImportStatus.DONE
    assert Volunteer.objects.get(phone="13900000021").name == "刘德华"


def test_one_bad_row_among_many_saves_nothing_and_names_the_row_and_column(mob):
    VolunteerFactory(community=mob.community)
    rows = volunteer_rows(120, mob.community.name)
    rows[56][1] = "1380000"  # spreadsheet row 58: the header is row 1
    before = snapshot()
    job = import_file(mob.users["staff_own"], "名单.xlsx", xlsx_bytes([VOLUNTEER_HEADERS, *rows]))
    assert job.status == ImportStatus.REJECTED
    assert snapshot() == before
    assert [(error["row"], error["column"]) for error in job.errors] == [(58, "手机号")]
    assert "11 digits" in job.errors[0]["message"] or "11" in job.errors[0]["message"]
    assert job.checked_rows == job.total_rows == 120


def row_problem(mob, cells: dict[int, Any]) -> list[tuple[int, str]]:
    """Import two good rows and a third with the given cells changed; answers (row, column) of the errors."""
    rows = volunteer_rows(3, mob.community.name)
    rows[2] = [cells.get(index, value) for index, value in enumerate(rows[2])]
    before = snapshot()
    with translation.override("en"):
        job = import_file(mob.users["staff_own"], "名单.csv", csv_bytes([VOLUNTEER_HEADERS, *rows]))
    assert job.status == ImportStatus.REJECTED
    assert snapshot() == before
    return [(error["row"], error["column"], error["message"]) for error in job.errors]


@pytest.mark.parametrize(
    ("cells", "column", "says"),
    [
        ({0: ""}, "姓名", "must be filled in"),
        ({0: "名" * 31}, "姓名", "at most 30"),
        ({1: ""}, "手机号", "must be filled in"),
        ({1: phone(0)}, "手机号", "also appears in row 2"),
        ({2: "不存在社区"}, "社区", "no community named"),
        ({2: "万柳塘社区"}, "社区", "Only the staff of"),
        ({3: "也许"}, "党员", "是 or 否"),
        ({4: "没有的党支部", 3: "是"}, "党支部", "no party branch"),
        ({6: "24/8/2021"}, "加入日期", "2021-08-24"),
        ({6: "1999-12-31"}, "加入日期", "2000 or later"),
        ({6: "2100-01-01"}, "加入日期", "before 2100"),
    ],
)
def test_each_kind_of_bad_cell_is_reported_on_its_row_and_column(mob, cells, column, says):
    [(row, reported_column, message)] = row_problem(mob, cells)
    assert (row, reported_column) == (4, column)
    assert says in message


def test_a_branch_for_someone_who_is_not_a_party_member_is_refused(mob):
    branch = PartyBranchFactory()
    [(row, column, _message)] = row_problem(mob, {4: branch.name, 3: "否"})
    assert (row, column) == (4, "党支部")


def test_a_volunteer_of_another_street_is_not_changed_through_an_import(mob):
    other = VolunteerFactory(community=mob.other_community, name="外街道")
    [(row, column, message)] = row_problem(mob, {1: other.phone})
    assert (row, column) == (4, "手机号")
    assert mob.other_street.name in message
    assert Volunteer.objects.get(pk=other.pk).name == "外街道"


def test_a_community_name_of_two_streets_is_taken_as_the_uploaders_own(mob):
    twin_street = StreetFactory(name="风雨坛街道")
    twin = CommunityFactory(street=twin_street, name=mob.community.name)
    data = csv_bytes([VOLUNTEER_HEADERS, ["甲", phone(1), mob.community.name, "", "", "", ""]])
    assert import_file(mob.users["staff_own"], "a.csv", data).status == ImportStatus.DONE
    assert Volunteer.objects.get(phone=phone(1)).community == mob.community
    # An administrator manages both: the name is ambiguous unless the street is written too.
    data = csv_bytes([VOLUNTEER_HEADERS, ["乙", phone(2), mob.community.name, "", "", "", ""]])
    with translation.override("en"):
        job = import_file(mob.users["admin"], "b.csv", data)
    assert job.status == ImportStatus.REJECTED and "several streets" in job.errors[0]["message"]
    data = csv_bytes([VOLUNTEER_HEADERS, ["乙", phone(2), f"{twin_street.name}/{twin.name}", "", "", "", ""]])
    assert import_file(mob.users["admin"], "c.csv", data).status == ImportStatus.DONE
    assert Volunteer.objects.get(phone=phone(2)).community == twin


def test_the_report_speaks_the_uploaders_language_and_names_columns_as_the_file_does(mob):
    data = csv_bytes([["Name", "Phone", "Community"], ["A", "123", mob.community.name]])
    with translation.override("en"):
        job = import_file(mob.users["staff_own"], "a.csv", data)
    assert job.language == "en"
    assert job.errors == [
        {
            "row": 2,
            "column": "Phone",
            "message": "Enter a mobile number of 11 digits or a landline such as 024-22345678.",
        }
    ]


def test_stored_errors_are_capped_and_the_rest_counted(mob):
    rows = [["", phone(n), mob.community.name] for n in range(import_rows.MAX_STORED_ERRORS + 5)]
    with translation.override("en"):
        job = import_file(mob.users["staff_own"], "a.csv", csv_bytes([["姓名", "手机号", "社区"], *rows]))
    assert len(job.errors) == import_rows.MAX_STORED_ERRORS
    assert str(import_rows.MAX_STORED_ERRORS + 5) in job.message and "first" in job.message


# --- participants ---------------------------------------------------------------------------------------


def test_thirty_participants_from_an_xlsx_are_credited_and_newcomers_registered(mob):
    activity = saturday_clean_up(mob.community)
    known = [VolunteerFactory(community=mob.community, name=f"老志愿者{n}", phone=phone(n)) for n in range(10)]
    already = known[0]
    Participation.objects.create(activity=activity, volunteer=already, hours=Decimal("1"))
    rows = [[v.name, v.phone, 2.5, ""] for v in known] + participant_rows(20, start=100, hours="3")
    rows[10][3] = "是"
    job = import_file(
        mob.users["staff_own"],
        "周末大扫除.xlsx",
        xlsx_bytes([PARTICIPANT_HEADERS, *rows]),
        kind=ImportKind.PARTICIPANTS,
        activity=activity,
    )
    assert (job.status, job.created_count, job.updated_count) == (ImportStatus.DONE, 29, 1)
    assert "20" in job.message
    assert activity.participations.count() == 30
    assert Participation.objects.get(activity=activity, volunteer=already).hours == Decimal("2.5")
    newcomers = Volunteer.objects.filter(phone__in=[phone(n) for n in range(100, 120)])
    assert {v.community for v in newcomers} == {mob.community}
    assert newcomers.get(phone=phone(100)).is_party_member is True
    assert set(Participation.objects.filter(volunteer__in=newcomers).values_list("hours", flat=True)) == {Decimal("3")}


@pytest.mark.parametrize(
    ("cells", "column", "says"),
    [
        ({2: 3.5}, "服务时长（小时）", "more than the activity lasts"),
        ({2: "两小时"}, "服务时长（小时）", "number"),
        ({2: 1.2}, "服务时长（小时）", "half hours"),
        ({2: ""}, "服务时长（小时）", "Give the hours"),
        ({0: "王五"}, "姓名", "registered to 老志愿者"),
        ({0: ""}, "姓名", "must be filled in"),
    ],
)
def test_a_bad_participant_row_saves_no_participant_and_no_volunteer(mob, cells, column, says):
    activity = saturday_clean_up(mob.community)
    VolunteerFactory(community=mob.community, name="老志愿者", phone=phone(50))
    rows = participant_rows(3)
    rows[0][0] = "老志愿者"
    rows[0][1] = phone(50)
    rows[0] = [cells.get(index, value) for index, value in enumerate(rows[0])]
    before = snapshot()
    with translation.override("en"):
        job = import_file(
            mob.users["staff_own"],
            "a.xlsx",
            xlsx_bytes([PARTICIPANT_HEADERS, *rows]),
            kind=ImportKind.PARTICIPANTS,
            activity=activity,
        )
    assert job.status == ImportStatus.REJECTED
    assert snapshot() == before
    [error] = job.errors
    assert (error["row"], error["column"]) == (2, column)
    assert says in error["message"]


def test_street_staff_cannot_import_into_another_streets_activity(mob):
    activity = saturday_clean_up(mob.other_community)
    data = xlsx_bytes([PARTICIPANT_HEADERS, *participant_rows(2)])
    with pytest.raises(Forbidden):
        imports.create_import(
            mob.users["staff_own"], kind=ImportKind.PARTICIPANTS, upload=upload("a.xlsx", data), activity=activity
        )
    assert not ImportJob.objects.exists()
    assert not Participation.objects.exists()


@pytest.mark.parametrize("role", ["officer", "leader", "road_chief"])
def test_only_street_staff_and_administrators_upload_volunteers(mob, role):
    data = csv_bytes([VOLUNTEER_HEADERS, *volunteer_rows(1, mob.community.name)])
    with pytest.raises(Forbidden):
        imports.create_import(mob.users[role], kind=ImportKind.VOLUNTEERS, upload=upload("a.csv", data))
    assert not Volunteer.objects.exists()


# --- files that cannot be imported ------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("名单.xlsx", PDF, "not a valid .xlsx"),
        ("名单.xlsx", PNG, "not a valid .xlsx"),
        ("名单.xlsx", b"PK\x03\x04broken zip", "not a valid .xlsx"),
        ("名单.xls", XLS, ".xls"),
        ("名单.xlsx", XLS, ".xls"),  # an .xls renamed
        ("名单.pdf", PDF, "Only .csv and .xlsx"),
        ("名单.csv", PNG, "not"),
        ("名单.csv", b"", "empty"),
        ("名单.xlsx", "headers only", "only a header row"),
        ("名单.csv", csv_bytes([["姓名", "社区"], ["张三", "五爱社区"]]), "no column Phone (手机号)"),
        ("名单.csv", csv_bytes([["备注"], ["x"]]), "Name (姓名), Phone (手机号), Community (社区)"),
    ],
)
def test_a_file_that_cannot_be_read_fails_with_a_clear_message_and_saves_nothing(mob, name, data, says):
    if data == "headers only":
        data = xlsx_bytes([VOLUNTEER_HEADERS])
    with translation.override("en"):
        job = import_file(mob.users["staff_own"], name, data)
    assert job.status == ImportStatus.FAILED
    assert says in job.message
    assert job.errors == [] and not Volunteer.objects.exists()


def test_files_over_the_row_or_size_limit_fail(mob):
    data = csv_bytes([VOLUNTEER_HEADERS, *volunteer_rows(6, mob.community.name)])
    with override_settings(VOLUNTEER_IMPORT_MAX_ROWS=5), translation.override("en"):
        job = import_file(mob.users["staff_own"], "a.csv", data)
    assert job.status == ImportStatus.FAILED and "more than 5 rows" in job.message
    with override_settings(VOLUNTEER_IMPORT_MAX_BYTES=100), translation.override("en"):
        job = import_file(mob.users["staff_own"], "a.csv", data)
    assert job.status == ImportStatus.FAILED and "larger than" in job.message
    assert not Volunteer.objects.exists()


def test_a_save_that_loses_a_race_rolls_back_and_fails(mob):
    rows = volunteer_rows(3, mob.community.name)
    VolunteerFactory(community=mob.community, phone=rows[2][1], name=rows[2][0])
    before = snapshot()
    # The check does not see the volunteer registered meanwhile: the insert hits the unique phone.
    with (
        mock.patch.object(import_rows, "volunteers_by_phone", return_value={}),
        mock.patch.object(imports, "volunteers_by_phone", return_value={}),
    ):
        job = import_file(mob.users["staff_own"], "a.csv", csv_bytes([VOLUNTEER_HEADERS, *rows]))
    assert job.status == ImportStatus.FAILED and job.message
    assert snapshot() == before


# --- size, progress and queries ---------------------------------------------------------------------------


def test_ten_thousand_rows_are_checked_with_progress_and_saved(mob):
    data = xlsx_bytes([VOLUNTEER_HEADERS, *volunteer_rows(10_000, mob.community.name)])
    progress: list[int] = []
    write_progress = imports._write_progress

    def record(job, checked):
        write_progress(job, checked)
        # What the status page, another request, reads meanwhile.
        progress.append(ImportJob.objects.values_list("checked_rows", flat=True).get(pk=job.pk))

    with mock.patch.object(imports, "_write_progress", side_effect=record):
        job = import_file(mob.users["staff_own"], "万人名单.xlsx", data)
    assert (job.status, job.total_rows, job.checked_rows, job.created_count) == (
        ImportStatus.DONE,
        10_000,
        10_000,
        10_000,
    )
    assert job.percent == 100
    assert len(progress) >= 10 and progress == sorted(progress) and progress[-1] < 10_000
    assert Volunteer.objects.count() == 10_000


def file_with_a_bad_last_row(mob, count: int) -> ImportJob:
    """A queued import of `count` rows, one of them an update, whose last row is bad (checked, never saved)."""
    rows = volunteer_rows(count, mob.community.name, start=count * 10)
    rows[-1][1] = "bad"
    VolunteerFactory(community=mob.community, phone=rows[0][1])
    return queued_job(mob, csv_bytes([VOLUNTEER_HEADERS, *rows]))


def test_checking_takes_the_same_queries_for_50_rows_as_for_500(mob, django_assert_max_num_queries):
    small, large = file_with_a_bad_last_row(mob, 50), file_with_a_bad_last_row(mob, 500)
    with CaptureQueriesContext(connection) as queries:
        imports.run_import(small)
    assert len(queries) <= 12
    with django_assert_max_num_queries(len(queries)):
        imports.run_import(large)
    assert (small.status, large.status, large.checked_rows) == (ImportStatus.REJECTED, ImportStatus.REJECTED, 500)


# --- running ----------------------------------------------------------------------------------------------


def queued_job(mob, data: bytes, **fields) -> ImportJob:
    return ImportJob.objects.create(
        kind=ImportKind.VOLUNTEERS,
        file=ContentFile(data, name="a.csv"),
        file_name="a.csv",
        file_format="csv",
        created_by=mob.users["staff_own"],
        **fields,
    )


def test_run_imports_runs_waiting_jobs_and_with_stale_the_stopped_ones(mob):
    waiting = queued_job(mob, csv_bytes([VOLUNTEER_HEADERS, *volunteer_rows(2, mob.community.name)]))
    stopped = queued_job(
        mob,
        csv_bytes([VOLUNTEER_HEADERS, *volunteer_rows(2, mob.community.name, start=10)]),
        status=ImportStatus.CHECKING,
        started_at=timezone.now() - imports.STALE_AFTER - datetime.timedelta(minutes=1),
        checked_rows=1,
    )
    assert imports.is_stale(stopped) and not imports.is_stale(waiting)
    out = io.StringIO()
    call_command("run_imports", stdout=out)
    waiting.refresh_from_db(), stopped.refresh_from_db()
    assert (waiting.status, stopped.status) == (ImportStatus.DONE, ImportStatus.CHECKING)
    call_command("run_imports", "--stale", stdout=out)
    stopped.refresh_from_db()
    assert stopped.status == ImportStatus.DONE and Volunteer.objects.count() == 4
    # A finished job is never run twice.
    assert imports.run_import(stopped).status == ImportStatus.DONE and Volunteer.objects.count() == 4


# db_worker closes old connections, which ends a test transaction on PostgreSQL: commit for real.
@pytest.mark.django_db(transaction=True)
def test_without_the_inline_setting_an_import_is_left_to_the_worker_after_commit(mob):
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    data = csv_bytes([VOLUNTEER_HEADERS, *volunteer_rows(2, mob.community.name)])
    with override_settings(VOLUNTEER_IMPORTS_INLINE=False), transaction.atomic():
        job = imports.create_import(mob.users["staff_own"], kind=ImportKind.VOLUNTEERS, upload=upload("a.csv", data))
        assert not DBTaskResult.objects.exists()  # nothing is handed over before the upload commits
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.QUEUED  # the web request did not run it
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "volunteers.tasks.run_import_job" and queued.args_kwargs["args"] == [job.pk]
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE
    assert Volunteer.objects.filter(community=mob.community).count() >= 2


def test_template_headers_are_read_back_as_the_columns(mob):
    for language in ("zh-hans", "en"):
        headers = import_rows.template_headers(ImportKind.VOLUNTEERS, language)
        table = tabular.read_table(
            csv_bytes([headers, ["x"] * len(headers)]),
            "csv",
            import_rows.VOLUNTEER_COLUMNS,
            required={"name", "phone", "community"},
            max_bytes=1_000_000,
            max_rows=10,
        )
        assert set(table.positions) == {column.key for column in import_rows.VOLUNTEER_COLUMNS}
