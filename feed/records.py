"""The one serialiser of the public record.

OAI-PMH (both formats), the JSON API, webhooks, BagIt bags and IIIF manifests all
start from the dictionary made here, stored in `FeedRecord.record` when an asset is
published. So a field appears in every export or in none, and what an export may say
is decided once: only what the public site itself shows for a public asset.

Shape (every text that exists per language is a map language code -> text, holding
only the languages that have it; URLs are absolute, from `SEN_BASE_URL`)::

    {"id": "photo/12", "type": "photo",
     "url": {"vi": ".../vi/photos/12/...", "en": ...},
     "title": {...}, "description": {...}, "alt_text": {...},
     "keywords": ["chợ nổi", ...],
     "topics": [{"id": "tourism", "name": {...}}],
     "place": {"id": 3, "code": "31117", "name": {...}, "kind": "ward",
               "former_names": [...], "latitude": 10.03, "longitude": 105.78},
     "organisation": {"id": 4, "name": "..."},
     "author": "...", "credit": "...", "copyright_holder": "...",
     "licence": {"code": "cc-by-4.0", "name": {...}, "uri": "...", ...},
     "date": "2024-05-01", "date_precision": "day", "languages": ["vi", "en"],
     "preview": {"url": ..., "width": ..., "height": ..., "mime_type": "image/jpeg"},
     "files": [{"role": "download-web", "url": ..., "mime_type": ..., "bytes": ...,
                "sha256": ..., "width": ..., "height": ..., "language": ...}],
     "editions": [{"language": "vi", "url": ..., "bytes": ..., "sha256": ...,
                   "pages": 12, "cover": ...}],
     "subtitles": [{"language": "en", "kind": "subtitles", "url": ...}],
     "duration": 63.2, "width": 1920, "height": 1080,
     "first_published": "...", "last_published": "..."}
"""

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.urls import reverse

from assets.models import Photo, Publication, Video
from assets.text import language_map
from cms import published
from ingest.models import Derivative

KIND_OF_MODEL = {Photo: "photo", Video: "video", Publication: "publication"}
MODEL_OF_KIND = {kind: model for model, kind in KIND_OF_MODEL.items()}
QUERYSET_OF_KIND = {
    "photo": published.photos,
    "video": published.videos,
    "publication": published.publications,
}


def language_codes():
    return [code for code, _name in settings.LANGUAGES]


