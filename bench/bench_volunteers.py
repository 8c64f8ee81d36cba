"""Benchmark: the 1+1 mobilisation and community pages with many volunteers, activities and participations.

Run on PostgreSQL, in the benchmark database of `bench_cases.py` (it adds rows and keeps them
for the next run):

    createdb -h 127.0.0.1 -U postgres shenhe_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shenhe_bench .venv/bin/python bench/bench_volunteers.py

It migrates, loads the demo, tops the cases up to BENCH_CASES (as `bench_cases.py` does, so the
community pages count a realistic number of cases; 0 leaves the cases as they are) and the
generated volunteers, activities and participations up to BENCH_VOLUNTEERS, BENCH_ACTIVITIES
and BENCH_PARTICIPANTS per activity, then times each page and API list through the whole Django
stack (test client) as the demo accounts: queries of one request, median and p95 of
BENCH_REPEAT more. It asserts nothing; keep the output in docs/benchmarks.md.
"""

import datetime
import logging
import os
import random
import statistics
import sys
import time
from decimal import Decimal
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

from cases.models import Campaign, Case, Metric, TallyEntry  # noqa: E402
from communities.demo import person_name  # noqa: E402
from communities.models import Community  # noqa: E402
from volunteers.demo import SKILLS, WORKS  # noqa: E402
from volunteers.models import Activity, BranchPairing, Participation, Volunteer  # noqa: E402

CASES = int(os.environ.get("BENCH_CASES", "200000"))
VOLUNTEERS = int(os.environ.get("BENCH_VOLUNTEERS", "20000"))
ACTIVITIES = int(os.environ.get("BENCH_ACTIVITIES", "3000"))
PER_ACTIVITY = int(os.environ.get("BENCH_PARTICIPANTS", "21"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))
BATCH = 5000
# Generated rows are told apart from the demo's and from real ones by these marks.
PHONE_PREFIX = "137"
TITLE_PREFIX = "批量生成的活动"
HOURS = [Decimal("2"), Decimal("2.5"), Decimal("3")]
DRIVE_DAYS = [datetime.date(2021, 8, 24) + datetime.timedelta(days=n) for n in range(38)]


def load_volunteers(count: int, rng: random.Random) -> None:
    """Add `count` generated volunteers spread over the communities, most of them party members of the paired branch."""
    communities = list(Community.objects.order_by("code"))
    branch_of = dict(BranchPairing.objects.filter(ends_on__isnull=True).values_list("community_id", "branch_id"))
    first = Volunteer.objects.filter(phone__startswith=PHONE_PREFIX).count()
    for start in range(0, count, BATCH):
        rows = []
        for offset in range(min(BATCH, count - start)):
            number = first + start + offset
            community = communities[number % len(communities)]
            surname, given_name = person_name(rng)
            is_party_member = rng.random() < 0.6
            rows.append(
                Volunteer(
                    name=surname + given_name,
                    phone=f"{PHONE_PREFIX}{number:08d}",
                    community=community,
                    is_party_member=is_party_member,
                    branch_id=branch_of.get(community.pk) if is_party_member else None,
                    skills="、".join(rng.sample(SKILLS, 2)),
                    joined_on=rng.choice(DRIVE_DAYS),
                )
            )
        Volunteer.objects.bulk_create(rows)
        print(f"  volunteers: {start + len(rows)} of {count}", flush=True)


