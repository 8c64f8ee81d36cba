"""POST requests: an outside system's service request becomes a `reported` case for the street office.

Checks, in this order (each refusal is an Open311Error and nothing is written):
the api_key (403), the service_code (400), the place (lat/long or address_string, 400), the
description and contact fields (400); then `cases.workflow.create_case` files the case with source
Open311, whose own refusals are answered as 400 with their message.

Where the case is: a place named in address_string (a community, else a compound, else a road)
decides the community; otherwise the community nearest to lat/long. See docs/open311.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import CharField, F, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import workflow
from cases.choices import CaseSource
from cases.models import Case, Category, Open311ApiKey, coordinates_errors
from cases.open311.renderers import Open311Error
from cases.queries import distance_metres
from communities.models import Community, Compound, Road
from core.errors import DomainError

TITLE_LENGTH = 60
MAX_DESCRIPTION = 4000  # the spec's limit
MAX_ADDRESS = 200  # Case.address
MAX_URL = 2000
SIX_PLACES = Decimal("0.000001")
# Text the database or XML cannot carry: C0 controls but tab and newlines, lone surrogates, U+FFFE/F.
UNSAFE_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# The request's field for each case field a workflow refusal may name.
PARAMETERS = {
    "title": "description",
    "description": "description",
    "address": "address_string",
    "latitude": "lat",
    "longitude": "long",
    "reporter_name": "first_name/last_name",
    "reporter_phone": "phone",
    "category": "service_code",
}


def _no_place_message() -> str:
    return _("address_string must name a place in Shenhe District (a community, compound or road) or give lat and long")


def clean_text(text: str) -> str:
    """Text without the characters the database or XML cannot carry (PostgreSQL refuses NUL)."""
    return UNSAFE_CHARACTERS.sub("", text)


def field(data: Any, name: str) -> str:
    """One parameter as clean text: form fields and JSON scalars alike; a list or object is refused."""
    value = data.get(name) if hasattr(data, "get") else None
    if value is None:
        return ""
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif not isinstance(value, str | int | float):
        raise Open311Error(400, _("%(field)s must be a single value.") % {"field": name})
    text = str(value)
    if "\ufffd" in text:  # what Django decodes a byte that is not UTF-8 to
        raise Open311Error(400, _("%(field)s is not valid UTF-8 text.") % {"field": name})
    return clean_text(text).strip()


def check_api_key(data: Any, query: Any = None) -> Open311ApiKey:
    """The active key the request names (403 otherwise); its last use is recorded.

    The spec sends api_key with the other POST fields; some clients put it in the query string.
    """
    key = field(data, "api_key") or (field(query, "api_key") if query is not None else "")
    api_key = Open311ApiKey.objects.filter(key=key, is_active=True).first() if key else None
    if api_key is None:
        raise Open311Error(403, _("The api_key is missing, unknown or revoked."))
    api_key.last_used_at = timezone.now()
    Open311ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=api_key.last_used_at)
    return api_key


def _category(code: str) -> Category:
    if not code:
        raise Open311Error(400, _("service_code is required."))
    category = Category.objects.select_related("campaign").filter(code=code, is_active=True).first()
    if category is None:
        raise Open311Error(
            400, _("service_code %(code)s is not a service of this endpoint; see services.json.") % {"code": code}
        )
    return category


def _coordinates(data: Any) -> tuple[Decimal | None, Decimal | None]:
    raw = {"lat": field(data, "lat"), "long": field(data, "long")}
    if not any(raw.values()):
        return None, None
    numbers = {}
    for name, text in raw.items():
        if not text:
            numbers[name] = None
            continue
        try:
            numbers[name] = Decimal(text)
        except (InvalidOperation, ValueError):
            raise Open311Error(
                400, _("lat and long must be decimal degrees, e.g. lat=41.7968 and long=123.4328.")
            ) from None
    errors = coordinates_errors(numbers["lat"], numbers["long"])
    if errors:
        names = {"latitude": "lat", "longitude": "long"}
        raise Open311Error(400, " ".join(f"{names[key]}: {' '.join(error.messages)}" for key, error in errors.items()))
    return numbers["lat"].quantize(SIX_PLACES), numbers["long"].quantize(SIX_PLACES)


@dataclass
class Place:
    """Where a request is: its community and, where the address names them, a compound and a road."""

    community: Community
    compound: Compound | None = None
    road: Road | None = None


def _named(model, text: str, related: str):
    """Objects of `model` whose name appears in `text` (in SQL: a bounded query whatever the table size)."""
    return (
        model.objects.annotate(_text=Value(text, output_field=CharField()))
        .filter(_text__contains=F("name"))
        .select_related(related)[:50]
    )


def _best(candidates, text: str, street_of) -> Any:
    """The longest name, preferring one whose street the text names too; then by name and id."""
    return min(
        candidates,
        key=lambda item: (street_of(item).name not in text, -len(item.name), item.name, item.pk),
        default=None,
    )


def _nearest(communities, latitude: Decimal, longitude: Decimal) -> Community | None:
    located = [c for c in communities if c.latitude is not None and c.longitude is not None]
    return min(
        located,
        key=lambda c: (distance_metres(latitude, longitude, c.latitude, c.longitude), c.name, c.pk),
        default=None,
    )


def _community_of_road(road: Road, latitude: Decimal | None, longitude: Decimal | None) -> Community | None:
    """A road belongs to a street: the street's community nearest to the point, else its first by name."""
    communities = list(Community.objects.filter(street_id=road.street_id).select_related("street"))
    if latitude is not None:
        nearest = _nearest(communities, latitude, longitude)
        if nearest is not None:
            return nearest
    return min(communities, key=lambda c: (c.name, c.pk), default=None)


