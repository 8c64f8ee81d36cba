"""`manage.py run_schedule`: the Procfile's `schedule` process; enqueues the periodic jobs on time."""

from __future__ import annotations

import contextlib
import datetime
import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from core.schedule import enqueue_due, registered_jobs

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Enqueue the periodic jobs (escalation and reminders every minute, and the rest) for the worker. "
        "Several schedule processes may run: each period of each job is enqueued once."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Enqueue what is due now and exit.")

    def handle(self, *args, once: bool = False, **options) -> None:
        jobs = registered_jobs()
        if once:
            for name in enqueue_due(jobs=jobs):
                self.stdout.write(f"enqueued {name}")
            return
        scheduler = BlockingScheduler(timezone="UTC")
        for job in jobs:
            scheduler.add_job(
                self._tick,
                IntervalTrigger(seconds=job.every.total_seconds()),
                args=[job],
                id=job.name,
                # Start right away rather than one period after starting (a restarted schedule catches up).
                next_run_time=datetime.datetime.now(datetime.UTC),
                coalesce=True,  # a schedule that slept through several periods runs the job once
                max_instances=1,
                misfire_grace_time=None,
            )
            self.stdout.write(f"every {job.every}: {job.name}")
        with contextlib.suppress(KeyboardInterrupt, SystemExit):
            scheduler.start()

    def _tick(self, job) -> None:
        close_old_connections()
        try:
            for name in enqueue_due(jobs=[job]):
                logger.info("enqueued %s", name)
        except Exception:  # a database hiccup must not stop the schedule; the next period tries again
            logger.exception("Could not enqueue %s", job.name)
        finally:
            close_old_connections()
