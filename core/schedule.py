"""Periodic jobs (DESIGN.md §8): apps register tasks here; the Procfile's `schedule` enqueues them on time.

An app marks a task in its `tasks.py` with `@periodic(minutes=1)`; `manage.py run_schedule` (APScheduler)
enqueues each one every period for the worker to run. A slot (job, period start) is claimed in the
database before it is enqueued, so a second schedule process on another machine never doubles a job, and
the jobs themselves are safe to run twice anyway.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from core.models import ScheduleRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    """A task the schedule enqueues every `every`."""

    name: str
    task: object  # a django-tasks Task
    every: datetime.timedelta

    def slot(self, now: datetime.datetime) -> datetime.datetime:
        """The start of the period `now` falls in (periods count from the epoch, in UTC)."""
        epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
        periods = (now - epoch) // self.every
        return epoch + periods * self.every


_jobs: dict[str, PeriodicJob] = {}


def periodic(*, minutes: int = 0, hours: int = 0):
    """Register a task to run every so many minutes or hours (a decorator, applied above `@task`)."""
    every = datetime.timedelta(minutes=minutes, hours=hours)
    if every <= datetime.timedelta(0):
        raise ValueError("A periodic job needs a period.")

    def register(task_object):
        name = task_object.module_path
        _jobs[name] = PeriodicJob(name=name, task=task_object, every=every)
        return task_object

    return register


def registered_jobs() -> list[PeriodicJob]:
    """Every periodic job of the installed apps (their `tasks` modules are imported first)."""
    autodiscover_modules("tasks")
    return sorted(_jobs.values(), key=lambda job: job.name)


def enqueue_due(now: datetime.datetime | None = None, jobs: list[PeriodicJob] | None = None) -> list[str]:
    """Enqueue each job whose current slot no schedule has claimed yet; answers the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in registered_jobs() if jobs is None else jobs:
        try:
            with transaction.atomic():
                ScheduleRun.objects.create(job=job.name, slot=job.slot(now))
                job.task.enqueue()
        except IntegrityError:
            continue  # another schedule process took this slot
        enqueued.append(job.name)
    return enqueued


def prune_runs(older_than: datetime.timedelta = datetime.timedelta(days=2)) -> int:
    """Forget claimed slots long past (they only guard against doubling the current one)."""
    deleted, _ = ScheduleRun.objects.filter(enqueued_at__lt=timezone.now() - older_than).delete()
    return deleted
