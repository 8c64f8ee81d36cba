"""Who may see what of the volunteers (DESIGN.md §4)."""

from __future__ import annotations

from cases.permissions import AnyUser, role_of
from communities.choices import Role
from volunteers.models import Volunteer


def can_see_volunteer_phone(user: AnyUser, volunteer: Volunteer) -> bool:
    """A volunteer's full phone is shown only to the staff of their community's street."""
    profile = getattr(user, "staff_profile", None)
    return role_of(user) == Role.STREET_STAFF and profile.street_id == volunteer.community.street_id