def load_activities(count: int, rng: random.Random) -> None:
    """Add `count` generated activities, each with PER_ACTIVITY participants of its community and its outcomes."""
    communities = list(Community.objects.order_by("code"))
    branch_of = dict(BranchPairing.objects.filter(ends_on__isnull=True).values_list("community_id", "branch_id"))
    campaigns = {campaign.slug: campaign for campaign in Campaign.objects.all()}
    metrics = {metric.code: metric for metric in Metric.objects.all()}
    members: dict[int, list[int]] = {}
    for volunteer_id, community_id in Volunteer.objects.values_list("id", "community_id").order_by("id"):
        members.setdefault(community_id, []).append(volunteer_id)
    first = Activity.objects.filter(title__startswith=TITLE_PREFIX).count()
    batch = max(1, BATCH // PER_ACTIVITY)
    for start in range(0, count, batch):
        activities, outcomes = [], []
        for offset in range(min(batch, count - start)):
            number = first + start + offset
            community = communities[number % len(communities)]
            work = WORKS[rng.choice(list(WORKS))]
            starts_at = timezone.make_aware(
                datetime.datetime.combine(rng.choice(DRIVE_DAYS), datetime.time(rng.choice((8, 9, 14)), 0))
            )
            activities.append(
                Activity(
                    title=f"{TITLE_PREFIX}{number:05d}（{community.name}）",
                    starts_at=starts_at,
                    ends_at=starts_at + datetime.timedelta(hours=3),
                    community=community,
                    campaign=campaigns[work.campaign],
                    branch_id=branch_of.get(community.pk),
                    description="批量生成的测试活动",
                )
            )
            outcomes.append({code: Decimal(rng.randint(1, 20)) for code in work.outcomes})
        with transaction.atomic():
            Activity.objects.bulk_create(activities)
            Participation.objects.bulk_create(
                Participation(activity=activity, volunteer_id=volunteer_id, hours=rng.choice(HOURS))
                for activity in activities
                for volunteer_id in rng.sample(
                    members[activity.community_id], min(PER_ACTIVITY, len(members[activity.community_id]))
                )
            )
            TallyEntry.objects.bulk_create(
                TallyEntry(
                    metric=metrics[code],
                    quantity=quantity,
                    date=activity.date,
                    community_id=activity.community_id,
                    campaign_id=activity.campaign_id,
                    activity=activity,
                    recorded_at=activity.ends_at,
                )
                for activity, tally in zip(activities, outcomes, strict=True)
                for code, quantity in tally.items()
            )
        print(f"  activities: {start + len(activities)} of {count}", flush=True)


def get_page(client: Client, url: str) -> int:
    """GET a page as the browser would, reading a streamed body (exports) to its end; answers the status."""
    response = client.get(url)
    if response.streaming:
        for _chunk in response.streaming_content:
            pass
    return response.status_code


def measure(label: str, client: Client, url: str) -> None:
    """One request for its queries, then REPEAT timed ones; a page that does not answer 200 is reported, not timed."""
    connection.queries_log.clear()  # the loading above filled the debug query log past its limit
    with CaptureQueriesContext(connection) as queries:
        status = get_page(client, url)
    query_count = len(queries)
    if status != 200:
        print(f"{label:<56}{'':>8}{'HTTP ' + str(status):>20}")
        return
    timings = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        get_page(client, url)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
    print(f"{label:<56}{query_count:>8}{statistics.median(timings):>11.1f}{p95:>9.1f}")


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    rng = random.Random(20210824)
    missing_cases = CASES - Case.objects.count()
    if missing_cases > 0:
        from bench_cases import load as load_cases

        started = time.perf_counter()
        load_cases(missing_cases)
        print(f"loading {missing_cases} cases: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    missing = VOLUNTEERS - Volunteer.objects.count()
    if missing > 0:
        load_volunteers(missing, rng)
    missing = ACTIVITIES - Activity.objects.count()
    if missing > 0:
        load_activities(missing, rng)
    print(f"loading volunteers and activities: {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"database: {connection.vendor}, cases: {Case.objects.count()}, volunteers: {Volunteer.objects.count()}, "
        f"activities: {Activity.objects.count()}, participations: {Participation.objects.count()}, "
        f"tally entries: {TallyEntry.objects.count()}"
    )
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    users = {user.username: user for user in get_user_model().objects.filter(username__in=["staff", "leader"])}
    clients = {}
    for name, user in users.items():
        # A page still being written answers 500 in the table instead of stopping the run.
        clients[name] = Client(raise_request_exception=False)
        clients[name].force_login(user)
    staff_street = users["staff"].staff_profile.street
    community = Community.objects.filter(street=staff_street).order_by("code").first()
    activity = Activity.objects.filter(community=community).order_by("-starts_at").first()
    volunteer = Volunteer.objects.filter(community=community).order_by("pk").first()
    branch_id = BranchPairing.objects.filter(community=community, ends_on__isnull=True).values_list(
        "branch_id", flat=True
    )[0]
    pages = [
        ("leader", "/volunteers/"),
        ("staff", "/volunteers/"),
        ("leader", "/volunteers/?q=%E7%8E%8B"),
        ("leader", "/volunteers/activities/"),
        ("staff", "/volunteers/activities/"),
        ("leader", "/volunteers/branches/"),
        ("leader", "/volunteers/leaderboards/"),
        ("leader", f"/volunteers/activities/{activity.pk}/"),
        ("leader", f"/volunteers/{volunteer.pk}/"),
        ("leader", f"/volunteers/branches/{branch_id}/"),
        ("leader", f"/volunteers/record/{volunteer.record_token}/"),
        ("leader", "/communities/"),
        ("staff", "/communities/"),
        ("leader", f"/communities/{community.pk}/"),
        ("staff", f"/communities/{community.pk}/"),
        ("staff", "/volunteers/export.csv"),
        ("staff", "/volunteers/activities/export.xlsx"),
        ("leader", "/api/v1/volunteers/"),
        ("staff", "/api/v1/volunteers/"),
        ("leader", "/api/v1/activities/"),
        ("leader", "/api/v1/party-branches/"),
        ("leader", "/dashboard/"),
    ]
    print(f"{'page':<56}{'queries':>8}{'median ms':>11}{'p95 ms':>9}")
    for name, url in pages:
        label = url.replace(volunteer.record_token, "<token>")[:46]
        measure(f"{label} ({name})", clients[name], url)


if __name__ == "__main__":
    main()
