"""The Procfile's worker and schedule as real processes: escalation happens with no command typed by hand."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from cases import workflow
from cases.choices import CaseAction, CaseState
from cases.models import CaseEvent
from notifications.choices import NotificationKind
from notifications.models import Notification

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _process_env() -> dict[str, str]:
    """The environment of a process that uses the test database (a subprocess cannot see an in-memory SQLite)."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "shenhe_env.settings_test"}


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=_process_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for(condition, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_the_schedule_and_the_worker_escalate_a_missed_deadline_by_themselves(world):
    case = world.case_in(CaseState.REGISTERED)
    window = datetime.timedelta(hours=world.category.report_in_hours)
    # Dispatched long enough ago that the report-in deadline has just passed.
    with time_machine.travel(datetime.datetime.now(datetime.UTC) - window - datetime.timedelta(minutes=2), tick=False):
        workflow.dispatch(world.users["staff_own"], case, lead_department=world.lead)
    officer = world.users["officer_lead"]
    processes = [
        _start("db_worker", "--queue-name", "*", "--interval", "0.5", "--no-reload", "--no-startup-delay"),
        _start("run_schedule"),
    ]
    try:
        escalated = _wait_for(
            lambda: (
                CaseEvent.objects.filter(case=case, action=CaseAction.ESCALATE).exists()
                and Notification.objects.filter(recipient=officer, case=case, kind=NotificationKind.ESCALATION).exists()
            )
        )
        errors = [p.stderr.read1().decode(errors="replace") if p.poll() is not None else "" for p in processes]
        assert escalated, f"no escalation within 90 s; processes said: {errors}"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    event = CaseEvent.objects.get(case=case, action=CaseAction.ESCALATE)
    assert (event.data["deadline"], event.data["level"], event.actor) == ("report_in", 1, None)
    staff = world.users["staff_own"]
    assert Notification.objects.filter(recipient=staff, case=case, kind=NotificationKind.ESCALATION).exists()
