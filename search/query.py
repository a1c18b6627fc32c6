"""The one entry point of Sen's search: `search_assets()`.

Used by the public search page (cms.views.search), the admin's asset listings
(assets.wagtail_hooks) and the JSON API (feed, issue 8). It returns ranked assets of
all three kinds, the total and the facets with their counts, and decides which
backend answers:

* public callers (no `user`): Elasticsearch when `ELASTICSEARCH_URL` is set
  (`search.elasticsearch`, public assets only), else the database index
  (`search.models.SearchEntry`, on SQLite or PostgreSQL);
* admin callers (`user=`): the database index, limited to what
  `assets.permissions.visible_assets(user, model)` lets that user see, drafts
  included. The Elasticsearch index holds public assets only by design, so the
  admin's search runs on the database in both configurations.

Ranking: every query term must match, with or without its diacritics ("can tho"
finds "Cần Thơ", "Can Tho" and "CẦN THƠ"; with `prefix=True`, for the admin's
choosers, the last term may be the start of a word: "can th" finds "Cần Thơ");
assets that match every term *as typed* (with the same diacritics) come first, then
by relevance (titles, keywords, places and topics weigh more than descriptions,
credits and PDF text), then newest first.

On the database the search is two statements whatever the number of results: one
for the page of hits, one for the total and every facet's counts (grouped over the
matching entries); then one query per kind for the assets of the page (facet names
come from the cache). SQLite ranks with FTS5's bm25 inside the tiers; PostgreSQL
ranks by the tiers alone, newest first within each (PostgreSQLEngine says why).
"""

import contextlib
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .index import MODELS
from .text import folded_terms, terms

MAX_QUERY_LENGTH = 200
MAX_TERMS = 24
MAX_PAGE_SIZE = 100
MAX_PAGE = 1000
SORTS = ("relevance", "date")
# Facet name -> how a filter value is read (None: a string from a fixed set).
FACETS = ("type", "topic", "place", "year", "organisation", "licence", "language")
INTEGER_FACETS = {"topic", "place", "year", "organisation", "licence"}
FACET_LIMIT = 20


