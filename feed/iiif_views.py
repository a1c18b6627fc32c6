"""The IIIF manifest endpoint: read access as for the API (same keys and limits)."""

from django.utils import timezone

from . import iiif
from .api import query
from .api.views import api, problem, respond
from .models import FeedRecord
from .operations import asset_of


@api
def manifest(request, kind, asset_id):
    if kind not in iiif.MANIFEST_KINDS or int(asset_id) > query.MAX_ID:
        return problem(404, "Manifests exist for public photos and publications only.")
    record = (
        FeedRecord.objects.public(timezone.now()).filter(kind=kind, asset_id=int(asset_id)).first()
    )
    asset = asset_of(record) if record is not None else None
    data = iiif.manifest(record, asset) if asset is not None else None
    if data is None:
        return problem(404, f"No public {kind} {asset_id} with an image to show.")
    return respond(request, data)
