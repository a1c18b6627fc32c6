"""Opaque, signed cursors for keyset paging on (datestamp, id).

Why keyset and not offsets: a consumer syncing 100,000 records pages at constant
cost, and a record that changes while it pages moves to the end (its datestamp
moves) instead of shifting every later page by one. Why signed: the cursor is the
consumer's position in our table; a forged one could only skip records, but a
tampered or truncated cursor should say so (400) instead of silently restarting.
The cursor is bound to the filters it was made for, so it cannot be replayed on
another listing.
"""

import hashlib
import json

from django.core import signing
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

SALT = "feed.api.cursor.v1"


class BadCursor(ValueError):
    pass


def fingerprint(filters):
    """A short digest of the filters a cursor belongs to (order-insensitive)."""
    text = json.dumps(filters, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def make(datestamp, pk, filters):
    return signing.dumps(
        {"d": datestamp.isoformat(), "i": pk, "f": fingerprint(filters)}, salt=SALT, compress=True
    )


def read(token, filters):
    """(datestamp, id) of a cursor made by `make` for the same filters."""
    if not isinstance(token, str) or len(token) > 500:
        raise BadCursor(_("The cursor is too long."))
    try:
        data = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as error:
        raise BadCursor(_("The cursor is not one this API made.")) from error
    if not isinstance(data, dict) or data.get("f") != fingerprint(filters):
        raise BadCursor(_("The cursor belongs to a listing with other filters."))
    datestamp = parse_datetime(str(data.get("d", "")))
    pk = data.get("i")
    if datestamp is None or not isinstance(pk, int):
        raise BadCursor(_("The cursor is not one this API made."))
    return datestamp, pk
