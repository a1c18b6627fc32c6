"""The public site: asset pages in every language, listings, search, and what
leaves it for search engines (JSON-LD, Open Graph, hreflang)."""

import datetime

import extruct
import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from lxml import html

from assets.models import (
    Licence,
    Place,
    Publication,
    PublicationEdition,
    SenDocument,
    SenRendition,
    Topic,
)
from cms import published
from cms.models import ProvinceSettings

from ..factories import make_video

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """These tests change data behind the site's back (update()); the page cache and
    its purge have their own tests (test_public_cache.py)."""
    settings.SEN_PAGE_CACHE_SECONDS = 0


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response


def tree(response):
    return html.fromstring(response.content)


def jsonld(response):
    data = extruct.extract(response.content.decode(), syntaxes=["json-ld"], uniform=True)
    return data["json-ld"]


def test_a_photo_page_in_vietnamese_and_english(visitor, make_photo):
    photo = make_photo(
        title_vi="Cần Thơ về đêm",
        title_en="Can Tho at night",
        description_vi="Bến Ninh Kiều.",
        author="Nguyễn Văn A",
        credit_line="Ảnh: Nguyễn Văn A / Sở VHTTDL",
        copyright_holder="Sở VHTTDL",
    )
    vi = tree(page(visitor, published.public_url(photo, "vi")))
    assert vi.xpath("string(//h1)") == "Cần Thơ về đêm"
    assert vi.xpath("string(/html/@lang)") == "vi"
    assert vi.xpath("//picture/source[@type='image/webp']/@srcset")
    assert all(src.startswith("/files/renditions/") for src in vi.xpath("//picture//img/@src"))

    en_url = published.public_url(photo, "en")
    assert en_url.startswith("/en/photos/") and en_url.endswith("/can-tho-at-night/")
    en = tree(page(visitor, en_url))
    assert en.xpath("string(//h1)") == "Can Tho at night"
    assert en.xpath("string(/html/@lang)") == "en"
    # The description has no English: shown in Vietnamese, marked, and said so.
    assert en.xpath("string(//div[@class='asset__description']/@lang)") == "vi"
    assert en.xpath("//p[@role='note']")


def test_an_untranslated_title_falls_back_to_vietnamese_with_a_note(visitor, make_photo):
    photo = make_photo(title_vi="Chợ nổi Cái Răng")
    en = tree(page(visitor, published.public_url(photo, "en")))
    assert en.xpath("string(//h1)") == "Chợ nổi Cái Răng"
    assert en.xpath("string(//h1/@lang)") == "vi"
    assert "not been translated" in en.xpath("string(//p[@role='note'])")
    vi = tree(page(visitor, published.public_url(photo, "vi")))
    assert not vi.xpath("//p[@role='note']")


def test_hreflang_alternates_and_switcher_keep_the_same_asset(visitor, make_photo):
    photo = make_photo(title_vi="Cầu Cần Thơ", title_en="Can Tho Bridge")
    doc = tree(page(visitor, published.public_url(photo, "vi")))
    alternates = dict(
        zip(
            doc.xpath("//link[@rel='alternate'][@hreflang]/@hreflang"),
            doc.xpath("//link[@rel='alternate'][@hreflang]/@href"),
            strict=True,
        )
    )
    assert set(alternates) == {"vi", "en", "zh-hans", "ja", "ko", "fr", "x-default"}
    assert alternates["x-default"] == alternates["vi"]
    assert alternates["en"] == f"http://testserver/en/photos/{photo.pk}/can-tho-bridge/"
    # Untranslated languages use the Vietnamese slug.
    assert alternates["ja"] == f"http://testserver/ja/photos/{photo.pk}/cau-can-tho/"
    switcher = doc.xpath("//details[@class='languages']//a/@href")
    assert switcher == [alternates[code] for code in ("vi", "en", "zh-hans", "ja", "ko", "fr")]
    for url in switcher:
        assert page(visitor, url).status_code == 200


def test_canonical_redirect_from_short_or_wrong_slug(visitor, make_photo):
    photo = make_photo(title_vi="Bến Ninh Kiều")
    canonical = published.public_url(photo, "vi")
    for url in (f"/vi/photos/{photo.pk}/", f"/vi/photos/{photo.pk}/something-else/"):
        response = visitor.get(url)
        assert response.status_code == 301 and response["Location"] == canonical
    # A photo is not a video.
    page(visitor, f"/vi/videos/{photo.pk}/ben-ninh-kieu/", 404)


