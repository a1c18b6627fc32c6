"""search.query.search_assets on the database index (SQLite, and PostgreSQL when the
suite runs with DATABASE_URL): which assets come back, in what order, with which
facet counts, and never a non-public one."""

import datetime
import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assets.models import Licence, Organisation, Photo, Place, Topic
from search.models import SearchEntry, ZeroResultQuery
from search.query import SearchError, parse, ranked_ids, search_assets
from tests.factories import contributor, index_entry, make_organisation

pytestmark = pytest.mark.django_db


def titles(results):
    return [asset.title_vi for asset in results.hits]


@pytest.fixture
def library(make_photo):
    """Assets named for what each query must (and must not) find."""
    return {
        "market": make_photo(
            title_vi="Chợ nổi Cái Răng",
            title_en="Cai Rang floating market",
            title_ja="カイラン水上マーケット",
        ),
        "wharf": make_photo(
            title_vi="Bến Ninh Kiều ở Cần Thơ", title_ja="カントーのニンキエウ埠頭"
        ),
        "night": make_photo(title_vi="Thành phố về đêm", title_en="Can Tho at night"),
        # "cân" folds to "can" but there is no "tho": never a match for "can tho".
        "scales": make_photo(title_vi="Cân đo nông sản"),
        "temple": make_photo(title_vi="Đình Bình Thủy", description_vi="Ngôi đình cổ"),
        # "chợ nổi" only in the description: after the title matches.
        "festival": make_photo(title_vi="Lễ hội sông nước", description_vi="Ghe ra chợ nổi"),
        "zh": make_photo(title_vi="Chợ trên sông", title_zh_hans="芹苴水上市场"),
        "hidden": make_photo(live=False, title_vi="Cần Thơ chợ nổi nháp"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Exact diacritics first, then the folded matches.
        ("Cần Thơ", ["Bến Ninh Kiều ở Cần Thơ", "Thành phố về đêm"]),
        ("CẦN THƠ", ["Bến Ninh Kiều ở Cần Thơ", "Thành phố về đêm"]),
        ("cần  thơ!", ["Bến Ninh Kiều ở Cần Thơ", "Thành phố về đêm"]),
        # Typed without marks: "Can Tho" as written (English) first.
        ("can tho", ["Thành phố về đêm", "Bến Ninh Kiều ở Cần Thơ"]),
        # Decomposed (NFD) input is the same query.
        (unicodedata.normalize("NFD", "Cần Thơ"), ["Bến Ninh Kiều ở Cần Thơ", "Thành phố về đêm"]),
        # Title before description.
        ("chợ nổi", ["Chợ nổi Cái Răng", "Lễ hội sông nước"]),
        ("cho noi", ["Chợ nổi Cái Răng", "Lễ hội sông nước"]),
        # đ/Đ <-> d.
        ("dinh binh thuy", ["Đình Bình Thủy"]),
        ("ĐÌNH", ["Đình Bình Thủy"]),
        ("floating market", ["Chợ nổi Cái Răng"]),
        ("Floating", ["Chợ nổi Cái Răng"]),
        # Japanese and Chinese inside longer titles.
        ("カントー", ["Bến Ninh Kiều ở Cần Thơ"]),
        ("マーケット", ["Chợ nổi Cái Răng"]),
        ("水上市场", ["Chợ trên sông"]),
        ("水上", ["Chợ trên sông", "Chợ nổi Cái Răng"]),
        # Marks NFC cannot compose are part of the word, and fold away.
        ("ca\u0300\u0302n tho", ["Thành phố về đêm", "Bến Ninh Kiều ở Cần Thơ"]),
        ("nowhere", []),
        ("", []),
    ],
)
def test_folded_and_exact_queries_in_vi_en_and_cjk(library, query, expected):
    results = search_assets(query)
    if query == "":
        # No words: everything public, newest first (browsing with facets).
        assert results.total == 7
        return
    if query == "水上":
        # Equal relevance: the newest first.
        assert titles(results) == expected
        return
    assert titles(results) == expected
    assert results.total == len(expected)


