"""Resumption tokens: where a list stopped, signed, so the server keeps no state.

A token carries the harvest's arguments (format, set, date range), the (datestamp,
id) of the last record sent (the keyset: the next page is `WHERE (datestamp, id) >
last`, an index range scan at the same cost on page 1 and page 1,000, where OFFSET
would read every row before it), the list size counted once on the first page, the
cursor, and, through `django.core.signing`'s timestamp, when it was issued. It is
signed with SECRET_KEY under its own salt: a harvester cannot forge a cursor or a
set. Tampered, truncated, oversized, foreign and expired tokens are all
`badResumptionToken`; nothing in one is trusted before the signature is checked.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _

from .protocol import OAIError

SALT = "sen.feed.oai.resumption-token"
VERSION = 1
# A real token is about 200 characters; anything much longer did not come from here.
MAX_LENGTH = 1000


def lifetime():
    return datetime.timedelta(seconds=settings.SEN_OAI_TOKEN_SECONDS)


def issue(verb, state):
    """(token, expiration datetime) for `state` (a dict of JSON-able values)."""
    token = signing.dumps({"v": VERSION, "verb": verb, **state}, salt=SALT, compress=True)
    return token, timezone.now() + lifetime()


def read(verb, token):
    """The state of a token issued for `verb`, or badResumptionToken."""
    if len(token) > MAX_LENGTH:
        raise OAIError("badResumptionToken", _("This resumption token is not one of ours."))
    try:
        state = signing.loads(token, salt=SALT, max_age=lifetime())
    except signing.SignatureExpired:
        raise OAIError(
            "badResumptionToken",
            _("This resumption token has expired: start the list again."),
        ) from None
    except (signing.BadSignature, ValueError, UnicodeError):
        # BadSignature: tampered or malformed; ValueError/UnicodeError: undecodable bodies.
        raise OAIError(
            "badResumptionToken", _("This resumption token is not one of ours.")
        ) from None
    if not isinstance(state, dict) or state.get("v") != VERSION or state.get("verb") != verb:
        raise OAIError("badResumptionToken", _("This resumption token belongs to another list."))
    return state
