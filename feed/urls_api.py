"""Routes of the JSON API (/api/v1/) and IIIF manifests (/iiif/), outside the
language prefixes (cms.middleware.UNPREFIXED_PATHS) and the page cache."""

from django.urls import path, re_path

from . import iiif_views
from .api import views

ID = r"(?P<asset_id>[0-9]{1,19})"

urlpatterns = [
    path("api/v1/", views.index, name="feed_api_index"),
    path("api/v1/openapi.json", views.openapi, name="feed_api_openapi"),
    path("api/v1/docs/", views.docs, name="feed_api_docs"),
    path("api/v1/records/", views.record_list, name="feed_api_records"),
    re_path(
        rf"^api/v1/records/(?P<kind>[a-z]+)/{ID}/$", views.record_detail, name="feed_api_record"
    ),
    re_path(
        rf"^iiif/(?P<kind>[a-z]+)/{ID}/manifest\.json$",
        iiif_views.manifest,
        name="feed_iiif_manifest",
    ),
    # Anything else under /api/ and /iiif/ answers a JSON 404, not the site's HTML.
    re_path(r"^(?:api|iiif)/(?P<path>.*)$", views.not_found),
]
