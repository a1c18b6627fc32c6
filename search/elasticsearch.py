"""Sen's Elasticsearch index: public assets only, one analyser per language.

Configured by `ELASTICSEARCH_URL` alone (cms/settings.py). The index is Sen's own,
defined with `elasticsearch.dsl` (shipped inside the elasticsearch 9 client), not
Wagtail's modelsearch index: modelsearch maps every field with one analyser, where Sen
needs Vietnamese folded with ICU, Chinese, Japanese and Korean cut into bigrams and
French stemmed, and a document only for what the public may see.

* Analysers: `sen_exact` (ICU tokenizer, NFKC case folding: diacritics kept) and
  `sen_folded` (ICU tokenizer + `icu_folding`: "Cần Thơ" -> "can tho", đ -> d) need
  the **analysis-icu plugin** on every node (`bin/elasticsearch-plugin install
  analysis-icu`); `sen_cjk` (standard tokenizer, `cjk_width`, `cjk_bigram`) for zh,
  ja and ko; Elasticsearch's built-in `french` and `english` analysers.
* Every text field is copied into `all_folded` and `all_cjk`: a query matches when
  all its words are found, in any field, folded (or as CJK bigrams); the exact
  fields, boosted, put the matches with the typed diacritics first.
* Documents: public assets only (`update()` deletes the document of an asset that is
  not public); queries also filter `expire_at` with the time of the query, because
  expiry happens without an event until the scheduler unpublishes the asset.
* Rebuild (`manage.py search_rebuild`): a new concrete index named with the time,
  bulk-loaded, then the alias `<prefix>assets` is moved to it in one atomic
  `update_aliases` call and the old index deleted: searches never see a half index.
* Readiness (`manage.py search_check`): compares the live mapping with `index_body()`.
"""

import datetime

from django.conf import settings
from django.utils import timezone
from elasticsearch.dsl import (
    A,
    Date,
    Index,
    Integer,
    Keyword,
    Long,
    Mapping,
    Q,
    Search,
    Text,
    analyzer,
)

from .index import LANGUAGE_CODES, MODELS

EXACT = analyzer(
    "sen_exact", tokenizer="icu_tokenizer", filter=["icu_normalizer"]
)  # icu_normalizer defaults to nfkc_cf: NFKC and case folding, marks kept
FOLDED = analyzer("sen_folded", tokenizer="icu_tokenizer", filter=["icu_folding"])
CJK = analyzer("sen_cjk", tokenizer="standard", filter=["cjk_width", "lowercase", "cjk_bigram"])
LANGUAGE_ANALYSERS = {"fr": "french", "en": "english"}
CJK_LANGUAGES = {"zh-hans", "zh-hant", "zh", "ja", "ko"}
TRANSLATED = ("title", "description", "alt_text")
# Fields ranked like titles (what an asset *is*) and like bodies.
TITLE_FIELDS = ("title", "keywords", "places", "topics")
SHARED_TEXT = ("keywords", "places", "topics", "organisation_names", "credit", "full_text")
FACET_FIELDS = {
    "type": "kind",
    "topic": "topic",
    "place": "place",
    "year": "year",
    "organisation": "organisation",
    "licence": "licence",
    "language": "language",
}


def enabled():
    return bool(getattr(settings, "ELASTICSEARCH_URL", ""))


def alias_name():
    return settings.SEN_ELASTICSEARCH_INDEX_PREFIX + "assets"


def client():
    from elasticsearch import Elasticsearch

    return Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=10)


def field_name(name, code):
    return f"{name}_{code.replace('-', '_')}"


def language_field(code):
    """A field in one language: its language's analyser; a `folded` sub-field for the
    languages written with the Latin alphabet."""
    if code in CJK_LANGUAGES:
        return Text(analyzer=CJK, copy_to=["all_cjk"])
    return Text(
        analyzer=LANGUAGE_ANALYSERS.get(code, EXACT),
        fields={"folded": Text(analyzer=FOLDED)},
        copy_to=["all_folded", "all_cjk"],
    )


