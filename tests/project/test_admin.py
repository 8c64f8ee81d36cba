"""Every admin list and add page opens for the administrator, in Chinese, on the demo data."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

MODEL_ADMINS = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def admin_client_with_demo(client):
    call_command("seed_demo", verbosity=0)
    client.login(username="admin", password="shenhe-demo")
    return client


@pytest.mark.parametrize("model", MODEL_ADMINS, ids=lambda model: model._meta.label)
def test_admin_pages_open(admin_client_with_demo, model):
    info = (model._meta.app_label, model._meta.model_name)
    changelist = admin_client_with_demo.get(reverse("admin:{}_{}_changelist".format(*info)), {"q": "沈河"})
    assert changelist.status_code == 200
    assert admin_client_with_demo.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200
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
