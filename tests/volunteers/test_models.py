"""Pairing rules: one active pairing per community and per branch, history kept."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tests.factories import BranchPairingFactory, CommunityFactory, PartyBranchFactory, VolunteerFactory
from tests.utils import db_refuses
from volunteers.models import BranchPairing

pytestmark = pytest.mark.django_db


def test_a_community_has_one_active_pairing_at_a_time():
    pairing = BranchPairingFactory()
    assert db_refuses(lambda: BranchPairingFactory(community=pairing.community))


def test_a_branch_has_one_active_pairing_at_a_time():
    pairing = BranchPairingFactory()
    assert db_refuses(lambda: BranchPairingFactory(branch=pairing.branch))


def test_a_branch_moves_by_ending_its_pairing_and_history_is_kept():
    pairing = BranchPairingFactory(starts_on=datetime.date(2021, 8, 20))
    pairing.ends_on = datetime.date(2021, 9, 30)
    pairing.save()
    new_community = CommunityFactory()
    BranchPairingFactory(branch=pairing.branch, community=new_community, starts_on=datetime.date(2021, 10, 1))
    # The old community may now be paired with another branch.
    BranchPairingFactory(branch=PartyBranchFactory(), community=pairing.community)
    history = BranchPairing.objects.filter(branch=pairing.branch).order_by("starts_on")
    assert [(p.community, p.ends_on) for p in history] == [
        (pairing.community, datetime.date(2021, 9, 30)),
        (new_community, None),
    ]


def test_a_pairing_cannot_end_before_it_starts():
    assert db_refuses(
        lambda: BranchPairingFactory(starts_on=datetime.date(2021, 8, 20), ends_on=datetime.date(2021, 8, 1))
    )


def test_a_volunteer_phone_identifies_one_person():
    volunteer = VolunteerFactory(phone="13800001111")
    assert db_refuses(lambda: VolunteerFactory(phone=volunteer.phone))


def test_a_second_active_pairing_gets_a_readable_message_in_forms():
    pairing = BranchPairingFactory()
    second = BranchPairing(branch=PartyBranchFactory(), community=pairing.community, starts_on=pairing.starts_on)
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert "该社区在此期间已与其他支部结对包保。" in str(error.value)


@pytest.mark.parametrize(
    ("existing", "new", "overlaps"),
    [
        # (start, end) of the existing pairing and of the new one, as day numbers of September 2021
        ((1, 10), (11, None), False),
        ((1, 10), (10, None), True),
        ((1, 10), (5, 8), True),
        ((5, 10), (1, 4), False),
        ((5, 10), (1, 5), True),
        ((5, None), (1, 4), False),
        ((5, None), (1, 30), True),
    ],
)
def test_pairings_of_one_community_may_not_overlap_in_time(existing, new, overlaps):
    def day(number):
        return None if number is None else datetime.date(2021, 9, number)

    pairing = BranchPairingFactory(starts_on=day(existing[0]), ends_on=day(existing[1]))
    candidate = BranchPairing(
        branch=PartyBranchFactory(), community=pairing.community, starts_on=day(new[0]), ends_on=day(new[1])
    )
    if overlaps:
        with pytest.raises(ValidationError) as error:
            candidate.full_clean()
        assert "community" in error.value.message_dict
    else:
        candidate.full_clean()


def test_a_branch_cannot_overlap_itself_either():
    pairing = BranchPairingFactory(starts_on=datetime.date(2021, 9, 1), ends_on=datetime.date(2021, 9, 30))
    candidate = BranchPairing(branch=pairing.branch, community=CommunityFactory(), starts_on=datetime.date(2021, 9, 15))
    with pytest.raises(ValidationError) as error:
        candidate.full_clean()
    assert "branch" in error.value.message_dict
