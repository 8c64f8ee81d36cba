"""Benchmark: the shared case queries and a workflow action with many cases (default 200,000).

Run on PostgreSQL, in a database of its own (it adds cases and keeps them for the next run):

    createdb -h 127.0.0.1 -U postgres shenhe_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shenhe_bench make bench-cases

It migrates, loads the demo, tops the cases up to BENCH_CASES with generated ones (year 2020
numbers, so they never collide with real ones), then prints each query's count and time. It
asserts nothing; keep the output in docs/benchmarks.md.
"""

import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shenhe_env.settings")
os.environ.setdefault("DEBUG", "true")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases import workflow  # noqa: E402
from cases.choices import AssignmentRole, CaseSource, CaseState  # noqa: E402
from cases.models import Assignment, Case, Category  # noqa: E402
from cases.queries import possible_duplicates, search_cases, visible_to, with_overdue  # noqa: E402
from communities.models import Community  # noqa: E402

TARGET = int(os.environ.get("BENCH_CASES", "200000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))
BATCH = 5000
STATES = [
    (CaseState.CLOSED, 55),
    (CaseState.IN_PROGRESS, 12),
    (CaseState.DISPATCHED, 10),
    (CaseState.RESOLVED, 8),
    (CaseState.REGISTERED, 6),
    (CaseState.REPORTED, 5),
    (CaseState.REJECTED, 4),
]


def load(count: int) -> None:
    """Add `count` generated cases (and lead assignments where a department holds them)."""
    rng = random.Random(count)
    communities = list(Community.objects.select_related("street"))
    categories = list(Category.objects.select_related("campaign", "default_department"))
    states = [state for state, weight in STATES for _ in range(weight)]
    now = timezone.now()
    first = Case.objects.filter(number__startswith="SH-2020-").count() + 1
    for start in range(0, count, BATCH):
        cases = []
        for offset in range(min(BATCH, count - start)):
            community, category, state = rng.choice(communities), rng.choice(categories), rng.choice(states)
            created = now - datetime.timedelta(minutes=rng.randint(10, 60 * 24 * 90))
            case = Case(
                number=f"SH-2020-{first + start + offset:06d}",
                title=f"{category.name}（{community.name}）",
                description="批量生成的测试案件",
                category=category,
                campaign=category.campaign,
                street=community.street,
                community=community,
                state=state,
                source=CaseSource.PATROL,
                created_at=created,
                latitude=community.latitude,
                longitude=community.longitude,
            )
            if state not in (CaseState.REPORTED, CaseState.REGISTERED, CaseState.REJECTED):
                case.dispatched_at = created + datetime.timedelta(minutes=30)
                case.report_in_due_at, case.resolve_due_at = workflow.deadlines(
                    category, case.dispatched_at, whistle=False
                )
                # Escalated already, as a running system's would be: the benchmark measures the scan.
                case.report_in_escalated_for, case.resolve_escalated_for = case.report_in_due_at, case.resolve_due_at
            cases.append(case)
        with transaction.atomic():
            Case.objects.bulk_create(cases)
            Assignment.objects.bulk_create(
                Assignment(
                    case=case,
                    department=case.category.default_department,
                    role=AssignmentRole.LEAD,
                    assigned_at=case.dispatched_at,
                    report_in_due_at=case.report_in_due_at,
                    finished_at=case.created_at + datetime.timedelta(days=3) if case.state == "closed" else None,
                )
                for case in cases
                if case.dispatched_at
            )
        print(f"  loaded {start + len(cases)} of {count}", flush=True)


def measure(label: str, run) -> None:
    connection.queries_log.clear()  # the loading above filled the debug query log past its limit
    with CaptureQueriesContext(connection) as queries:
        run()
    query_count = len(queries)
    timings = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
    print(f"{label:<52}{query_count:>8}{statistics.median(timings):>11.1f}{p95:>9.1f}")


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    missing = TARGET - Case.objects.count()
    if missing > 0:
        started = time.perf_counter()
        load(missing)
        print(f"loading {missing} cases: {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    users = {
        user.username: user for user in get_user_model().objects.filter(username__in=["staff", "officer", "leader"])
    }
    sample = Case.objects.filter(number__startswith="SH-2020-", state=CaseState.IN_PROGRESS).first()
    print(f"database: {connection.vendor}, cases: {Case.objects.count()}, assignments: {Assignment.objects.count()}")
    print(f"{'query':<52}{'queries':>8}{'median ms':>11}{'p95 ms':>9}")
    for name in ("staff", "officer", "leader"):
        measure(
            f"newest 50 visible to {name}, with overdue",
            lambda name=name: list(with_overdue(visible_to(users[name])).order_by("-created_at", "-id")[:50]),
        )
    measure("count of overdue cases (leader)", lambda: search_cases(visible_to(users["leader"]), overdue=True).count())
    measure("count of all cases visible to staff", lambda: visible_to(users["staff"]).count())
    measure(
        "text search '楼道', newest 50 (leader)",
        lambda: list(search_cases(Case.objects.all(), text="楼道").order_by("-created_at")[:50]),
    )
    measure(
        "in progress in staff's street, newest 50",
        lambda: list(search_cases(visible_to(users["staff"]), state="in_progress").order_by("-created_at")[:50]),
    )
    measure(
        "possible duplicates for a new case",
        lambda: possible_duplicates(sample.category, sample.community, sample.latitude, sample.longitude),
    )
    measure("escalate_overdue with nothing new", workflow.escalate_overdue)
    measure_pages(users, sample)
    measure("comment on a case (a workflow action)", lambda: workflow.comment(users["leader"], sample, note="督办"))


def get_page(client: Client, url: str) -> None:
    """GET a page as the browser would, reading a streamed body (exports) to its end."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if response.streaming:
        for _chunk in response.streaming_content:
            pass


def measure_pages(users: dict, sample: Case) -> None:
    """The case pages as each role sees them: queries per page and time through the whole Django stack."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    clients = {}
    for name in ("staff", "officer", "leader"):
        clients[name] = Client()
        clients[name].force_login(users[name])
    pages = [
        ("staff", "/"),
        ("officer", "/"),
        ("leader", "/"),
        ("staff", "/cases/"),
        ("officer", "/cases/"),
        ("leader", "/cases/"),
        ("leader", "/cases/?overdue=true&ordering=resolve_due_at"),
        ("leader", "/cases/?q=%E6%A5%BC%E9%81%93&page=3"),
        ("leader", f"/cases/{sample.number}/"),
        ("officer", "/cases/inbox/"),
        ("leader", "/cases/new/"),
        ("staff", "/cases/export.csv?state=dispatched"),
        ("staff", "/cases/export.xlsx?state=dispatched"),
    ]
    for name, url in pages:
        measure(f"page {url[:38]} ({name})", lambda name=name, url=url: get_page(clients[name], url))
    api = [
        ("staff", "/api/v1/cases/"),
        ("officer", "/api/v1/cases/"),
        ("leader", "/api/v1/cases/?page_size=100"),
        ("leader", "/api/v1/cases/?overdue=true&state=in_progress"),
        ("leader", "/api/v1/cases/?q=%E6%A5%BC%E9%81%93"),
        ("leader", f"/api/v1/cases/{sample.number}/"),
        ("leader", f"/api/v1/cases/{sample.number}/events/"),
        ("leader", "/api/v1/tally/"),
        ("staff", "/api/v1/tally/"),
        ("leader", "/open311/v2/requests.json"),
        ("leader", "/open311/v2/services.json"),
    ]
    for name, url in api:
        measure(f"api {url[:39]} ({name})", lambda name=name, url=url: get_page(clients[name], url))
    measure_dashboard(clients["leader"])


def measure_dashboard(leader: Client) -> None:
    """The leaders' dashboard: its functions, then its pages and API through the whole stack."""
    from cases import dashboard

    filters = dashboard.DashboardFilters.from_query({})
    week = dashboard.DashboardFilters.from_query({"date_from": "2026-11-20", "date_to": "2026-11-26"})
    measure("dashboard overview (drive, all dates)", lambda: dashboard.overview(filters))
    measure("dashboard overview (one week)", lambda: dashboard.overview(week))
    for by in dashboard.BREAKDOWNS:
        measure(f"dashboard breakdown by {by}", lambda by=by: dashboard.breakdown(filters, by=by))
    measure("dashboard daily", lambda: dashboard.daily(filters))
    measure("dashboard rankings", lambda: dashboard.rankings(filters))
    measure("dashboard tally", lambda: dashboard.tally_totals(filters))
    for url in (
        "/dashboard/",
        "/dashboard/campaigns/street-disorder/",
        "/dashboard/rankings/",
        "/dashboard/bulletin/",
        "/api/v1/dashboard/",
    ):
        measure(f"page {url[:38]} (leader)", lambda url=url: get_page(leader, url))


if __name__ == "__main__":
    main()
