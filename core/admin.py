"""The processes' own rows in the admin, read-only: when each worker last finished a job, which slots ran.

The jobs themselves (queued, running, finished, failed, with tracebacks) are django-tasks-db's
"Task results" in the admin (README, "Processes").
"""

from django.contrib import admin
from django.http import HttpRequest

from core.models import ScheduleRun, WorkerHeartbeat


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the worker and the schedule only; the admin looks."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["worker_id", "last_finished_at", "last_task"]
    ordering = ["-last_finished_at"]
    search_fields = ["worker_id", "last_task"]


@admin.register(ScheduleRun)
class ScheduleRunAdmin(ReadOnlyAdmin):
    list_display = ["job", "slot", "enqueued_at"]
    list_filter = ["job"]
    ordering = ["-slot", "job"]
    date_hierarchy = "slot"
