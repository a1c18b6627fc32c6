"""sitemap.xml (valid against the sitemap XSD with the image, video and hreflang
extensions; public assets only) and the per-language Atom feed."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from lxml import etree

pytestmark = pytest.mark.django_db

SCHEMA = Path(__file__).parent.parent / "fixtures" / "sitemap" / "all.xsd"
NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "x": "http://www.w3.org/1999/xhtml",
    "image": "http://www.google.com/schemas/sitemap-image/1.1",
    "atom": "http://www.w3.org/2005/Atom",
}


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.SEN_PAGE_CACHE_SECONDS = 0


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return etree.fromstring(response.content)


def test_sitemap_is_valid_and_lists_public_assets_only(visitor, make_photo, schema):
    public = make_photo(title_vi="Cần Thơ", title_en="Can Tho")
    draft = make_photo(live=False, title_vi="Bản nháp")
    expired = make_photo(title_vi="Hết hạn")
    type(expired).objects.filter(pk=expired.pk).update(
        expire_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    index = xml(visitor, "/sitemap.xml")
    sections = index.xpath("//s:sitemap/s:loc/text()", namespaces=NS)
    assert "http://testserver/sitemap-photos.xml" in sections

    photos = xml(visitor, "/sitemap-photos.xml")
    schema.assertValid(photos)
    locs = photos.xpath("//s:url/s:loc/text()", namespaces=NS)
    assert f"http://testserver/vi/photos/{public.pk}/can-tho/" in locs
    assert f"http://testserver/en/photos/{public.pk}/can-tho/" in locs
    assert len(locs) == 6  # one photo in six languages
    assert not [loc for loc in locs if f"/{draft.pk}/" in loc or f"/{expired.pk}/" in loc]
    [first] = photos.xpath("//s:url[1]", namespaces=NS)
    hreflangs = first.xpath("x:link/@hreflang", namespaces=NS)
    assert set(hreflangs) == {"vi", "en", "zh-hans", "ja", "ko", "fr", "x-default"}
    images = photos.xpath("//image:image/image:loc/text()", namespaces=NS)
    assert images and all(loc.startswith("http://testserver/files/renditions/") for loc in images)
    assert visitor.get(images[0].removeprefix("http://testserver")).status_code == 200

    schema.assertValid(xml(visitor, "/sitemap-pages.xml"))
    # No video or publication is public: no empty (invalid) section, listed or served.
    assert not [loc for loc in sections if "videos" in loc or "publications" in loc]
    assert visitor.get("/sitemap-videos.xml").status_code == 404
    assert visitor.get("/sitemap-nothing.xml").status_code == 404


def test_the_schema_check_can_fail(schema):
    bad = etree.fromstring(
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><lastmod>2024-01-01</lastmod></url></urlset>"
    )
    assert not schema.validate(bad)


def test_sitemap_pages_by_size(visitor, make_photo, settings):
    settings.SEN_SITEMAP_PAGE_SIZE = 4
    for _ in range(2):
        make_photo()
    # 2 photos × 6 languages = 12 URLs, 4 a file.
    index = xml(visitor, "/sitemap.xml")
    pages = [
        loc for loc in index.xpath("//s:sitemap/s:loc/text()", namespaces=NS) if "photos" in loc
    ]
    assert len(pages) == 3
    urls = set()
    for number in (1, 2, 3):
        urls |= set(
            xml(visitor, f"/sitemap-photos.xml?p={number}").xpath("//s:loc/text()", namespaces=NS)
        )
    assert len(urls) == 12


def test_atom_feed_per_language(visitor, make_photo):
    make_photo(title_vi="Ảnh mới", title_en="New photo")
    make_photo(live=False, title_vi="Nháp")
    feed = xml(visitor, "/en/feed.atom")
    titles = feed.xpath("//atom:entry/atom:title/text()", namespaces=NS)
    assert titles == ["New photo"]
    link = feed.xpath("string(//atom:entry/atom:link/@href)", namespaces=NS)
    assert link.startswith("http://testserver/en/photos/")
    assert xml(visitor, "/vi/feed.atom").xpath("//atom:entry/atom:title/text()", namespaces=NS) == [
        "Ảnh mới"
    ]


def test_video_sitemap_entry_is_valid(visitor, organisation, media_dirs, publish, schema):
    from django.core.files.base import ContentFile

    from assets.models import Licence, SenMedia, Video

    from ..ingest.test_bulk_upload import small_mp4

    media = SenMedia.objects.create(
        title="Clip",
        collection=organisation.collection,
        type="video",
        file=ContentFile(small_mp4(), name="clip.mp4"),
    )
    video = publish(
        Video.objects.create(
            title="Phim",
            title_vi="Phim Cần Thơ về đêm, một phim rất dài " * 5,
            organisation=organisation,
            media=media,
            licence=Licence.objects.get(code="cc-by-4.0"),
            live=False,
        )
    )
    sitemap = xml(visitor, "/sitemap-videos.xml")
    schema.assertValid(sitemap)
    ns = {**NS, "v": "http://www.google.com/schemas/sitemap-video/1.1"}
    thumbnails = sitemap.xpath("//v:video/v:thumbnail_loc/text()", namespaces=ns)
    assert len(thumbnails) == 6  # in each language's entry
    assert visitor.get(thumbnails[0].removeprefix("http://testserver")).status_code == 200
    content = sitemap.xpath("string(//v:video/v:content_loc)", namespaces=ns)
    assert visitor.get(content.removeprefix("http://testserver")).status_code == 200
    assert f"/videos/{video.pk}/" in sitemap.xpath("string(//s:url/s:loc)", namespaces=ns)