def locate(address: str, latitude: Decimal | None, longitude: Decimal | None) -> Place:
    """The place a request names (community, compound, road in that order) or the community nearest the point."""
    place = None
    if address:
        community = _best(_named(Community, address, "street"), address, lambda c: c.street)
        compound = _best(_named(Compound, address, "community__street"), address, lambda c: c.community.street)
        road = _best(_named(Road, address, "street"), address, lambda r: r.street)
        if community is not None:
            place = Place(community)
        elif compound is not None:
            place = Place(compound.community)
        elif road is not None:
            located = _community_of_road(road, latitude, longitude)
            place = Place(located) if located is not None else None
        if place is not None:
            if compound is not None and compound.community_id == place.community.pk:
                place.compound = compound
            if road is not None and road.street_id == place.community.street_id:
                place.road = road
    if place is None and latitude is not None:
        nearest = _nearest(
            Community.objects.filter(latitude__isnull=False, longitude__isnull=False), latitude, longitude
        )
        place = Place(nearest) if nearest is not None else None
    if place is None:
        raise Open311Error(400, _no_place_message())
    return place


def _contact(data: Any) -> tuple[str, str, str]:
    # Chinese order: family name first (姓名).
    name = f"{field(data, 'last_name')}{field(data, 'first_name')}"
    phone = re.sub(r"[\s()]", "", field(data, "phone"))
    phone = re.sub(r"^(?:\+86|0086)-?", "", phone)
    email = field(data, "email")
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise Open311Error(400, f"email: {' '.join(error.messages)}") from None
    return name, phone, email


def _media_url(data: Any) -> str:
    url = field(data, "media_url")
    if url:
        try:
            if len(url) > MAX_URL:
                raise ValidationError(URLValidator.message)
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError as error:
            raise Open311Error(400, f"media_url: {' '.join(error.messages)}") from None
    return url


def _refusal(error: DomainError) -> Open311Error:
    if error.fields:
        parts = [
            f"{PARAMETERS.get(name, name)}: {' '.join(str(message) for message in messages)}"
            for name, messages in error.fields.items()
        ]
        return Open311Error(400, " ".join(parts))
    return Open311Error(400, error.message)


def create_request(data: Any, query: Any = None) -> Case:
    """File the request as a `reported` case with source Open311; raise Open311Error when it cannot be."""
    if not isinstance(data, Mapping) and not hasattr(data, "getlist"):
        raise Open311Error(400, _("Send the request as form fields or as a JSON object."))
    check_api_key(data, query)
    category = _category(field(data, "service_code"))
    latitude, longitude = _coordinates(data)
    address = field(data, "address_string")[:MAX_ADDRESS]
    place = locate(address, latitude, longitude)
    description = field(data, "description")
    if not description:
        raise Open311Error(400, _("description is required."))
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, _("description may have at most %(max)s characters.") % {"max": MAX_DESCRIPTION})
    name, phone, email = _contact(data)
    media_url = _media_url(data)
    title = " ".join(description.split())[:TITLE_LENGTH]
    trailer = [f"email: {email}" if email else "", f"media_url: {media_url}" if media_url else ""]
    full_description = "\n\n".join([description, "\n".join(line for line in trailer if line)]).strip()
    try:
        return workflow.create_case(
            None,
            title=title,
            description=full_description,
            category=category,
            community=place.community,
            compound=place.compound,
            road=place.road,
            address=address,
            latitude=latitude,
            longitude=longitude,
            source=CaseSource.OPEN311,
            reporter_name=name,
            reporter_phone=phone,
        )
    except DomainError as error:
        raise _refusal(error) from error