def in_order(language_map):
    """(language, text) pairs of a stored language map in the configured languages'
    order (Vietnamese first), then any other: PostgreSQL's jsonb keeps no key order,
    and exports must not change with the database."""
    language_map = language_map or {}
    order = {code: index for index, code in enumerate(language_codes())}
    return sorted(language_map.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


def absolute(path):
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def local_id(asset):
    return f"{KIND_OF_MODEL[type(asset)]}/{asset.pk}"


def set_specs(asset):
    """The OAI-PMH sets of an asset: its type, each topic, its organisation."""
    specs = [f"type:{KIND_OF_MODEL[type(asset)]}"]
    specs += [f"topic:{topic.slug}" for topic in asset.topics.all()]
    organisation = asset.attributed_organisation_id or asset.organisation_id
    specs.append(f"organisation:{organisation}")
    return specs


def _stamp(value):
    return value.isoformat() if value else None


def _place(place):
    if place is None:
        return None
    current = place.current()
    data = {
        "id": place.pk,
        "code": place.code,
        "kind": place.kind,
        "name": language_map(place, "name"),
        "latitude": float(place.latitude) if place.latitude is not None else None,
        "longitude": float(place.longitude) if place.longitude is not None else None,
    }
    if current.pk != place.pk:
        # A unit merged away (2025-07-01): harvesters learn today's unit too.
        data["current"] = {
            "id": current.pk,
            "code": current.code,
            "name": language_map(current, "name"),
        }
    return data


def _licence(licence):
    if licence is None:
        return None
    return {
        "code": licence.code,
        "name": language_map(licence, "name"),
        "uri": licence.uri,
        "requires_credit": licence.requires_credit,
        "allows_reuse": licence.allows_reuse,
    }


def _file(role, url, *, mime_type, size=None, sha256="", width=None, height=None, language=""):
    entry = {"role": role, "url": absolute(url), "mime_type": mime_type}
    if size:
        entry["bytes"] = size
    if sha256:
        entry["sha256"] = sha256
    if width and height:
        entry["width"], entry["height"] = width, height
    if language:
        entry["language"] = language
    return entry


def _common(asset):
    organisation = asset.attributed_organisation or asset.organisation
    day = asset.first_published_at.date() if asset.first_published_at else None
    data = {
        "id": local_id(asset),
        "type": KIND_OF_MODEL[type(asset)],
        "url": {code: absolute(published.public_url(asset, code)) for code in language_codes()},
        "title": language_map(asset, "title"),
        "description": language_map(asset, "description"),
        "keywords": sorted(tag.name for tag in asset.keywords.all()),
        "topics": [
            {"id": topic.slug, "name": language_map(topic, "name")} for topic in asset.topics.all()
        ],
        "place": _place(asset.place),
        "organisation": {"id": organisation.pk, "name": organisation.name_on(day)},
        "author": asset.author,
        "credit": asset.credit_line,
        "copyright_holder": asset.copyright_holder,
        "licence": _licence(asset.licence),
        "date": asset.date.isoformat() if asset.date else None,
        "date_precision": asset.date_precision if asset.date else None,
        "source": asset.source,
        "first_published": _stamp(asset.first_published_at),
        "last_published": _stamp(asset.last_published_at),
    }
    return data


def _photo(photo, derivatives):
    data = _common(photo)
    data["alt_text"] = language_map(photo, "alt_text")
    data["languages"] = []
    data["width"], data["height"] = photo.image.width, photo.image.height
    picture = photo.picture
    if picture:
        data["preview"] = {
            "url": absolute(picture.src),
            "width": picture.width,
            "height": picture.height,
            "mime_type": "image/jpeg",
        }
        data["image"] = {"url": absolute(picture.largest), "mime_type": "image/jpeg"}
    allowed = (photo.licence.download_sizes or []) if photo.licence else []
    files = []
    for size in allowed:
        made = derivatives.get((photo.image_id, f"download-{size}"))
        if made is None:
            continue  # the worker makes it at publication; the record is refreshed then
        url = reverse("sen_download_photo", kwargs={"pk": photo.pk, "size": size})
        files.append(
            _file(
                f"download-{size}", url, mime_type=made.mime_type, size=made.size,
                sha256=made.sha256, width=made.width, height=made.height,
            )
        )  # fmt: skip
    data["files"] = files
    return data


def _video(video, derivatives):
    data = _common(video)
    data["languages"] = list(video.content_languages or [])
    media = video.media
    data["duration"] = media.duration
    data["width"], data["height"] = media.width, media.height
    if video.poster:
        data["preview"] = {
            "url": absolute(video.poster),
            "width": video.poster_size[0],
            "height": video.poster_size[1],
            "mime_type": "image/jpeg",
        }
    files = []
    web = derivatives.get((video.media_id, "web-mp4"))
    if web is not None:
        files.append(
            _file(
                "web", published.file_url(web.file.name), mime_type="video/mp4",
                size=web.size, sha256=web.sha256, width=web.width, height=web.height,
            )
        )  # fmt: skip
    files.append(
        _file(
            "original", published.file_url(media.file.name),
            mime_type=_media_type(media.file.name), size=_size(media.file), sha256=media.sha256,
            width=media.width, height=media.height,
        )
    )  # fmt: skip
    data["files"] = files
    data["subtitles"] = [
        {
            "language": track.language,
            "kind": track.kind,
            "url": absolute(published.file_url(track.file.name)),
        }
        for track in video.subtitles.all()
    ]
    return data


def _publication(publication, derivatives):
    data = _common(publication)
    data["languages"] = list(publication.content_languages or [])
    editions = []
    for edition in publication.editions.all():
        document = edition.document
        entry = {
            "language": edition.language,
            "url": absolute(edition.url),
            "mime_type": "application/pdf",
            "bytes": document.file_size or _size(document.file),
            "sha256": document.sha256,
            "pages": document.page_count,
        }
        if edition.cover:
            entry["cover"] = absolute(edition.cover)
        editions.append(entry)
    data["editions"] = editions
    if publication.cover:
        data["preview"] = {
            "url": absolute(publication.cover),
            "width": publication.cover_size[0],
            "height": publication.cover_size[1],
            "mime_type": "image/jpeg",
        }
    data["files"] = [
        _file(
            "edition", entry["url"], mime_type="application/pdf", size=entry["bytes"],
            sha256=entry["sha256"], language=entry["language"],
        )
        for entry in editions
    ]  # fmt: skip
    return data


def _size(field_file):
    try:
        return field_file.size
    except (OSError, ValueError):
        return None


def _media_type(name):
    import mimetypes

    return mimetypes.guess_type(name)[0] or "application/octet-stream"


SERIALISERS = {Photo: _photo, Video: _video, Publication: _publication}


def public_records(assets):
    """The public records of `assets` (public assets, fetched with the querysets of
    `QUERYSET_OF_KIND`), in order. Queries per call, not per asset, for derivatives
    and pictures; the URLs are made in Vietnamese-first order whatever the language
    of the request that triggered it."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        assets = published.prepare(assets)
    # The organisation's name on the publication day and the place's unit today,
    # for the whole batch at once (sync_all at 100k: not two queries per asset).
    prefetch_related_objects(
        assets,
        "organisation__former_names",
        "attributed_organisation__former_names",
        "place__replaced_by__replaced_by",
    )
    images = [a.image_id for a in assets if isinstance(a, Photo)]
    media = [a.media_id for a in assets if isinstance(a, Video)]
    derivatives = {}
    for derivative in Derivative.objects.filter(image__in=images, name__startswith="download-"):
        derivatives[(derivative.image_id, derivative.name)] = derivative
    for derivative in Derivative.objects.filter(media__in=media, name="web-mp4"):
        derivatives[(derivative.media_id, derivative.name)] = derivative
    return [SERIALISERS[type(asset)](asset, derivatives) for asset in assets]


def public_record(asset):
    """The public record of one public asset (None if it is not public)."""
    kind = KIND_OF_MODEL[type(asset)]
    fresh = (
        QUERYSET_OF_KIND[kind]()
        .select_related("organisation", "attributed_organisation")
        .prefetch_related("keywords")
        .filter(pk=asset.pk)
        .first()
    )
    if fresh is None:
        return None
    return public_records([fresh])[0]
