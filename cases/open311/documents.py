"""The GeoReport v2 documents as plain data: discovery, services, a service definition, service requests.

Service requests are public (the spec lets anyone read them), so they carry no personal data:
never the reporter's name, phone or e-mail, no photos (they are served only to staff who may see
the case), and the text is cleaned of what a resident or clerk may have typed into it
(`public_text`).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import AssignmentRole, CaseState
from cases.models import Assignment, Case, Category
from cases.permissions import lead_assignment
from core.masking import mask_phone

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's contract last changed (discovery's `changeset`).
CHANGESET = "2026-11-26T00:00:00+08:00"
MEDIA_TYPES = ["application/json", "text/xml"]
CLOSED_STATES = (CaseState.CLOSED, CaseState.REJECTED)

# Lines that Open311 intake appends to a description (cases/open311/intake.py): kept for staff,
# never shown publicly (an e-mail address is personal; the picture may show people).
PRIVATE_LINE = re.compile(r"^(?:email|media_url): .*$\n?", re.MULTILINE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")


def local_iso(moment: datetime.datetime | None) -> str | None:
    """ISO 8601 with the offset of Shenyang's time, e.g. 2026-11-26T22:04:00+08:00."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


# --- discovery and services ------------------------------------------------------------------------


def discovery(base_url: str, keys_url: str) -> dict[str, Any]:
    """The service discovery document: who to contact, how to get a key, where the endpoint is."""
    return {
        "changeset": CHANGESET,
        "contact": _(
            "Shenhe District environmental remediation drive (Shenyang). "
            "Outside systems get help from the district's system administrators."
        ),
        "key_service": _(
            "Ask the district's system administrators for an api_key; they issue and revoke keys at %(url)s."
        )
        % {"url": keys_url},
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": MEDIA_TYPES,
            }
        ],
    }


def active_categories() -> QuerySet[Category]:
    """The services offered: the categories in use, with what their descriptions name."""
    return (
        Category.objects.filter(is_active=True)
        .select_related("campaign")
        .prefetch_related("metrics")
        .order_by("campaign__drive__starts_on", "campaign__order", "order", "code")
    )


def deadlines_notice(category: Category) -> str:
    """The category's deadlines in words."""
    return _(
        "Once dispatched, the responsible department must report in within %(report_in)s h "
        "and resolve the problem within %(resolve)s h."
    ) % {"report_in": category.report_in_hours, "resolve": category.resolve_hours}


def service(category: Category) -> dict[str, Any]:
    """One service of services.json: a category (service_code = its code), grouped by campaign."""
    keywords = [category.name, category.campaign.name, *(metric.name for metric in category.metrics.all())]
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": _("%(campaign)s: %(deadlines)s")
        % {"campaign": category.campaign.name, "deadlines": deadlines_notice(category)},
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys(keywords)),
        "group": category.campaign.name,
    }


def service_definition(category: Category) -> dict[str, Any]:
    """The spec's service definition: no extra attributes are asked for (every service has metadata false)."""
    return {"service_code": category.code, "attributes": []}


# --- service requests ------------------------------------------------------------------------------


def public_cases() -> QuerySet[Case]:
    """Cases with everything a service request shows, in a fixed number of queries."""
    leads = Assignment.objects.filter(role=AssignmentRole.LEAD).select_related("department")
    return (
        Case.objects.select_related("category", "street", "community", "compound", "road", "duplicate_of")
        .prefetch_related(Prefetch("assignments", queryset=leads))
        .order_by("-created_at", "-id")
    )


def public_text(text: str, case: Case) -> str:
    """Text as anyone may read it: no e-mail or media line, phones and e-mail masked, no reporter's name."""
    text = PRIVATE_LINE.sub("", text)
    text = EMAIL.sub("***", text)
    text = MOBILE.sub(lambda match: mask_phone(match.group()), text)
    text = LANDLINE.sub(lambda match: mask_phone(match.group()), text)
    name = case.reporter_name.strip()
    if len(name) >= 2:
        text = text.replace(name, name[0] + "*" * (len(name) - 1))
    return text.strip()


def _description(case: Case) -> str:
    description = case.description.strip()
    if not description:
        text = case.title
    elif description.startswith(case.title):
        text = description  # Open311 intake makes the title from the description's beginning
    else:
        text = f"{case.title}\n{description}"
    return public_text(text, case)


def _address(case: Case) -> str:
    if case.address:
        return public_text(case.address, case)
    places = [case.street.name]
    places += [place.name for place in (case.community, case.compound, case.road) if place is not None]
    return " ".join(places)


def _status_notes(case: Case) -> str:
    label = case.get_state_display()
    if case.state == CaseState.REJECTED and case.duplicate_of_id:
        return _("%(state)s: duplicate of %(number)s") % {"state": label, "number": case.duplicate_of.number}
    return str(label)


def is_closed(case: Case) -> bool:
    return case.state in CLOSED_STATES


def service_request(case: Case) -> dict[str, Any]:
    """One request of requests.json, in the spec's field order; a case from `public_cases()`."""
    lead = lead_assignment(case)
    closed = is_closed(case)
    return {
        "service_request_id": case.number,
        "status": "closed" if closed else "open",
        "status_notes": _status_notes(case),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": _description(case),
        # The street office answers for the case until a department leads it.
        "agency_responsible": lead.department.name if lead else case.street.name,
        "service_notice": None if closed else deadlines_notice(case.category),
        "requested_datetime": local_iso(case.created_at),
        "updated_datetime": local_iso(case.updated_at),
        "expected_datetime": local_iso(case.resolve_due_at),
        "address": _address(case),
        "address_id": None,
        "zipcode": None,
        "lat": case.latitude,
        "long": case.longitude,
        "media_url": None,
    }


def created_request(case: Case) -> dict[str, Any]:
    """The answer to POST requests: the new request's id and what will happen to it."""
    notice = _("Received as case %(number)s; the street office will review it. %(deadlines)s") % {
        "number": case.number,
        "deadlines": deadlines_notice(case.category),
    }
    return {"service_request_id": case.number, "service_notice": notice, "account_id": None}
