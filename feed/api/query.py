"""What the API lists, and how a page is cut: the domain rules behind the views.

Everything is read from `FeedRecord` (public() for content; tombstones for records
that left), never from the asset tables, so nothing non-public can be listed. A
record past its expiry is served as a tombstone even before the scheduler turned it
into one (`FeedRecord.is_gone`).
"""

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from ..models import FeedRecord
from . import cursors

KINDS = [choice for choice, _label in FeedRecord.Kind.choices]
MAX_ID = 2**63 - 1
# Parameters that choose *which* records are listed: a cursor is bound to them.
SELECTING = ("type", "topic", "organisation", "place", "language", "q")
KNOWN = (*SELECTING, "updated_since", "include_deleted", "page_size", "cursor")


class BadRequest(ValueError):
    """A parameter the API cannot use; the message is shown to the consumer."""

    def __init__(self, message, parameter=None):
        super().__init__(message)
        self.parameter = parameter


# Error messages in the client's language (Accept-Language; Vietnamese by default):
# machines read `parameter`, people read `detail`.
def not_a_timestamp():
    return _("'updated_since' is not an ISO 8601 date or date-time.")


def one_of(name, values):
    return _("'%(name)s' must be one of %(values)s.") % {"name": name, "values": ", ".join(values)}


def page_size_bounds():
    return settings.SEN_API_PAGE_SIZE, settings.SEN_API_MAX_PAGE_SIZE


def _one(params, name):
    values = params.getlist(name)
    if len(values) > 1:
        raise BadRequest(_("Give '%(name)s' once.") % {"name": name}, name)
    return values[0].strip() if values else None


def _positive_int(value, name):
    if not value.isdigit() or len(value) > 18 or int(value) < 1:
        raise BadRequest(_("'%(name)s' must be a positive integer.") % {"name": name}, name)
    return int(value)


def _timestamp(value):
    """ISO 8601 date or date-time; a naive time is UTC, a bare date is its midnight UTC."""
    if len(value) > 40:
        raise BadRequest(not_a_timestamp(), "updated_since")
    try:
        moment = parse_datetime(value.replace(" ", "+"))  # '+' arrives as ' ' if unescaped
        if moment is None:
            day = parse_date(value)
            if day is not None:
                moment = datetime.datetime.combine(day, datetime.time())
    except ValueError:
        moment = None
    if moment is None:
        raise BadRequest(not_a_timestamp(), "updated_since")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return moment


def parse(params):
    """The filters of a list request, checked. Raises BadRequest."""
    unknown = sorted(set(params) - set(KNOWN))
    if unknown:
        raise BadRequest(_("Unknown parameter '%(name)s'.") % {"name": unknown[0]}, unknown[0])
    filters = {}
    kind = _one(params, "type")
    if kind is not None:
        if kind not in KINDS:
            raise BadRequest(one_of("type", KINDS), "type")
        filters["type"] = kind
    topic = _one(params, "topic")
    if topic is not None:
        if not topic or len(topic) > 100:
            raise BadRequest(_("'topic' must be a topic's id (its slug)."), "topic")
        filters["topic"] = topic
    for name in ("organisation", "place"):
        value = _one(params, name)
        if value is not None:
            filters[name] = _positive_int(value, name)
    text = _one(params, "q")
    if text:
        from search.query import SearchError
        from search.query import parse as parse_search

        try:  # the search layer's own limits (length, number of words)
            parse_search(text, None, "relevance", 1, 1, None, None)
        except SearchError as error:
            raise BadRequest(str(error.message), "q") from error
        filters["q"] = text
    language = _one(params, "language")
    if language is not None:
        codes = [code for code, _name in settings.LANGUAGES]
        if language not in codes:
            raise BadRequest(one_of("language", codes), "language")
        filters["language"] = language
    options = {"updated_since": None, "include_deleted": False, "cursor": None}
    since = _one(params, "updated_since")
    if since is not None:
        options["updated_since"] = _timestamp(since)
    deleted = _one(params, "include_deleted")
    if deleted is not None:
        if deleted not in ("true", "false"):
            raise BadRequest(_("'include_deleted' must be true or false."), "include_deleted")
        options["include_deleted"] = deleted == "true"
    default, largest = page_size_bounds()
    size = _one(params, "page_size")
    options["page_size"] = default
    if size is not None:
        options["page_size"] = _positive_int(size, "page_size")
        if options["page_size"] > largest:
            raise BadRequest(
                _("'page_size' must be at most %(largest)d.") % {"largest": largest}, "page_size"
            )
    token = _one(params, "cursor")
    if token is not None:
        try:
            options["cursor"] = cursors.read(token, filters)
        except cursors.BadCursor as error:
            raise BadRequest(str(error), "cursor") from error
    return filters, options