def test_a_draft_is_never_found_but_by_the_admin(library, reviewer):
    assert "Cần Thơ chợ nổi nháp" not in titles(search_assets("nhap"))
    assert titles(search_assets("nhap", user=reviewer)) == ["Cần Thơ chợ nổi nháp"]


def test_sort_by_date_and_paging(make_photo):
    for year in (2001, 2010, 2005):
        make_photo(title_vi=f"Sông nước {year}", date=datetime.date(year, 1, 1))
    results = search_assets("song nuoc", sort="date", page_size=2)
    assert titles(results) == ["Sông nước 2010", "Sông nước 2005"]
    assert (results.total, results.num_pages) == (3, 2)
    assert titles(search_assets("song nuoc", sort="date", page=2, page_size=2)) == [
        "Sông nước 2001"
    ]


def test_fields_searched_besides_titles(make_photo, publish):
    old = Place.objects.create(name_vi="Quận Bình Thủy", name="Quận Bình Thủy", kind="district")
    ward = Place.objects.create(name_vi="Phường Long Tuyền", name="Phường Long Tuyền", kind="ward")
    Place.objects.filter(pk=old.pk).update(replaced_by=ward)
    topic = Topic.objects.create(name_vi="Ẩm thực", name="Ẩm thực", slug="am-thuc-test")
    photo = make_photo(
        live=False,
        title_vi="Một bức ảnh",
        alt_text_en="A boat full of pineapples",
        credit_line="Ảnh: Trần Văn Bảy",
        place=ward,
    )
    photo.topics.set([topic])
    photo.keywords.add("khóm")
    photo.save()
    publish(photo)
    organisation = photo.organisation
    for query in (
        "pineapples",  # alt text in English
        "tran van bay",  # credit
        "khom",  # keyword
        "am thuc",  # topic
        "Long Tuyền",  # place
        "quan binh thuy",  # the place's former name (before the merger)
        "so van hoa",  # organisation
        "department of culture",  # organisation, in English
    ):
        assert titles(search_assets(query)) == ["Một bức ảnh"], query
    assert organisation.name_vi == "Sở Văn hoá"


def test_full_text_of_pdf_editions_is_searched(make_photo):
    """The PDF text (stored on the document by the ingest worker) is indexed."""
    from tests.factories import PhotoFactory  # noqa: F401 - the publication below

    index_entry(
        999,
        kind="publications",
        titles={"vi": "Cẩm nang du lịch"},
        full_text=["Trang 12: vườn cây ăn trái Phong Điền"],
    )
    ranked = search_assets("vuon cay phong dien", querysets={"publications": _all_ids})
    assert ranked.total == 1


def _all_ids():
    from assets.models import Publication

    return Publication.objects.all()


# --- Facets ----------------------------------------------------------------------------


@pytest.fixture
def faceted(make_photo, publish):
    other = make_organisation("Phường Cái Khế", en="Cai Khe ward")
    places = [Place.objects.create(name=n, name_vi=n, kind="ward") for n in ("An Bình", "An Hòa")]
    topics = [
        Topic.objects.create(name=n, name_vi=n, slug=f"t-{i}")
        for i, n in enumerate(("Du lịch", "Văn hoá", "Kinh tế"))
    ]
    licences = list(Licence.objects.order_by("pk")[:2])
    made = []
    for i in range(9):
        fields = {"organisation": other} if i % 3 == 0 else {}
        photo = make_photo(
            live=False,
            title_vi=f"Sông Hậu {i}" if i % 4 else f"Cánh đồng {i}",
            title_en=f"Hau river {i}" if i % 2 else "",
            place=places[i % 2] if i % 5 else None,
            date=datetime.date(2020 + i % 3, 5, 1),
            licence=licences[i % len(licences)],
            **fields,
        )
        photo.topics.set(topics[: 1 + i % 3])
        photo.save()
        made.append(publish(photo))
    make_photo(live=False, title_vi="Sông Hậu nháp", place=places[0])
    return made


