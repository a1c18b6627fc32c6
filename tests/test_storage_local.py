"""On the embedded default no stored file sits under a public folder: every file URL
is /files/<name> (or Wagtail's /documents/ view), checked against the asset it
belongs to. Guessing a name reveals nothing: the answer is 404."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client

from assets.models import Publication, PublicationEdition, SenDocument

from .factories import PhotoFactory, contributor, make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False)


@pytest.fixture
def org_a():
    return make_organisation("Phường A")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_every_file_is_stored_privately(media_dirs, org_a):
    private, _public = media_dirs
    photo = PhotoFactory(organisation=org_a)
    rendition = photo.image.get_rendition("max-100x100")
    for stored in (photo.image.file, rendition.file):
        assert Path(stored.path).is_relative_to(private)
        assert stored.url.startswith("/files/")


def test_draft_files_are_404_for_visitors_and_other_organisations(visitor, media_dirs, org_a):
    photo = PhotoFactory(organisation=org_a, live=False)
    rendition = photo.image.get_rendition("max-100x100")
    outsider = client_for(contributor(make_organisation("Phường B")))
    for url in (photo.image.file.url, rendition.url):
        assert visitor.get(url).status_code == 404, url
        assert outsider.get(url).status_code == 404, url

    owner = client_for(contributor(org_a))
    response = owner.get(rendition.url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_renditions_of_live_assets_are_public_until_withdrawn(visitor, media_dirs, org_a):
    photo = PhotoFactory(organisation=org_a, live=True)
    rendition = photo.image.get_rendition("max-100x100")
    response = visitor.get(rendition.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("public")
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")

    # The original of a live photo is not public: downloads follow the licence.
    assert visitor.get(photo.image.file.url).status_code == 404

    photo.unpublish()
    assert visitor.get(rendition.url).status_code == 404


def test_guessed_and_climbing_names_are_404(visitor, media_dirs, org_a):
    PhotoFactory(organisation=org_a, live=True)
    for url in (
        "/files/original_images/does-not-exist.jpg",
        "/files/../sen.sqlite3",
        "/files/%2e%2e/sen.sqlite3",
        "/media/original_images/test.jpg",
        "/private-media/original_images/test.jpg",
    ):
        assert visitor.get(url).status_code in (400, 404), url


def test_documents_follow_their_publication(visitor, media_dirs, org_a):
    document = SenDocument.objects.create(
        title="Ấn phẩm",
        collection=org_a.collection,
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="an-pham.pdf"),
    )
    publication = Publication.objects.create(
        title="Ấn phẩm", title_vi="Ấn phẩm", organisation=org_a, live=False
    )
    PublicationEdition.objects.create(publication=publication, language="vi", document=document)
    outsider = client_for(contributor(make_organisation("Phường B")))
    for url in (document.url, document.file.url):
        assert visitor.get(url).status_code == 404, url
        assert outsider.get(url).status_code == 404, url
    assert client_for(contributor(org_a)).get(document.url).status_code == 200

    publication.live = True
    publication.save()
    assert visitor.get(document.url).status_code == 200
    assert visitor.get(document.file.url).status_code == 200


def test_x_accel_redirect_hands_the_file_to_nginx(visitor, media_dirs, org_a, settings):
    settings.SEN_X_ACCEL_REDIRECT_PREFIX = "/protected/"
    photo = PhotoFactory(organisation=org_a, live=True)
    rendition = photo.image.get_rendition("max-100x100")
    response = visitor.get(rendition.url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/protected/" + rendition.file.name
    assert response.content == b""


def test_private_root_is_outside_media_root():
    assert not Path(settings.PRIVATE_ROOT).is_relative_to(settings.MEDIA_ROOT)