class SearchError(ValueError):
    """A query Sen will not run; `message` is in the user's language."""

    def __init__(self, message, code):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchResults:
    hits: list  # assets (Photo, Video, Publication instances), best first
    total: int
    facets: dict = field(default_factory=dict)  # facet name -> [FacetValue]
    page: int = 1
    page_size: int = 24
    sort: str = "relevance"
    filters: dict = field(default_factory=dict)

    @property
    def num_pages(self):
        return max(1, -(-self.total // self.page_size))


@dataclass
class Query:
    """A validated query: what every backend needs."""

    text: str
    exact: list
    folded: list
    filters: dict
    sort: str
    page: int
    page_size: int
    language: str
    kinds: list
    # The last term is the start of a word still being typed (the choosers).
    prefix: bool = False

    @property
    def offset(self):
        return (self.page - 1) * self.page_size


def search_assets(
    query_text,
    *,
    filters=None,
    sort="relevance",
    page=1,
    page_size=24,
    language=None,
    user=None,
    kinds=None,
    querysets=None,
    prefix=False,
):
    """Search assets.

    query_text: what was typed (any case, with or without diacritics, any script).
    filters: {facet: value} with facet in FACETS: type ("photos", "videos",
        "publications"), topic, place, organisation, licence (ids), year (int),
        language (a configured code).
    sort: "relevance" (default) or "date" (the asset's date, newest first).
    page, page_size: 1-based page, at most MAX_PAGE_SIZE per page.
    language: the visitor's language (zero-result counts; facet labels).
    user: None for the public (public assets only); a user for the admin (what
        `visible_assets(user, model)` allows, drafts included).
    kinds: limit to some of "photos", "videos", "publications".
    querysets: {kind: callable returning a queryset} to fetch the hits with their
        related objects (e.g. cms.published.QUERYSETS); defaults to the model's
        public() assets or the user's visible assets.
    prefix: match the last word as the start of a word ("can th" finds "Cần
        Thơ"), for searches that answer as the editor types. The public search
        does not: a visitor submits whole words, and "ca" would find half the
        library.

    Raises SearchError (message in the active language) for a query Sen will not
    run: too long, too many words, an unknown filter, sort or page.
    """
    query = parse(query_text, filters, sort, page, page_size, language, kinds, prefix)
    if user is None:
        from . import elasticsearch

        if elasticsearch.enabled():
            ranked, total, counts = elasticsearch.run(query)
        else:
            ranked, total, counts = public_database_search(query)
    else:
        ranked, total, counts = database.run(query, user=user)
    hits = load(ranked, querysets, user)
    results = SearchResults(
        hits=hits,
        total=total,
        facets=label_facets(counts, query),
        page=query.page,
        page_size=query.page_size,
        sort=query.sort,
        filters=query.filters,
    )
    if user is None and total == 0 and query.folded:
        record_zero_result(query)
    return results


def public_database_search(query):
    """The database engine for the public, its total and facet counts kept in the cache.

    Why: the total and the facets depend on the words and the filters, not on the
    page or the sort, and counting them is most of a search that matches much of the
    collection (the province's name matches every asset: at 100k, ~0.2 s on
    PostgreSQL, where the page itself costs ~5 ms). A visitor paging through results
    or re-sorting them would count the same rows again on every page. The key carries
    the public generation (cms.cache): any change to what the public sees, and every
    write of a public search entry (search.index), starts a new one; and an entry is
    not kept past the expiry of the first matching asset to expire, so a count never
    includes an asset that has left the public site. A search known to match the whole
    collection (the province's name) takes the collection's counts, kept once per
    version of the index by the worker (search.collection)."""
    import hashlib
    import json

    from django.core.cache import cache

    from cms.cache import generation

    from . import collection

    facts = {"folded": query.folded, "filters": query.filters, "kinds": sorted(query.kinds)}
    digest = hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:32]
    key = f"sen_search_counts:{connection.vendor}:{generation()}:{digest}"
    cached = cache.get(key)
    if cached is not None and (cached["until"] is None or cached["until"] > timezone.now()):
        ranked, _total, _counts = database.run(query, facets=False)
        return ranked, cached["total"], cached["counts"]
    at_version = collection.version()
    whole = collection.is_collection(query)
    known = collection.counts() if whole else None
    if known is not None:
        ranked, _total, _counts = database.run(query, facets=False)
        total, counts, until = known
        # A short page is the last one: it says the total. Should it disagree (entries
        # removed behind the index's back), count again.
        if len(ranked) < query.page_size and query.offset + len(ranked) != total:
            known = None
    if known is None:
        ranked, total, counts = database.run(query)
        until = counts.pop("until", None)
        if whole:
            collection.keep_counts(total, counts, until, at_version)
    cache.set(
        key, {"total": total, "counts": counts, "until": until}, collection.lifetime(until, 3600)
    )
    return ranked, total, counts


def ranked_ids(query_text, *, user, kinds, limit=1000, prefix=False, actions=None):
    """[(kind, pk)] of the best `limit` matches a user may see (the admin's listings
    and choosers filter and order their own queryset with it; the choosers with
    `prefix`, as search_assets() says). `actions`: the permissions that scope it
    (`visible_assets`' default: those that show an asset in the admin; a chooser
    passes ["choose"]). Raises SearchError as search_assets() does."""
    query = parse(query_text, None, "relevance", 1, 1, None, kinds, prefix)
    query.page_size = limit
    # Only the order: no facets, and the total only where it comes free.
    ranked, _total, _counts = database.run(query, user=user, actions=actions, facets=False)
    return ranked


def in_ranked_order(queryset, ranked, *, reorder=True):
    """`queryset` narrowed to the [(kind, pk)] of ranked_ids(), best first unless
    `reorder` is False (a listing the editor sorts by a column keeps that order)."""
    pks = [pk for _kind, pk in ranked]
    queryset = queryset.filter(pk__in=pks)
    if not reorder or not pks:
        return queryset
    position = models.Case(
        *[models.When(pk=pk, then=i) for i, pk in enumerate(pks)],
        output_field=models.IntegerField(),
    )
    return queryset.order_by(position)


def parse(query_text, filters, sort, page, page_size, language, kinds, prefix=False):
    text = query_text or ""
    if not isinstance(text, str):
        raise SearchError(_("The search must be text."), "invalid")
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchError(
            _("The search is too long: at most %(max)d characters.") % {"max": MAX_QUERY_LENGTH},
            "too_long",
        )
    exact = terms(text)
    if len(exact) > MAX_TERMS:
        raise SearchError(
            _("The search has too many words: at most %(max)d.") % {"max": MAX_TERMS},
            "too_many_terms",
        )
    # The same term twice adds nothing to "every term must match".
    exact = list(dict.fromkeys(exact))
    folded = list(dict.fromkeys(folded_terms(exact)))
    if sort not in SORTS:
        raise SearchError(_("Unknown sort order."), "sort")
    try:
        page, page_size = int(page), int(page_size)
    except (TypeError, ValueError):
        raise SearchError(_("The page must be a number."), "page") from None
    if not (1 <= page <= MAX_PAGE) or not (1 <= page_size <= MAX_PAGE_SIZE):
        raise SearchError(_("This page does not exist."), "page")
    clean = {}
    for name, value in (filters or {}).items():
        if value in (None, ""):
            continue
        if name not in FACETS:
            raise SearchError(_("Unknown filter: %(name)s.") % {"name": name}, "filter")
        if name in INTEGER_FACETS:
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise SearchError(
                    _("The filter %(name)s must be a number.") % {"name": name}, "filter"
                ) from None
            if not (0 <= value < 2**62):
                raise SearchError(_("Unknown filter value."), "filter")
        elif name == "type" and value not in MODELS:
            raise SearchError(_("Unknown type."), "filter")
        elif name == "language" and value not in dict(settings.LANGUAGES):
            raise SearchError(_("Unknown language."), "filter")
        clean[name] = value
    kinds = list(kinds or MODELS)
    if any(kind not in MODELS for kind in kinds):
        raise SearchError(_("Unknown type."), "filter")
    return Query(
        text=text,
        exact=exact,
        folded=folded,
        filters=clean,
        sort=sort,
        page=page,
        page_size=page_size,
        language=language or settings.LANGUAGE_CODE,
        kinds=kinds,
        prefix=bool(prefix),
    )


def load(ranked, querysets=None, user=None):
    """The assets of [(kind, pk)], in that order, each fetched by its kind's
    queryset: for the public, public() again on the rows themselves (an entry
    written before a change that is not yet reindexed cannot show a withdrawn asset)."""
    by_kind = {}
    for kind, pk in ranked:
        by_kind.setdefault(kind, []).append(pk)
    found = {}
    for kind, pks in by_kind.items():
        if querysets and kind in querysets:
            queryset = querysets[kind]()
        elif user is None:
            queryset = MODELS[kind].objects.public()
        else:
            from assets.permissions import visible_assets

            queryset = visible_assets(user, MODELS[kind])
        for asset in queryset.filter(pk__in=pks):
            found[(kind, asset.pk)] = asset
    return [found[key] for key in ranked if key in found]


LABEL_MODELS = {
    "topic": "assets.topic",
    "place": "assets.place",
    "organisation": "assets.organisation",
    "licence": "assets.licence",
}
LABELS_GENERATION = "sen_search_labels_generation"


def labels(facet, language):
    """{id (str): name} of a facet's whole table in one language, from the cache:
    four small tables that change a few times a year should not cost four queries per
    search. A save or delete of any of them starts a new generation
    (search.signal_handlers.labels_changed)."""
    from django.apps import apps
    from django.core.cache import cache
    from django.utils import translation

    generation = cache.get(LABELS_GENERATION, 0)
    key = f"sen_search_labels:{generation}:{facet}:{language}"
    found = cache.get(key)
    if found is None:
        with translation.override(language):
            model = apps.get_model(LABEL_MODELS[facet])
            found = {str(obj.pk): str(obj) for obj in model.objects.all()}
        cache.set(key, found, 3600)
    return found


def bump_labels_generation():
    from django.core.cache import cache

    try:
        cache.incr(LABELS_GENERATION)
    except ValueError:
        cache.set(LABELS_GENERATION, 1, None)


def label_facets(counts, query):
    """{facet: [FacetValue]} from {facet: {value: count}}, named in the active
    language, most frequent first (at most FACET_LIMIT per facet)."""
    from django.utils import translation

    language = translation.get_language() or settings.LANGUAGE_CODE
    names = {
        "type": {kind: str(MODELS[kind]._meta.verbose_name_plural).capitalize() for kind in MODELS},
        "language": {code: str(name) for code, name in settings.LANGUAGES},
    }
    facets = {}
    for name in FACETS:
        values = counts.get(name, {})
        top = sorted(values.items(), key=lambda item: (-item[1], str(item[0])))
        if name not in ("type", "language", "year"):
            top = top[:FACET_LIMIT]
        known = labels(name, language) if name in LABEL_MODELS and top else names.get(name, {})
        selected = str(query.filters.get(name, ""))
        facets[name] = [
            FacetValue(str(value), known.get(str(value), str(value)), count, str(value) == selected)
            for value, count in top
            if name not in LABEL_MODELS or str(value) in known
        ]
        if name == "year":
            facets[name].sort(key=lambda f: f.value, reverse=True)
    return facets


def record_zero_result(query):
    """Count one public search that found nothing (language, folded query, day):
    an update of the day's row, or its creation; atomic under concurrent searches."""
    from .models import ZeroResultQuery

    text = " ".join(query.folded)[:200]
    key = {"language": query.language, "query": text, "day": timezone.localdate()}
    updated = ZeroResultQuery.objects.filter(**key).update(count=models.F("count") + 1)
    if updated:
        return
    try:
        with transaction.atomic():
            ZeroResultQuery.objects.create(**key, count=1)
    except IntegrityError:  # another request created it first
        ZeroResultQuery.objects.filter(**key).update(count=models.F("count") + 1)


# --- The database engine --------------------------------------------------------------


class DatabaseEngine:
    """Two statements over SearchEntry: the page of hits (with the total), and the
    facets. SQLite fills in `source()` (the FROM clause, with the FTS5 match) and
    `rank()` (the ORDER BY of relevance); PostgreSQL has its own `run()`."""

    def run(self, query, user=None, facets=True, actions=None):
        where, params = self.where(query, user, actions)
        ranked = query.sort == "relevance" and bool(query.folded)
        source, source_params = self.source(query, ranked=ranked)
        if ranked:
            order, order_params = self.rank(query)
        else:
            order, order_params = self.DATE_ORDER, []
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.kind, e.asset_id, COUNT(*) OVER () FROM {source} "  # noqa: S608
                f"WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s",
                [*source_params, *params, *order_params, query.page_size, query.offset],
            )
            rows = cursor.fetchall()
            source, source_params = self.source(query, ranked=False)
            if rows:
                total = rows[0][2]
            else:
                cursor.execute(
                    f"SELECT COUNT(*) FROM {source} WHERE {where}",  # noqa: S608
                    [*source_params, *params],
                )
                total = cursor.fetchone()[0]
            counts = (
                self.facet_counts(cursor, source, where, [*source_params, *params])
                if facets
                else {}
            )
        return [(kind, pk) for kind, pk, _total in rows], total, counts

    DATE_ORDER = "e.date DESC NULLS LAST, e.published_at DESC NULLS LAST, e.id DESC"

    def count(self, query, user=None):
        """How many entries match, nothing else (search.collection asks it of each
        candidate term)."""
        where, params = self.where(query, user)
        source, source_params = self.source(query, ranked=False)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM {source} WHERE {where}",  # noqa: S608
                [*source_params, *params],
            )
            return cursor.fetchone()[0]

    def source(self, query, ranked):
        return "search_searchentry e", []

    def facet_counts(self, cursor, source, where, params):
        columns = {
            "type": "kind",
            "year": "year",
            "place": "place_id",
            "organisation": "organisation_id",
            "licence": "licence_id",
        }
        parts = [
            f"SELECT '{name}', CAST({column} AS TEXT), COUNT(*) FROM matched "  # noqa: S608
            f"WHERE {column} IS NOT NULL GROUP BY {column}"
            for name, column in columns.items()
        ]
        parts.append(
            "SELECT v.facet, v.value, COUNT(*) FROM matched "
            "JOIN search_searchentryvalue v ON v.entry_id = matched.id GROUP BY v.facet, v.value"
        )
        # When the first of the matches expires (search.query.public_database_search).
        parts.append("SELECT 'until', MIN(expire_at), 0 FROM matched")
        cursor.execute(
            "WITH matched AS MATERIALIZED (SELECT e.id, e.kind, e.year, e.place_id, "  # noqa: S608
            f"e.organisation_id, e.licence_id, e.expire_at FROM {source} WHERE {where}) "
            + " UNION ALL ".join(parts),
            params,
        )
        counts = {}
        for facet, value, count in cursor.fetchall():
            if facet == "until":
                counts["until"] = _aware(value)
            else:
                counts.setdefault(facet, {})[value] = count
        return counts

    def scope(self, query, user, actions=None):
        """([clause], params) of who may see what: public entries (or the user's), of
        the kinds asked for; (None, None) when no kind is left."""
        clauses, params = [], []
        if user is None:
            clauses.append("e.public AND (e.expire_at IS NULL OR e.expire_at > %s)")
            params.append(timezone.now())
        kinds = query.kinds
        if "type" in query.filters:
            kinds = [k for k in kinds if k == query.filters["type"]]
        if not kinds:
            return None, None
        if user is None:
            clauses.append("e.kind IN (" + ", ".join(["%s"] * len(kinds)) + ")")
            params.extend(kinds)
        else:
            from assets.permissions import visible_assets

            scopes = []
            scope = [actions] if actions else []
            for kind in kinds:
                sql, scope_params = (
                    visible_assets(user, MODELS[kind], *scope).values("pk").query.sql_with_params()
                )
                scopes.append(f"(e.kind = %s AND e.asset_id IN ({sql}))")
                params.extend([kind, *scope_params])
            clauses.append("(" + " OR ".join(scopes) + ")")
        return clauses, params

    def where(self, query, user, actions=None):
        clauses, params = self.scope(query, user, actions)
        if clauses is None:
            return "1 = 0", []
        if "year" in query.filters:
            clauses.append("e.year = %s")
            params.append(query.filters["year"])
        for name in ("place", "organisation", "licence"):
            if name in query.filters:
                clauses.append(f"e.{name}_id = %s")
                params.append(query.filters[name])
        for name in ("topic", "language"):
            if name in query.filters:
                clauses.append(
                    "EXISTS (SELECT 1 FROM search_searchentryvalue v WHERE v.entry_id = e.id "
                    "AND v.facet = %s AND v.value = %s)"
                )
                params.extend([name, str(query.filters[name])])
        return " AND ".join(clauses), params


