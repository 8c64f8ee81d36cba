"""The few rows the shared processes keep: when each worker last finished a job, which schedule slots ran."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """A worker process's last finished job (one row per worker id), read by /healthz."""

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    last_finished_at = models.DateTimeField(_("last job finished at"), db_index=True)
    last_task = models.CharField(_("last task"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.worker_id


class ScheduleRun(models.Model):
    """One periodic job's slot (its start time) claimed by a schedule process: several schedules enqueue it once."""

    job = models.CharField(_("job"), max_length=100)
    slot = models.DateTimeField(_("slot"))
    enqueued_at = models.DateTimeField(_("enqueued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("schedule run")
        verbose_name_plural = _("schedule runs")
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="schedule_run_once_per_slot")]
        indexes = [models.Index(fields=["enqueued_at"], name="schedule_run_enqueued")]

    def __str__(self) -> str:
        return f"{self.job} {self.slot:%Y-%m-%d %H:%M}"
