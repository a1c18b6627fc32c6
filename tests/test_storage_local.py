"""On the embedded default, originals sit in a folder that no URL maps to; only
renditions are under /media/."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from assets.models import SenDocument

from .factories import PhotoFactory, make_organisation

pytestmark = pytest.mark.django_db


def test_original_is_private_and_rendition_is_public(client, media_dirs):
    from django.test import Client

    visitor = Client(raise_request_exception=False)
    private, public = media_dirs
    photo = PhotoFactory()
    original = Path(photo.image.file.path)
    assert original.is_relative_to(private)
    assert not original.is_relative_to(public)

    for url in (
        photo.image.file.url,
        f"/media/{photo.image.file.name}",
        f"/media/../private/{photo.image.file.name}",
    ):
        # 400 for a path that climbs out of /media/, 404 for the rest: never the file.
        assert visitor.get(url).status_code in (400, 404), url

    rendition = photo.image.get_rendition("max-100x100")
    assert Path(rendition.file.path).is_relative_to(public)
    response = client.get(rendition.url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"


def test_documents_are_not_served_to_anonymous_visitors(client, media_dirs):
    organisation = make_organisation()
    document = SenDocument.objects.create(
        title="Ấn phẩm",
        collection=organisation.collection,
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="an-pham.pdf"),
    )
    assert client.get(document.url).status_code == 404


def test_private_root_is_outside_media_root():
    assert not Path(settings.PRIVATE_ROOT).is_relative_to(settings.MEDIA_ROOT)
    assert not Path(settings.MEDIA_ROOT).is_relative_to(settings.PRIVATE_ROOT)
