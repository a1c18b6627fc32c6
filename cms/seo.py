"""What search engines and social networks read from an asset's page: schema.org
JSON-LD (ImageObject, VideoObject, DigitalDocument with its translations) and Open
Graph / Twitter cards. Built as data here; templates only serialise it."""

from django.conf import settings
from django.utils import translation

from .published import translated


def _absolute(request, url):
    return request.build_absolute_uri(url) if url else None


def _licence(asset):
    return asset.licence.uri if asset.licence and asset.licence.uri else None


def _iso_duration(seconds):
    seconds = int(round(seconds or 0))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return (
        "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{seconds}S"
    )


def fallback_fields(asset):
    """Names of the fields shown in Vietnamese because the visitor's language has no
    translation yet (the page says so, and marks that text lang="vi")."""
    language = translation.get_language()
    if language == settings.LANGUAGE_CODE:
        return []
    names = ["title", "description"] + (["alt_text"] if hasattr(asset, "alt_text") else [])
    fallen = []
    for name in names:
        value, in_language = translated(asset, name, language)
        if value and in_language != language:
            fallen.append(name)
    return fallen


def _common(request, asset, publisher):
    title, _lang = translated(asset, "title")
    description, _lang = translated(asset, "description")
    page = request.build_absolute_uri(request.path)
    data = {
        "@context": "https://schema.org",
        "@id": page + "#asset",
        "url": page,
        "name": title,
        "inLanguage": translation.get_language(),
        "datePublished": asset.first_published_at.isoformat() if asset.first_published_at else None,
        "dateCreated": asset.date.isoformat() if asset.date else None,
        "creditText": asset.credit_line or None,
        "copyrightNotice": asset.copyright_holder or None,
        "license": _licence(asset),
        "acquireLicensePage": page,
        "publisher": {"@type": "Organization", "name": publisher},
    }
    if description:
        data["description"] = description
    if asset.author:
        data["creator"] = {"@type": "Person", "name": asset.author}
    if asset.place_id:
        data["contentLocation"] = {"@type": "Place", "name": asset.place.name}
    return data


def asset_jsonld(request, asset, publisher):
    """`publisher`: the organisation's name when the asset was published (the page
    shows it too, and it costs a query)."""
    data = _common(request, asset, publisher)
    kind = asset.kind
    if kind == "photos":
        data["@type"] = "ImageObject"
        data["contentUrl"] = _absolute(request, asset.picture.largest)
        data["thumbnailUrl"] = _absolute(request, asset.picture.src)
        if asset.picture:
            data["width"] = asset.picture.width
            data["height"] = asset.picture.height
    elif kind == "videos":
        data["@type"] = "VideoObject"
        data["thumbnailUrl"] = _absolute(request, asset.poster)
        data["uploadDate"] = data["datePublished"]
        data["duration"] = _iso_duration(asset.media.duration)
        data["contentUrl"] = _absolute(request, asset.web_copy)
    else:
        main = asset.main_edition
        data["@type"] = "DigitalDocument"
        data["thumbnailUrl"] = _absolute(request, asset.cover)
        if main:
            data["inLanguage"] = main.language
            data["url"] = _absolute(request, main.url)
            data["mainEntityOfPage"] = request.build_absolute_uri(request.path)
            if main.document.page_count:
                data["numberOfPages"] = main.document.page_count
            data["workTranslation"] = [
                {
                    "@type": "DigitalDocument",
                    "name": data["name"],
                    "inLanguage": edition.language,
                    "url": _absolute(request, edition.url),
                    "numberOfPages": edition.document.page_count or None,
                    "translationOfWork": {"@id": data["@id"]},
                }
                for edition in asset.editions.all()
                if edition.pk != main.pk
            ]
    return _drop_empty(data)


def _drop_empty(value):
    if isinstance(value, dict):
        return {k: _drop_empty(v) for k, v in value.items() if v not in (None, "", [])}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value


def asset_opengraph(request, asset):
    title, _lang = translated(asset, "title")
    description, _lang = translated(asset, "description")
    image = {
        "photos": getattr(getattr(asset, "picture", None), "largest", ""),
        "videos": getattr(asset, "poster", ""),
        "publications": getattr(asset, "cover", ""),
    }[asset.kind]
    return {
        "type": "video.other" if asset.kind == "videos" else "article",
        "title": title,
        "description": description[:300],
        "image": _absolute(request, image),
        "image_alt": translated(asset, "alt_text")[0] if asset.kind == "photos" else title,
        "video": _absolute(request, asset.web_copy) if asset.kind == "videos" else None,
    }