@pytest.mark.parametrize("state", ["draft", "expired_not_yet_unpublished"])
def test_a_non_public_photo_is_404_everywhere_public(visitor, make_photo, state):
    photo = make_photo(live=state != "draft", title_vi="Ảnh chưa công khai")
    if state == "expired_not_yet_unpublished":
        type(photo).objects.filter(pk=photo.pk).update(
            expire_at=timezone.now() - datetime.timedelta(seconds=1)
        )
    for url in (
        f"/vi/photos/{photo.pk}/anh-chua-cong-khai/",
        f"/vi/photos/{photo.pk}/",
        f"/en/photos/{photo.pk}/anh-chua-cong-khai/",
    ):
        page(visitor, url, 404)
    listing = page(visitor, "/vi/browse/?type=photos").content.decode()
    assert "Ảnh chưa công khai" not in listing
    assert "Ảnh chưa công khai" not in page(visitor, "/vi/search/?q=cong+khai").content.decode()
    assert "Ảnh chưa công khai" not in page(visitor, "/vi/").content.decode()
    assert "Ảnh chưa công khai" not in page(visitor, "/vi/feed.atom").content.decode()


def test_photo_jsonld_and_opengraph(visitor, make_photo):
    photo = make_photo(
        title_vi="Cần Thơ",
        title_en="Can Tho",
        description_en="The Mekong capital.",
        author="Trần B",
        credit_line="Trần B / Báo Cần Thơ",
        copyright_holder="Báo Cần Thơ",
        date=datetime.date(2024, 5, 1),
    )
    response = page(visitor, published.public_url(photo, "en"))
    [data] = jsonld(response)
    assert data["@type"] == "ImageObject"
    assert data["contentUrl"].startswith("http://testserver/files/renditions/")
    assert data["creator"] == {"@type": "Person", "name": "Trần B"}
    assert data["creditText"] == "Trần B / Báo Cần Thơ"
    assert data["copyrightNotice"] == "Báo Cần Thơ"
    assert data["license"] == Licence.objects.get(code="cc-by-4.0").uri
    assert data["acquireLicensePage"] == response.wsgi_request.build_absolute_uri()
    assert data["inLanguage"] == "en" and data["name"] == "Can Tho"
    assert visitor.get(data["contentUrl"].removeprefix("http://testserver")).status_code == 200

    og = extruct.extract(response.content.decode(), syntaxes=["opengraph"], uniform=True)
    [og] = og["opengraph"]
    assert og["og:title"] == "Can Tho"
    assert og["og:image"] == data["contentUrl"]
    assert og["og:locale"] == "en_US"
    doc = tree(response)
    assert doc.xpath("string(//meta[@name='twitter:card']/@content)") == "summary_large_image"
    assert doc.xpath("string(//link[@rel='canonical']/@href)") == data["url"]


def test_video_page_has_a_player_with_subtitles_and_videoobject(
    visitor, organisation, media_dirs, publish
):
    video = publish(make_video(organisation, title="Phim", title_vi="Phim Cần Thơ"))
    response = page(visitor, published.public_url(video, "en"))
    doc = tree(response)
    assert doc.xpath("//video/source[@type='video/mp4']/@src")
    tracks = doc.xpath("//video//track")  # libxml2 does not know <source> is void
    assert [(t.get("srclang"), t.get("kind")) for t in tracks] == [
        ("vi", "captions"),
        ("en", "subtitles"),
    ]
    track = tracks[1]
    assert track.get("default") is not None
    assert visitor.get(track.get("src")).status_code == 200
    [data] = jsonld(response)
    assert data["@type"] == "VideoObject"
    assert data["duration"] == "PT1M15S"
    assert data["uploadDate"] and data["contentUrl"].startswith("http://testserver/files/")


def test_publication_page_lists_editions_with_worktranslation(
    visitor, organisation, media_dirs, publish
):
    publication = Publication.objects.create(
        title="Cẩm nang",
        title_vi="Cẩm nang đầu tư",
        organisation=organisation,
        licence=Licence.objects.get(code="cc-by-4.0"),
        live=False,
    )
    for language in ("vi", "en", "ja"):
        document = SenDocument.objects.create(
            title=f"Cẩm nang {language}",
            collection=organisation.collection,
            file=ContentFile(b"%PDF-1.4\n%%EOF\n", name=f"cam-nang-{language}.pdf"),
            page_count=12,
        )
        PublicationEdition.objects.create(
            publication=publication, language=language, document=document
        )
    publish(publication)
    response = page(visitor, published.public_url(publication, "en"))
    doc = tree(response)
    editions = doc.xpath("//li[@class='edition']")
    assert [e.get("lang") for e in editions] == ["vi", "en", "ja"]
    pdf = doc.xpath("//li[@class='edition']//a[@class='edition__read']/@href")[1]
    pdf_response = visitor.get(pdf)
    assert pdf_response["Content-Type"] == "application/pdf"
    # The browser's PDF viewer would be blocked by a sandbox CSP.
    assert "sandbox" not in pdf_response["Content-Security-Policy"]
    [data] = jsonld(response)
    assert data["@type"] == "DigitalDocument"
    assert data["inLanguage"] == "en"  # the visitor's language edition comes first
    assert data["numberOfPages"] == 12
    assert sorted(t["inLanguage"] for t in data["workTranslation"]) == ["ja", "vi"]
    assert all(t["translationOfWork"] == {"@id": data["@id"]} for t in data["workTranslation"])


