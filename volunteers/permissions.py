"""Who may see and do what with branches, volunteers and activities (DESIGN.md §4, issue 7).

- Every member of staff may see branches, volunteers (phones masked), activities and the
  leaderboards: the mobilisation is meant to be seen.
- Street staff manage the volunteers and activities of their own street's communities;
  administrators manage all of them. Leaders see everything and move pairings.
- A volunteer's full phone is shown only to the staff of their community's street.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from communities.choices import Role
from communities.models import Community
from communities.roles import AnyUser, is_staff_member, is_staff_of_street, role_of, street_id_of
from core.masking import mask_phone
from volunteers.models import Activity, Volunteer


def can_view_volunteers(user: AnyUser) -> bool:
    """Whether the user may see the volunteer pages and API (every member of staff)."""
    return is_staff_member(user)


def managed_communities_q(user: AnyUser) -> Q:
    """The condition on communities whose volunteers and activities the user manages."""
    role = role_of(user)
    if role == Role.ADMIN:
        return Q()
    if role == Role.STREET_STAFF:
        return Q(street_id=street_id_of(user))
    return Q(pk__in=[])


def managed_communities(user: AnyUser) -> QuerySet[Community]:
    """The communities whose volunteers and activities the user manages."""
    return Community.objects.filter(managed_communities_q(user)).select_related("street")


def can_manage_any(user: AnyUser) -> bool:
    """Whether the user manages volunteers anywhere (shows the add and import buttons)."""
    return role_of(user) in (Role.STREET_STAFF, Role.ADMIN)


def can_manage_community(user: AnyUser, community: Community) -> bool:
    """Whether the user records volunteers and activities for this community."""
    role = role_of(user)
    if role == Role.ADMIN:
        return True
    return role == Role.STREET_STAFF and community.street_id == street_id_of(user)


def can_manage_volunteer(user: AnyUser, volunteer: Volunteer) -> bool:
    """Whether the user may edit this volunteer (their community's street staff, administrators)."""
    return can_manage_community(user, volunteer.community)


def can_manage_activity(user: AnyUser, activity: Activity) -> bool:
    """Whether the user may edit this activity and its participants."""
    return can_manage_community(user, activity.community)


def can_manage_pairings(user: AnyUser) -> bool:
    """Whether the user may pair a branch with another community (leaders and administrators)."""
    return role_of(user) in (Role.LEADER, Role.ADMIN)


def can_see_volunteer_phone(user: AnyUser, volunteer: Volunteer) -> bool:
    """A volunteer's full phone is shown only to the staff of their community's street."""
    return is_staff_of_street(user, volunteer.community.street_id)


def volunteer_phone_for(user: AnyUser, volunteer: Volunteer) -> str:
    """The volunteer's phone as this user may see it: in full or masked (the one rule for pages, API, exports,
    imports' error reports and the admin)."""
    return volunteer.phone if can_see_volunteer_phone(user, volunteer) else mask_phone(volunteer.phone)
