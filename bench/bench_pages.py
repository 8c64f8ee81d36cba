"""Benchmark: seed_demo time, and each demo account's home page (queries, time).

Run with `make bench` (SQLite) or `DATABASE_URL=postgres://... make bench`. It migrates and
loads the demo data into that database first; it prints figures, it asserts nothing.
Keep the output in docs/benchmarks.md.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shenhe_env.settings")
os.environ.setdefault("DEBUG", "true")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from communities.demo import DEMO_ACCOUNTS  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))


def main() -> None:
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", verbosity=0)
    print(f"database: {connection.vendor}")
    print(f"seed_demo (second and later runs): {time.perf_counter() - started:.2f} s")
    print(f"{'page':<28}{'queries':>8}{'median ms':>11}{'p95 ms':>9}")
    user_model = get_user_model()
    for account in DEMO_ACCOUNTS:
        client = Client(SERVER_NAME="localhost")
        client.force_login(user_model.objects.get(username=account.username))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        # Read the count now: later requests reset the query log it is a view of.
        query_count = len(queries)
        timings = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            client.get("/")
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        median = statistics.median(timings)
        print(f"{'home as ' + account.username:<28}{query_count:>8}{median:>11.1f}{p95:>9.1f}")


if __name__ == "__main__":
    main()
