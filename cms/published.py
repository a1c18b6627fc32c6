"""What the public site shows, fetched in a constant number of queries.

Every public page starts from `AssetQuerySet.public()` (published and not past its
expiry), so a draft, a withdrawn or an expired asset cannot reach a page, a listing,
the sitemap or the Atom feed by any route. Templates never make a rendition: photos
come with the renditions the worker made at upload (`ingest.renditions`), videos and
publications with their poster and cover (`ingest.models.Derivative`), all fetched
here in one query per kind; what is not made yet shows as a placeholder.

Listings (browse, topic and place pages, the home page, search results) fetch their
assets through `CARDS`: only the columns a card shows. An asset row carries every
language's title, description and alt text and Wagtail's workflow columns; building
24 such instances with their image, licence and topics cost more than the page's
SQL (see `cards()`).
"""

import functools
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.text import slugify
from modeltranslation.utils import build_localized_fieldname

from assets.models import Photo, Publication, Video
from ingest.models import Derivative
from ingest.renditions import site_filter_specs

PAGE_SIZE = 24

# URL segment -> model. The segment is the same in every language, so that
# /vi/photos/12/... and /en/photos/12/... are the same photo.
KINDS = {"photos": Photo, "videos": Video, "publications": Publication}
KIND_OF_MODEL = {model: kind for kind, model in KINDS.items()}


def file_url(name):
    """The stable, permission-checked URL of a stored file (assets.views.serve_file).

    Not the storage's own URL: on S3 that is a presigned URL that expires, which a
    cached page must not embed. The prefix is reversed once: a listing has a hundred
    of these."""
    return _files_prefix() + quote(name)


@functools.cache
def _files_prefix():
    return reverse("sen_file", kwargs={"path": "x"})[:-1]


def slug_for(text):
    """An ASCII slug from a title in any language: "Cần Thơ" -> "can-tho".

    "đ" has no decomposition in Unicode, so slugify() would drop it."""
    text = unicodedata.normalize("NFC", text or "").replace("đ", "d").replace("Đ", "D")
    slug = slugify(text)
    if len(slug) > 60:
        slug = slug[:60].rsplit("-", 1)[0]
    return slug.strip("-")


