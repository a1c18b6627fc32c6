"""Who is asking, and how often they may: API keys and rate limits.

Reading is open to everyone (the records are public); a key only raises the limit
(and identifies the consumer for webhooks). A request that presents a key that is
wrong, revoked or of an inactive consumer is refused (401) rather than served as
anonymous: a consumer whose key was revoked should find out at once, not later
through a mysterious 429.

The limit is a fixed window per client counted in Django's cache (`cache.add` +
`cache.incr`, atomic on Redis and memcached): O(1) per request, shared by all web
processes when the cache is. Anonymous clients are counted by REMOTE_ADDR (the
proxy in front must set it to the client's address; X-Forwarded-For is not trusted,
as anyone can write it).
"""

import re
import time

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext as _

from .. import keys

PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60,
           "h": 3600, "hour": 3600, "d": 86400, "day": 86400}  # fmt: skip


class BadKey(Exception):
    pass


def parse_rate(rate):
    """ "60/min" -> (60, 60)."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*", rate or "")
    if not match or match.group(3) not in PERIODS:
        raise ValueError(f"Not a rate: {rate!r} (use e.g. '60/min').")
    return int(match.group(1)), int(match.group(2) or 1) * PERIODS[match.group(3)]


def presented_key(request):
    """The key in `Authorization: Bearer …` or `X-API-Key`, None if neither is sent."""
    header = request.META.get("HTTP_AUTHORIZATION")
    if header is not None:
        scheme, _space, value = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise BadKey(_("Send the API key as 'Authorization: Bearer <key>'."))
        return value.strip()
    value = request.META.get("HTTP_X_API_KEY")
    if value is not None:
        return value.strip()
    return None


def identify(request):
    """The ApiKey of the request, or None for anonymous. Raises BadKey."""
    presented = presented_key(request)
    if presented is None:
        return None
    key = keys.check(presented)
    if key is None:
        raise BadKey(
            _("The API key is not valid: it is unknown, revoked, or its consumer is inactive.")
        )
    return key


def limit_for(key):
    return parse_rate(settings.SEN_API_RATE_KEY if key else settings.SEN_API_RATE_ANONYMOUS)


def take(request, key, *, now=None):
    """Count the request. Returns (allowed, limit, remaining, seconds until the window resets)."""
    allowed_requests, period = limit_for(key)
    now = time.time() if now is None else now
    window = int(now // period)
    ident = f"key:{key.pk}" if key else f"ip:{request.META.get('REMOTE_ADDR', '')}"
    cache_key = f"sen:api:rate:{ident}:{period}:{window}"
    cache = caches[settings.SEN_API_RATE_CACHE]
    if cache.add(cache_key, 1, period + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.add(cache_key, 1, period + 1)
            count = 1
    reset = max(1, int((window + 1) * period - now + 0.999))
    return count <= allowed_requests, allowed_requests, max(0, allowed_requests - count), reset
