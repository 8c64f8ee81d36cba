"""The schedule of periodic jobs: what it runs, and each period of each job enqueued once."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from core.models import ScheduleRun
from core.schedule import enqueue_due, registered_jobs

pytestmark = pytest.mark.django_db

EVERY_MINUTE = {
    "cases.tasks.escalate_overdue",
    "cases.tasks.resume_deferred",
    "notifications.tasks.deliver_due",
    "notifications.tasks.send_report_in_reminders",
    "volunteers.tasks.resume_stalled_imports",
}


def test_the_closed_loop_jobs_run_every_minute():
    jobs = {job.name: job.every for job in registered_jobs()}
    assert set(jobs) >= EVERY_MINUTE
    assert all(jobs[name] == datetime.timedelta(minutes=1) for name in EVERY_MINUTE)


def test_each_minute_of_each_job_is_enqueued_once_however_many_schedules_run():
    moment = datetime.datetime(2026, 12, 3, 8, 0, 10, tzinfo=datetime.UTC)
    first = enqueue_due(moment)
    assert set(first) >= EVERY_MINUTE
    assert enqueue_due(moment + datetime.timedelta(seconds=40)) == []  # a second schedule, same minute
    second = enqueue_due(moment + datetime.timedelta(minutes=1))  # the next minute: the per-minute jobs again
    assert set(second) == EVERY_MINUTE and "core.tasks.prune_finished" in set(first) - set(second)
    assert DBTaskResult.objects.count() == len(first) + len(second)
    assert ScheduleRun.objects.filter(job="cases.tasks.escalate_overdue").count() == 2


def test_run_schedule_once_enqueues_what_is_due():
    out = io.StringIO()
    call_command("run_schedule", "--once", stdout=out)
    assert all(f"enqueued {name}" in out.getvalue() for name in EVERY_MINUTE)
    assert set(DBTaskResult.objects.values_list("task_path", flat=True)) >= EVERY_MINUTE
