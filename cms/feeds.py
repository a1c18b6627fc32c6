"""An Atom feed of newly published assets, one per language (/vi/feed.atom, ...)."""

from django.contrib.syndication.views import Feed
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from . import published
from .models import ProvinceSettings

FEED_SIZE = 30


class LatestAssetsFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        self.request = request
        response = super().__call__(request, *args, **kwargs)
        response.sen_expires = published.earliest_expiry(self._items)
        return response

    def title(self):
        name = ProvinceSettings.load(request_or_site=self.request).province_name or "Sen"
        return _("%(province)s: newly published") % {"province": name}

    def subtitle(self):
        return _("Photos, videos and publications newly published in the image promotion database.")

    def link(self):
        return f"/{translation.get_language()}/"

    def feed_url(self):
        return self.request.path

    def items(self):
        items = []
        for kind in published.KINDS:
            items += list(
                published.QUERYSETS[kind]().order_by("-first_published_at", "-pk")[:FEED_SIZE]
            )
        items.sort(key=lambda a: (a.first_published_at, a.pk), reverse=True)
        self._items = published.prepare(items[:FEED_SIZE])
        return self._items

    def item_title(self, item):
        return published.translated(item, "title")[0]

    def item_description(self, item):
        return published.translated(item, "description")[0]

    def item_link(self, item):
        return item.url

    def item_guid(self, item):
        return self.request.build_absolute_uri(published.public_url(item, "vi"))

    def item_guid_is_permalink(self, item):
        return False

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_author_name(self, item):
        return item.credit_line or item.author or None

    def item_copyright(self, item):
        return item.copyright_holder or None

    def item_categories(self, item):
        return [topic.name for topic in item.topics.all()]
