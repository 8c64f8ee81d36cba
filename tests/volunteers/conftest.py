"""A small mobilisation world for the volunteers tests: two streets, a paired branch in each, one user of every role."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import (
    BranchPairingFactory,
    CampaignFactory,
    CommunityFactory,
    MetricFactory,
    StaffProfileFactory,
    StreetFactory,
    VolunteerFactory,
)

ROLES = ("staff_own", "staff_other", "road_chief", "officer", "leader", "admin")


class Mobilisation:
    """Streets, communities, pairings and users of every role; `client(role)` is a logged-in client."""

    def __init__(self) -> None:
        self.street = StreetFactory(name="滨河街道")
        self.other_street = StreetFactory(name="大南街道")
        self.community = CommunityFactory(street=self.street, name="五爱社区")
        self.other_community = CommunityFactory(street=self.other_street, name="万柳塘社区")
        self.pairings = {
            "own": BranchPairingFactory(community=self.community),
            "other": BranchPairingFactory(community=self.other_community),
        }
        self.users = {
            "staff_own": StaffProfileFactory(street=self.street).user,
            "staff_other": StaffProfileFactory(street=self.other_street).user,
            "road_chief": StaffProfileFactory(road_chief=True, street=self.street).user,
            "officer": StaffProfileFactory(officer=True).user,
            "leader": StaffProfileFactory(leader=True).user,
            "admin": StaffProfileFactory(admin=True).user,
        }

    def client(self, role: str) -> Client:
        """A client logged in as the user of a role."""
        client = Client()
        client.force_login(self.users[role])
        return client


@pytest.fixture
def mob(db) -> Mobilisation:
    return Mobilisation()


@pytest.fixture
def campaign(db):
    return CampaignFactory()


@pytest.fixture
def stairwells(db):
    return MetricFactory(code="stairwells_cleaned", name="清理楼道", unit="个")


@pytest.fixture
def volunteer(mob):
    return VolunteerFactory(community=mob.community, name="李秀英", phone="13812345678")
