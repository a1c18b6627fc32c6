"""The Elasticsearch index without a server: the mapping and analysers Sen asks for,
the query it sends, what a task writes or deletes, the rebuild's alias swap and the
readiness check. tests/search/test_elasticsearch_integration.py runs the behaviour
against a real cluster where ELASTICSEARCH_URL is set."""

import datetime

import pytest

from search import elasticsearch
from search.index import IndexedAsset
from search.query import parse


def settings_and_mappings():
    body = elasticsearch.index_body("sen_assets-test").to_dict()
    return body["settings"], body["mappings"]


def test_analysers_per_language():
    settings, mappings = settings_and_mappings()
    analysers = settings["analysis"]["analyzer"]
    assert analysers["sen_folded"] == {
        "type": "custom",
        "tokenizer": "icu_tokenizer",
        "filter": ["icu_folding"],
    }
    assert analysers["sen_exact"]["filter"] == ["icu_normalizer"]
    assert analysers["sen_cjk"]["filter"] == ["cjk_width", "lowercase", "cjk_bigram"]
    fields = mappings["properties"]
    # Vietnamese: exact (marks kept) with a folded sub-field.
    assert fields["title_vi"]["analyzer"] == "sen_exact"
    assert fields["title_vi"]["fields"]["folded"]["analyzer"] == "sen_folded"
    # CJK: bigrams; French and English: their stemmers, and folded.
    for code in ("zh_hans", "ja", "ko"):
        assert fields[f"title_{code}"]["analyzer"] == "sen_cjk"
    assert fields["description_fr"]["analyzer"] == "french"
    assert fields["alt_text_en"]["analyzer"] == "english"
    assert fields["alt_text_en"]["fields"]["folded"]["analyzer"] == "sen_folded"
    assert mappings["dynamic"] == "strict"
    for name in ("kind", "topic", "place", "organisation", "licence", "language"):
        assert fields[name] == {"type": "keyword"}
    assert fields["expire_at"] == {"type": "date"}
    assert fields["all_folded"]["analyzer"] == "sen_folded"
    assert "all_folded" in fields["full_text"]["copy_to"]


def test_query_requires_every_word_filters_public_and_asks_for_facets():
    now = datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)
    query = parse("Cần Thơ", {"topic": 3, "type": "photos"}, "relevance", 2, 24, "vi", None)
    body = elasticsearch.build_search(query, now=now).to_dict()
    boolean = body["query"]["bool"]
    assert boolean["must"] == [
        {
            "bool": {
                "should": [
                    {"match": {"all_folded": {"query": "Cần Thơ", "operator": "and"}}},
                    {"match": {"all_cjk": {"query": "Cần Thơ", "operator": "and"}}},
                ],
                "minimum_should_match": 1,
            }
        }
    ]
    exact, folded = boolean["should"]
    assert exact["multi_match"]["boost"] == 10 and "title_vi^3" in exact["multi_match"]["fields"]
    assert "title_vi.folded^3" in folded["multi_match"]["fields"]
    assert {"terms": {"kind": ["photos"]}} in boolean["filter"]
    assert {"term": {"topic": "3"}} in boolean["filter"]
    assert {
        "bool": {
            "should": [
                {"bool": {"must_not": [{"exists": {"field": "expire_at"}}]}},
                {"range": {"expire_at": {"gt": "2026-05-01T00:00:00+00:00"}}},
            ],
            "minimum_should_match": 1,
        }
    } in boolean["filter"]
    assert set(body["aggs"]) == {
        "type",
        "topic",
        "place",
        "year",
        "organisation",
        "licence",
        "language",
    }
    assert body["aggs"]["type"] == {"terms": {"field": "kind", "size": 100}}
    assert (body["from"], body["size"]) == (24, 24)
    assert body["sort"][0] == "_score"


def test_prefix_makes_the_last_word_a_prefix_query():
    query = parse("can th", None, "relevance", 1, 24, "vi", None, prefix=True)
    boolean = elasticsearch.build_search(query).to_dict()["query"]["bool"]
    assert boolean["must"][0]["bool"]["should"] == [
        {"match_bool_prefix": {"all_folded": {"query": "can th", "operator": "and"}}},
        {"match_bool_prefix": {"all_cjk": {"query": "can th", "operator": "and"}}},
    ]
    exact, folded = boolean["should"]
    assert exact["multi_match"]["type"] == folded["multi_match"]["type"] == "bool_prefix"
    assert exact["multi_match"]["boost"] == 10
    # Without it (the public search), whole words.
    whole = elasticsearch.build_search(parse("can th", None, "relevance", 1, 24, "vi", None))
    assert "bool_prefix" not in str(whole.to_dict())


