"""The volunteers app's rules for changing things: pairings, volunteers, activities and their participants.

Pages, the API and imports call these; each checks who may act, validates the data and writes
in one transaction, or refuses with a `core.errors` exception and changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import CaseState
from cases.models import Campaign, Case, Metric, TallyEntry
from communities.models import Community
from communities.roles import AnyUser
from core import clock
from core.errors import Conflict, Forbidden, InvalidInput
from volunteers.choices import PairingKind
from volunteers.models import Activity, BranchPairing, Participation, PartyBranch, Volunteer
from volunteers.permissions import can_manage_community, can_manage_pairings

# Cases an activity may claim to have resolved: the work is done.
LINKABLE_CASE_STATES = (CaseState.RESOLVED, CaseState.CLOSED)
MAX_HOURS = Decimal("24")
HOURS_STEP = Decimal("0.5")


def _validation_fields(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: [str(message) for message in messages] for field, messages in error.message_dict.items()}
    return {"__all__": [str(message) for message in error.messages]}


def _require_community(user: AnyUser, community: Community) -> None:
    if not can_manage_community(user, community):
        raise Forbidden(
            _("Only the staff of %(street)s record volunteers and activities of this community.")
            % {"street": community.street},
            reason="not_your_street",
        )


# --- pairings -----------------------------------------------------------------------------------


def paired_branch(community: Community, on: datetime.date | None = None) -> PartyBranch | None:
    """The branch paired with the community on a day (today by default), from the pairing history."""
    on = on or timezone.localdate()
    pairing = (
        BranchPairing.objects.filter(community=community, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .select_related("branch")
        .first()
    )
    return pairing.branch if pairing else None


def left_without_branch(branch: PartyBranch, community: Community) -> list[Community]:
    """The communities that moving `branch` to `community` would leave with no party branch paired now."""
    current = BranchPairing.objects.filter(branch=branch, ends_on__isnull=True).exclude(community=community)
    return [pairing.community for pairing in current.select_related("community__street")]


def move_pairing(
    user: AnyUser,
    branch: PartyBranch,
    community: Community,
    starts_on: datetime.date,
    kind: str = PairingKind.POINT_TO_POINT,
) -> BranchPairing:
    """Pair a branch with a community from a day; their current pairings end the day before."""
    if not can_manage_pairings(user):
        raise Forbidden(_("Only district leaders and administrators change pairings."), reason="role_not_allowed")
    # A pairing is current from the moment it is saved (pages and leaderboards show it at once),
    # so a move is recorded on or after the day it takes effect, never ahead of it.
    if starts_on > timezone.localdate(clock.now()):
        raise InvalidInput.for_fields(
            {"starts_on": [_("A pairing cannot start in the future; record the move on the day it takes effect.")]}
        )
    with transaction.atomic():
        current = list(
            BranchPairing.objects.select_for_update()
            .filter(Q(branch=branch) | Q(community=community), ends_on__isnull=True)
            .order_by("pk")
        )
        if any(p.branch_id == branch.pk and p.community_id == community.pk for p in current):
            raise Conflict(_("This branch is already paired with this community."), reason="already_paired")
        for pairing in current:
            if pairing.starts_on >= starts_on:
                raise InvalidInput.for_fields(
                    {
                        "starts_on": [
                            _("The new pairing must start after %(date)s, when the current pairing of %(pair)s began.")
                            % {"date": pairing.starts_on.isoformat(), "pair": pairing}
                        ]
                    }
                )
            pairing.ends_on = starts_on - datetime.timedelta(days=1)
            pairing.save(update_fields=["ends_on"])
        pairing = BranchPairing(branch=branch, community=community, starts_on=starts_on, kind=kind)
        try:
            pairing.full_clean()
        except ValidationError as error:
            raise InvalidInput.for_fields(_validation_fields(error)) from None
        pairing.save()
    return pairing


# --- volunteers ---------------------------------------------------------------------------------

VOLUNTEER_FIELDS = ("name", "phone", "community", "is_party_member", "branch", "skills", "joined_on")


def branch_error(is_party_member: bool, branch: PartyBranch | None) -> str | None:
    """The refusal of a volunteer's party branch, or None: only a party member has a branch.

    The one rule of the pages, the API (both through save_volunteer) and the imports.
    """
    if branch is not None and not is_party_member:
        return _("Only a party member has a party branch; mark them as a party member.")
    return None


def save_volunteer(user: AnyUser, volunteer: Volunteer | None, data: Mapping[str, Any]) -> Volunteer:
    """Register a volunteer (volunteer None) or change one; both the old and the new community must be the user's."""
    if volunteer is None:
        volunteer = Volunteer()
    else:
        _require_community(user, volunteer.community)
    for field in VOLUNTEER_FIELDS:
        if field in data:
            setattr(volunteer, field, data[field])
    if volunteer.community_id is None:
        raise InvalidInput.for_fields({"community": [_("Choose the volunteer's community.")]})
    _require_community(user, volunteer.community)
    problem = branch_error(volunteer.is_party_member, volunteer.branch)
    if problem:
        raise InvalidInput.for_fields({"branch": [problem]})
    try:
        volunteer.full_clean()
    except ValidationError as error:
        raise InvalidInput.for_fields(_validation_fields(error)) from None
    volunteer.save()
    return volunteer


