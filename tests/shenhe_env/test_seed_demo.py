"""`manage.py seed_demo` builds the demo world of DESIGN.md §6, and running it again changes nothing."""

import datetime
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import call_command

from cases.models import Campaign, Category, Drive, Metric
from communities.choices import Role
from communities.models import Community, Road, StaffProfile
from volunteers.models import BranchPairing, PartyBranch

pytestmark = pytest.mark.django_db

DEMO_ACCOUNTS = {
    # username: (role label in Chinese, what the home page names as the user's scope)
    "admin": ("管理员", "沈河区"),
    "leader": ("区领导", "沈河区"),
    "staff": ("街道工作人员", "滨河街道"),
    "staff2": ("街道工作人员", "大南街道"),
    "roadchief": ("路长", "滨河街道"),
    "officer": ("职能部门人员", "城管执法"),
    "officer2": ("职能部门人员", "环卫"),
}


def snapshot() -> dict[str, str]:
    """Every row of the demo's apps, many-to-many tables included, as serialized text."""
    return {
        model._meta.label: serializers.serialize("json", model._default_manager.order_by("pk"))
        for app in ("auth", "communities", "cases", "volunteers")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
    }


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def test_seed_demo_twice_changes_nothing(demo):
    first = snapshot()
    call_command("seed_demo", verbosity=0)
    assert snapshot() == first


def test_seed_demo_keeps_what_staff_changed_since(demo):
    category = Category.objects.get(code="zombie-car")
    category.resolve_hours = 96
    category.save()
    moved = BranchPairing.objects.filter(ends_on__isnull=True).first()
    moved.ends_on = datetime.date(2021, 9, 5)
    moved.save()
    newcomer = PartyBranch.objects.create(name="沈河区新设党支部")
    BranchPairing.objects.create(branch=newcomer, community=moved.community, starts_on=datetime.date(2021, 9, 6))
    call_command("seed_demo", verbosity=0)
    assert Category.objects.get(code="zombie-car").resolve_hours == 96
    assert BranchPairing.objects.get(pk=moved.pk).ends_on == datetime.date(2021, 9, 5)
    assert BranchPairing.objects.get(community=moved.community, ends_on__isnull=True).branch == newcomer


def test_reset_passwords_brings_the_demo_accounts_back(demo, client):
    user = get_user_model().objects.get(username="staff")
    user.set_password("changed-password-1")
    user.is_active = False
    user.save()
    call_command("seed_demo", verbosity=0)
    assert not client.login(username="staff", password="shenhe-demo")
    call_command("seed_demo", "--reset-passwords", verbosity=0)
    assert client.login(username="staff", password="shenhe-demo")


def test_demo_world_matches_the_drive(demo):
    drive = Drive.objects.get()
    assert drive.name == "2021 环境整治攻坚月" and drive.starts_on.isoformat() == "2021-08-24"
    assert list(Campaign.objects.filter(drive=drive).values_list("order", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    assert Community.objects.count() == 111
    assert PartyBranch.objects.count() == 111
    active = BranchPairing.objects.filter(ends_on__isnull=True)
    assert active.count() == 111
    assert active.values("community").distinct().count() == 111
    assert (
        Metric.objects.filter(
            code__in=[
                "road_repaired",
                "sidewalk_tiles",
                "steps",
                "stairwell_walls",
                "stairwells_cleaned",
                "posters_removed",
                "debris_piles_removed",
                "garbage_cleared",
                "zombie_cars_removed",
            ]
        ).count()
        == 9
    )
    # Every campaign has categories to file problems under.
    assert set(Category.objects.values_list("campaign__order", flat=True)) == {1, 2, 3, 4, 5, 6, 7}


def test_demo_accounts_have_the_promised_roles(demo):
    profiles = {p.user.username: p for p in StaffProfile.objects.select_related("user", "street", "department")}
    assert profiles["staff"].street != profiles["staff2"].street
    assert profiles["officer"].department.short_name == "城管执法"
    assert profiles["officer2"].department.short_name == "环卫"
    chief_roads = Road.objects.filter(road_chief=profiles["roadchief"].user)
    assert chief_roads.exists()
    assert {road.street for road in chief_roads} == {profiles["staff"].street}
    assert profiles["admin"].role == Role.ADMIN and profiles["admin"].user.is_superuser


@pytest.mark.parametrize("username", DEMO_ACCOUNTS)
def test_every_demo_account_logs_in_and_lands_on_home(demo, client, username):
    response = client.post("/accounts/login/", {"username": username, "password": "shenhe-demo"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    content = response.content.decode()
    role_label, scope = DEMO_ACCOUNTS[username]
    assert re.search(rf'data-testid="role">{role_label}<', content)
    assert re.search(rf'data-testid="scope">{scope}<', content)
