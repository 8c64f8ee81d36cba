"""Every admin list and add page opens for the administrator, in Chinese, on the demo data."""

import pytest
from django.contrib import admin
from django.urls import reverse

from cases.models import Case, TallyEntry

pytestmark = pytest.mark.django_db

MODEL_ADMINS = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def admin_client_with_demo(demo, client):
    client.login(username="admin", password="shenhe-demo")
    return client


@pytest.mark.parametrize("model", MODEL_ADMINS, ids=lambda model: model._meta.label)
def test_admin_pages_open(admin_client_with_demo, model):
    info = (model._meta.app_label, model._meta.model_name)
    changelist = admin_client_with_demo.get(reverse("admin:{}_{}_changelist".format(*info)), {"q": "沈河"})
    assert changelist.status_code == 200
    addable = admin.site._registry[model].has_add_permission(admin_client_with_demo.request().wsgi_request)
    add = admin_client_with_demo.get(reverse("admin:{}_{}_add".format(*info)))
    assert add.status_code == (200 if addable else 403)
    first = model._default_manager.first()
    if first is not None:
        change = admin_client_with_demo.get(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
        assert change.status_code == 200


def test_admin_refuses_a_street_staff_profile_without_a_street(admin_client_with_demo):
    from communities.models import StaffProfile
    from tests.factories import UserFactory

    user = UserFactory()
    response = admin_client_with_demo.post(
        reverse("admin:communities_staffprofile_add"), {"user": user.pk, "role": "street_staff", "phone": ""}
    )
    assert response.status_code == 200
    assert "街道工作人员和路长必须属于一个街道。" in response.content.decode()
    assert not StaffProfile.objects.filter(user=user).exists()


def test_admin_refuses_two_open_pairings_for_one_branch_in_one_save(admin_client_with_demo):
    from tests.factories import CommunityFactory
    from volunteers.models import BranchPairing, PartyBranch

    branch = PartyBranch.objects.create(name="沈河区测试党支部")
    first, second = CommunityFactory(), CommunityFactory()
    prefix = "pairings"
    data = {
        "name": branch.name,
        "organisation": "",
        "secretary": "",
        "member_count": 5,
        f"{prefix}-TOTAL_FORMS": 2,
        f"{prefix}-INITIAL_FORMS": 0,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for index, community in enumerate([first, second]):
        data.update(
            {
                f"{prefix}-{index}-community": community.pk,
                f"{prefix}-{index}-kind": "point_to_point",
                f"{prefix}-{index}-starts_on": "2021-09-01",
                f"{prefix}-{index}-ends_on": "",
            }
        )
    response = admin_client_with_demo.post(reverse("admin:volunteers_partybranch_change", args=[branch.pk]), data)
    assert response.status_code == 200
    assert "一个支部同一时间只能包保一个社区。" in response.content.decode()
    assert not BranchPairing.objects.filter(branch=branch).exists()


@pytest.mark.parametrize("model", [Case, TallyEntry], ids=["case", "tally-entry"])
def test_case_records_cannot_be_changed_or_deleted_in_the_admin(admin_client_with_demo, model):
    record = model._default_manager.first()
    info = (model._meta.app_label, model._meta.model_name)
    delete = admin_client_with_demo.post(reverse("admin:{}_{}_delete".format(*info), args=[record.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert model._default_manager.filter(pk=record.pk).exists()
    change = admin_client_with_demo.get(reverse("admin:{}_{}_change".format(*info), args=[record.pk]))
    assert change.status_code == 200 and change.context["has_change_permission"] is False