def independent_counts(photos):
    """The facet counts of these photos, from the database, without search."""
    from collections import Counter

    rows = Photo.objects.public().filter(pk__in=[p.pk for p in photos])
    counts = {
        "type": Counter({"photos": rows.count()}),
        "year": Counter(str(d.year) for d in rows.values_list("date", flat=True) if d),
        "place": Counter(str(p) for p in rows.values_list("place_id", flat=True) if p),
        "organisation": Counter(str(o) for o in rows.values_list("organisation_id", flat=True)),
        "licence": Counter(str(c) for c in rows.values_list("licence_id", flat=True)),
        "topic": Counter(
            str(t)
            for t in Photo.topics.through.objects.filter(photo__in=rows).values_list(
                "topic_id", flat=True
            )
        ),
        "language": Counter(),
    }
    for photo in rows:
        for code in ("vi", "en", "zh_hans", "ja", "ko", "fr"):
            if getattr(photo, f"title_{code}"):
                counts["language"][code.replace("_", "-")] += 1
    return {name: dict(counter) for name, counter in counts.items()}


def facet_counts(results):
    return {
        name: {value.value: value.count for value in values}
        for name, values in results.facets.items()
    }


def test_facet_counts_equal_counts_from_the_database(faceted):
    results = search_assets("song hau")
    matching = [p for p in faceted if p.title_vi.startswith("Sông Hậu")]
    assert results.total == len(matching) == 6
    assert facet_counts(results) == independent_counts(matching)


def test_facet_filters_narrow_and_count_again(faceted):
    topic = Topic.objects.get(slug="t-1")
    year = 2021
    results = search_assets("song hau", filters={"topic": topic.pk, "year": year})
    matching = [
        p
        for p in faceted
        if p.title_vi.startswith("Sông Hậu") and p.date.year == year and topic in p.topics.all()
    ]
    assert {a.pk for a in results.hits} == {p.pk for p in matching}
    assert facet_counts(results) == independent_counts(matching)
    language = search_assets("", filters={"language": "en"})
    assert language.total == sum(1 for p in faceted if p.title_en)


def test_a_search_costs_the_same_number_of_queries_whatever_the_results(faceted, make_photo):
    from cms.cache import purge

    def count(page=1):
        with CaptureQueriesContext(connection) as queries:
            search_assets("song hau", page=page, page_size=2)
        return len(queries)

    search_assets("song hau")  # facet labels cached (search.query.labels)
    purge()
    # Hits; total and facet counts (on PostgreSQL between SET and RESET of the
    # planner's enable_seqscan: PostgreSQLEngine.facet_counts); the page's photos.
    cold = 3 if connection.vendor == "sqlite" else 5
    assert count() == cold
    # The next page, or the same again: total and counts come from the cache.
    assert count(page=2) == 2
    for i in range(5):
        make_photo(title_vi=f"Sông Hậu thêm {i}")  # each publication: a new generation
    assert count() == cold
    assert count(page=3) == 2


# --- Public only ---------------------------------------------------------------------


def make_state(state, make_photo, publish, reviewer):
    if state == "draft":
        return make_photo(live=False, title_vi="Ảnh bí mật")
    if state == "withdrawn":
        from review.operations import withdraw

        photo = make_photo(title_vi="Ảnh bí mật")
        withdraw(photo, user=reviewer, reason="sai thông tin")
        return photo
    if state == "expired":
        photo = make_photo(
            title_vi="Ảnh bí mật", expire_at=timezone.now() + datetime.timedelta(hours=1)
        )
        return photo
    if state == "scheduled":
        # Approved, to go live tomorrow (Wagtail keeps it in the revision until then).
        photo = make_photo(live=False, title_vi="Ảnh bí mật")
        photo.go_live_at = timezone.now() + datetime.timedelta(days=1)
        photo.save_revision(user=reviewer).publish(user=reviewer, skip_permission_checks=True)
        photo.refresh_from_db()
        assert not photo.live and photo.scheduled_revision
        return photo
    if state == "unpublished_changes":
        # Live as "Ảnh công khai"; the secret words are only in a draft revision.
        photo = make_photo(title_vi="Ảnh công khai")
        photo.title_vi = "Ảnh bí mật"
        photo.save_revision(user=reviewer)
        return photo
    raise AssertionError(state)


