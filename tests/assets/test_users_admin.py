"""Administrators put users in organisations from Settings → Users."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from assets import operations
from assets.models import Membership

from ..factories import make_organisation, role_user

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def admin_client(client):
    client.force_login(role_user(operations.ADMINISTRATORS, is_superuser=True))
    return client


def test_create_user_in_an_organisation(admin_client):
    organisation = make_organisation("UBND phường Cái Khế")
    url = reverse("wagtailusers_users:add")
    assert 'name="organisation"' in admin_client.get(url).content.decode()
    response = admin_client.post(
        url,
        {
            "username": "bientap.caikhe",
            "email": "bientap@example.org",
            "first_name": "Lan",
            "last_name": "Nguyễn",
            "password1": "mat-khau-dai-va-kho-doan-2026",
            "password2": "mat-khau-dai-va-kho-doan-2026",
            "organisation": organisation.pk,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    user = User.objects.get(username="bientap.caikhe")
    assert user.membership.organisation == organisation
    assert organisation.editors_group in user.groups.all()


def test_move_a_user_to_another_organisation_then_out(admin_client):
    first, second = make_organisation("Xã Một"), make_organisation("Xã Hai")
    user = User.objects.create_user("bientap", "b@example.org", "x")
    operations.add_member(user, first)
    url = reverse("wagtailusers_users:edit", args=[user.pk])
    html = admin_client.get(url).content.decode()
    assert f'<option value="{first.pk}" selected>' in html

    data = {
        "username": "bientap",
        "email": "b@example.org",
        "first_name": "Bình",
        "last_name": "Trần",
        "password1": "",
        "password2": "",
        "is_active": "on",
        "groups": [g.pk for g in user.groups.all()],
        "organisation": second.pk,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    user = User.objects.get(pk=user.pk)
    assert user.membership.organisation == second
    assert set(user.groups.all()) >= {second.editors_group}
    assert first.editors_group not in user.groups.all()

    data["organisation"] = ""
    data["groups"] = [g.pk for g in user.groups.all()]
    assert admin_client.post(url, data).status_code == 302
    assert not Membership.objects.filter(user=user).exists()
    assert second.editors_group not in User.objects.get(pk=user.pk).groups.all()
