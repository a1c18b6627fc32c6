"""What the whole public collection shares, known once per version of the index.

Why: in a province's library every asset is placed in the province, so its name
("Cần Thơ", the most typed search of all) is a term of every public asset. Such a
search matches the whole collection, and its facets are the collection's: counting
them again means reading every public entry (~0.15 s at 100k on PostgreSQL, however
the statement is written, against ~5 ms for the page itself). So, once per version
of the public index, the background worker counts the collection's facets and finds
the terms every public entry carries ("universal" terms); a public search whose
terms are all universal, with no filter, then takes its total and facets from
there and reads only its page.

Correct by construction, not by guess: a term is universal only when a search for
it, through the same engine as any search, finds every public entry; entries join
the public index only through a write, which starts a new version
(`search.index.public_results_changed`); and an entry leaving by expiry leaves the
collection and the search's matches alike, so a universal term stays universal
until the next write. The facet counts, which change when an asset expires, are
kept until the first public entry expires (`until`), as every cached count is.
"""

import datetime

from django.core.cache import cache
from django.utils import timezone

from cms.cache import current_token, renew_token

VERSION_KEY = "sen:search-version"
PENDING_KEY = "sen:search-collection-asked"
PENDING_TIMEOUT = 600
DELAY = datetime.timedelta(seconds=10)
# Enough to outlive every change of a busy day; a missing entry is only slower.
TIMEOUT = 24 * 3600


def version():
    """The version of the public index: a new one on every write of a public entry."""
    return current_token(cache, VERSION_KEY)


def changed():
    """The public index has changed (called once the write has committed): a new
    version, and the worker is asked to know the collection again."""
    from . import elasticsearch

    renew_token(cache, VERSION_KEY)
    # With Elasticsearch the public does not search the database.
    if not elasticsearch.enabled():
        ask_worker()


def ask_worker():
    """Enqueue one run of `know()` for a burst of writes: a bulk upload publishes
    hundreds of photos one transaction each, and at 100k a run costs ~0.5 s of the
    worker's time. The first write of a burst asks, for DELAY later where the tasks
    backend can wait; the writes until that run starts find it asked for, and the run
    reads the newest version. The flag expires, should a run never start."""
    from .tasks import know_collection

    if not cache.add(PENDING_KEY, True, PENDING_TIMEOUT):
        return
    task = know_collection
    if task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + DELAY)
    task.enqueue()


def _key(part, at_version):
    from django.db import connection

    return f"sen_search_collection:{connection.vendor}:{at_version}:{part}"


def counts():
    """(total, {facet: {value: count}}, until) of every public asset, or None when
    not known for this version or past `until`, the first expiry among them."""
    known = cache.get(_key("counts", version()))
    if known is None or (known["until"] is not None and known["until"] <= timezone.now()):
        return None
    return known["total"], known["counts"], known["until"]


def keep_counts(total, facet_counts, until, at_version=None):
    """Keep the collection's counts, measured at `at_version` (default: now's)."""
    cache.set(
        _key("counts", at_version or version()),
        {"total": total, "counts": facet_counts, "until": until},
        lifetime(until, TIMEOUT),
    )


def lifetime(until, longest):
    """Seconds a count may be cached: `longest`, and never past `until` (the first
    expiry among the assets it counts)."""
    if until is None:
        return longest
    return max(1, min(longest, int((until - timezone.now()).total_seconds())))


def universal_terms():
    """The folded terms every public entry carries (a frozenset), or None when not
    known for this version."""
    known = cache.get(_key("universal", version()))
    return None if known is None else frozenset(known)


def is_collection(query):
    """Does this public query match every public entry? Only when that is known: its
    words are all universal, it has no filter, and it covers every kind."""
    from .index import MODELS

    if not query.folded or query.filters or query.prefix or set(query.kinds) != set(MODELS):
        return False
    universal = universal_terms()
    return universal is not None and set(query.folded) <= universal


def know():
    """Count the collection's facets and find its universal terms, for the version
    current when this starts (a write meanwhile starts a newer one, and another run).

    Candidates: the words shared by the newest public entries (a term every entry
    carries is in each of them; most words leave at the second entry). They are
    proved with the engine every search uses: one search for all of them together
    finds every entry when all are universal (the usual answer: one count); else
    each is searched alone."""
    from .query import MAX_TERMS, SearchError, database, parse

    # A write from now on asks for another run.
    cache.delete(PENDING_KEY)
    at_version = version()
    if cache.get(_key("universal", at_version)) is not None:
        return
    everything = parse("", {}, "date", 1, 1, None, None)
    _ranked, total, facet_counts = database.run(everything)
    until = facet_counts.pop("until", None)
    keep_counts(total, facet_counts, until, at_version)
    universal = set()
    candidates = []
    for word in sorted(shared_words()) if total else []:
        try:
            candidates.append(parse(word, {}, "date", 1, 1, None, None).folded)
        except SearchError:  # a word longer than any search may be
            continue
    terms = list(dict.fromkeys(term for folded in candidates for term in folded))
    if terms and len(terms) <= MAX_TERMS:
        together = parse(" ".join(terms), {}, "date", 1, 1, None, None)
        if database.count(together) == total:
            universal.update(terms)
    if not universal:
        for folded in candidates:
            if folded and not set(folded) <= universal:
                query = parse(" ".join(folded), {}, "date", 1, 1, None, None)
                if database.count(query) == total:
                    universal.update(folded)
    cache.set(_key("universal", at_version), sorted(universal), TIMEOUT)


SAMPLE = 100


def shared_words():
    """The folded words of every one of the newest public entries (at most SAMPLE)."""
    from .models import SearchEntry

    shared = None
    rows = (
        SearchEntry.objects.filter(public=True)
        .exclude(expire_at__lte=timezone.now())
        .order_by("-published_at", "-id")
        .values_list("title_folded", "body_folded")[:SAMPLE]
    )
    for title, body in rows.iterator():
        words = set(title.split()) | set(body.split())
        shared = words if shared is None else shared & words
        if not shared:
            break
    return shared or set()