def test_pages_never_make_a_rendition(visitor, make_photo):
    photo = make_photo(title_vi="Chưa có ảnh thu nhỏ")
    SenRendition.objects.filter(image=photo.image).delete()
    for url in (published.public_url(photo, "vi"), "/vi/", "/vi/browse/", "/vi/search/?q=anh"):
        page(visitor, url)
    assert not SenRendition.objects.filter(image=photo.image).exists()
    doc = tree(page(visitor, published.public_url(photo, "vi")))
    assert doc.xpath("//div[@class='placeholder'][@role='img']")


def test_browse_by_type_topic_place_year_and_organisation(visitor, make_photo, organisation):
    culture = (
        Topic.objects.get(slug="culture")
        if Topic.objects.filter(slug="culture").exists()
        else Topic.objects.first()
    )
    place = Place.objects.create(name="Ninh Kiều", name_vi="Ninh Kiều", kind=Place.Kind.WARD)
    a = make_photo(title_vi="Ảnh một", date=datetime.date(2023, 1, 2), place=place)
    a.topics.add(culture)
    a.save()
    make_photo(title_vi="Ảnh hai", date=datetime.date(2024, 1, 2))

    def titles(url):
        return tree(page(visitor, url)).xpath("//span[contains(@class,'card__title')]/text()")

    assert sorted(titles("/vi/browse/")) == ["Ảnh hai", "Ảnh một"]
    assert titles("/vi/browse/?year=2023") == ["Ảnh một"]
    assert titles(f"/vi/browse/?place={place.pk}") == ["Ảnh một"]
    assert titles(f"/vi/topics/{culture.slug}/") == ["Ảnh một"]
    assert titles(f"/vi/places/{place.pk}/ninh-kieu/") == ["Ảnh một"]
    assert sorted(titles(f"/vi/browse/?organisation={organisation.pk}")) == ["Ảnh hai", "Ảnh một"]
    assert titles("/vi/browse/?type=videos") == []


def test_a_topic_lists_the_same_whichever_way_it_is_read(visitor, make_photo, monkeypatch):
    """A small topic is read through its links and sorted, a large one by walking the
    newest-first index (published.of_topic): the same assets, order and count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    topic = Topic.objects.first()
    for number, live in ((1, True), (2, True), (3, False), (4, True)):
        photo = make_photo(title_vi=f"Ảnh {number}", live=live)
        photo.topics.add(topic)
        photo.save()
    make_photo(title_vi="Ngoài chủ đề")
    url = f"/vi/topics/{topic.slug}/"

    def listing():
        with CaptureQueriesContext(connection) as captured:
            doc = tree(page(visitor, url))
        titles = doc.xpath("//span[contains(@class,'card__title')]/text()")
        count = doc.xpath("normalize-space(//p[@class='result-count'])")
        return (titles, count), any("EXISTS" in query["sql"] for query in captured)

    small, exists = listing()
    assert small == (["Ảnh 4", "Ảnh 2", "Ảnh 1"], "3 tư liệu") and not exists
    monkeypatch.setattr(published, "LARGE_TOPIC", 3)
    large, exists = listing()
    assert large == small and exists


def test_listings_are_counted_and_paged_on_the_public_newest_index(
    visitor, make_photo, monkeypatch
):
    """EXPLAIN QUERY PLAN of the listing's count and page (SQLite, which has no
    statistics to choose by: the plan is the same with 3 photos as with 100,000)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL picks its own plan from statistics")
    topic = Topic.objects.first()
    photo = make_photo()
    photo.topics.add(topic)
    photo.save()
    monkeypatch.setattr(published, "LARGE_TOPIC", 1)
    for url in ("/vi/", "/vi/browse/", f"/vi/topics/{topic.slug}/"):
        with CaptureQueriesContext(connection) as captured:
            page(visitor, url)
        listing = [
            query["sql"]
            for query in captured
            if 'FROM "assets_photo"' in query["sql"]
            and ("COUNT(*)" in query["sql"] or "ORDER BY" in query["sql"])
            and "INNER JOIN" not in query["sql"]  # a topic is counted through its links
        ]
        assert listing, url
        for sql in listing:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
                plan = " / ".join(row[-1] for row in cursor.fetchall())
            assert "photo_public_newest" in plan, (url, sql, plan)


