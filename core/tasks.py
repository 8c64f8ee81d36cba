"""The processes' own upkeep, run by the worker once a day (core/schedule.py): old rows are forgotten."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.schedule import periodic, prune_runs
from core.worker import task

TASK_RESULTS_KEPT = datetime.timedelta(days=7)  # the admin's "Task results" show a week of jobs
HEARTBEATS_KEPT = datetime.timedelta(days=7)  # a worker silent for a week has gone (restarts get a new id)


@periodic(hours=24)
@task()
def prune_finished() -> dict[str, int]:
    """Delete finished (successful or failed) task results older than a week, past schedule slots, old heartbeats.

    What `manage.py prune_db_task_results --min-age-days 7` does, plus the schedule's and workers' rows.
    Jobs still queued or running are never touched; the newest heartbeat stays, so /healthz is unchanged.
    """
    from django_tasks_db.models import DBTaskResult

    from core.models import WorkerHeartbeat

    now = timezone.now()
    results, _ = DBTaskResult.objects.finished().filter(finished_at__lt=now - TASK_RESULTS_KEPT).delete()
    newest = WorkerHeartbeat.objects.order_by("-last_finished_at").values_list("pk", flat=True).first()
    old = WorkerHeartbeat.objects.filter(last_finished_at__lt=now - HEARTBEATS_KEPT).exclude(pk=newest)
    heartbeats, _ = old.delete()
    return {"task_results": results, "schedule_runs": prune_runs(), "heartbeats": heartbeats}
