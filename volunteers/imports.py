"""Import volunteers and activity participants from CSV and XLSX files (issue 7, docs/imports.md).

An upload becomes an `ImportJob`. Running it reads the whole file, checks every row against
data preloaded in a fixed number of queries (no query per row), and only when no row has an
error saves everything in one transaction; otherwise the job keeps a per-row error report and
nothing is saved. Progress (rows checked of rows in the file) is written to the job as it goes
so that the status page can show it while the worker (volunteers/tasks.py) does the work.
"""

from __future__ import annotations

import datetime
import logging
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from communities.models import Community
from communities.roles import AnyUser
from core.errors import DomainError, Forbidden, InvalidInput
from core.tabular import ImportFileError, read_table
from volunteers.choices import ImportKind, ImportStatus
from volunteers.import_rows import (
    COLUMNS,
    UPDATED_FIELDS,
    CommunityLookup,
    Plan,
    check_participants,
    check_volunteers,
    volunteers_by_phone,
)
from volunteers.models import Activity, ImportJob, Volunteer
from volunteers.permissions import can_manage_activity, can_manage_any, managed_communities
from volunteers.services import add_participants

logger = logging.getLogger(__name__)

SAVE_BATCH = 500  # rows per bulk insert or update
STALE_AFTER = datetime.timedelta(minutes=10)  # a 20,000-row file takes seconds; longer means the worker died


# --- running --------------------------------------------------------------------------------------


def _update(job: ImportJob, **fields: Any) -> None:
    """Write fields of the job at once (a queryset update, so the status page sees them) and on the object."""
    for name, value in fields.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def _write_progress(job: ImportJob, checked: int) -> None:
    _update(job, checked_rows=checked)


def _finish(job: ImportJob, status: str, **fields: Any) -> None:
    _update(job, status=status, finished_at=timezone.now(), **fields)


def _read(job: ImportJob) -> bytes:
    limit = settings.VOLUNTEER_IMPORT_MAX_BYTES
    try:
        with job.file.open("rb") as file:
            data = file.read(limit + 1)  # no need to read past the limit to refuse the file
    except (OSError, ValueError):
        raise ImportFileError(_("The uploaded file is no longer available; upload it again.")) from None
    return data


def _check_allowed(job: ImportJob) -> None:
    user = job.created_by
    if job.kind == ImportKind.PARTICIPANTS:
        if job.activity is None or not can_manage_activity(user, job.activity):
            raise ImportFileError(_("Only the staff of the activity's street may import its participants."))
    elif not can_manage_any(user):
        raise ImportFileError(_("Your role cannot import volunteers."))
    elif job.community is not None and job.community_id not in managed_communities(user).values_list("pk", flat=True):
        raise ImportFileError(CommunityLookup.not_yours(job.community.street))


def _save(job: ImportJob, plan: Plan) -> tuple[int, int, str]:
    """Save a checked plan in one transaction; answers (created, updated, a note for the job)."""
    with transaction.atomic():
        Volunteer.objects.bulk_create(plan.new_volunteers, batch_size=SAVE_BATCH)
        if job.kind == ImportKind.VOLUNTEERS:
            Volunteer.objects.bulk_update(plan.changed_volunteers, UPDATED_FIELDS, batch_size=SAVE_BATCH)
            return len(plan.new_volunteers), len(plan.changed_volunteers), ""
        if any(volunteer.pk is None for volunteer in plan.new_volunteers):
            # Databases that do not return ids from a bulk insert: find the new rows by phone.
            ids = volunteers_by_phone(volunteer.phone for volunteer in plan.new_volunteers)
            for volunteer in plan.new_volunteers:
                volunteer.pk = ids[volunteer.phone].pk
        added, updated = add_participants(job.created_by, job.activity, plan.participants)
    note = ""
    if plan.new_volunteers:
        note = _("%(count)s new volunteers were registered in %(community)s.") % {
            "count": len(plan.new_volunteers),
            "community": job.activity.community.name,
        }
    return added, updated, note


def run_import(job: ImportJob) -> ImportJob:
    """Check a queued import and, when every row is valid, save it all; answers the job as it ended.

    A job another worker has already taken is left alone. Messages are in the uploader's language.
    """
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.CHECKING, started_at=timezone.now(), checked_rows=0, total_rows=0, errors=[], message=""
    )
    job.refresh_from_db()
    if not claimed:
        return job
    with translation.override(job.language):
        try:
            _run(job)
        except ImportFileError as error:
            _finish(job, ImportStatus.FAILED, message=error.message)
        except DomainError as error:
            _finish(job, ImportStatus.FAILED, message=_("Nothing was saved: %(reason)s") % {"reason": error.message})
        except DatabaseError:
            logger.exception("Saving import %s failed", job.pk)
            _finish(
                job,
                ImportStatus.FAILED,
                message=_(
                    "Nothing was saved: someone changed the same volunteers at the same time. Upload the file again."
                ),
            )
        except Exception:
            logger.exception("Import %s failed", job.pk)
            _finish(
                job,
                ImportStatus.FAILED,
                message=_(
                    "The import stopped because of an unexpected error and nothing was saved. "
                    "Try again, or send the file to the administrator."
                ),
            )
    return job