def mapping():
    m = Mapping()
    m.meta("dynamic", "strict")
    for name in TRANSLATED:
        for code in LANGUAGE_CODES:
            m.field(field_name(name, code), language_field(code))
    for name in SHARED_TEXT:
        m.field(
            name,
            Text(
                analyzer=EXACT,
                fields={"folded": Text(analyzer=FOLDED)},
                copy_to=["all_folded", "all_cjk"],
            ),
        )
    m.field("all_folded", Text(analyzer=FOLDED))
    m.field("all_cjk", Text(analyzer=CJK))
    for name in ("kind", "topic", "place", "organisation", "licence", "language"):
        m.field(name, Keyword())
    m.field("asset_id", Long())
    m.field("year", Integer())
    for name in ("date", "published_at", "expire_at"):
        m.field(name, Date())
    return m


def index_body(name=None):
    """The settings and mapping of Sen's index (what `search_check` expects)."""
    index = Index(name or alias_name())
    index.settings(number_of_shards=1, number_of_replicas=0)
    index.mapping(mapping())
    return index


def document_for(item):
    """The document of an IndexedAsset (search.index)."""
    doc = {
        "kind": item.kind,
        "asset_id": item.asset_id,
        "topic": [str(pk) for pk in item.topic_ids],
        "place": str(item.place_id) if item.place_id else None,
        "organisation": str(item.organisation_id) if item.organisation_id else None,
        "licence": str(item.licence_id) if item.licence_id else None,
        "language": item.languages,
        "year": item.year,
        "date": item.date.isoformat() if item.date else None,
        "published_at": item.published_at.isoformat() if item.published_at else None,
        "expire_at": item.expire_at.isoformat() if item.expire_at else None,
        "keywords": item.keywords,
        "places": item.place_names,
        "topics": item.topic_names,
        "organisation_names": item.organisation_names,
        "credit": item.credits,
        "full_text": item.full_text,
    }
    for name, values in (
        ("title", item.titles),
        ("description", item.descriptions),
        ("alt_text", item.alt_texts),
    ):
        for code, value in values.items():
            doc[field_name(name, code)] = value
    return doc


def document_id(kind, pk):
    return f"{kind}-{pk}"


# --- Queries -----------------------------------------------------------------------


def text_fields(exact=True):
    """Boosted fields: titles and names weigh 3, the rest 1."""
    fields = []
    for name in TRANSLATED:
        boost = 3 if name in TITLE_FIELDS else 1
        for code in LANGUAGE_CODES:
            base = field_name(name, code)
            if code in CJK_LANGUAGES:
                if exact:
                    fields.append(f"{base}^{boost}")
            else:
                fields.append(f"{base}^{boost}" if exact else f"{base}.folded^{boost}")
    for name in SHARED_TEXT:
        boost = 3 if name in TITLE_FIELDS else 1
        fields.append(f"{name}^{boost}" if exact else f"{name}.folded^{boost}")
    return fields


def build_search(query, now=None):
    """The Search (elasticsearch.dsl) of a validated search.query.Query."""
    now = now or timezone.now()
    search = Search(index=alias_name())
    filters = [
        Q("terms", kind=[k for k in query.kinds if query.filters.get("type", k) == k]),
        # Public only: documents exist only for public assets, and expiry is checked
        # now (it happens without an event).
        Q(
            "bool",
            should=[
                Q("bool", must_not=[Q("exists", field="expire_at")]),
                Q("range", expire_at={"gt": now.isoformat()}),
            ],
            minimum_should_match=1,
        ),
    ]
    for name, value in query.filters.items():
        if name != "type":
            filters.append(Q("term", **{FACET_FIELDS[name]: str(value)}))
    if query.folded:
        text = query.text
        # With `prefix` (search.query), Elasticsearch's own "bool prefix" forms: every
        # analysed term must match and the last one is a prefix query, the same rule
        # as the database's `"th"*` / `'th':*`.
        match = "match_bool_prefix" if query.prefix else "match"
        kind = {"type": "bool_prefix"} if query.prefix else {}
        must = [
            Q(
                "bool",
                should=[
                    Q(match, all_folded={"query": text, "operator": "and"}),
                    Q(match, all_cjk={"query": text, "operator": "and"}),
                ],
                minimum_should_match=1,
            )
        ]
        should = [
            # As typed, diacritics included: far above folded matches.
            Q(
                "multi_match",
                query=text,
                fields=text_fields(exact=True),
                operator="and",
                boost=10,
                **kind,
            ),
            Q("multi_match", query=text, fields=text_fields(exact=False), operator="and", **kind),
        ]
        search = search.query(Q("bool", must=must, should=should, filter=filters))
    else:
        search = search.query(Q("bool", filter=filters))
    if query.sort == "date" or not query.folded:
        search = search.sort({"date": {"order": "desc", "missing": "_last"}}, "-published_at")
    else:
        search = search.sort("_score", {"published_at": {"order": "desc", "missing": "_last"}})
    for name, field in FACET_FIELDS.items():
        search.aggs.bucket(name, A("terms", field=field, size=100))
    search = search.source(["kind", "asset_id"]).extra(track_total_hits=True)
    return search[query.offset : query.offset + query.page_size]


