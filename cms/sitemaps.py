"""sitemap.xml: every public asset in every published language, with hreflang
alternates, x-default (Vietnamese), and the image and video sitemap extensions.
Built on Django's sitemap framework, which pages it (SEN_SITEMAP_PAGE_SIZE URLs a
file) and writes the index."""

import threading
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Min
from django.urls import reverse
from django.utils import translation

from assets.models import Topic

from . import published
from .languages import public_languages


class LanguagePairs:
    """(item, language) for every item and language, computed page by page.

    Django's i18n sitemap builds this list whole before paging it, which at 100k
    assets in six languages means loading every asset for each sitemap file. This
    sequence answers len() with one COUNT and a slice with one query for the
    items in it."""

    def __init__(self, queryset, languages):
        self.queryset = queryset
        self.languages = languages

    def __len__(self):
        if not hasattr(self, "_count"):
            queryset = self.queryset
            self._count = len(queryset) if isinstance(queryset, list) else queryset.count()
        return self._count * len(self.languages)

    def count(self):
        return len(self)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop, _step = index.indices(len(self))
        n = len(self.languages)
        first, last = start // n, (stop + n - 1) // n
        pairs = [(item, code) for item in self.queryset[first:last] for code in self.languages]
        offset = first * n
        return pairs[start - offset : stop - offset]


class _Multilingual(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    _local = threading.local()

    def _items(self):
        return LanguagePairs(self.items(), self.languages)

    @property
    def languages(self):
        # Asked for every item: read the province's setting once per sitemap file.
        cached = getattr(self._local, "languages", None)
        return cached if cached is not None else [code for code, _n in public_languages()]

    def get_urls(self, page=1, site=None, protocol=None):
        self._local.languages = [code for code, _name in public_languages()]
        try:
            return super().get_urls(page=page, site=site, protocol=protocol)
        finally:
            self._local.languages = None

    @property
    def limit(self):
        return settings.SEN_SITEMAP_PAGE_SIZE


class AssetSitemap(_Multilingual):
    def __init__(self, kind):
        self.kind = kind

    def items(self):
        return published.QUERYSETS[self.kind]().order_by("pk")

    def location(self, item):
        return published.public_url(item)

    def lastmod(self, item):
        return item.last_published_at

    def get_latest_lastmod(self):
        # Django's default calls lastmod() on every item: one aggregate instead.
        return self.items().aggregate(latest=Max("last_published_at"))["latest"]

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        items = list({id(url["item"][0]): url["item"][0] for url in urls}.values())
        published.prepare(items)
        for url in urls:
            item, _language = url["item"]
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(url["location"]))
            with translation.override(_language):
                extra = self.extensions(item, origin)
            url.update(extra)
        return urls

    def extensions(self, item, origin):
        if self.kind == "photos":
            return {"images": [origin + item.picture.largest] if item.picture else []}
        if self.kind == "publications":
            return {"images": [origin + item.cover] if item.cover else []}
        title, _lang = published.translated(item, "title")
        description, _lang = published.translated(item, "description")
        if not item.poster:
            return {}
        return {
            "video": {
                "thumbnail": origin + item.poster,
                "title": title[:100],
                "description": (description or title)[:2048],
                "content": origin + item.web_copy,
                "duration": int(item.media.duration or 0) or None,
                "publication_date": item.first_published_at,
            }
        }


class PagesSitemap(_Multilingual):
    """The home page, the listings and the topic pages."""

    def items(self):
        return ["home", "browse", *Topic.objects.values_list("slug", flat=True)]

    def location(self, item):
        language = translation.get_language()
        if item == "home":
            return f"/{language}/"
        if item == "browse":
            return reverse("public_browse")
        return reverse("public_topic", kwargs={"slug": item})


SITEMAPS = {
    "pages": PagesSitemap(),
    **{kind: AssetSitemap(kind) for kind in published.KINDS},
}


def earliest_expiry():
    """When the next public asset expires: a cached sitemap must not outlive it."""
    dates = [
        model.objects.public().aggregate(first=Min("expire_at"))["first"]
        for model in published.KINDS.values()
    ]
    dates = [d for d in dates if d]
    return min(dates) if dates else None
