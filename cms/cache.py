"""Anonymous public pages, cached whole and purged by a generation number.

Why a generation and not per-URL purges: one publication changes many pages (its
detail page in every language, the home page, its topic, place, year and
organisation listings, search results, the sitemap, the Atom feeds), and missing
one of them would leave a withdrawn asset on the site. Every cache key carries the
current generation; anything that changes what the public sees (an asset, a file
derivative, a page, a topic, a setting) starts a new generation once its transaction
commits, and every older entry is simply never read again.

The key also carries the host and the whole path, language prefix included, so one
language never answers for another. Logged-in users, non-GET requests and responses
that set a cookie or are marked private are never stored; a request carrying a
session cookie (possibly logged in) is neither served from nor stored in the cache. A page is not kept past
the expiry of the first asset it shows (the view says when, in
`response.sen_expires`), so an asset leaves the cache the moment it expires even if
the scheduler has not run yet.
"""

import functools
import hashlib
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone

GENERATION_KEY = "sen:public-generation"


def _cache():
    return caches[settings.SEN_PAGE_CACHE]


def current_token(store, key):
    """The random token under `key` in the cache `store`, made on first use: what
    cache keys carry so that one write (`renew_token`) makes them all stale."""
    value = store.get(key)
    if value is None:
        value = uuid.uuid4().hex
        # add(): when two processes start at once, both end up with the same value.
        store.add(key, value, None)
        value = store.get(key, value)
    return value


def renew_token(store, key):
    store.set(key, uuid.uuid4().hex, None)


def generation():
    return current_token(_cache(), GENERATION_KEY)


def purge():
    """Start a new generation now: every cached public page is stale."""
    renew_token(_cache(), GENERATION_KEY)


def purge_on_commit(**kwargs):
    """Signal receiver: purge once the change is committed, so that no request can
    cache the old state under the new generation."""
    transaction.on_commit(purge)


PUBLIC_APPS = {"assets", "cms", "wagtailcore", "ingest", "press"}
IGNORED_MODELS = {
    "job",
    "contentcheck",
    "revision",
    "workflowstate",
    "taskstate",
    "modellogentry",
    "mediakitdownload",
}


def content_changed(sender, **kwargs):
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in PUBLIC_APPS:
        return
    if meta.model_name in IGNORED_MODELS or meta.model_name.endswith(("logentry", "log")):
        return
    purge_on_commit()


@functools.cache
def code_version():
    """What the pages are made with: templates, static files and compiled catalogues.
    A deployment that changes any of them makes new keys, so no page rendered by the
    old code is served by the new one."""
    digest = hashlib.sha256()
    roots = [settings.BASE_DIR / "cms" / "templates", settings.BASE_DIR / "cms" / "static"]
    roots += [Path(p) for p in settings.LOCALE_PATHS][:1]
    for root in roots:
        for path in sorted(Path(root).rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


def _language_prefixes():
    return tuple(f"/{code}/" for code, _name in settings.LANGUAGES)


UNPREFIXED_PUBLIC_PATHS = ("/sitemap.xml", "/sitemap-", "/robots.txt")


class PublicPageCacheMiddleware:
    """Serve anonymous GET requests of the public site from the cache."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = _language_prefixes() + UNPREFIXED_PUBLIC_PATHS

    def cacheable(self, request):
        return (
            settings.SEN_PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and request.path_info.startswith(self.prefixes)
            # Anyone with a session may be logged in; looking would touch the session.
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        )

    def key(self, request):
        path = request.get_full_path()[:1000]
        return f"sen:page:{code_version()}:{generation()}:{request.get_host()}:{path}"

    def __call__(self, request):
        if not self.cacheable(request):
            return self.get_response(request)
        key = self.key(request)
        hit = _cache().get(key)
        if hit is not None:
            status, headers, content = hit
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Sen-Cache"] = "hit"
            return response
        response = self.get_response(request)
        timeout = self.timeout(response)
        if timeout > 0:
            headers = list(response.items())
            _cache().set(key, (response.status_code, headers, response.content), timeout)
            response["X-Sen-Cache"] = "miss"
        else:
            response["X-Sen-Cache"] = "pass"
        return response

    def timeout(self, response):
        if response.status_code != 200 or response.streaming or response.cookies:
            return 0
        control = response.get("Cache-Control", "")
        if "private" in control or "no-store" in control:
            return 0
        seconds = settings.SEN_PAGE_CACHE_SECONDS
        expires = getattr(response, "sen_expires", None)
        if expires is not None:
            seconds = min(seconds, int((expires - timezone.now()).total_seconds()))
        return seconds
