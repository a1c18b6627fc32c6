"""The index follows the PDF text the worker stores, and the commands that rebuild
and check it."""

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from assets.models import Publication, PublicationEdition, SenDocument
from search.models import SearchEntry
from search.query import search_assets

pytestmark = pytest.mark.django_db


def test_pdf_text_stored_later_by_the_worker_is_found(media_dirs, organisation):
    document = SenDocument.objects.create(
        title="Cẩm nang",
        collection=organisation.collection,
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="cam-nang.pdf"),
    )
    publication = Publication.objects.create(
        title="Cẩm nang du lịch", title_vi="Cẩm nang du lịch", organisation=organisation, live=True
    )
    PublicationEdition.objects.create(publication=publication, language="vi", document=document)
    assert search_assets("vuon cay an trai").total == 0
    # What ingest does once the PDF's text is read.
    document.text = "Trang 12: vườn cây ăn trái Phong Điền"
    document.save()
    results = search_assets("vuon cay an trai")
    assert results.hits == [publication]
    assert {v.value for v in results.facets["type"]} == {"publications"}


def test_rebuild_and_check(make_photo, capsys):
    photo = make_photo(title_vi="Cầu Cần Thơ")
    call_command("search_check")
    SearchEntry.objects.all().delete()
    with pytest.raises(CommandError, match="1 assets are not in the index"):
        call_command("search_check")
    assert search_assets("cau").total == 0
    call_command("search_rebuild")
    assert search_assets("cau").hits == [photo]
    call_command("search_check")
    assert "Search index ready (database)." in capsys.readouterr().out