def _aware(value):
    """A datetime read from SQLite (text, UTC) or PostgreSQL (aware), or None."""
    import datetime

    if value is None or isinstance(value, datetime.datetime):
        return value
    parsed = datetime.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


class SQLiteEngine(DatabaseEngine):
    """FTS5 over the term columns (title_exact, title_folded, body_exact, body_folded).

    bm25() is only allowed in the SELECT that has the MATCH, and not beside a window
    function: the match is a subquery giving each matching rowid its score."""

    @staticmethod
    def expression(words, columns, prefix=False):
        # Every term must match, in any of the columns; terms are quoted (their only
        # characters are letters and digits, search.text). `"th"*` is FTS5's prefix
        # query: every indexed term starting with "th".
        phrases = [f'{{{columns}}} : "{word}"' for word in words]
        if prefix and phrases:
            phrases[-1] += "*"
        return " AND ".join(phrases)

    def source(self, query, ranked):
        if not query.folded:
            return "search_searchentry e", []
        # A folded title term weighs five folded body terms (lower bm25 is better).
        score = ", bm25(search_entry_fts, 0.0, 5.0, 0.0, 1.0) AS score" if ranked else ""
        return (
            f"(SELECT rowid AS id{score} FROM search_entry_fts "  # noqa: S608 - constants
            "WHERE search_entry_fts MATCH %s) f "
            "JOIN search_searchentry e ON e.id = f.id",
            [self.expression(query.folded, "title_folded body_folded", query.prefix)],
        )

    def rank(self, query):
        return (
            "e.id IN (SELECT rowid FROM search_entry_fts WHERE search_entry_fts MATCH %s) DESC, "
            "f.score, e.published_at DESC, e.id DESC",
            [self.expression(query.exact, "title_exact body_exact", query.prefix)],
        )


