"""Fixed vocabularies of the cases app: states, actions, sources (DESIGN.md §3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseState(models.TextChoices):
    """Where a case stands in the closed loop."""

    REPORTED = "reported", _("Awaiting acceptance")
    REGISTERED = "registered", _("Registered")
    REJECTED = "rejected", _("Not registered")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# States in which a case still needs work from someone.
OPEN_STATES = (
    CaseState.REPORTED,
    CaseState.REGISTERED,
    CaseState.DISPATCHED,
    CaseState.IN_PROGRESS,
    CaseState.RESOLVED,
)
# States in which a department holds the case and its deadlines run.
WORKING_STATES = (CaseState.DISPATCHED, CaseState.IN_PROGRESS)


class CaseAction(models.TextChoices):
    """What a CaseEvent records: the workflow actions plus intake, photos and escalation."""

    CREATE = "create", _("Reported")
    ACCEPT = "accept", _("Accepted")
    REJECT = "reject", _("Rejected")
    DISPATCH = "dispatch", _("Dispatched")
    REPORT_IN = "report_in", _("Reported in")
    SEND_BACK = "send_back", _("Sent back")
    RESOLVE = "resolve", _("Resolved")
    VERIFY = "verify", _("Verified and closed")
    REWORK = "rework", _("Sent for rework")
    REOPEN = "reopen", _("Reopened")
    REQUEST_EXTENSION = "request_extension", _("Extension requested")
    APPROVE_EXTENSION = "approve_extension", _("Extension decided")
    SUPERVISE = "supervise", _("Put under supervision (督办)")
    REQUEST_DEFERRAL = "request_deferral", _("Deferral requested")
    DECIDE_DEFERRAL = "decide_deferral", _("Deferral decided")
    RESUME = "resume", _("Back from deferral")
    COMMENT = "comment", _("Internal note")
    ADD_PHOTOS = "add_photos", _("Photo added")
    ESCALATE = "escalate", _("Escalated as overdue")


class CaseSource(models.TextChoices):
    """How a problem reached the district."""

    PATROL = "patrol", _("Patrol")
    WHISTLE = "whistle", _("Whistle (road chief)")
    HOTLINE = "hotline", _("12345 hotline")
    VOLUNTEER = "volunteer", _("Volunteer")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311")


class Priority(models.TextChoices):
    """How urgently a case needs handling."""

    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class AssignmentRole(models.TextChoices):
    """A department's part in a case."""

    LEAD = "lead", _("Lead")
    ASSIST = "assist", _("Assisting")
    CC = "cc", _("Copied")


class PhotoStage(models.TextChoices):
    """When a photo was taken relative to the fix."""

    BEFORE = "before", _("Before")
    AFTER = "after", _("After")
    OTHER = "other", _("Other")


class Satisfaction(models.TextChoices):
    """The resident's answer in the call-back (回访)."""

    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class Deadline(models.TextChoices):
    """The two deadlines a dispatch sets, as named in escalations."""

    REPORT_IN = "report_in", _("Report-in deadline")
    RESOLVE = "resolve", _("Resolve deadline")


class Clock(models.TextChoices):
    """How a category's deadlines count (DESIGN.md §11)."""

    CALENDAR = "calendar", _("Calendar time (around the clock)")
    WORKING = "working", _("Working time (working hours on working days)")


class CalendarDayKind(models.TextChoices):
    """What an entry of the working-time calendar makes of its day."""

    HOLIDAY = "holiday", _("Public holiday")
    WORKDAY = "workday", _("Make-up workday")