@pytest.mark.parametrize(
    "state", ["draft", "withdrawn", "expired", "scheduled", "unpublished_changes"]
)
def test_a_non_public_asset_never_appears_in_public_results(
    state, make_photo, publish, reviewer, monkeypatch
):
    make_photo(title_vi="Ảnh khác")
    photo = make_state(state, make_photo, publish, reviewer)
    if state == "expired":
        # Expiry without an event: the scheduler has not run yet.
        later = timezone.now() + datetime.timedelta(hours=2)
        monkeypatch.setattr(timezone, "now", lambda: later)
    results = search_assets("bi mat")
    assert photo not in results.hits
    assert results.total == 0
    assert all(v.count == 0 for values in results.facets.values() for v in values)
    assert search_assets("", filters={"type": "photos"}).total == 1 + (
        state == "unpublished_changes"
    )
    assert state != "unpublished_changes" or titles(search_assets("cong khai")) == ["Ảnh công khai"]


# --- Index upkeep, scope, input --------------------------------------------------------


def test_publish_withdraw_and_delete_update_the_index(make_photo, reviewer):
    from review.operations import withdraw

    photo = make_photo(title_vi="Cầu Cần Thơ")
    assert titles(search_assets("cau")) == ["Cầu Cần Thơ"]
    withdraw(photo, user=reviewer, reason="trùng")
    assert search_assets("cau").total == 0
    assert SearchEntry.objects.get(asset_id=photo.pk, kind="photos").public is False
    photo.delete()
    assert not SearchEntry.objects.filter(asset_id=photo.pk, kind="photos").exists()


def test_renaming_a_topic_reindexes_its_assets(make_photo, publish):
    topic = Topic.objects.create(name_vi="Lúa gạo", name="Lúa gạo", slug="lua-gao")
    photo = make_photo(live=False, title_vi="Mùa gặt")
    photo.topics.set([topic])
    photo.save()
    publish(photo)
    assert titles(search_assets("lua gao")) == ["Mùa gặt"]
    topic.name_vi = "Nông nghiệp"
    topic.save()
    assert titles(search_assets("nong nghiep")) == ["Mùa gặt"]
    assert search_assets("lua gao").total == 0


def test_admin_search_respects_the_permission_policy(make_photo, organisation):
    mine = make_organisation("Phường Ninh Kiều")
    editor = contributor(mine)
    make_photo(live=False, title_vi="Bến tàu của tôi", organisation=mine)
    make_photo(live=False, title_vi="Bến tàu của người khác", organisation=organisation)
    assert titles(search_assets("ben tau", user=editor)) == ["Bến tàu của tôi"]
    assert isinstance(Organisation.objects.get(pk=mine.pk), Organisation)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # The last word as the start of a word; the others whole.
        ("chợ n", ["Chợ nổi Cái Răng", "Lễ hội sông nước"]),
        ("cho n", ["Chợ nổi Cái Răng", "Lễ hội sông nước"]),
        # Folded: "can th" finds "Cần Thơ"; "Can Tho" as typed (English) first.
        ("can th", ["Thành phố về đêm", "Bến Ninh Kiều ở Cần Thơ"]),
        # The exact-diacritic tier still comes first.
        ("cần th", ["Bến Ninh Kiều ở Cần Thơ", "Thành phố về đêm"]),
        ("Đình B", ["Đình Bình Thủy"]),
        # Only the last word: "th" before "can" must be a whole word.
        ("th can", []),
        # A lone kana starts a bigram ("ニン" of "カントーのニンキエウ埠頭").
        ("ニ", ["Bến Ninh Kiều ở Cần Thơ"]),
    ],
)
def test_prefix_matches_the_last_word_as_it_is_typed(library, reviewer, query, expected):
    assert titles(search_assets(query, prefix=True)) == expected
    # The admin's ranked_ids the same, with the draft it may see.
    ranked = ranked_ids(query, user=reviewer, kinds=["photos"], prefix=True)
    found = [Photo.objects.get(pk=pk).title_vi for _kind, pk in ranked]
    assert [title for title in found if title != "Cần Thơ chợ nổi nháp"] == expected


