"""The public search page: wiring of search_assets, facets as links, sort, pages,
and errors in the visitor's language."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import html

from assets.models import Topic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.SEN_PAGE_CACHE_SECONDS = 0


def get(visitor, url, status=200):
    response = visitor.get(url)
    assert response.status_code == status, response.content[:500]
    return html.fromstring(response.content.decode())


def card_titles(doc):
    return doc.xpath("//span[contains(@class,'card__title')]/text()")


def test_results_of_every_kind_ranked_with_facet_links(visitor, make_photo, publish):
    topic = Topic.objects.create(name_vi="Sông nước", name="Sông nước", slug="song-nuoc-x")
    first = make_photo(live=False, title_vi="Chợ nổi Cái Răng")
    first.topics.set([topic])
    first.save()
    publish(first)
    make_photo(title_vi="Ghe chở trái cây", description_vi="Đi chợ nổi sớm")
    make_photo(live=False, title_vi="Chợ nổi nháp")
    doc = get(visitor, "/vi/search/?q=cho+noi")
    assert card_titles(doc) == ["Chợ nổi Cái Răng", "Ghe chở trái cây"]
    assert doc.xpath("string(//p[@class='result-count'])").strip() == "2 kết quả"
    topic_link = doc.xpath(f"//nav[@class='facets']//a[contains(., '{topic.name_vi}')]")[0]
    assert "(1)" in topic_link.text_content()
    narrowed = get(visitor, "/vi/search/" + topic_link.get("href"))
    assert card_titles(narrowed) == ["Chợ nổi Cái Răng"]
    # The chosen value is marked and its link removes the filter.
    chosen = narrowed.xpath("//nav[@class='facets']//a[@aria-current='true']")
    assert [a.text_content().split(" (")[0] for a in chosen] == ["Sông nước"]
    assert card_titles(get(visitor, "/vi/search/" + chosen[0].get("href"))) == [
        "Chợ nổi Cái Răng",
        "Ghe chở trái cây",
    ]


def test_sort_by_date_and_pages(visitor, make_photo, settings):
    import datetime

    from cms import published

    for year in (2001, 2003, 2002):
        make_photo(title_vi=f"Cầu {year}", date=datetime.date(year, 1, 1))
    doc = get(visitor, "/vi/search/?q=cau&sort=date")
    assert card_titles(doc) == ["Cầu 2003", "Cầu 2002", "Cầu 2001"]
    published.PAGE_SIZE, size = 2, published.PAGE_SIZE
    try:
        second = get(visitor, "/vi/search/?q=cau&sort=date&page=2")
        assert card_titles(second) == ["Cầu 2001"]
        # Past the last page: the last page.
        assert card_titles(get(visitor, "/vi/search/?q=cau&sort=date&page=9")) == ["Cầu 2001"]
    finally:
        published.PAGE_SIZE = size


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/vi/search/?q=" + "a" * 201, "tối đa 200 ký tự"),
        ("/vi/search/?q=" + "+".join(["từ"] * 30), "quá nhiều từ"),
        ("/vi/search/?q=x&year=abc", "Nhập một số nguyên"),
        ("/vi/search/?q=x&sort=random", "Hãy chọn một lựa chọn hợp lệ"),
        ("/vi/search/?q=x&page=0", "lớn hơn hoặc bằng 1"),
    ],
)
def test_bad_input_is_a_400_in_the_visitors_language(visitor, url, message):
    doc = get(visitor, url, 400)
    assert message in doc.xpath("string(//form[@role='search']//p[@role='alert'])")


def test_odd_unicode_is_not_an_error(visitor, make_photo):
    make_photo(title_vi="Ảnh")
    for q in ("%F0%9F%98%80", "%22%27%7B%7D%3A*", "%ED%A0%80", "%E2%80%8B", "-cau+OR+*"):
        get(visitor, f"/vi/search/?q={q}")
    # A NUL character is refused by the form (Django's validator), in Vietnamese.
    doc = get(visitor, "/vi/search/?q=a%00b", 400)
    assert doc.xpath("string(//form[@role='search']//p[@role='alert'])").strip()


def test_japanese_visitor_finds_a_japanese_title(visitor, make_photo):
    make_photo(title_vi="Chợ nổi", title_ja="カントーの水上マーケット")
    assert card_titles(get(visitor, "/ja/search/?q=%E3%82%AB%E3%83%B3%E3%83%88%E3%83%BC")) == [
        "カントーの水上マーケット"
    ]


def test_the_page_costs_the_same_queries_with_more_results(visitor, make_photo):
    from cms.cache import purge

    def count():
        purge()  # cold: the search's total and facets are counted, not cached
        with CaptureQueriesContext(connection) as queries:
            get(visitor, "/vi/search/?q=anh")
        return len(queries)

    make_photo(title_vi="Ảnh 1")
    get(visitor, "/vi/search/?q=anh")  # per-process caches (site, settings) warm
    few = count()
    for i in range(4):
        make_photo(title_vi=f"Ảnh {i + 2}")
    assert count() == few
