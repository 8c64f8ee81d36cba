"""The background worker (DESIGN.md §8): django-tasks with its database backend, and its heartbeat.

Tasks are defined in each app's `tasks.py` with `task` (django-tasks, which becomes `django.tasks` at
Django 6) and run by `manage.py db_worker` (the Procfile's `worker`). Every finished job stamps the
worker's heartbeat, which /healthz reads: no job finished for WORKER_STALE_AFTER means no worker runs.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Max
from django.utils import timezone
from django_tasks import task  # noqa: F401 (re-exported: the one import apps use)
from django_tasks.signals import task_finished

from core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


def stamp_heartbeat(sender: Any = None, task_result: Any = None, **kwargs: Any) -> None:
    """Record that this process finished a job (connected to django-tasks' `task_finished`)."""
    task_path = getattr(getattr(task_result, "task", None), "module_path", "") if task_result else ""
    try:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=WORKER_ID[:64], defaults={"last_finished_at": timezone.now(), "last_task": task_path[:200]}
        )
    except DatabaseError:  # a heartbeat is never worth failing a job for
        logger.exception("Could not record the worker's heartbeat")


def connect_heartbeat() -> None:
    task_finished.connect(stamp_heartbeat, dispatch_uid="core.worker.heartbeat")


def last_finished() -> datetime.datetime | None:
    """When any worker last finished a job, or None if none ever did."""
    return WorkerHeartbeat.objects.aggregate(last=Max("last_finished_at"))["last"]


def worker_health(now: datetime.datetime | None = None) -> dict[str, Any]:
    """What /healthz says of the workers: ok, when the last job finished and, if not ok, why."""
    last = last_finished()
    now = now or timezone.now()
    stale_after = datetime.timedelta(seconds=settings.WORKER_STALE_AFTER_SECONDS)
    if last is None:
        return {"ok": False, "last_job_finished_at": None, "reason": "no worker has finished a job yet"}
    age = (now - last).total_seconds()
    answer: dict[str, Any] = {
        "ok": age <= stale_after.total_seconds(),
        "last_job_finished_at": timezone.localtime(last).isoformat(),
        "seconds_since_last_job": max(0, round(age)),
    }
    if not answer["ok"]:
        answer["reason"] = f"no worker has finished a job for {round(age / 60)} minutes"
    return answer