class PostgreSQLEngine(DatabaseEngine):
    """The `lexemes` column (migration 0003): a stripped tsvector of tagged terms,
    `t.` title as written, `e.` anywhere as written, `u.` title folded, `f.` anywhere
    folded, and the facet values (`search.index.FACET_PREFIX`), under one GIN index.

    Relevance is four tiers, best first: every term as written in the title side;
    every term as written anywhere; every folded term in the title side; the rest.
    Within a tier, newest first. Each tier is one GIN match read in the order of the
    `search_entry_newest` b-tree, stopping after one page, so a query that matches
    every asset (the province's name) costs what a rare one does. ts_rank was dropped
    for this: it must read and score every match (2 s at 100k matches), and over
    short titles its term counts decided little the tiers do not.

    The total and every facet's counts come from one more statement over the matches
    (GROUPING SETS: one pass for the five single-valued facets and the total)."""

    TEXT_TAGS = {"title_exact": "t", "exact": "e", "title_folded": "u", "folded": "f"}
    NEWEST = "published_at DESC NULLS LAST, id DESC"

    @staticmethod
    def lexeme(tag, value):
        return "'" + f"{tag}.{value}".replace("\\", "\\\\").replace("'", "''") + "'"

    def every(self, tag, query, words):
        """`'f.can' & 'f.th':*`: every term with its tag; with `query.prefix` the
        last one as the start of a term (`:*`, which the GIN index answers too)."""
        lexemes = [self.lexeme(tag, word) for word in words]
        if query.prefix and lexemes:
            lexemes[-1] += ":*"
        return " & ".join(lexemes)

    def match(self, query):
        """The tsquery every result matches: the folded terms and the filters."""
        from .index import FACET_PREFIX

        parts = [self.every("f", query, query.folded)] if query.folded else []
        for name in ("year", "place", "organisation", "licence", "topic", "language"):
            if name in query.filters:
                parts.append(self.lexeme(FACET_PREFIX[name], query.filters[name]))
        kinds = self.kinds(query)
        if kinds and set(kinds) != set(MODELS):
            parts.append(
                "(" + " | ".join(self.lexeme(FACET_PREFIX["type"], k) for k in kinds) + ")"
            )
        return " & ".join(parts)

    @staticmethod
    def kinds(query):
        if "type" in query.filters:
            return [k for k in query.kinds if k == query.filters["type"]]
        return query.kinds

    def where(self, query, user, actions=None):
        clauses, params = self.scope(query, user, actions)
        match = self.match(query)
        if match:
            clauses.insert(0, "e.lexemes @@ CAST(%s AS tsquery)")
            params.insert(0, match)
        return " AND ".join(clauses), params

    def tiers(self, query):
        """The four tiers' tsqueries, best first. They overlap (a title match as
        written is also a match anywhere): an asset's tier is the best one it is
        found in. Reading each tier's newest `n` and keeping each asset's best tier
        gives the right first `n` of the whole order: an asset missing from a better
        tier's list has `n` newer assets of that tier ahead of it. No tier is written
        "this and not that": PostgreSQL cannot estimate a negation and read an empty
        tier row by row through the whole date index (0.9 s at 100k)."""
        match = self.match(query)
        return [
            f"{match} & {self.every('t', query, query.exact)}",
            f"{match} & {self.every('e', query, query.exact)}",
            f"{match} & {self.every('u', query, query.folded)}",
            match,
        ]

    def run(self, query, user=None, facets=True, actions=None):
        scope, scope_params = self.scope(query, user, actions)
        if scope is None:
            return [], 0, {}
        where, params = self.where(query, user, actions)
        wanted = query.offset + query.page_size
        with connection.cursor() as cursor:
            if query.sort == "relevance" and query.folded:
                scope_sql = " AND ".join(scope)
                parts, part_params, read = [], [], []
                for tier, tsquery in enumerate(self.tiers(query)):
                    # A tier is read only while the better ones hold fewer than a page's
                    # worth of assets: PostgreSQL checks the uncorrelated count once and
                    # skips the scan ("One-Time Filter"), so "chợ nổi", whose title
                    # matches fill the page, costs one scan, not four.
                    enough = ""
                    if read:
                        better = " UNION ALL ".join(f"SELECT id FROM {t}" for t in read)  # noqa: S608
                        enough = f"(SELECT COUNT(DISTINCT id) FROM ({better}) b) < %s AND "  # noqa: S608
                    parts.append(
                        f"t{tier} AS MATERIALIZED (SELECT {tier} AS tier, e.kind, e.asset_id, "  # noqa: S608
                        f"e.published_at, e.id FROM search_searchentry e WHERE {enough}"
                        f"e.lexemes @@ CAST(%s AS tsquery) AND {scope_sql} "
                        f"ORDER BY e.{self.NEWEST} LIMIT %s)"
                    )
                    part_params.extend(
                        [*([wanted] if read else []), tsquery, *scope_params, wanted]
                    )
                    read.append(f"t{tier}")
                lists = " UNION ALL ".join(f"SELECT * FROM {t}" for t in read)  # noqa: S608
                cursor.execute(
                    f"WITH {', '.join(parts)} SELECT kind, asset_id FROM ({lists}) t "  # noqa: S608
                    "GROUP BY kind, asset_id, published_at, id "
                    f"ORDER BY MIN(tier), {self.NEWEST} LIMIT %s OFFSET %s",
                    [*part_params, query.page_size, query.offset],
                )
            else:
                cursor.execute(
                    f"SELECT e.kind, e.asset_id FROM search_searchentry e WHERE {where} "  # noqa: S608
                    f"ORDER BY {self.DATE_ORDER if query.sort == 'date' else 'e.' + self.NEWEST} "
                    "LIMIT %s OFFSET %s",
                    [*params, query.page_size, query.offset],
                )
            rows = cursor.fetchall()
            if not facets:
                return [(kind, pk) for kind, pk in rows], None, {}
            counts = self.facet_counts(cursor, "search_searchentry e", where, params)
        total = counts.pop("total", {}).get("all", 0)
        return [(kind, pk) for kind, pk in rows], total, counts

    GROUPS = {
        0b011111: "type",
        0b101111: "year",
        0b110111: "place",
        0b111011: "organisation",
        0b111101: "licence",
        0b111110: "values",
        0b111111: "total",
    }
    VALUE_FACETS = {"c": "topic", "g": "language"}

    def count(self, query, user=None):
        if self.scope(query, user)[0] is None:
            return 0
        with connection.cursor() as cursor, self.through_index(cursor):
            return super().count(query, user)

    @staticmethod
    @contextlib.contextmanager
    def through_index(cursor):
        """Sequential scans off for one statement over many matches: the planner
        believes `@@` costs what `=` does and would decode every row's vector
        (1.2 s at 100k) where the GIN index alone says which rows match (30-50 ms).
        A SET inside a transaction that fails is undone with it; otherwise RESET."""
        cursor.execute("SET enable_seqscan = off")
        try:
            yield
        finally:
            cursor.execute("RESET enable_seqscan")

    def facet_counts(self, cursor, source, where, params):
        """{facet: {value: count}} and the total, in one pass over the matches.

        Topics and languages are counted per combination (`value_terms`, a few hundred
        at most) and added up here, instead of joining every match to its values
        (0.6 s at 100k matches). The match is read through the GIN index
        (`through_index`)."""
        with self.through_index(cursor):
            cursor.execute(
                "SELECT GROUPING(kind, year, place_id, organisation_id, licence_id, "  # noqa: S608
                "value_terms), COALESCE(kind, CAST(year AS TEXT), CAST(place_id AS TEXT), "
                "CAST(organisation_id AS TEXT), CAST(licence_id AS TEXT), value_terms), "
                f"COUNT(*), MIN(expire_at) FROM {source} WHERE {where} GROUP BY GROUPING SETS "
                "((kind), (year), (place_id), (organisation_id), (licence_id), (value_terms), ())",
                params,
            )
            rows = cursor.fetchall()
        counts = {}
        for group, value, count, until in rows:
            name = self.GROUPS[group]
            if name == "total":
                counts["total"] = {"all": count}
                counts["until"] = until
            elif name == "values":
                for term in (value or "").split():
                    tag, _dot, raw = term.partition(".")
                    facet = counts.setdefault(self.VALUE_FACETS[tag], {})
                    facet[raw] = facet.get(raw, 0) + count
            elif value is not None:
                counts.setdefault(name, {})[value] = count
        return counts


class _Database:
    """The engine for the connection's database, chosen at query time (tests and the
    bench switch databases in one process)."""

    engines = {"sqlite": SQLiteEngine(), "postgresql": PostgreSQLEngine()}

    def run(self, query, user=None, facets=True, actions=None):
        return self.engines[connection.vendor].run(query, user=user, facets=facets, actions=actions)

    def count(self, query, user=None):
        return self.engines[connection.vendor].count(query, user=user)


database = _Database()
