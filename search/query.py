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
for the page of hits (with the total), one for every facet's counts (grouped over
the matching entries); then one query per kind for the assets of the page and
one per facet to name its values.
"""

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

        engine = elasticsearch if elasticsearch.enabled() else database
        ranked, total, counts = engine.run(query)
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


def ranked_ids(query_text, *, user, kinds, limit=1000, prefix=False, actions=None):
    """[(kind, pk)] of the best `limit` matches a user may see (the admin's listings
    and choosers filter and order their own queryset with it; the choosers with
    `prefix`, as search_assets() says). `actions`: the permissions that scope it
    (`visible_assets`' default: those that show an asset in the admin; a chooser
    passes ["choose"]). Raises SearchError as search_assets() does."""
    query = parse(query_text, None, "relevance", 1, 1, None, kinds, prefix)
    query.page_size = limit
    ranked, _total, _counts = database.run(query, user=user, actions=actions)
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
    """Two statements over SearchEntry; only "matches" and "rank" differ per database:
    `source()` (the FROM clause, with the full-text match where the database needs
    it there) and `rank()` (the ORDER BY of relevance)."""

    def run(self, query, user=None, actions=None):
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
            counts = self.facet_counts(cursor, source, where, [*source_params, *params])
        return [(kind, pk) for kind, pk, _total in rows], total, counts

    DATE_ORDER = "e.date DESC NULLS LAST, e.published_at DESC NULLS LAST, e.id DESC"

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
        cursor.execute(
            "WITH matched AS MATERIALIZED (SELECT e.id, e.kind, e.year, e.place_id, "  # noqa: S608
            f"e.organisation_id, e.licence_id FROM {source} WHERE {where}) "
            + " UNION ALL ".join(parts),
            params,
        )
        counts = {}
        for facet, value, count in cursor.fetchall():
            counts.setdefault(facet, {})[value] = count
        return counts

    def where(self, query, user, actions=None):
        clauses, params = [], []
        if user is None:
            clauses.append("e.public AND (e.expire_at IS NULL OR e.expire_at > %s)")
            params.append(timezone.now())
        kinds = query.kinds
        if "type" in query.filters:
            kinds = [k for k in kinds if k == query.filters["type"]]
        if not kinds:
            return "1 = 0", []
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
    """The generated `vector` column: A exact title terms, B folded title terms,
    C exact body terms, D folded body terms (migration 0002)."""

    @staticmethod
    def tsquery(words, weights="", prefix=False):
        """`'can' & 'th':*`: every term, the last one as a prefix (`:*`, which the
        GIN index answers too) when `prefix`; `weights` limits them to columns."""
        lexemes = ["'" + word.replace("'", "''") + "'" for word in words]
        labels = [weights] * len(lexemes)
        if prefix and labels:
            labels[-1] = "*" + weights
        return " & ".join(
            lexeme + (f":{label}" if label else "")
            for lexeme, label in zip(lexemes, labels, strict=True)
        )

    def where(self, query, user, actions=None):
        # The folded terms without a weight: a GIN index cannot check weights, so
        # `'can':BD` would make PostgreSQL re-read every matching row's vector (the
        # bench measured 2-3x the time). Unweighted it is the same set: a term found
        # in an exact column is, folded, in the folded one too.
        where, params = super().where(query, user, actions)
        if query.folded:
            where = "e.vector @@ to_tsquery('simple', %s) AND " + where
            params = [self.tsquery(query.folded, prefix=query.prefix), *params]
        return where, params

    def rank(self, query):
        # The exact tier needs its weights (A, C): "can" as typed is not "cần" folded.
        return (
            "e.vector @@ to_tsquery('simple', %s) DESC, "
            "ts_rank('{0.1, 0.2, 0.4, 1.0}', e.vector, to_tsquery('simple', %s)) DESC, "
            "e.published_at DESC NULLS LAST, e.id DESC",
            [
                self.tsquery(query.exact, "AC", query.prefix),
                self.tsquery(query.folded, prefix=query.prefix),
            ],
        )


class _Database:
    """The engine for the connection's database, chosen at query time (tests and the
    bench switch databases in one process)."""

    engines = {"sqlite": SQLiteEngine(), "postgresql": PostgreSQLEngine()}

    def run(self, query, user=None, actions=None):
        return self.engines[connection.vendor].run(query, user=user, actions=actions)


database = _Database()
