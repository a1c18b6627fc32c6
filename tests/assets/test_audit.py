"""Auditors read everything, history and logs included, and change nothing."""

import pytest
from django.urls import reverse

from assets import operations

from ..factories import PhotoFactory, contributor, make_organisation, role_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_photos():
    a, b = make_organisation("Phường A"), make_organisation("Phường B")
    editor = contributor(a)
    photos = []
    for organisation, title in ((a, "Bến Ninh Kiều lúc bình minh"), (b, "Chợ nổi Cái Răng")):
        photo = PhotoFactory(organisation=organisation, title_vi=title, live=False)
        photo.save_revision(user=editor, log_action=True)
        photos.append(photo)
    return editor, photos


def test_auditor_reads_the_site_history_of_every_organisation(client, logged_photos):
    _editor, photos = logged_photos
    client.force_login(role_user(operations.AUDITORS))
    html = client.get(reverse("wagtailadmin_reports:site_history")).content.decode()
    for photo in photos:
        assert photo.title_vi in html


def test_contributor_does_not_read_other_organisations_in_site_history(client, logged_photos):
    editor, photos = logged_photos
    client.force_login(editor)
    response = client.get(reverse("wagtailadmin_reports:site_history"))
    assert photos[1].title_vi not in response.content.decode()


def test_auditor_cannot_change_anything(client, logged_photos):
    _editor, photos = logged_photos
    from assets.models import Photo

    client.force_login(role_user(operations.AUDITORS))
    edit = reverse(Photo.snippet_viewset.get_url_name("edit"), args=[photos[0].pk])
    response = client.post(edit, {"title_vi": "Sửa"})
    assert response.status_code in (302, 403, 404)
    photos[0].refresh_from_db()
    assert photos[0].title_vi == "Bến Ninh Kiều lúc bình minh"
    add = reverse(Photo.snippet_viewset.get_url_name("add"))
    assert client.get(add).status_code in (302, 403)