def translated(obj, name, language=None):
    """(value, language it is in): the field in `language`, else in Vietnamese."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    value = getattr(obj, build_localized_fieldname(name, language.replace("-", "_")), "")
    if value:
        return value, language
    return getattr(obj, build_localized_fieldname(name, settings.LANGUAGE_CODE), "") or "", "vi"


def public_url(asset, language=None):
    """The canonical public URL of `asset` in `language` (its slug is the title in
    that language, or in Vietnamese where it has none)."""
    language = language or translation.get_language()
    title, _lang = translated(asset, "title", language)
    kind = KIND_OF_MODEL[type(asset)]
    with translation.override(language):
        return reverse(
            "public_asset",
            kwargs={"kind": kind, "pk": asset.pk, "slug": slug_for(title) or kind[:-1]},
        )


# --- Pictures ---------------------------------------------------------------------


@dataclass
class Picture:
    """The made renditions of one image, as <picture> needs them."""

    sources: dict = field(default_factory=dict)  # mime type -> srcset, besides JPEG
    jpeg_srcset: str = ""
    src: str = ""
    width: int = 0
    height: int = 0
    largest: str = ""  # URL of the largest JPEG: JSON-LD, OpenGraph, sitemap

    def __bool__(self):
        return bool(self.src)


FORMAT_TYPES = {"webp": "image/webp", "avif": "image/avif", "jpeg": "image/jpeg"}


def picture_specs():
    return [spec for spec in site_filter_specs() if spec.startswith("max-")]


def picture_of(renditions):
    """A Picture from the renditions already fetched (never makes one): objects
    with `filter_spec`, `width`, `height` and `file` (the stored name)."""
    by_format = {}
    # A small original gives the same width for several specs: offer each width once.
    for rendition in sorted(renditions, key=lambda r: (r.width, r.filter_spec)):
        fmt = rendition.filter_spec.rsplit("format-", 1)[-1]
        same = by_format.setdefault(fmt, [])
        if not same or same[-1].width != rendition.width:
            same.append(rendition)
    jpegs = sorted(by_format.get("jpeg", []), key=lambda r: r.width)
    if not jpegs:
        return Picture()
    sources = {}
    for fmt in ("avif", "webp"):
        if by_format.get(fmt):
            sources[FORMAT_TYPES[fmt]] = srcset(by_format[fmt])
    # The middle size is what a phone or a card needs; srcset offers the others.
    default = jpegs[min(1, len(jpegs) - 1)]
    return Picture(
        sources=sources,
        jpeg_srcset=srcset(jpegs),
        src=file_url(default.file),
        width=default.width,
        height=default.height,
        largest=file_url(jpegs[-1].file),
    )


def srcset(renditions):
    return ", ".join(
        f"{file_url(r.file)} {r.width}w" for r in sorted(renditions, key=lambda r: r.width)
    )


@dataclass(frozen=True)
class MadeRendition:
    filter_spec: str
    width: int
    height: int
    file: str


def renditions_of(image_ids):
    """{image id: [MadeRendition]} of the site's picture sizes, in one query.

    Plain rows, not SenRendition instances: a page of 24 photos has ~200 renditions,
    and building them as model instances (file fields, signals) took ~6 ms of the
    page."""
    from assets.models import SenRendition

    found = {}
    rows = SenRendition.objects.filter(
        image_id__in=set(image_ids), filter_spec__in=picture_specs()
    ).values_list("image_id", "filter_spec", "width", "height", "file")
    for image_id, *fields in rows:
        found.setdefault(image_id, []).append(MadeRendition(*fields))
    return found


# --- Querysets ---------------------------------------------------------------------


def photos():
    return (
        Photo.objects.public()
        .select_related("image", "place", "licence")
        .prefetch_related("topics")
    )


def videos():
    return (
        Video.objects.public()
        .select_related("media", "place", "licence")
        .prefetch_related("subtitles", "topics")
    )


def publications():
    return (
        Publication.objects.public()
        .select_related("place", "licence")
        .prefetch_related("editions__document", "topics")
    )


QUERYSETS = {"photos": photos, "videos": videos, "publications": publications}

# What a card (cms/includes/card.html) and prepare() read, besides the pk; the
# translated fields bring every language's column (modeltranslation's only()).
CARD_FIELDS = ("title", "date", "place__name", "first_published_at", "expire_at", "live")
CARD_FIELDS_OF_KIND = {
    "photos": ("image", "alt_text"),
    "videos": ("media",),
    "publications": (),
}


def cards(kind):
    """The public assets of `kind` with only what a card shows: no description,
    workflow or licence columns, no topics. At 24 photos a page this builds the
    instances in ~1.5 ms instead of ~16 ms (issue 6). Anything else a template
    reads from them would cost a query per card: the query-count tests catch it."""
    queryset = KINDS[kind].objects.public().select_related("place")
    queryset = queryset.only(*CARD_FIELDS, *CARD_FIELDS_OF_KIND[kind])
    if kind == "videos":
        queryset = queryset.select_related("media")
    elif kind == "publications":
        queryset = queryset.prefetch_related("editions__document")
    return queryset


CARDS = {kind: functools.partial(cards, kind) for kind in KINDS}

# Below this many public assets, a topic's listing is read through the topic.
LARGE_TOPIC = 1000


def of_topic(queryset, topic):
    """(`queryset` narrowed to `topic`, how many assets that is), for a listing
    ordered newest first.

    Counted through the topic: the join reads the topic's links and their assets.
    The page is fetched in whichever form is cheap for the topic's size, as a
    planner with statistics would choose (SQLite has none): a small topic's assets
    are read through the join and sorted; a large topic's by walking the
    newest-first index (`public_newest_index`) until the page is full, testing each
    asset's membership with EXISTS. At 100,000 photos and 11,000 in a topic, the
    join and sort took ~50 ms and EXISTS 0.2 ms; for a topic of 50 photos, EXISTS
    would walk the whole index (~50 ms) and the join takes ~1 ms."""
    members = queryset.filter(topics=topic)
    count = members.count()
    if count < LARGE_TOPIC:
        return members, count
    field = queryset.model._meta.get_field("topics")
    links = field.remote_field.through.objects.filter(
        **{field.m2m_field_name(): OuterRef("pk"), field.m2m_reverse_field_name(): topic}
    )
    return queryset.filter(Exists(links)), count


class Listing(Paginator):
    """A Paginator that may be told its count (`of_topic` counts in another form
    than the one that fetches the page)."""

    def __init__(self, object_list, per_page, count=None):
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self):
        return super().count if self.known_count is None else self.known_count


def prepare(assets):
    """Give each asset of a page what its card or detail shows: `picture` for photos,
    `poster` (and `web_copy`) for videos, `cover` for publications. One query per
    kind of derivative, whatever the number of assets."""
    assets = list(assets)
    for asset in assets:
        asset.kind = KIND_OF_MODEL[type(asset)]
        asset.url = public_url(asset)
        asset.title_lang = translated(asset, "title")[1]
    photos = [a for a in assets if isinstance(a, Photo)]
    videos = [a for a in assets if isinstance(a, Video)]
    publications = [a for a in assets if isinstance(a, Publication)]
    if photos:
        renditions = renditions_of(photo.image_id for photo in photos)
        for photo in photos:
            photo.picture = picture_of(renditions.get(photo.image_id, []))
    if videos:
        found = {
            (d.media_id, d.name): d
            for d in Derivative.objects.filter(
                media__in=[v.media_id for v in videos], name__in=["poster", "web-mp4"]
            )
        }
        for video in videos:
            poster = found.get((video.media_id, "poster"))
            web = found.get((video.media_id, "web-mp4"))
            video.poster = file_url(poster.file.name) if poster else ""
            video.poster_size = (poster.width, poster.height) if poster else (0, 0)
            video.web_copy = file_url(web.file.name) if web else file_url(video.media.file.name)
    if publications:
        editions = [e for p in publications for e in p.editions.all()]
        covers = {
            d.document_id: d
            for d in Derivative.objects.filter(
                document__in=[e.document_id for e in editions], name="cover"
            )
        }
        language = translation.get_language()
        for publication in publications:
            own = {e.language: e for e in publication.editions.all()}
            for edition in own.values():
                cover = covers.get(edition.document_id)
                edition.cover = file_url(cover.file.name) if cover else ""
                edition.cover_size = (cover.width, cover.height) if cover else (0, 0)
                edition.url = file_url(edition.document.file.name)
            first = own.get(language) or own.get("vi") or next(iter(own.values()), None)
            publication.main_edition = first
            publication.cover = first.cover if first else ""
            publication.cover_size = first.cover_size if first else (0, 0)
    return assets


def earliest_expiry(assets):
    """When the first of these assets expires: a cached page must not outlive it."""
    dates = [a.expire_at for a in assets if a.expire_at]
    return min(dates) if dates else None


ITEM_FIELDS = (("photo_id", "photos"), ("video_id", "videos"), ("publication_id", "publications"))


def public_assets_of(items):
    """The public assets that items (album items, media kit items: each a photo, a
    video or a publication) point at, in the items' order and prepared for cards;
    a non-public one is left out. One query per kind, whatever the number of items."""
    items = list(items)
    found = {}
    for column, kind in ITEM_FIELDS:
        pks = [getattr(item, column) for item in items if getattr(item, column)]
        if pks:
            for asset in QUERYSETS[kind]().filter(pk__in=pks):
                found[(column, asset.pk)] = asset
    ordered = [
        found[(column, getattr(item, column))]
        for item in items
        for column, _kind in ITEM_FIELDS
        if (column, getattr(item, column)) in found
    ]
    return prepare(ordered)


def download_label(size):
    """What a photo's download size is called on the site and in media kits."""
    from django.utils.translation import gettext as _

    labels = {
        "web": _("For the web"),
        "press": _("For the press"),
        "print": _("For print"),
        "original": _("Original size"),
    }
    return labels.get(size, size)
