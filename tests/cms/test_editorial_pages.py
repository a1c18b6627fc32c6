"""The managing department's pages: sections (press room, clarifying information),
articles (press releases, about, contacts) and albums of published assets."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from lxml import html

from cms.models import AlbumItem, AlbumPage, ArticleKind, ArticlePage, HomePage, SectionPage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.SEN_PAGE_CACHE_SECONDS = 0


def add(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def home():
    return HomePage.objects.get()


def doc(visitor, url, status=200):
    response = visitor.get(url)
    assert response.status_code == status, url
    return html.fromstring(response.content)


def test_press_room_lists_its_press_releases_newest_first(visitor, home):
    room = add(
        home,
        SectionPage(
            title="Phòng báo chí",
            title_vi="Phòng báo chí",
            title_en="Press room",
            slug="phong-bao-chi",
            slug_en="press-room",
            show_in_menus=True,
        ),
    )
    for day, title in ((1, "Thông cáo cũ"), (5, "Thông cáo mới")):
        add(
            room,
            ArticlePage(
                title=title,
                title_vi=title,
                slug=f"tc-{day}",
                kind=ArticleKind.PRESS_RELEASE,
                date=datetime.date(2026, 11, day),
                introduction_vi="Tóm tắt.",
            ),
        )
    page = doc(visitor, "/vi/phong-bao-chi/")
    assert page.xpath("//ul[@class='article-list']//h2/a/text()") == [
        "Thông cáo mới",
        "Thông cáo cũ",
    ]
    # In the main navigation, in each language.
    assert "Phòng báo chí" in page.xpath("//nav[@class='site-nav']//a/text()")
    en = doc(visitor, "/en/press-room/")
    assert "Press room" in en.xpath("//nav[@class='site-nav']//a/text()")
    # hreflang follows each language's own slug.
    alternates = dict(
        zip(
            en.xpath("//link[@hreflang]/@hreflang"),
            en.xpath("//link[@hreflang]/@href"),
            strict=True,
        )
    )
    assert alternates["vi"] == "http://testserver/vi/phong-bao-chi/"
    assert alternates["en"] == "http://testserver/en/press-room/"

    article = doc(visitor, "/vi/phong-bao-chi/tc-5/")
    assert article.xpath("string(//h1)") == "Thông cáo mới"
    assert '"NewsArticle"' in html.tostring(article).decode()


def test_an_album_shows_its_public_assets_in_order(visitor, home, make_photo):
    first = make_photo(title_vi="Ảnh đầu")
    hidden = make_photo(live=False, title_vi="Ảnh nháp")
    last = make_photo(title_vi="Ảnh cuối")
    album = AlbumPage(
        title="Mùa nước nổi", title_vi="Mùa nước nổi", slug="mua-nuoc-noi", featured=True
    )
    album.items = [AlbumItem(photo=last), AlbumItem(photo=hidden), AlbumItem(photo=first)]
    add(home, album)
    page = doc(visitor, "/vi/mua-nuoc-noi/")
    titles = page.xpath("//span[contains(@class,'card__title')]/text()")
    assert titles == ["Ảnh cuối", "Ảnh đầu"]
    assert "Mùa nước nổi" in doc(visitor, "/vi/").xpath(
        "//section[@aria-labelledby='albums']//a/text()"
    )


def test_an_album_item_is_exactly_one_asset(make_photo):
    with pytest.raises(ValidationError):
        AlbumItem().clean()
    photo = make_photo()
    AlbumItem(photo=photo).clean()


def test_album_query_count_does_not_grow_with_its_items(visitor, home, make_photo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    album = add(home, AlbumPage(title="Album", title_vi="Album", slug="album"))

    def queries():
        visitor.get("/vi/album/")
        with CaptureQueriesContext(connection) as captured:
            assert visitor.get("/vi/album/").status_code == 200
        return len(captured)

    album.items = [AlbumItem(photo=make_photo())]
    album.save_revision().publish()
    one = queries()
    album.items = [AlbumItem(photo=make_photo()) for _ in range(5)]
    album.save_revision().publish()
    assert queries() == one