@pytest.mark.parametrize(
    "query", ["year=abc", "year=99999", "topic=no-such-topic", "type=secret", "place=x"]
)
def test_a_wrong_filter_is_a_clear_400(visitor, query):
    response = page(visitor, f"/vi/browse/?{query}", 400)
    doc = tree(response)
    assert doc.xpath("//p[@class='error'][@role='alert']")
    assert doc.xpath("string(/html/@lang)") == "vi"


def test_paging_is_bounded_and_query_count_is_constant(
    visitor, make_photo, django_assert_max_num_queries, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cms.cache import purge

    def queries(url):
        purge()  # cold: search counts its total and facets (search.query caches them)
        with CaptureQueriesContext(connection) as captured:
            page(visitor, url)
        return len(captured)

    topic = Topic.objects.first()
    photo = make_photo()
    photo.topics.add(topic)
    photo.save()
    urls = [
        "/vi/",
        "/vi/browse/",
        f"/vi/topics/{topic.slug}/",
        published.public_url(photo, "vi"),
        "/en/search/?q=anh",
        "/vi/feed.atom",
        "/sitemap-photos.xml",
    ]
    for url in urls:  # warm what is cached per process (the site, the settings)
        queries(url)
    few = {url: queries(url) for url in urls}
    for _ in range(6):
        other = make_photo()
        other.topics.add(topic)
        other.save()
    many = {url: queries(url) for url in urls}
    assert many == few
    assert page(visitor, "/vi/browse/?page=999").status_code == 200  # clamps to the last


@pytest.mark.parametrize("query", ["Can Tho", "cần thơ", "CẦN THƠ", "can tho"])
def test_search_finds_vietnamese_with_or_without_diacritics(visitor, make_photo, query):
    make_photo(title_vi="Cần Thơ về đêm")
    make_photo(title_vi="Hà Nội")
    doc = tree(page(visitor, f"/en/search/?q={query}"))
    assert doc.xpath("//span[contains(@class,'card__title')]/text()") == ["Cần Thơ về đêm"]


def test_search_rejects_an_overlong_query(visitor):
    page(visitor, "/vi/search/?q=" + "a" * 500, 400)


def test_a_language_the_province_does_not_publish_is_404(visitor, make_photo):
    photo = make_photo(title_vi="Ảnh")
    settings_ = ProvinceSettings.load()
    settings_.public_languages = ["vi", "en"]
    settings_.save()
    page(visitor, published.public_url(photo, "en"))
    page(visitor, published.public_url(photo, "fr"), 404)
    doc = tree(page(visitor, published.public_url(photo, "vi")))
    assert set(doc.xpath("//link[@rel='alternate'][@hreflang]/@hreflang")) == {
        "vi",
        "en",
        "x-default",
    }


def test_robots_txt_points_at_the_sitemap(visitor):
    body = page(visitor, "/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /admin/" in body


def test_home_page_shows_the_hero_and_latest(visitor, make_photo):
    from cms.models import HomePage

    hero = make_photo(title_vi="Ảnh bìa", title_en="Cover photo")
    home = HomePage.objects.get()
    home.hero_photo = hero
    home.save_revision().publish()
    doc = tree(page(visitor, "/en/"))
    assert doc.xpath("string(//section[@class='hero']//a)") == "Cover photo"
    [site] = jsonld(page(visitor, "/en/"))
    assert site["@type"] == "WebSite" and "potentialAction" in site
    # A hero that is withdrawn is not shown.
    type(hero).objects.filter(pk=hero.pk).update(live=False)
    assert not tree(page(visitor, "/en/")).xpath("//section[@class='hero']")


@override_settings(SEN_RENDITION_WIDTHS=[480])
def test_picture_offers_each_made_width_once(make_photo):
    photo = published.prepare([published.photos().get(pk=make_photo().pk)])[0]
    assert photo.picture.jpeg_srcset.count("w") >= 1
    widths = [part.rsplit(" ", 1)[1] for part in photo.picture.jpeg_srcset.split(", ")]
    assert len(widths) == len(set(widths))


def test_the_file_of_a_rendition_on_the_page_reaches_the_visitor(visitor, make_photo):
    photo = make_photo()
    doc = tree(page(visitor, published.public_url(photo, "vi")))
    src = doc.xpath("string(//picture//img/@src)")
    assert visitor.get(src).status_code == 200
    assert reverse("sen_file", kwargs={"path": "x"}).startswith("/files/")


def test_language_names_are_nfc_and_favicon_answers(visitor, make_photo):
    import unicodedata

    doc = tree(page(visitor, published.public_url(make_photo(), "en")))
    names = doc.xpath("//details[@class='languages']//a/text()")
    assert "Tiếng Việt" in [unicodedata.normalize("NFC", n) for n in names]
    assert all(unicodedata.is_normalized("NFC", name) for name in names)
    response = visitor.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
