from django.conf.urls.i18n import i18n_patterns
from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from assets.views import download_photo, serve_file
from press import urls as press_urls

from . import views
from .feeds import LatestAssetsFeed
from .sitemaps import SITEMAPS, earliest_expiry


def _sitemap_view(view):
    """Django's sitemap views, without empty sections (an empty <urlset> is not a
    valid sitemap), and whose cached copy does not outlive the next expiry."""

    def wrapped(request, **kwargs):
        sitemaps = {name: s for name, s in SITEMAPS.items() if s.paginator.count}
        if kwargs.get("section", "") not in ("", *sitemaps):
            raise Http404
        response = view(request, sitemaps=sitemaps, **kwargs)
        response.sen_expires = earliest_expiry()
        return response

    return wrapped


urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's document view, guarded by assets.wagtail_hooks (file_access).
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    # Stored files on the embedded default; each request is checked (assets.permissions).
    path("files/<path:path>", serve_file, name="sen_file"),
    # Licence-checked downloads with the credit embedded (published photos only).
    path("download/photo/<int:pk>/<slug:size>/", download_photo, name="sen_download_photo"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # Browsers ask for it (a PDF tab, bookmarks); the icon is an SVG.
    path("favicon.ico", views.favicon),
    *press_urls.urlpatterns,
    # Export feed (OAI-PMH /oai/, JSON API /api/v1/, IIIF /iiif/): for other systems,
    # one address for every language.
    path("", include("feed.urls")),
    path(
        "sitemap.xml",
        _sitemap_view(sitemap_views.index),
        {"sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        _sitemap_view(sitemap_views.sitemap),
        {"template_name": "cms/sitemap.xml"},
        name="sitemap_section",
    ),
]

KIND = r"(?P<kind>photos|videos|publications)"

urlpatterns += i18n_patterns(
    re_path(
        rf"^{KIND}/(?P<pk>\d+)/(?P<slug>[-a-z0-9]+)/$", views.asset_detail, name="public_asset"
    ),
    re_path(rf"^{KIND}/(?P<pk>\d+)/$", views.asset_detail, {"slug": ""}, name="public_asset_short"),
    path("browse/", views.browse, name="public_browse"),
    path("search/", views.search, name="public_search"),
    path("topics/<slug:slug>/", views.topic, name="public_topic"),
    path("places/<int:pk>/", views.place, name="public_place_short"),
    path("places/<int:pk>/<slug:slug>/", views.place, name="public_place"),
    path("feed.atom", LatestAssetsFeed(), name="public_feed"),
    *press_urls.page_urlpatterns,
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)
