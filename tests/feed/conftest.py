"""Fixtures of the export feed's tests: published photos, videos and publications
made the way the product makes them (files through their models, publication by a
reviewer's revision), on the public site's fixtures."""

import pytest
from django.core.files.base import ContentFile

from assets.models import Licence, Publication, PublicationEdition, SenDocument, SenMedia, Video

from ..cms.conftest import *  # noqa: F403
from ..cms.conftest import _vietnamese_first  # noqa: F401 - autouse
from ..e2e.public_fixtures import pdf_bytes


@pytest.fixture
def make_video(media_dirs, organisation, publish):
    def make(live=True, **fields):
        fields.setdefault("organisation", organisation)
        media = SenMedia.objects.create(
            title="Clip",
            collection=fields["organisation"].collection,
            type="video",
            duration=75,
            width=640,
            height=360,
            file=ContentFile(b"\x00\x00\x00\x18ftypmp42", name="clip.mp4"),
        )
        # The pipeline cannot probe these bytes and leaves the duration at 0.
        SenMedia.objects.filter(pk=media.pk).update(duration=75)
        fields.setdefault("title_vi", "Phim về Cần Thơ")
        fields.setdefault("title", fields["title_vi"])
        video = Video.objects.create(
            media_id=media.pk, licence=Licence.objects.get(code="cc-by-4.0"), live=False, **fields
        )
        return publish(video) if live else video

    return make


@pytest.fixture
def make_publication(media_dirs, organisation, publish):
    def make(live=True, languages=("vi", "en"), **fields):
        fields.setdefault("organisation", organisation)
        fields.setdefault("title_vi", "Cẩm nang du lịch")
        fields.setdefault("title", fields["title_vi"])
        publication = Publication.objects.create(
            licence=Licence.objects.get(code="cc-by-4.0"), live=False, **fields
        )
        for language in languages:
            document = SenDocument.objects.create(
                title=f"Cẩm nang ({language})",
                collection=fields["organisation"].collection,
                file=ContentFile(pdf_bytes(f"Guide {language}"), name=f"guide-{language}.pdf"),
            )
            PublicationEdition.objects.create(
                publication=publication, language=language, document=document
            )
        return publish(publication) if live else publication

    return make