def test_the_public_search_matches_whole_words_only(library):
    assert titles(search_assets("chợ n")) == []
    assert titles(search_assets("can th")) == []
    assert titles(search_assets("ニ")) == []


def test_prefix_query_syntax_of_each_database():
    from search.query import PostgreSQLEngine, SQLiteEngine

    assert SQLiteEngine.expression(["can", "th"], "a b", prefix=True) == (
        '{a b} : "can" AND {a b} : "th"*'
    )
    assert SQLiteEngine.expression(["can", "th"], "a b") == '{a b} : "can" AND {a b} : "th"'
    engine = PostgreSQLEngine()
    typed = parse("cần th", None, "relevance", 1, 24, "vi", None, prefix=True)
    assert engine.every("f", typed, typed.folded) == "'f.can' & 'f.th':*"
    assert engine.every("t", typed, typed.exact) == "'t.cần' & 't.th':*"
    whole = parse("cần th", None, "relevance", 1, 24, "vi", None)
    assert engine.every("f", whole, whole.folded) == "'f.can' & 'f.th'"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"query_text": "a" * 201}, "too_long"),
        ({"query_text": " ".join(["từ"] * 25)}, "too_many_terms"),
        ({"query_text": "x", "filters": {"colour": "red"}}, "filter"),
        ({"query_text": "x", "filters": {"year": "two thousand"}}, "filter"),
        ({"query_text": "x", "filters": {"type": "songs"}}, "filter"),
        ({"query_text": "x", "filters": {"language": "xx"}}, "filter"),
        ({"query_text": "x", "sort": "random"}, "sort"),
        ({"query_text": "x", "page": 0}, "page"),
        ({"query_text": "x", "page": "1e9"}, "page"),
    ],
)
def test_bad_input_is_a_clear_error(kwargs, code):
    with pytest.raises(SearchError) as error:
        search_assets(**kwargs)
    assert error.value.code == code
    assert str(error.value.message)


@pytest.mark.parametrize("odd", ["\x00", "'\"{}:*^-", "\ud800", "😀", "a\u200bb", "%_\\"])
def test_odd_unicode_and_syntax_characters_are_just_text(make_photo, odd):
    make_photo(title_vi="Ảnh")
    results = search_assets(odd)
    assert results.total in (0, 1)


def test_zero_result_queries_are_counted_per_language_without_personal_data(make_photo):
    search_assets("Xe đạp", language="vi")
    search_assets("xe dap", language="vi")
    search_assets("xe dap", language="en")
    search_assets("xe dap", user=None, page=1, language="vi", filters={"type": "videos"})
    rows = {(r.language, r.query): r.count for r in ZeroResultQuery.objects.all()}
    assert rows == {("vi", "xe dap"): 3, ("en", "xe dap"): 1}
    fields = {f.name for f in ZeroResultQuery._meta.get_fields()}
    assert fields == {"id", "language", "query", "day", "count"}


def test_cached_counts_never_outlive_the_first_matching_assets_expiry():
    """The total and facets are cached (search.query.public_database_search), but not
    past the moment the first matching asset expires: it leaves the counts then, even
    before the scheduler rewrites its entry."""
    import time

    from search.query import search_assets as search

    soon = timezone.now() + datetime.timedelta(seconds=1)
    for pk, expire_at in ((501, soon), (502, None)):
        index_entry(pk, expire_at=expire_at, titles={"vi": "Hoàng hôn trên sông"})
    assert search("hoang hon").total == 2
    assert search("hoang hon", page=2).total == 2  # from the cache
    time.sleep(max(0.0, (soon - timezone.now()).total_seconds()) + 0.05)
    assert search("hoang hon", page=2).total == 1