# --- activities ---------------------------------------------------------------------------------


def _check_activity(
    *,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    community: Community,
    tally: Mapping[Metric, Decimal],
    cases: Sequence[Case],
) -> None:
    fields: dict[str, list[str]] = {}
    if not title.strip():
        fields["title"] = [_("Give the activity a title.")]
    if ends_at <= starts_at:
        fields["ends_at"] = [_("An activity must end after it starts.")]
    elif ends_at - starts_at > datetime.timedelta(hours=24):
        fields["ends_at"] = [_("An activity lasts at most a day; record each day as its own activity.")]
    if starts_at > clock.now():
        fields["starts_at"] = [_("Record an activity once it has taken place.")]
    for metric, quantity in tally.items():
        if quantity <= 0:
            fields.setdefault("tally", []).append(
                _("The quantity of %(metric)s must be more than zero.") % {"metric": metric.name}
            )
    for case in cases:
        if case.community_id != community.pk:
            fields.setdefault("cases", []).append(
                _("Case %(number)s is in another community.") % {"number": case.number}
            )
        elif case.created_at > ends_at:
            fields.setdefault("cases", []).append(
                _("Case %(number)s was filed after the activity, so the activity cannot have dealt with it.")
                % {"number": case.number}
            )
        elif case.state not in LINKABLE_CASE_STATES:
            fields.setdefault("cases", []).append(
                _("Case %(number)s is not resolved yet; link it once its work is done.") % {"number": case.number}
            )
    if fields:
        raise InvalidInput.for_fields(fields)


def _write_tally(user: AnyUser, activity: Activity, tally: Mapping[Metric, Decimal]) -> None:
    """Make the activity's counted tally equal `tally`: changed entries are voided (kept), new ones written."""
    current = {entry.metric_id: entry for entry in activity.tally_entries.counted()}
    wanted = {metric.pk: (metric, quantity) for metric, quantity in tally.items()}
    now = clock.now()
    for metric_id, entry in current.items():
        same = metric_id in wanted and wanted[metric_id][1] == entry.quantity
        same = same and entry.date == activity.date and entry.campaign_id == activity.campaign_id
        same = same and entry.community_id == activity.community_id
        if same:
            del wanted[metric_id]
        else:
            entry.voided_at = now
            entry.save(update_fields=["voided_at"])
    TallyEntry.objects.bulk_create(
        TallyEntry(
            metric=metric,
            quantity=quantity,
            date=activity.date,
            community=activity.community,
            campaign=activity.campaign,
            activity=activity,
            recorded_by=user if getattr(user, "pk", None) else None,
            recorded_at=now,
        )
        for metric, quantity in wanted.values()
    )


