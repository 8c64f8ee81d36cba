"""Jobs of the cases app, run by the worker (core/worker.py) on the schedule (core/schedule.py)."""

from core.schedule import periodic
from core.worker import task


@periodic(minutes=1)
@task()
def escalate_overdue() -> int:
    """Record the escalations (督办) of every deadline missed since the last run."""
    from cases.workflow import escalate_overdue as escalate

    return escalate()


@periodic(minutes=1)
@task()
def resume_deferred() -> int:
    """Bring deferred cases (缓办/挂账) back into the loop on their date."""
    from cases.workflow import resume_deferred as resume

    return resume()