def test_sort_by_date():
    query = parse("", None, "date", 1, 10, "vi", None)
    body = elasticsearch.build_search(query).to_dict()
    assert body["sort"][0] == {"date": {"order": "desc", "missing": "_last"}}
    assert "must" not in body["query"]["bool"]


class RecordingClient:
    """Records what Sen asks of Elasticsearch (no server here)."""

    def __init__(self, aliases=None, mapping=None):
        self.calls = []
        self.aliases = aliases or {}
        self.mapping = mapping
        self.indices = self

    def __getattr__(self, name):
        def call(**kwargs):
            self.calls.append((name, kwargs))
            if name == "exists_alias":
                return bool(self.aliases)
            if name == "get_alias":
                return self.aliases
            if name == "get_mapping":
                return self.mapping
            return {}

        return call


def item(public=True):
    return IndexedAsset(
        kind="photos",
        asset_id=7,
        public=public,
        expire_at=None,
        published_at=None,
        date=datetime.date(2024, 2, 1),
        organisation_id=1,
        licence_id=2,
        place_id=None,
        titles={"vi": "Cần Thơ", "ja": "カントー"},
        topic_ids=[3],
        languages=["vi", "ja"],
    )


def test_a_public_asset_is_indexed_and_a_non_public_one_deleted(settings):
    settings.SEN_ELASTICSEARCH_INDEX_PREFIX = "sen_"
    es = RecordingClient()
    elasticsearch.update("photos", 7, item(), es=es)
    ((name, kwargs),) = es.calls
    assert name == "index" and kwargs["index"] == "sen_assets" and kwargs["id"] == "photos-7"
    assert kwargs["document"]["title_vi"] == "Cần Thơ"
    assert kwargs["document"]["title_ja"] == "カントー"
    assert kwargs["document"]["topic"] == ["3"] and kwargs["document"]["year"] == 2024
    for gone in (item(public=False), None):
        es = RecordingClient()
        elasticsearch.update("photos", 7, gone, es=es)
        assert es.calls == [
            ("delete", {"index": "sen_assets", "id": "photos-7", "ignore_status": 404})
        ]


def test_readiness_reports_a_mapping_mismatch(settings):
    expected = elasticsearch.index_body().to_dict()["mappings"]
    ready = RecordingClient(
        aliases={"sen_assets-1": {}}, mapping={"sen_assets-1": {"mappings": expected}}
    )
    assert elasticsearch.check(es=ready) == []
    changed = {**expected, "properties": dict(expected["properties"])}
    changed["properties"]["title_vi"] = {"type": "text", "analyzer": "standard"}
    del changed["properties"]["year"]
    changed["properties"]["colour"] = {"type": "keyword"}
    stale = RecordingClient(
        aliases={"sen_assets-1": {}}, mapping={"sen_assets-1": {"mappings": changed}}
    )
    problems = elasticsearch.check(es=stale)
    assert (
        "sen_assets-1: properties.title_vi.analyzer: 'standard' instead of 'sen_exact'" in problems
    )
    assert "sen_assets-1: properties.year: missing" in problems
    assert "sen_assets-1: properties.colour: not in Sen's mapping" in problems
    assert elasticsearch.check(es=RecordingClient()) == [
        "sen_assets: no such alias (run manage.py search_rebuild)"
    ]


@pytest.mark.django_db
def test_rebuild_loads_a_new_index_then_swaps_the_alias_at_once(make_photo, monkeypatch):
    make_photo(title_vi="Công khai")
    make_photo(live=False, title_vi="Nháp")
    loaded = []

    def bulk(es, actions, chunk_size):
        loaded.extend(actions)
        return len(loaded), []

    monkeypatch.setattr("elasticsearch.helpers.bulk", bulk)
    monkeypatch.setattr(elasticsearch.Index, "create", lambda self, using: None)
    es = RecordingClient(aliases={"sen_assets-old": {}})
    new, count = elasticsearch.rebuild(es=es)
    assert new.startswith("sen_assets-") and count == 1
    assert [doc["_source"]["title_vi"] for doc in loaded] == ["Công khai"]
    assert (
        "update_aliases",
        {
            "actions": [
                {"remove": {"index": "sen_assets-old", "alias": "sen_assets"}},
                {"add": {"index": new, "alias": "sen_assets"}},
            ]
        },
    ) in es.calls
    names = [name for name, _kwargs in es.calls]
    assert names.index("update_aliases") < names.index("delete")
