"""Who a user is in the district: their role and the street, department and roads they act for (DESIGN.md §4).

Every app asks these questions (cases, volunteers, dashboards, the home page); they are answered
here once, from the user's StaffProfile. Rules about what a role may do with a case or a volunteer
live in each app's `permissions.py`, built on these answers.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from communities.choices import Role

AnyUser = AbstractBaseUser | AnonymousUser

STAFF_ROLES = tuple(Role.values)


def role_of(user: AnyUser) -> str | None:
    """The user's role; a superuser without a profile counts as an administrator."""
    if not user.is_authenticated or not user.is_active:
        return None
    profile = getattr(user, "staff_profile", None)
    if profile is not None:
        return profile.role
    return Role.ADMIN if user.is_superuser else None


def is_staff_member(user: AnyUser) -> bool:
    """Whether the user has a role at all (every member of staff sees the shared pages: communities, volunteers)."""
    return role_of(user) in STAFF_ROLES


def sees_everything(user: AnyUser) -> bool:
    """Leaders and administrators act for the whole district."""
    return role_of(user) in (Role.LEADER, Role.ADMIN)


def street_id_of(user: AnyUser) -> int | None:
    """The id of the street the user works for (street staff, road chiefs), or None."""
    return getattr(getattr(user, "staff_profile", None), "street_id", None)


def department_id_of(user: AnyUser) -> int | None:
    """The id of the department the user works for (officers), or None."""
    return getattr(getattr(user, "staff_profile", None), "department_id", None)


def is_staff_of_street(user: AnyUser, street_id: int | None) -> bool:
    """Whether the user is street-office staff of this street (who may see its residents' phones in full)."""
    return role_of(user) == Role.STREET_STAFF and street_id is not None and street_id_of(user) == street_id
