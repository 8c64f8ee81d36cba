"""Benchmark: a whistle to 3 departments with 20 officers each, from the dispatch's commit to the officers.

Figures, not assertions (keep the output in docs/benchmarks.md). It uses the database DATABASE_URL names
(default: a throwaway SQLite file, as `make run` uses) and a real worker process (`manage.py db_worker`)
sending e-mail to a real SMTP server on loopback (aiosmtpd, started here):

    make bench-notifications                                   # SQLite file
    createdb -h 127.0.0.1 -U postgres shenhe_bench_n
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shenhe_bench_n make bench-notifications

Prints: commit → in-app notification visible (read by a second connection) and commit → e-mail at the
SMTP server, p50 and p95 over BENCH_WHISTLES whistles (60 e-mails each); the worker's throughput in
deliveries per second; and what the outbox adds to one dispatch (queries and milliseconds), measured in
the same run against a dispatch to a department with no officers.
"""

from __future__ import annotations

import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='shenhe-bench-n-')}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shenhe_env.settings")
os.environ.setdefault("DEBUG", "true")

from aiosmtpd.controller import Controller  # noqa: E402


class _Sink:
    """Records when each message arrives."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, str]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.arrivals.append((time.time(), recipient))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SINK = _Sink()
SMTP_PORT = _free_port()
CONTROLLER = Controller(SINK, hostname="127.0.0.1", port=SMTP_PORT)
CONTROLLER.start()
os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{SMTP_PORT}"

import django  # noqa: E402

django.setup()
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cases import workflow  # noqa: E402
from cases.models import Case, Category  # noqa: E402
from communities.choices import Role  # noqa: E402
from communities.models import Department, StaffProfile  # noqa: E402
from notifications.choices import DeliveryStatus  # noqa: E402
from notifications.models import Delivery, Notification  # noqa: E402

WHISTLES = int(os.environ.get("BENCH_WHISTLES", "10"))
OFFICERS = 20


def setup() -> tuple[list[Department], Department, object, Category]:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    users = get_user_model().objects
    departments = []
    for index in range(3):
        department, _ = Department.objects.get_or_create(name=f"压测部门{index + 1}", defaults={"kind": "other"})
        departments.append(department)
        for number in range(OFFICERS):
            username = f"bench-d{index + 1}-{number:02d}"
            user, created = users.get_or_create(username=username, defaults={"email": f"{username}@shenhe.example"})
            if created:
                StaffProfile.objects.create(user=user, role=Role.DEPT_OFFICER, department=department)
    empty, _ = Department.objects.get_or_create(name="压测无人部门", defaults={"kind": "other"})
    staff = users.get(username="staff")
    category = Category.objects.filter(campaign__drive__isnull=False).order_by("code").first()
    return departments, empty, staff, category


def new_case(staff, category) -> Case:
    community = staff.staff_profile.street.communities.order_by("pk").first()
    return workflow.create_case(
        staff, title="压测：路面破损", description="压测用案件", category=category, community=community
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def wait_until(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)


def main() -> None:
    departments, empty, staff, category = setup()
    warnings.filterwarnings("ignore", message="Limit for query logging exceeded")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.1", "--no-reload"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    other = connections.create_connection("default")  # a second connection, as another officer's browser
    try:
        time.sleep(3)  # the worker starts
        in_app, e_mail = [], []
        for _ in range(WHISTLES):
            case = new_case(staff, category)
            before = len(SINK.arrivals)
            workflow.dispatch(
                staff, case, lead_department=departments[0], assist_departments=departments[1:], whistle=True
            )
            committed = time.time()

            def seen(case: Case = case) -> bool:
                with other.cursor() as cursor:
                    cursor.execute(
                        "SELECT COUNT(*) FROM notifications_notification WHERE case_id = %s AND kind = 'whistle'",
                        [case.pk],
                    )
                    return cursor.fetchone()[0] >= 3 * OFFICERS

            wait_until(seen)
            in_app.append(time.time() - committed)
            wait_until(lambda before=before: len(SINK.arrivals) >= before + 3 * OFFICERS)
            e_mail += [arrived - committed for arrived, _ in SINK.arrivals[before:]]
        print(f"database: {connection.vendor}; {WHISTLES} whistles to 3 departments x {OFFICERS} officers")
        print(
            f"commit -> in-app visible: p50 {percentile(in_app, 0.5) * 1000:.1f} ms, "
            f"p95 {percentile(in_app, 0.95) * 1000:.1f} ms"
        )
        print(
            f"commit -> e-mail at SMTP ({len(e_mail)} messages): p50 {percentile(e_mail, 0.5) * 1000:.0f} ms, "
            f"p95 {percentile(e_mail, 0.95) * 1000:.0f} ms"
        )

        # Throughput: queue many whistles' deliveries while the worker waits, then time the sending.
        worker.terminate()
        worker.wait(timeout=30)
        for _ in range(WHISTLES):
            workflow.dispatch(
                staff,
                new_case(staff, category),
                lead_department=departments[0],
                assist_departments=departments[1:],
                whistle=True,
            )
        pending = Delivery.objects.filter(status=DeliveryStatus.PENDING).count()
        before = len(SINK.arrivals)
        started = time.monotonic()
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.1", "--no-reload"],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: not Delivery.objects.filter(status=DeliveryStatus.PENDING).exists(), seconds=600)
        elapsed = time.monotonic() - started
        sent = len(SINK.arrivals) - before
        print(f"worker throughput: {sent} of {pending} deliveries in {elapsed:.1f} s = {sent / elapsed:.0f}/s")

        # What the outbox adds to one dispatch, in the same run.
        costs = {}
        for label, lead, assist in (
            ("60 officers", departments[0], departments[1:]),
            ("no officers", empty, []),
        ):
            timings, queries = [], []
            for _ in range(5):
                case = new_case(staff, category)
                connection.queries_log.clear()  # DEBUG keeps only the last 9000 queries
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    with transaction.atomic():
                        workflow.dispatch(staff, case, lead_department=lead, assist_departments=assist, whistle=True)
                    timings.append(time.perf_counter() - started)
                queries.append(len(captured.captured_queries))
            costs[label] = (statistics.median(timings) * 1000, statistics.median(queries))
            print(f"dispatch with {label}: {costs[label][0]:.1f} ms, {costs[label][1]:.0f} queries")
        added = costs["60 officers"][0] - costs["no officers"][0]
        print(
            f"outbox cost of a whistle to 60 officers: +{added:.1f} ms, "
            f"+{costs['60 officers'][1] - costs['no officers'][1]:.0f} queries "
            f"({Notification.objects.count()} notifications in the database)"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        CONTROLLER.stop()


if __name__ == "__main__":
    main()
