"""core.forms.ParentedSelect: the selects that narrow (issue 17) carry their parent's value on every option."""

from __future__ import annotations

import re

import pytest

from communities.models import Community
from core.forms import ParentedSelect
from tests.factories import CommunityFactory, CompoundFactory, RoadFactory
from tests.utils import client_for


def options_of(content: str, name: str) -> tuple[str | None, dict[str, str | None]]:
    """The select `name` on a page: what it follows, and each option's value → its data-parent."""
    match = re.search(rf'<select name="{name}"([^>]*)>(.*?)</select>', content, flags=re.S)
    assert match, f"no select {name!r} on the page"
    follows = re.search(r'data-follows="([^"]*)"', match.group(1))
    options = {}
    for option in re.findall(r"<option([^>]*)>", match.group(2)):
        value = re.search(r'value="([^"]*)"', option).group(1)
        parent = re.search(r'data-parent="([^"]*)"', option)
        options[value] = parent.group(1) if parent else None
    return (follows.group(1) if follows else None), options


@pytest.fixture
def places(world):
    """A second community in each street, compounds in the street's communities, a road in the other street."""
    world.own_community = CommunityFactory(street=world.street)
    world.other_community = CommunityFactory(street=world.other_street)
    world.compounds = [CompoundFactory(community=world.community), CompoundFactory(community=world.own_community)]
    RoadFactory(street=world.other_street)
    return world


def communities_by_street() -> dict[str, str]:
    return {str(pk): str(street) for pk, street in Community.objects.values_list("pk", "street_id")}


@pytest.mark.parametrize("url", ["/cases/", "/dashboard/", "/volunteers/activities/"])
def test_a_filters_community_options_carry_their_street(places, url):
    content = client_for(places.users["leader"]).get(url).content.decode()
    follows, options = options_of(content, "community")
    assert follows == "street"
    assert options.pop("") is None  # the empty choice shows whatever the street
    assert options == communities_by_street()
    assert len(set(options.values())) == 2


def test_the_intake_forms_compounds_carry_their_community_and_roads_their_street(places):
    content = client_for(places.users["staff_own"]).get("/cases/new/").content.decode()
    follows, compounds = options_of(content, "compound")
    assert follows == "community"
    compounds.pop("")
    assert compounds == {str(compound.pk): str(compound.community_id) for compound in places.compounds}
    follows, communities = options_of(content, "community")
    assert follows == "street" and set(communities.values()) == {None, str(places.street.pk)}
    follows, roads = options_of(content, "road")
    assert follows == "street" and set(roads.values()) == {None, str(places.street.pk)}


def test_a_community_of_another_street_on_the_case_filter_finds_nothing_and_is_no_error(places):
    places.case_in("registered")
    client = client_for(places.users["leader"])
    response = client.get("/cases/", {"street": places.other_street.pk, "community": places.community.pk})
    assert response.status_code == 200
    assert response.context["filterset"].is_valid()
    assert not response.context["page_obj"].object_list


def test_options_of_no_model_have_no_parent():
    widget = ParentedSelect(parent="street", key="street_id", attrs={"class": "form-select"})
    widget.choices = [("", "---------"), ("a", "A")]
    rendered = widget.render("community", "a")
    assert 'data-follows="street"' in rendered and 'class="form-select"' in rendered
    assert "data-parent" not in rendered
