"""Fixed vocabularies of notifications: kinds (DESIGN.md §9), channels, delivery states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """What a notification asks of its reader (the API's `kind`)."""

    DISPATCH = "dispatch", _("Dispatched to your department")
    WHISTLE = "whistle", _("Whistle: report in")
    REPORT_IN_REMINDER = "report_in_reminder", _("Report-in reminder")
    ESCALATION = "escalation", _("Escalation (督办)")
    SEND_BACK = "send_back", _("Sent back")
    RESOLVED = "resolved", _("Resolved, awaiting verification")
    REWORK = "rework", _("Sent for rework")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENSION_DECIDED = "extension_decided", _("Extension decided")
    DEFERRAL_REQUESTED = "deferral_requested", _("Deferral requested")
    DEFERRAL_DECIDED = "deferral_decided", _("Deferral decided")
    REOPEN = "reopen", _("Reopened")
    SUPERVISE = "supervise", _("Under supervision (督办)")
    NEW_REPORT = "new_report", _("New report awaiting acceptance")


class Channel(models.TextChoices):
    """How a notification reaches people besides the app."""

    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Group robot")


class DeliveryStatus(models.TextChoices):
    """Where an outgoing message stands."""

    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed (gave up)")
