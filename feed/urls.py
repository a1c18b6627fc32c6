"""Everything that leaves Sen for other systems, outside the language prefixes
(harvesters and APIs speak no site language; cms.middleware.UNPREFIXED_PATHS) and
the page cache. Included once by cms/urls.py."""

from django.urls import path, re_path

from . import iiif_views
from .api import views as api_views
from .oai import views as oai_views

ID = r"(?P<asset_id>[0-9]{1,19})"

urlpatterns = [
    # OAI-PMH 2.0 (feed/oai/).
    path("oai/", oai_views.endpoint, name="sen_oai"),
    path("oai/schemas/sen.xsd", oai_views.sen_schema, name="sen_oai_sen_schema"),
    # The JSON API (feed/api/).
    path("api/v1/", api_views.index, name="feed_api_index"),
    path("api/v1/openapi.json", api_views.openapi, name="feed_api_openapi"),
    path("api/v1/docs/", api_views.docs, name="feed_api_docs"),
    path("api/v1/records/", api_views.record_list, name="feed_api_records"),
    re_path(
        rf"^api/v1/records/(?P<kind>[a-z]+)/{ID}/$", api_views.record_detail, name="feed_api_record"
    ),
    # IIIF Presentation 3 manifests (feed/iiif.py).
    re_path(
        rf"^iiif/(?P<kind>[a-z]+)/{ID}/manifest\.json$",
        iiif_views.manifest,
        name="feed_iiif_manifest",
    ),
    # Anything else under /api/ and /iiif/ answers a JSON 404, not the site's HTML.
    re_path(r"^(?:api|iiif)/(?P<path>.*)$", api_views.not_found),
]
