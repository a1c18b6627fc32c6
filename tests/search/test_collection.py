"""search.collection: a public search whose every word is carried by every public
asset (the province's name) takes the collection's counts, known once per version of
the index, and they are the counts a full count gives, through every change."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from search import collection
from search.query import (
    DatabaseEngine,
    PostgreSQLEngine,
    database,
    parse,
    public_database_search,
    search_assets,
)
from tests.factories import index_entry

pytestmark = pytest.mark.django_db

YEARS = (2019, 2020, 2020, 2021, 2021, 2021)


def in_the_city(pk, title, **fields):
    """An entry placed in the city: "Thành phố Cần Thơ" is among its words."""
    return index_entry(pk, titles={"vi": title}, place_names=["Thành phố Cần Thơ"], **fields)


@pytest.fixture
def province():
    """Six public entries that all say "Thành phố Cần Thơ", with different facets;
    an entry that is not public says it too, and must count nowhere."""
    for i, year in enumerate(YEARS):
        in_the_city(
            100 + i,
            f"Sông Hậu {i}" if i % 2 else f"Chợ nổi {i}",
            date=datetime.date(year, 5, 1),
            place_id=7 + i % 2,
            licence_id=1 + i % 3,
            topic_ids=[3] if i % 2 else [3, 4],
            languages=["vi", "en"] if i % 3 == 0 else ["vi"],
        )
    in_the_city(199, "Bản nháp", public=False, date=datetime.date(2018, 1, 1), place_id=9)


def counted(query_text, **kwargs):
    """The total and facets a full count gives, whatever is known of the collection."""
    _ranked, total, counts = database.run(parse(query_text, kwargs, "relevance", 1, 24, "vi", None))
    counts.pop("until", None)
    return total, counts


def public(query_text):
    """(total, counts) of the public search, as the site gets them (cached, or the
    collection's, or counted)."""
    _ranked, total, counts = public_database_search(
        parse(query_text, {}, "relevance", 1, 24, "vi", None)
    )
    return total, counts


def test_the_words_every_public_entry_carries_are_known(province):
    collection.know()
    universal = collection.universal_terms()
    assert {"thanh", "pho", "can", "tho"} <= universal
    # Each entry's own words, and the draft's, are not everyone's.
    assert not {"song", "hau", "cho", "noi", "ban", "nhap"} & universal
    assert collection.is_collection(parse("CẦN THƠ", {}, "relevance", 1, 24, "vi", None))
    assert collection.is_collection(parse("thanh pho can tho", {}, "relevance", 1, 24, "vi", None))
    for text, filters in (("song hau can tho", {}), ("can tho", {"year": 2021}), ("", {})):
        assert not collection.is_collection(parse(text, filters, "relevance", 1, 24, "vi", None))


def test_the_provinces_name_takes_the_collections_counts_without_counting(province, monkeypatch):
    total, counts = counted("can tho")
    assert total == 6
    assert counts["year"] == {"2019": 1, "2020": 2, "2021": 3}
    assert counts["topic"] == {"3": 6, "4": 3}
    collection.know()

    def no_counting(*args, **kwargs):
        raise AssertionError("the collection's counts are known: nothing to count")

    monkeypatch.setattr(DatabaseEngine, "facet_counts", no_counting)
    monkeypatch.setattr(PostgreSQLEngine, "facet_counts", no_counting)
    for text in ("Cần Thơ", "can tho", "thành phố cần thơ"):
        with CaptureQueriesContext(connection) as queries:
            assert public(text) == (total, counts)
        # The page of hits, nothing else.
        assert len(queries) == 1
    assert search_assets("Cần Thơ").total == 6


def test_a_new_public_asset_without_the_word_makes_it_no_longer_universal(province):
    collection.know()
    before = collection.version()
    # Written as the worker writes it: a new version once committed (inline in tests),
    # and the worker knows the collection again (the tasks run inline in tests).
    index_entry(150, titles={"vi": "Cánh đồng lúa"}, place_names=["Hậu Giang"], place_id=11)
    assert collection.version() != before
    universal = collection.universal_terms()
    assert universal is not None and not {"can", "tho"} & universal
    assert public("can tho") == counted("can tho")
    assert public("can tho")[0] == 6
    # The collection now counts seven; "cánh đồng" finds one.
    assert search_assets("canh dong").total == 1
    assert collection.counts()[0] == 7


def test_withdrawing_an_asset_counts_it_nowhere(province):
    collection.know()
    assert search_assets("can tho").total == 6
    # The worker rewrites a withdrawn asset's entry as not public.
    in_the_city(100, "Chợ nổi 0", public=False, date=datetime.date(2019, 5, 1))
    total, counts = public("can tho")
    assert total == 5
    assert counts["year"] == {"2020": 2, "2021": 3}
    assert (total, counts) == counted("can tho")


def test_the_collections_counts_end_when_its_first_asset_expires(province, monkeypatch):
    soon = timezone.now() + datetime.timedelta(hours=1)
    in_the_city(160, "Đêm hội", date=datetime.date(2022, 1, 1), expire_at=soon)
    collection.know()
    assert search_assets("can tho").total == 7
    assert collection.counts()[2] == soon
    # Expiry without an event: the scheduler has not rewritten the entry yet.
    later = soon + datetime.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert collection.counts() is None
    # Still every public entry's word (the expired one left both sides alike).
    assert collection.is_collection(parse("can tho", {}, "relevance", 1, 24, "vi", None))
    total, counts = public("can tho")
    assert total == 6
    assert "2022" not in counts["year"]
    assert (total, counts) == counted("can tho")
    # Counted once more, and kept for the next search of the whole collection.
    assert collection.counts()[0] == 6


def test_entries_removed_behind_the_index_are_counted_again(province):
    from search.models import SearchEntry

    collection.know()
    SearchEntry.objects.filter(asset_id__in=[100, 101, 102]).delete()
    total, counts = public("can tho")
    assert total == 3
    assert (total, counts) == counted("can tho")


def test_nothing_is_known_before_the_worker_has_run(province, monkeypatch):
    """Between a write and the worker's run, searches count as before."""
    monkeypatch.setattr(collection, "ask_worker", lambda: None)
    assert collection.universal_terms() is not None
    collection.changed()
    assert collection.universal_terms() is None
    assert collection.counts() is None
    assert not collection.is_collection(parse("can tho", {}, "relevance", 1, 24, "vi", None))
    assert public("can tho") == counted("can tho")
    # The whole-collection search was not known as one: nothing kept for it.
    assert collection.counts() is None


def test_words_the_newest_entries_share_are_proved_on_every_entry(province, monkeypatch):
    """Candidates come from the newest entries only; a word they share that older
    entries lack is not universal, and does not hide the ones that are."""
    newest = timezone.now() + datetime.timedelta(days=1)
    for pk in (170, 171):
        in_the_city(pk, "Mùa nước nổi", published_at=newest + datetime.timedelta(minutes=pk))
    monkeypatch.setattr(collection, "SAMPLE", 2)
    assert {"mua", "nuoc", "noi", "can", "tho"} <= collection.shared_words()
    collection.changed()
    universal = collection.universal_terms()
    assert {"thanh", "pho", "can", "tho"} <= universal
    assert not {"mua", "nuoc", "noi"} & universal


class FakeTask:
    """A tasks backend that waits: what was enqueued, and for when."""

    def __init__(self):
        self.enqueued, self.run_after = [], None

    def get_backend(self):
        return type("Backend", (), {"supports_defer": True})()

    def using(self, run_after=None):
        self.run_after = run_after
        return self

    def enqueue(self):
        self.enqueued.append(self.run_after)


def test_a_burst_of_writes_asks_the_worker_once(province, monkeypatch):
    from search import tasks

    fake = FakeTask()
    monkeypatch.setattr(tasks, "know_collection", fake)
    versions = set()
    for _ in range(5):
        collection.changed()
        versions.add(collection.version())
    assert len(versions) == 5
    assert len(fake.enqueued) == 1
    assert fake.enqueued[0] >= timezone.now() + collection.DELAY - datetime.timedelta(seconds=5)
    # The run reads the newest version; a write after it has started asks again.
    collection.know()
    assert collection.universal_terms() is not None
    collection.changed()
    assert len(fake.enqueued) == 2