def _run(job: ImportJob) -> None:
    _check_allowed(job)
    columns = COLUMNS[job.kind]
    required = {column.key for column in columns if column.required}
    if job.kind == ImportKind.VOLUNTEERS and job.community_id is not None:
        required.discard("community")  # the upload page chose the community
    table = read_table(
        _read(job),
        job.file_format,
        columns,
        required=required,
        max_bytes=settings.VOLUNTEER_IMPORT_MAX_BYTES,
        max_rows=settings.VOLUNTEER_IMPORT_MAX_ROWS,
    )
    _update(job, total_rows=len(table.rows))
    check = check_volunteers if job.kind == ImportKind.VOLUNTEERS else check_participants
    report, plan = check(job, table, lambda checked: _write_progress(job, checked))
    if report.count:
        message = _("%(count)s problems were found; nothing was saved. Correct the file and upload it again.") % {
            "count": report.count
        }
        if report.count > len(report.errors):
            message += " " + _("Only the first %(shown)s are listed.") % {"shown": len(report.errors)}
        _finish(job, ImportStatus.REJECTED, checked_rows=len(table.rows), errors=report.errors, message=message)
        return
    _update(job, status=ImportStatus.SAVING, checked_rows=len(table.rows))
    created, updated, note = _save(job, plan)
    _finish(job, ImportStatus.DONE, created_count=created, updated_count=updated, message=note)


def start_import(job: ImportJob) -> None:
    """Run the import now (setting VOLUNTEER_IMPORTS_INLINE) or hand it to the worker once the job is saved."""
    if settings.VOLUNTEER_IMPORTS_INLINE:
        run_import(job)
        return
    from volunteers.tasks import run_import_job

    transaction.on_commit(lambda: run_import_job.enqueue(job.pk))


def create_import(
    user: AnyUser,
    *,
    kind: str,
    upload: UploadedFile,
    activity: Activity | None = None,
    community: Community | None = None,
) -> ImportJob:
    """Keep an uploaded file as a queued import job and start it; refuses users who may not import it."""
    if kind == ImportKind.PARTICIPANTS:
        if activity is None or not can_manage_activity(user, activity):
            raise Forbidden(_("Only the staff of the activity's street may import its participants."))
    elif not can_manage_any(user):
        raise Forbidden(_("Your role cannot import volunteers."))
    if community is not None and not managed_communities(user).filter(pk=community.pk).exists():
        raise InvalidInput.for_fields({"community": [CommunityLookup.not_yours(community.street)]})
    name = PurePath(upload.name or "").name or "upload"
    job = ImportJob(
        kind=kind,
        file_name=name[:200],
        file_format=PurePath(name).suffix.lower().lstrip(".")[:10],
        activity=activity if kind == ImportKind.PARTICIPANTS else None,
        community=community if kind == ImportKind.VOLUNTEERS else None,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        created_by=user,
    )
    job.file.save(name, upload, save=False)  # the storage shortens a long name to fit the field
    job.save()
    start_import(job)
    return job


def is_stale(job: ImportJob, now: datetime.datetime | None = None) -> bool:
    """Whether a job says it is running but has not finished long after it started (its worker died)."""
    if not job.is_running:
        return False
    since = job.started_at or job.created_at
    return (now or timezone.now()) - since > STALE_AFTER


def requeue_stale(now: datetime.datetime | None = None) -> list[int]:
    """Put jobs whose worker died back in the queue (their save was one transaction: nothing of it stayed).

    Answers their ids, for the caller to hand them to a worker again.
    """
    cutoff = (now or timezone.now()) - STALE_AFTER
    stale = ImportJob.objects.filter(status__in=[ImportStatus.CHECKING, ImportStatus.SAVING], started_at__lt=cutoff)
    ids = list(stale.values_list("pk", flat=True))
    ImportJob.objects.filter(pk__in=ids, status__in=[ImportStatus.CHECKING, ImportStatus.SAVING]).update(
        status=ImportStatus.QUEUED, checked_rows=0, message=""
    )
    return ids


def run_queued() -> list[ImportJob]:
    """Run every queued job, oldest first (for a server restarted mid-import); answers them as they ended."""
    jobs = ImportJob.objects.filter(status=ImportStatus.QUEUED).select_related("activity__community", "community")
    return [run_import(job) for job in jobs.order_by("created_at", "pk")]
