"""Constraints of the geography and organisation models, enforced by the database."""

import pytest
from django.core.exceptions import ValidationError

from communities.choices import Role
from communities.models import Community, StaffProfile, display_name
from tests.factories import (
    CommunityFactory,
    CompoundFactory,
    DepartmentFactory,
    FrontageUnitFactory,
    RoadFactory,
    StaffProfileFactory,
    StreetFactory,
    UserFactory,
)
from tests.utils import db_refuses

pytestmark = pytest.mark.django_db


def test_community_needs_a_street():
    assert db_refuses(lambda: Community.objects.create(name="无街道社区", code="orphan"))


def test_community_name_is_unique_within_its_street_only():
    community = CommunityFactory(name="青年社区")
    assert db_refuses(lambda: CommunityFactory(street=community.street, name="青年社区"))
    assert not db_refuses(lambda: CommunityFactory(name="青年社区"))
    assert Community.objects.filter(name="青年社区").count() == 2


def test_compound_name_is_unique_within_its_community():
    compound = CompoundFactory(name="文艺里小区")
    assert db_refuses(lambda: CompoundFactory(community=compound.community, name="文艺里小区"))


def test_road_name_is_unique_within_its_street():
    road = RoadFactory(name="青年大街")
    assert db_refuses(lambda: RoadFactory(street=road.street, name="青年大街"))


@pytest.mark.parametrize(
    ("role", "has_street", "has_department", "allowed"),
    [
        (Role.STREET_STAFF, True, False, True),
        (Role.STREET_STAFF, False, False, False),
        (Role.STREET_STAFF, True, True, False),
        (Role.ROAD_CHIEF, True, False, True),
        (Role.ROAD_CHIEF, False, False, False),
        (Role.DEPT_OFFICER, False, True, True),
        (Role.DEPT_OFFICER, False, False, False),
        (Role.DEPT_OFFICER, True, True, False),
        (Role.LEADER, False, False, True),
        (Role.LEADER, True, False, False),
        (Role.LEADER, False, True, False),
        (Role.ADMIN, False, False, True),
        ("mayor", False, False, False),
    ],
)
def test_staff_profile_scope_matches_role(role, has_street, has_department, allowed):
    street = StreetFactory() if has_street else None
    department = DepartmentFactory() if has_department else None
    refused = db_refuses(
        lambda: StaffProfile.objects.create(user=UserFactory(), role=role, street=street, department=department)
    )
    assert refused is not allowed


def test_one_profile_per_user():
    profile = StaffProfileFactory()
    assert db_refuses(lambda: StaffProfileFactory(user=profile.user))


def test_road_chief_roads_come_from_the_roads_themselves():
    chief = StaffProfileFactory(road_chief=True)
    mine = RoadFactory(street=chief.street, road_chief=chief.user)
    RoadFactory(street=chief.street)
    assert list(chief.roads) == [mine]


@pytest.mark.parametrize(
    ("traits", "expected"),
    [
        ({}, "street"),
        ({"road_chief": True}, "street"),
        ({"officer": True}, "department"),
        ({"leader": True}, "district"),
    ],
)
def test_scope_label_names_what_the_user_acts_for(traits, expected):
    profile = StaffProfileFactory(**traits)
    labels = {
        "street": profile.street.name if profile.street else None,
        "department": str(profile.department) if profile.department else None,
        "district": "沈河区",
    }
    assert profile.scope_label == labels[expected]


def test_display_name_is_surname_then_given_name_or_username():
    assert display_name(UserFactory(username="u1", last_name="王", first_name="晓燕")) == "王晓燕"
    assert display_name(UserFactory(username="u2", last_name="", first_name="")) == "u2"


def test_forms_get_a_readable_message_when_a_profile_lacks_its_street():
    profile = StaffProfile(user=UserFactory(), role=Role.STREET_STAFF)
    with pytest.raises(ValidationError) as error:
        profile.full_clean()
    assert "街道工作人员和路长必须属于一个街道。" in str(error.value)


def test_a_road_chief_must_work_for_the_roads_street():
    chief = StaffProfileFactory(road_chief=True)
    other_street_road = RoadFactory(road_chief=chief.user)
    with pytest.raises(ValidationError) as error:
        other_street_road.full_clean()
    assert "road_chief" in error.value.message_dict
    RoadFactory(street=chief.street, road_chief=chief.user).full_clean()


def test_only_a_road_chief_can_chief_a_road():
    staff = StaffProfileFactory()
    with pytest.raises(ValidationError) as error:
        RoadFactory(street=staff.street, road_chief=staff.user).full_clean()
    assert "road_chief" in error.value.message_dict


@pytest.mark.parametrize(
    ("change", "allowed"),
    [
        ({"role": Role.STREET_STAFF}, False),
        ({"street": "other"}, False),
        ({}, True),
    ],
)
def test_a_road_chief_hands_over_their_roads_before_changing_role_or_street(change, allowed):
    chief = StaffProfileFactory(road_chief=True)
    RoadFactory(street=chief.street, name="青年大街", road_chief=chief.user)
    for field, value in change.items():
        setattr(chief, field, StreetFactory() if value == "other" else value)
    if allowed:
        chief.full_clean()
    else:
        with pytest.raises(ValidationError) as error:
            chief.full_clean()
        assert "青年大街" in str(error.value)


@pytest.mark.parametrize(
    ("factory", "field"),
    [
        (StreetFactory, "name"),
        (StreetFactory, "code"),
        (CommunityFactory, "code"),
        (DepartmentFactory, "name"),
        (FrontageUnitFactory, ("road", "name")),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_natural_keys_are_unique(factory, field):
    first = factory()
    fields = field if isinstance(field, tuple) else (field,)
    assert db_refuses(lambda: factory(**{name: getattr(first, name) for name in fields}))
