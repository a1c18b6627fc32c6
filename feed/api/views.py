"""Thin views of the JSON API: parse, ask `query`, answer JSON.

Every answer is JSON: records, lists, and errors as RFC 9457 problem details
(`application/problem+json`), so a consumer's client never has to parse an HTML
error page. gzip is safe here despite BREACH: the bodies hold only public data and
no secret (no CSRF token, no session data, the API key is never echoed).
"""

import functools
import hashlib
import json
from http import HTTPStatus
from urllib.parse import urlencode

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page

from . import access, query
from .openapi import document

JSON = "application/json"
PROBLEM = "application/problem+json"


def dumps(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def etag_of(body):
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(request, etag):
    """Weak comparison (RFC 9110 §13.1.2): gzip turns our strong tag into W/"…"."""
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return etag in tags


def respond(request, data, *, status=200, cache_control="public, no-cache"):
    """A JSON answer with a strong ETag over its body; 304 when the client has it."""
    body = dumps(data)
    etag = etag_of(body)
    if status == 200 and _matches(request, etag):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, status=status, content_type=JSON)
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response


def problem(status, detail, **extra):
    data = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    data["detail"] = detail
    data.update(extra)
    response = HttpResponse(dumps(data), status=status, content_type=PROBLEM)
    response["Cache-Control"] = "no-store"
    return response


def api(view):
    """GET only; the key checked, the rate counted; gzip, CORS and Vary on every answer."""

    @gzip_page
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            response = problem(405, _("This API is read-only: use GET."))
            response["Allow"] = "GET, HEAD, OPTIONS"
        elif request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Authorization, X-API-Key, If-None-Match"
        else:
            response = _guarded(view, request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = (
            "ETag, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"
        )
        patch_vary_headers(response, ("Accept-Encoding",))
        return response

    wrapped.csrf_exempt = True
    return wrapped


def _guarded(view, request, *args, **kwargs):
    try:
        key = access.identify(request)
    except access.BadKey as error:
        response = problem(401, str(error))
        response["WWW-Authenticate"] = 'Bearer realm="sen", error="invalid_token"'
        return response
    allowed, limit, remaining, reset = access.take(request, key)
    if not allowed:
        response = problem(
            429,
            _("Too many requests: at most %(limit)d per window. Try again in %(reset)d s.")
            % {"limit": limit, "reset": reset},
        )
        response["Retry-After"] = str(reset)
    else:
        request.api_key = key
        response = view(request, *args, **kwargs)
    response["RateLimit-Limit"] = str(limit)
    response["RateLimit-Remaining"] = str(remaining)
    response["RateLimit-Reset"] = str(reset)
    return response


def _url(request, name, params=None, **kwargs):
    path = reverse(name, kwargs=kwargs or None)
    if params:
        path += "?" + urlencode(params)
    return request.build_absolute_uri(path)


@api
def index(request):
    return respond(
        request,
        {
            "name": "Sen API",
            "version": "v1",
            "links": {
                "records": _url(request, "feed_api_records"),
                "openapi": _url(request, "feed_api_openapi"),
                "documentation": _url(request, "feed_api_docs"),
            },
        },
    )


@api
def openapi(request):
    return respond(request, document(), cache_control="public, max-age=3600")


def docs(request):
    """A human page: the document rendered by the browser, no third-party script."""
    from django.shortcuts import render

    return render(request, "feed/api_docs.html", {"document": document()})


@api
def record_list(request):
    try:
        filters, options = query.parse(request.GET)
    except query.BadRequest as error:
        return problem(400, str(error), parameter=error.parameter)
    items, last, more = query.page(filters, options)
    kept = {name: request.GET[name] for name in query.KNOWN if name in request.GET}
    kept.pop("cursor", None)
    data = {"items": items, "next": None, "resume": None}
    if last is not None:
        from .cursors import make

        token = make(last[0], last[1], filters)
        if more:
            data["next"] = _url(request, "feed_api_records", {**kept, "cursor": token})
        # Where to come back for what changes after this page, deletions included.
        data["resume"] = _url(
            request,
            "feed_api_records",
            {**kept, "include_deleted": "true", "cursor": token},
        )
    return respond(request, data)


@api
def record_detail(request, kind, asset_id):
    record = query.find(kind, int(asset_id))
    if record is None:
        return problem(404, _("No public record %(id)s.") % {"id": f"{kind}/{asset_id}"})
    now = timezone.now()
    if record.is_gone(now):
        return problem(
            410,
            _("The record %(id)s left the public record.") % {"id": record.local_id},
            id=record.local_id,
            datestamp=record.datestamp.isoformat(),
        )
    return respond(request, query.item(record, now))


@api
def not_found(request, path=""):
    """Unknown paths under /api/ and /iiif/ answer JSON, not the public site's HTML 404."""
    return problem(404, _("No such endpoint. See /api/v1/ for the list."))
