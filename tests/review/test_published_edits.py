"""Edits to a published asset make a new draft: the public keeps the approved
revision until the new one is approved. And the listings cost the same whatever
the number of assets."""

import pytest
from django.test import Client
from django.urls import reverse

from assets.models import Photo

from ..factories import PhotoFactory, contributor

pytestmark = pytest.mark.django_db


def edit_data(client, photo, **changes):
    form = client.get(reverse(Photo.snippet_viewset.get_url_name("edit"), args=[photo.pk])).context[
        "form"
    ]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list | tuple)
    }
    data.update({"organisation": photo.organisation_id, "licence": photo.licence_id, **changes})
    return data


def test_a_draft_of_a_published_asset_does_not_change_the_public(editor_client, organisation):
    photo = PhotoFactory(organisation=organisation, title_vi="Bến Ninh Kiều", live=True)
    photo.save_revision().publish(skip_permission_checks=True)
    url = reverse(Photo.snippet_viewset.get_url_name("edit"), args=[photo.pk])
    response = editor_client.post(url, edit_data(editor_client, photo, title_vi="Tên mới"))
    assert response.status_code == 302

    live = Photo.objects.get(pk=photo.pk)
    assert live.live and live.title_vi == "Bến Ninh Kiều"
    assert live.has_unpublished_changes
    assert live.latest_revision.as_object().title_vi == "Tên mới"
    home = Client().get("/vi/").content.decode()
    assert "Bến Ninh Kiều" in home and "Tên mới" not in home


@pytest.mark.parametrize("count", [3, 30])
def test_the_photo_listing_costs_the_same_for_3_or_30(
    count, organisation, django_assert_max_num_queries
):
    for n in range(count):
        PhotoFactory(organisation=organisation, title_vi=f"Ảnh {n}")
    client = Client()
    client.force_login(contributor(organisation))
    url = reverse(Photo.snippet_viewset.get_url_name("list"))
    client.get(url)  # warm caches
    with django_assert_max_num_queries(30):
        response = client.get(url)
    assert response.content.decode().count("Ảnh ") >= count