def save_activity(
    user: AnyUser,
    activity: Activity | None,
    *,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    community: Community,
    campaign: Campaign,
    branch: PartyBranch | None = None,
    description: str = "",
    tally: Mapping[Metric, Decimal] | None = None,
    cases: Sequence[Case] = (),
) -> Activity:
    """Record an activity (activity None) or correct one, with its outcomes (tally) and the cases it resolved."""
    if activity is not None:
        _require_community(user, activity.community)
    _require_community(user, community)
    tally = dict(tally or {})
    _check_activity(title=title, starts_at=starts_at, ends_at=ends_at, community=community, tally=tally, cases=cases)
    with transaction.atomic():
        if activity is None:
            activity = Activity(created_by=user if getattr(user, "pk", None) else None)
        else:
            # Locked before its participants are read: add_participants takes the same lock.
            activity = Activity.objects.select_for_update().get(pk=activity.pk)
            longest = activity.participations.order_by("-hours").values_list("hours", flat=True).first()
            if longest is not None and longest > hours_limit(starts_at, ends_at):
                raise InvalidInput.for_fields(
                    {
                        "ends_at": [
                            _("A participant has more hours (%(hours)s) than the activity lasts.") % {"hours": longest}
                        ]
                    }
                )
        activity.title = title.strip()
        activity.starts_at, activity.ends_at = starts_at, ends_at
        activity.community, activity.campaign = community, campaign
        activity.branch = branch if branch is not None else paired_branch(community, timezone.localdate(starts_at))
        activity.description = description
        activity.save()
        activity.cases.set(cases)
        _write_tally(user, activity, tally)
    return activity


def hours_limit(starts_at: datetime.datetime, ends_at: datetime.datetime) -> Decimal:
    """The most hours one participant can be credited for an activity: its length, rounded up to half an hour."""
    half_hours = -(-int((ends_at - starts_at).total_seconds()) // 1800)
    return min(MAX_HOURS, Decimal(half_hours) * HOURS_STEP)


def hours_error(hours: Decimal | None, limit: Decimal) -> str | None:
    """Why these hours cannot be credited, or None when they can."""
    if hours is None:
        return _("Give the hours served.")
    if not hours.is_finite() or hours <= 0:
        return _("Hours must be more than zero.")
    if hours % HOURS_STEP:
        return _("Hours are counted in half hours (e.g. 2 or 2.5).")
    if hours > limit:
        return _("%(hours)s hours is more than the activity lasts (%(limit)s hours).") % {
            "hours": hours.normalize(),
            "limit": limit.normalize(),
        }
    return None


def add_participants(
    user: AnyUser, activity: Activity, participants: Iterable[tuple[Volunteer, Decimal]]
) -> tuple[int, int]:
    """Credit volunteers with hours on the activity; a volunteer already listed has their hours replaced.

    Answers (added, updated).
    """
    _require_community(user, activity.community)
    rows = list(participants)
    with transaction.atomic():
        # The activity as it is now, locked: its length (the hours limit) cannot change while people are credited.
        current = Activity.objects.select_for_update().only("starts_at", "ends_at").get(pk=activity.pk)
        limit = hours_limit(current.starts_at, current.ends_at)
        fields: dict[str, list[str]] = {}
        for volunteer, hours in rows:
            problem = hours_error(hours, limit)
            if problem:
                fields.setdefault("hours", []).append(f"{volunteer.name}: {problem}")
        if fields:
            raise InvalidInput.for_fields(fields)
        existing = {
            part.volunteer_id: part
            for part in Participation.objects.select_for_update().filter(
                activity=activity, volunteer__in=[volunteer for volunteer, _hours in rows]
            )
        }
        new, changed = [], []
        for volunteer, hours in rows:
            part = existing.get(volunteer.pk)
            if part is None:
                new.append(Participation(activity=activity, volunteer=volunteer, hours=hours))
            elif part.hours != hours:
                part.hours = hours
                changed.append(part)
        try:
            Participation.objects.bulk_create(new, batch_size=500)
        except IntegrityError:
            raise Conflict(
                _("Someone else changed this activity's participants just now; reload and try again."),
                reason="participants_changed",
            ) from None
        Participation.objects.bulk_update(changed, ["hours"], batch_size=500)
    return len(new), len(changed)


def remove_participant(user: AnyUser, participation: Participation) -> None:
    """Take a volunteer off an activity (a mistaken entry): their hours no longer count."""
    _require_community(user, participation.activity.community)
    participation.delete()
