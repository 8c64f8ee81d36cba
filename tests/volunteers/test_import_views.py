"""Import pages: upload, progress while checking, the result or the per-row error report, templates (issue 7)."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.test import Client, override_settings
from django.utils import timezone

from tests.factories import CommunityFactory, VolunteerFactory
from tests.volunteers.test_imports import (
    PARTICIPANT_HEADERS,
    VOLUNTEER_HEADERS,
    csv_bytes,
    participant_rows,
    phone,
    saturday_clean_up,
    upload,
    volunteer_rows,
    xlsx_bytes,
)
from volunteers import services
from volunteers.choices import ImportKind, ImportStatus
from volunteers.imports import STALE_AFTER
from volunteers.models import ImportJob, Participation, Volunteer
from volunteers.queries import branch_leaderboard

pytestmark = pytest.mark.django_db


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def job_of(mob, role: str = "staff_own", **fields) -> ImportJob:
    values = {
        "kind": ImportKind.VOLUNTEERS,
        "file": ContentFile(b"", name="a.csv"),
        "file_name": "名单.xlsx",
        "file_format": "xlsx",
        "created_by": mob.users[role],
    }
    return ImportJob.objects.create(**{**values, **fields})


def streamed(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- who may upload ----------------------------------------------------------------------------------


def test_the_pages_need_a_login(client, db):
    for url in ("/volunteers/import/", "/volunteers/imports/", "/volunteers/imports/1/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


@pytest.mark.parametrize("role", ["officer", "leader", "road_chief"])
def test_roles_that_do_not_manage_volunteers_cannot_upload(mob, role):
    client = english(mob.client(role))
    assert client.get("/volunteers/import/")["Location"] == "/"
    data = csv_bytes([VOLUNTEER_HEADERS, *volunteer_rows(1, mob.community.name)])
    response = client.post("/volunteers/import/", {"file": upload("a.csv", data)}, follow=True)
    assert "cannot import volunteers" in response.content.decode()
    assert not ImportJob.objects.exists() and not Volunteer.objects.exists()


def test_staff_of_another_street_cannot_import_an_activitys_participants(mob):
    activity = saturday_clean_up(mob.community)
    client = english(mob.client("staff_other"))
    url = f"/volunteers/activities/{activity.pk}/import/"
    assert client.get(url)["Location"] == f"/volunteers/activities/{activity.pk}/"
    data = xlsx_bytes([PARTICIPANT_HEADERS, *participant_rows(3)])
    response = client.post(url, {"file": upload("a.xlsx", data)})
    assert response.status_code == 302 and response["Location"] == f"/volunteers/activities/{activity.pk}/"
    assert not ImportJob.objects.exists() and not Participation.objects.exists()


def test_an_unknown_activity_is_a_404(mob):
    assert mob.client("staff_own").get("/volunteers/activities/999999/import/").status_code == 404


# --- uploading ---------------------------------------------------------------------------------------


def test_the_upload_page_lists_the_columns_and_links_the_templates(mob):
    content = mob.client("staff_own").get("/volunteers/import/").content.decode()
    for header in VOLUNTEER_HEADERS:
        assert header in content
    assert 'accept=".csv,.xlsx"' in content
    assert 'href="/volunteers/import/template/volunteers.xlsx"' in content
    # The default community is one of the uploader's own.
    assert mob.community.name in content and mob.other_community.name not in content


def test_an_upload_redirects_to_its_status_page_which_shows_the_result(mob):
    client = english(mob.client("staff_own"))
    data = xlsx_bytes([VOLUNTEER_HEADERS, *volunteer_rows(3, mob.community.name)])
    response = client.post("/volunteers/import/", {"file": upload("名单.xlsx", data)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/volunteers/imports/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-done"' in page and "3 volunteers registered" in page
    assert 'hx-trigger="every 1s"' not in page  # the status stopped polling (the header's bell polls on its own)
    assert Volunteer.objects.count() == 3


def test_a_default_community_must_be_one_of_the_uploaders(mob):
    data = csv_bytes([["姓名", "手机号"], ["张三", phone(1)]])
    client = mob.client("staff_own")
    response = client.post("/volunteers/import/", {"file": upload("a.csv", data), "community": mob.other_community.pk})
    assert response.status_code == 400 and not ImportJob.objects.exists()
    response = client.post("/volunteers/import/", {"file": upload("a.csv", data), "community": mob.community.pk})
    assert response.status_code == 302
    assert Volunteer.objects.get().community == mob.community


def test_a_file_in_the_wrong_format_shows_why_on_its_status_page(mob):
    client = english(mob.client("staff_own"))
    response = client.post(
        "/volunteers/import/", {"file": upload("名单.xlsx", b"%PDF-1.4 not a workbook")}, follow=True
    )
    content = response.content.decode()
    assert 'data-testid="import-failed"' in content and "not a valid .xlsx" in content
    assert "Nothing was saved" in content


def test_an_oversized_file_is_refused_before_it_is_kept(mob):
    data = csv_bytes([VOLUNTEER_HEADERS, *volunteer_rows(20, mob.community.name)])
    with override_settings(VOLUNTEER_IMPORT_MAX_BYTES=200):
        response = english(mob.client("staff_own")).post("/volunteers/import/", {"file": upload("a.csv", data)})
    assert response.status_code == 400 and "larger than" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_street_staff_record_last_weekends_clean_up_with_thirty_participants_from_xlsx(mob, campaign):
    """Done when (issue 7): the thirty participants count, and the branch moves up the leaderboard."""
    staff = mob.users["staff_own"]
    today = timezone.localdate()
    saturday = today - datetime.timedelta(days=(today.weekday() - 5) % 7 or 7)
    starts = timezone.make_aware(datetime.datetime.combine(saturday, datetime.time(8, 30)))
    # The other street's branch is ahead so far.
    ahead = saturday_clean_up(mob.other_community, campaign=campaign, branch=mob.pairings["other"].branch)
    for volunteer in VolunteerFactory.create_batch(5, community=mob.other_community):
        Participation.objects.create(activity=ahead, volunteer=volunteer, hours=Decimal("2"))
    activity = services.save_activity(
        staff,
        None,
        title="周末环境卫生大扫除",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=3),
        community=mob.community,
        campaign=campaign,
    )
    branch = activity.branch
    assert branch == mob.pairings["own"].branch

    def rank() -> int:
        return next(row["rank"] for row in branch_leaderboard() if row["branch"] == branch)

    assert rank() == 2
    registered = VolunteerFactory.create_batch(10, community=mob.community)
    rows = [[v.name, v.phone, 3, "否"] for v in registered]
    rows += [[f"新居民{n}", f"1370000{n:04d}", 2.5, "否"] for n in range(20)]
    client = english(mob.client("staff_own"))
    response = client.post(
        f"/volunteers/activities/{activity.pk}/import/",
        {"file": upload("上周末大扫除.xlsx", xlsx_bytes([PARTICIPANT_HEADERS, *rows]))},
        follow=True,
    )
    content = response.content.decode()
    assert 'data-testid="import-done"' in content and "30 participants added" in content
    assert activity.participations.count() == 30
    assert sum(activity.participations.values_list("hours", flat=True)) == Decimal("80")
    assert Volunteer.objects.filter(community=mob.community).count() == 30
    assert rank() == 1


# --- status page ---------------------------------------------------------------------------------------


def test_a_running_import_shows_its_progress_and_keeps_polling(mob):
    job = job_of(mob, status=ImportStatus.CHECKING, started_at=timezone.now(), checked_rows=4000, total_rows=10000)
    client = english(mob.client("staff_own"))
    page = client.get(f"/volunteers/imports/{job.pk}/").content.decode()
    assert "40%" in page and "Checked 4000 of 10000 rows" in page
    assert 'aria-valuenow="40"' in page
    assert f'hx-get="/volunteers/imports/{job.pk}/"' in page and 'hx-trigger="every 1s"' in page
    fragment = client.get(f"/volunteers/imports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<section id="import-status"') and "<html" not in fragment
    assert 'hx-trigger="every 1s"' in fragment
    # Once it has finished the fragment stops the polling and shows the result.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, created_count=10000, checked_rows=10000)
    fragment = client.get(f"/volunteers/imports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment and "10000 volunteers registered" in fragment


def test_a_rejected_import_lists_each_problem_and_offers_the_report(mob):
    errors = [
        {"row": 17, "column": "手机号", "message": "Enter a mobile number of 11 digits."},
        {"row": 42, "column": "社区", "message": "There is no community named 新村."},
    ]
    job = job_of(mob, status=ImportStatus.REJECTED, total_rows=120, checked_rows=120, errors=errors, message="2 问题")
    client = english(mob.client("staff_own"))
    page = client.get(f"/volunteers/imports/{job.pk}/").content.decode()
    table = page[page.index('data-testid="import-errors"') :]
    assert re.search(r"<td>17</td><td[^>]*>手机号</td><td>Enter a mobile number", table)
    assert "42" in table and "There is no community named 新村." in table
    assert "nothing was saved" in page
    assert 'hx-trigger="every 1s"' not in page  # the status stopped polling (the header's bell polls on its own)
    rows = list(
        csv.reader(io.StringIO(streamed(client.get(f"/volunteers/imports/{job.pk}/errors.csv")).decode("utf-8-sig")))
    )
    assert rows == [
        ["Row", "Column", "Problem"],
        ["17", "手机号", errors[0]["message"]],
        ["42", "社区", errors[1]["message"]],
    ]
    workbook = openpyxl.load_workbook(io.BytesIO(streamed(client.get(f"/volunteers/imports/{job.pk}/errors.xlsx"))))
    assert [cell.value for cell in workbook.active[2]] == [17, "手机号", errors[0]["message"]]
    assert client.get(f"/volunteers/imports/{job.pk}/errors.pdf").status_code == 404


def test_an_import_whose_worker_died_says_it_stopped_and_follows_its_restart(mob):
    job = job_of(
        mob,
        status=ImportStatus.CHECKING,
        started_at=timezone.now() - STALE_AFTER - datetime.timedelta(minutes=1),
        total_rows=100,
        checked_rows=20,
    )
    page = english(mob.client("staff_own")).get(f"/volunteers/imports/{job.pk}/").content.decode()
    assert 'data-testid="import-stale"' in page and "starts it again from the beginning within a minute" in page
    assert 'hx-trigger="every 1s"' in page  # the schedule puts it back in the queue: the page keeps following it


def test_only_the_uploader_and_administrators_see_an_import(mob):
    job = job_of(mob, status=ImportStatus.DONE)
    for role, status in (("staff_own", 200), ("admin", 200), ("staff_other", 404), ("leader", 404)):
        assert mob.client(role).get(f"/volunteers/imports/{job.pk}/").status_code == status, role
        assert mob.client(role).get(f"/volunteers/imports/{job.pk}/errors.csv").status_code == status, role


def test_the_import_list_shows_the_users_own_uploads_in_bounded_queries(mob, django_assert_max_num_queries):
    activity = saturday_clean_up(mob.community)
    for n in range(3):
        job_of(mob, file_name=f"mine-{n}.xlsx", kind=ImportKind.PARTICIPANTS, activity=activity)
    job_of(mob, "staff_other", file_name="theirs.xlsx")
    client = mob.client("staff_own")
    with django_assert_max_num_queries(8):
        content = client.get("/volunteers/imports/").content.decode()
    for n in range(20):
        job_of(mob, file_name=f"more-{n}.csv", kind=ImportKind.PARTICIPANTS, activity=activity)
    with django_assert_max_num_queries(8):
        client.get("/volunteers/imports/")
    assert "mine-0.xlsx" in content and "theirs.xlsx" not in content
    admin_page = mob.client("admin").get("/volunteers/imports/").content.decode()
    assert "theirs.xlsx" in admin_page


# --- templates -----------------------------------------------------------------------------------------


def test_templates_have_the_columns_in_the_pages_language(mob):
    client = mob.client("staff_own")
    chinese = streamed(client.get("/volunteers/import/template/volunteers.csv")).decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(chinese))) == VOLUNTEER_HEADERS
    response = english(client).get("/volunteers/import/template/participants.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(streamed(response))).active
    assert [cell.value for cell in sheet[1]] == ["Name", "Phone", "Hours", "Party member"]
    assert sheet.max_row == 1
    assert client.get("/volunteers/import/template/cases.csv").status_code == 404
    assert client.get("/volunteers/import/template/volunteers.pdf").status_code == 404


def test_a_filled_in_template_imports(mob):
    client = mob.client("staff_own")
    headers = next(
        csv.reader(io.StringIO(streamed(client.get("/volunteers/import/template/volunteers.csv")).decode("utf-8-sig")))
    )
    row = dict.fromkeys(headers, "")
    row.update({"姓名": "周志明", "手机号": phone(7), "社区": mob.community.name})
    data = csv_bytes([headers, [row[header] for header in headers]])
    client.post("/volunteers/import/", {"file": upload("模板.csv", data)})
    assert Volunteer.objects.get(phone=phone(7)).name == "周志明"


def test_participants_page_shows_the_activity_and_its_hours_limit(mob):
    activity = saturday_clean_up(mob.community, title="惠工广场清扫")
    VolunteerFactory(community=mob.community)
    CommunityFactory(street=mob.street)
    content = english(mob.client("staff_own")).get(f"/volunteers/activities/{activity.pk}/import/").content.decode()
    assert "惠工广场清扫" in content and "at most 3 hours" in content
    assert 'name="community"' not in content
    for header in ("Name (姓名)", "Phone (手机号)", "Hours (服务时长（小时）)"):
        assert header in content


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_exported_participant_list_imports_into_another_activity(mob, campaign, file_format):
    """Staff copy last week's helpers to this week's clean-up: the export is a valid import file."""
    last_week = saturday_clean_up(mob.community, campaign=campaign)
    this_week = saturday_clean_up(mob.community, campaign=campaign)
    client = mob.client("staff_own")
    helpers = [VolunteerFactory(community=mob.community, phone=phone(index)) for index in range(3)]
    services.add_participants(mob.users["staff_own"], last_week, [(volunteer, Decimal("2.5")) for volunteer in helpers])
    exported = streamed(client.get(f"/volunteers/activities/{last_week.pk}/participants.{file_format}"))
    response = client.post(
        f"/volunteers/activities/{this_week.pk}/import/", {"file": upload(f"参与者.{file_format}", exported)}
    )
    assert response.status_code == 302
    assert ImportJob.objects.get().status == ImportStatus.DONE
    assert this_week.participations.count() == 3
    assert {part.hours for part in this_week.participations.all()} == {Decimal("2.5")}
