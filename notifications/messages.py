"""What a notification says, in the reader's language (the app, the API, e-mails and robot posts alike)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases.choices import Deadline
from notifications.choices import NotificationKind


def local_time(value: str | None) -> str:
    """A stored ISO time as 'YYYY-MM-DD HH:MM' in Shanghai time."""
    if not value:
        return ""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    return date_format(timezone.localtime(moment) if timezone.is_aware(moment) else moment, "Y-m-d H:i")


def title(kind: str, data: dict[str, Any], number: str | None) -> str:
    """One line saying what happened and what is asked, e.g. "吹哨：SH-2026-000123 请于 … 前报到"."""
    number = number or ""
    if kind == NotificationKind.WHISTLE:
        return _("Whistle: report in on %(number)s by %(time)s") % {
            "number": number,
            "time": local_time(data.get("report_in_due_at")),
        }
    if kind == NotificationKind.DISPATCH:
        return _("Case %(number)s was dispatched to your department; report in by %(time)s") % {
            "number": number,
            "time": local_time(data.get("report_in_due_at")),
        }
    if kind == NotificationKind.REPORT_IN_REMINDER:
        return _("Report in on %(number)s by %(time)s: ten minutes left") % {
            "number": number,
            "time": local_time(data.get("report_in_due_at")),
        }
    if kind == NotificationKind.ESCALATION:
        deadline = Deadline(data["deadline"]).label if data.get("deadline") in Deadline.values else ""
        if data.get("level", 1) >= 2:
            return _("Escalated to the leaders: %(number)s, %(deadline)s was due %(time)s") % {
                "number": number,
                "deadline": deadline,
                "time": local_time(data.get("due_at")),
            }
        return _("Escalation: %(number)s is overdue, %(deadline)s was due %(time)s") % {
            "number": number,
            "deadline": deadline,
            "time": local_time(data.get("due_at")),
        }
    if kind == NotificationKind.SEND_BACK:
        return _("%(department)s sent %(number)s back: %(reason)s") % {
            "department": data.get("department") or _("The department"),
            "number": number,
            "reason": data.get("reason", ""),
        }
    if kind == NotificationKind.RESOLVED:
        return _("%(number)s is resolved and waits for your verification") % {"number": number}
    if kind == NotificationKind.REWORK:
        return _("%(number)s was sent back for rework: %(reason)s") % {
            "number": number,
            "reason": data.get("reason", ""),
        }
    if kind == NotificationKind.EXTENSION_REQUESTED:
        return _("Extension of %(number)s to %(time)s requested: %(reason)s") % {
            "number": number,
            "time": local_time(data.get("until")),
            "reason": data.get("reason", ""),
        }
    if kind == NotificationKind.EXTENSION_DECIDED:
        if data.get("approved"):
            return _("Extension of %(number)s granted: resolve by %(time)s") % {
                "number": number,
                "time": local_time(data.get("until")),
            }
        return _("Extension of %(number)s refused: %(reason)s") % {"number": number, "reason": data.get("reason", "")}
    if kind == NotificationKind.DEFERRAL_REQUESTED:
        return _("Deferral of %(number)s until %(date)s requested: %(reason)s") % {
            "number": number,
            "date": data.get("until") or "",
            "reason": data.get("reason", ""),
        }
    if kind == NotificationKind.DEFERRAL_DECIDED:
        if data.get("resumed"):
            return _("%(number)s is back from deferral: resolve by %(time)s") % {
                "number": number,
                "time": local_time(data.get("resolve_due_at")),
            }
        if data.get("approved"):
            return _("%(number)s is deferred until %(date)s") % {"number": number, "date": data.get("until") or ""}
        return _("Deferral of %(number)s refused: %(reason)s") % {"number": number, "reason": data.get("reason", "")}
    if kind == NotificationKind.REOPEN:
        return _("%(number)s was reopened and sent to your department again: %(reason)s") % {
            "number": number,
            "reason": data.get("reason", ""),
        }
    if kind == NotificationKind.SUPERVISE:
        if data.get("until"):
            return _("A leader put %(number)s under supervision, to be done by %(date)s: %(note)s") % {
                "number": number,
                "date": data["until"],
                "note": data.get("note", ""),
            }
        return _("A leader put %(number)s under supervision: %(note)s") % {
            "number": number,
            "note": data.get("note", ""),
        }
    if kind == NotificationKind.NEW_REPORT:
        return _("New report %(number)s awaits acceptance") % {"number": number}
    return NotificationKind(kind).label if kind in NotificationKind.values else kind


def case_link(number: str | None) -> str:
    """The full address of a case page (SITE_URL), for e-mails and robot posts."""
    if not number:
        return settings.SITE_URL + "/"
    return settings.SITE_URL + reverse("cases:case_detail", args=[number])


def text(kind: str, data: dict[str, Any], number: str | None) -> str:
    """The body of an e-mail or robot post: what happened, the case and where to open it."""
    lines = [title(kind, data, number)]
    if data.get("case_title"):
        lines.append(_("Case: %(title)s") % {"title": data["case_title"]})
    lines.append(_("Open it: %(link)s") % {"link": case_link(number)})
    return "\n".join(lines)