def with_tombstones(options):
    """Deletions are listed in incremental sync (`updated_since`) or on request
    (`include_deleted=true`, which the `resume` link carries): a consumer's first
    full listing wants only what exists."""
    return bool(options["updated_since"] or options["include_deleted"])


def records(filters, options, now):
    """The records of one page (page_size + 1 rows, to know whether more follow)."""
    tombstones = with_tombstones(options)
    queryset = FeedRecord.objects.all() if tombstones else FeedRecord.objects.public(now)
    # Settle time: a transaction that stamped a record a moment ago may commit after a
    # reader passed that datestamp; listing only settled rows keeps sync exact.
    queryset = queryset.filter(
        datestamp__lte=now - datetime.timedelta(seconds=settings.SEN_API_SETTLE_SECONDS)
    )
    if "type" in filters:
        queryset = queryset.filter(kind=filters["type"])
    # Set memberships are kept for tombstones: a consumer of one topic learns of its deletions.
    if "topic" in filters:
        queryset = queryset.filter(set_memberships__spec=f"topic:{filters['topic']}")
    if "organisation" in filters:
        queryset = queryset.filter(set_memberships__spec=f"organisation:{filters['organisation']}")
    content = Q()
    if "place" in filters:
        content &= Q(record__place__id=filters["place"]) | Q(
            record__place__current__id=filters["place"]
        )
    if "language" in filters:
        content &= Q(record__title__has_key=filters["language"])
    if content:
        # A tombstone keeps no content to filter on: every tombstone in the window is
        # listed, so a consumer never misses the deletion of a record it holds.
        gone = Q(deleted=True) | FeedRecord.objects.expired_q(now)
        queryset = queryset.filter(content | gone) if tombstones else queryset.filter(content)
    queryset = text_search_hook(queryset, filters.get("q"))
    if options["updated_since"]:
        queryset = queryset.filter(datestamp__gte=options["updated_since"])
    if options["cursor"] is not None:
        datestamp, pk = options["cursor"]
        queryset = queryset.filter(Q(datestamp__gt=datestamp) | Q(datestamp=datestamp, pk__gt=pk))
    return list(queryset.order_by("datestamp", "pk")[: options["page_size"] + 1])


# How many of the best matches `q` narrows a list to: a search, not a dump.
MAX_SEARCH_MATCHES = 1000


def text_search_hook(queryset, text):
    """Narrow `queryset` to the public records whose asset matches `text`, as the
    site's search understands it (search.query: diacritics or not, every language,
    CJK inside longer text), among its best MAX_SEARCH_MATCHES. The list keeps its
    (datestamp, id) order and cursor. A tombstone matches no text: with `q`, a list
    holds public records only."""
    if not text:
        return queryset
    from search.query import ranked_ids

    kind_of = {"photos": "photo", "videos": "video", "publications": "publication"}
    matches = Q(pk__in=[])
    by_kind = {}
    for kind, pk in ranked_ids(text, user=None, kinds=None, limit=MAX_SEARCH_MATCHES):
        by_kind.setdefault(kind_of.get(kind, kind), []).append(pk)
    for kind, pks in by_kind.items():
        matches |= Q(kind=kind, asset_id__in=pks)
    return queryset.filter(matches, deleted=False)


def item(record, now):
    """One record as the API serves it: the full public record, or a tombstone."""
    stamp = record.datestamp.isoformat()
    if record.is_gone(now):
        return {"id": record.local_id, "datestamp": stamp, "status": "deleted"}
    return {**record.record, "id": record.local_id, "datestamp": stamp, "status": "active"}


def page(filters, options, now=None):
    """(items, position after the last item or None, whether more follow)."""
    now = now or timezone.now()
    rows = records(filters, options, now)
    more = len(rows) > options["page_size"]
    rows = rows[: options["page_size"]]
    last = (rows[-1].datestamp, rows[-1].pk) if rows else options["cursor"]
    return [item(row, now) for row in rows], last, more


def find(kind, asset_id):
    """The record of one asset, public or tombstone, or None if it was never public."""
    if kind not in KINDS or asset_id > MAX_ID:
        return None
    return FeedRecord.objects.filter(kind=kind, asset_id=asset_id).first()
