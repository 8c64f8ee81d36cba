"""Reads about places that every app's pages ask: a user's default street, a street's roads, who sees contact phones."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from communities.choices import Role
from communities.models import FrontageUnit, Road, Street
from communities.roles import AnyUser, is_staff_of_street, role_of


def default_street(user: AnyUser) -> Street | None:
    """The street a list starts filtered to: street staff work on their own street."""
    if role_of(user) == Role.STREET_STAFF:
        return user.staff_profile.street
    return None


def street_roads(street: Street) -> QuerySet[Road]:
    """The street's roads with their road chief and 门前三包 frontage units (roads belong to a street)."""
    units = Prefetch("frontage_units", queryset=FrontageUnit.objects.order_by("name"))
    return (
        Road.objects.filter(street=street)
        .select_related("road_chief")
        .prefetch_related(units)
        .order_by("name", "section", "pk")
    )


def can_see_contact_phones(user: AnyUser, street: Street) -> bool:
    """Frontage units' phones are shown in full only to the staff of their street (masked for the rest, PIPL)."""
    return is_staff_of_street(user, street.pk)