def run(query):
    response = build_search(query).using(client()).execute()
    ranked = [(hit.kind, int(hit.asset_id)) for hit in response]
    counts = {
        name: {str(bucket.key): bucket.doc_count for bucket in response.aggregations[name].buckets}
        for name in FACET_FIELDS
    }
    return ranked, response.hits.total.value, counts


# --- Writes ----------------------------------------------------------------------------


def update(kind, pk, item, es=None):
    """Index the asset's document if it is public, else delete it."""
    es = es or client()
    if item is None or not item.public:
        es.delete(index=alias_name(), id=document_id(kind, pk), ignore_status=404)
    else:
        es.index(index=alias_name(), id=document_id(kind, pk), document=document_for(item))


def rebuild(es=None, batch=500, progress=None):
    """A new index, loaded with every public asset, then the alias moved to it."""
    from elasticsearch.helpers import bulk

    from . import index as sen_index

    es = es or client()
    alias = alias_name()
    new = f"{alias}-{datetime.datetime.now(datetime.UTC):%Y%m%d%H%M%S%f}"
    index_body(new).create(using=es)

    def actions():
        lookups = sen_index.Lookups()
        for kind in MODELS:
            for asset in sen_index.assets_of(kind).public().iterator(chunk_size=batch):
                item = sen_index.indexed(asset, lookups)
                yield {
                    "_index": new,
                    "_id": document_id(kind, asset.pk),
                    "_source": document_for(item),
                }

    loaded, _errors = bulk(es, actions(), chunk_size=batch)
    es.indices.refresh(index=new)
    old = (
        list(es.indices.get_alias(name=alias).keys()) if es.indices.exists_alias(name=alias) else []
    )
    swap = [{"remove": {"index": name, "alias": alias}} for name in old]
    swap.append({"add": {"index": new, "alias": alias}})
    es.indices.update_aliases(actions=swap)
    for name in old:
        es.indices.delete(index=name)
    return new, loaded


def mapping_problems(expected, actual, path=""):
    """Differences between the expected mapping and the live one, as sentences."""
    problems = []
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key, value in expected.items():
            where = f"{path}.{key}" if path else key
            if key not in actual:
                problems.append(f"{where}: missing")
            else:
                problems.extend(mapping_problems(value, actual[key], where))
        if path.endswith("properties"):
            for key in actual.keys() - expected.keys():
                problems.append(f"{path}.{key}: not in Sen's mapping")
    elif isinstance(expected, list) and isinstance(actual, list):
        if sorted(map(str, expected)) != sorted(map(str, actual)):
            problems.append(f"{path}: {actual!r} instead of {expected!r}")
    elif str(expected) != str(actual):
        problems.append(f"{path}: {actual!r} instead of {expected!r}")
    return problems


def check(es=None):
    """Problems that make the index unfit to serve (empty: ready)."""
    es = es or client()
    alias = alias_name()
    if not es.indices.exists_alias(name=alias):
        return [f"{alias}: no such alias (run manage.py search_rebuild)"]
    live = es.indices.get_mapping(index=alias)
    expected = index_body().to_dict()["mappings"]
    problems = []
    for name, body in live.items():
        problems.extend(f"{name}: {p}" for p in mapping_problems(expected, body["mappings"]))
    return problems
