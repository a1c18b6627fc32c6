"""Fixtures of the export feed's tests: published photos, videos and publications
made the way the product makes them (files through their models, publication by a
reviewer's revision), on the public site's fixtures."""

import pytest
from django.core.files.base import ContentFile

from assets.models import Licence, Publication, PublicationEdition, SenDocument

from ..cms.conftest import *  # noqa: F403
from ..cms.conftest import _vietnamese_first  # noqa: F401 - autouse
from ..e2e.public_fixtures import pdf_bytes
from ..factories import make_video as make_video_of


@pytest.fixture
def make_video(media_dirs, organisation, publish):
    def make(live=True, **fields):
        owner = fields.pop("organisation", organisation)
        fields.setdefault("title_vi", "Phim về Cần Thơ")
        fields.setdefault("title", fields["title_vi"])
        video = make_video_of(owner, subtitles=False, **fields)
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
