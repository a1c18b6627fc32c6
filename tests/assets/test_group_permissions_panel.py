"""Administrators change who may do what in Settings → Groups: the asset rights are
collection permissions with their own panels there."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import GroupCollectionPermission

from assets import operations
from assets.models import Photo

from ..factories import PhotoFactory, make_organisation, role_user

pytestmark = pytest.mark.django_db


def hidden_inputs(html):
    data = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if name and kind and kind.group(1) == "hidden":
            data[name.group(1)] = value.group(1) if value else ""
    return data


def test_group_form_grants_photo_rights_on_a_collection(client):
    client.force_login(role_user(operations.ADMINISTRATORS, is_superuser=True))
    organisation = make_organisation("Phường B")
    url = reverse("wagtailusers_groups:add")
    html = client.get(url).content.decode()
    assert "photo_permissions-TOTAL_FORMS" in html

    data = hidden_inputs(html)
    data.update(
        {
            "name": "Biên tập viên ảnh phường B",
            "photo_permissions-TOTAL_FORMS": "1",
            "photo_permissions-0-collection": str(organisation.collection.pk),
            "photo_permissions-0-permissions": [],
        }
    )
    codenames = {"add_photo", "change_photo", "choose_photo"}
    permission_ids = re.findall(
        r'name="photo_permissions-__prefix__-permissions" value="(\d+)"', html
    )
    from django.contrib.auth.models import Permission

    wanted = Permission.objects.filter(codename__in=codenames)
    assert {str(p.pk) for p in wanted} <= set(permission_ids)
    data["photo_permissions-0-permissions"] = [str(p.pk) for p in wanted]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    group = Group.objects.get(name="Biên tập viên ảnh phường B")
    granted = set(
        GroupCollectionPermission.objects.filter(
            group=group, collection=organisation.collection
        ).values_list("permission__codename", flat=True)
    )
    assert granted == codenames

    # And the grant takes effect: a member of the group now sees B's photos.
    photo = PhotoFactory(organisation=organisation)
    from ..factories import UserFactory

    member = UserFactory()
    member.groups.add(group, Group.objects.get(name=operations.CONTRIBUTORS))
    client.force_login(member)
    listing = client.get(reverse(Photo.snippet_viewset.get_url_name("list")))
    assert photo.title_vi in listing.content.decode()
