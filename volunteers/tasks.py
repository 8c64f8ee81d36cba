"""Jobs of the volunteers app, run by the worker (core/worker.py): imports never run in a web process."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.schedule import periodic
from core.worker import task


@task()
def run_import_job(job_id: int) -> str:
    """Check and save one uploaded import; answers the status it ended in."""
    from volunteers.imports import run_import
    from volunteers.models import ImportJob

    job = ImportJob.objects.filter(pk=job_id).select_related("activity__community", "community__street").first()
    if job is None:
        return "missing"
    return run_import(job).status


@periodic(minutes=1)
@task()
def resume_stalled_imports() -> int:
    """Start again the imports whose worker died mid-way (nothing of them was saved), and any left queued."""
    from volunteers.choices import ImportStatus
    from volunteers.imports import requeue_stale
    from volunteers.models import ImportJob

    requeue_stale()
    # A job queued over a minute ago whose own job was lost (a crash right after enqueueing) is picked up
    # too; running a job twice is harmless (run_import claims it once).
    cutoff = timezone.now() - datetime.timedelta(minutes=1)
    waiting = list(
        ImportJob.objects.filter(status=ImportStatus.QUEUED, created_at__lt=cutoff).values_list("pk", flat=True)
    )
    for pk in waiting:
        run_import_job.enqueue(pk)
    return len(waiting)
