import datetime

import pytest
from django.urls import reverse

from assets import operations
from assets.models import Organisation, Photo

from ..factories import PhotoFactory, contributor, make_organisation, role_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(role_user(operations.ADMINISTRATORS))
    return client


def test_listing_offers_rename_and_merge_to_administrators(admin_client):
    organisation = make_organisation("Xã Cũ")
    html = admin_client.get(
        reverse(Organisation.snippet_viewset.get_url_name("list"))
    ).content.decode()
    assert reverse("sen_organisation_rename", args=[organisation.pk]) in html
    assert reverse("sen_organisation_merge", args=[organisation.pk]) in html


def test_rename_from_a_date(admin_client):
    organisation = make_organisation("Sở Nông nghiệp và Phát triển nông thôn")
    response = admin_client.post(
        reverse("sen_organisation_rename", args=[organisation.pk]),
        {"name_vi": "Sở Nông nghiệp và Môi trường", "name_en": "", "effective": "2025-03-01"},
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name_vi == "Sở Nông nghiệp và Môi trường"
    assert (
        organisation.name_on(datetime.date(2025, 1, 1)) == "Sở Nông nghiệp và Phát triển nông thôn"
    )


def test_rename_without_vietnamese_name_is_a_field_error(admin_client):
    organisation = make_organisation("Xã A")
    response = admin_client.post(
        reverse("sen_organisation_rename", args=[organisation.pk]),
        {"name_vi": "", "effective": "not a date"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"name_vi", "effective"}
    organisation.refresh_from_db()
    assert organisation.name_vi == "Xã A"


def test_merge_moves_assets(admin_client):
    source, target = make_organisation("Xã Cũ"), make_organisation("Xã Mới")
    photo = PhotoFactory(organisation=source)
    response = admin_client.post(
        reverse("sen_organisation_merge", args=[source.pk]),
        {"target": target.pk, "effective": "2025-07-01"},
    )
    assert response.status_code == 302
    assert Photo.objects.get(pk=photo.pk).organisation == target
    source.refresh_from_db()
    assert source.merged_into == target


def test_merge_into_own_unit_is_refused_without_change(admin_client):
    parent = make_organisation("Sở")
    child = make_organisation("Phòng", parent=parent)
    response = admin_client.post(
        reverse("sen_organisation_merge", args=[parent.pk]),
        {"target": child.pk, "effective": "2025-07-01"},
    )
    assert response.status_code == 200
    parent.refresh_from_db()
    assert parent.is_active


def test_contributors_cannot_reorganise(client):
    organisation = make_organisation("Xã A")
    client.force_login(contributor(organisation))
    for name in ("sen_organisation_rename", "sen_organisation_merge"):
        response = client.get(reverse(name, args=[organisation.pk]))
        assert response.status_code in (302, 403)
        assert response.status_code != 200


def _edit_data(organisation, parent):
    return {
        "name_vi": organisation.name_vi,
        "kind": organisation.kind,
        "parent": parent.pk if parent else "",
    }


def test_moving_an_organisation_moves_its_collection(admin_client):
    department = make_organisation("Sở Văn hóa", kind=Organisation.Kind.MANAGING)
    unit = make_organisation("Trung tâm Xúc tiến")
    url = reverse(Organisation.snippet_viewset.get_url_name("edit"), args=[unit.pk])
    response = admin_client.post(url, _edit_data(unit, department))
    assert response.status_code == 302, response.context["form"].errors
    unit.collection.refresh_from_db()
    assert unit.collection.get_parent().pk == department.collection.pk


def test_an_organisation_cannot_go_under_its_own_unit(admin_client):
    department = make_organisation("Sở Văn hóa")
    unit = make_organisation("Trung tâm", parent=department)
    url = reverse(Organisation.snippet_viewset.get_url_name("edit"), args=[department.pk])
    response = admin_client.post(url, _edit_data(department, unit))
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    department.refresh_from_db()
    assert department.parent is None
