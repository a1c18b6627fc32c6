"""Keeping the feed's records equal to the public record.

`sync(asset)` is called inside the transaction that published, unpublished, changed
or deleted an asset (`feed.receivers`), so a withdrawal empties the record in the
same commit that takes the asset off the site: no harvest in between can still get
it. `record_changed` is sent only after that commit (webhooks are queued then).
"""

import hashlib
import json

from django.db import transaction
from django.utils import timezone

from .models import FeedRecord, FeedSetMembership
from .records import KIND_OF_MODEL, MODEL_OF_KIND, QUERYSET_OF_KIND, public_records, set_specs
from .signals import record_changed


def digest(data):
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()


def _announce(record, change):
    transaction.on_commit(
        lambda: record_changed.send(sender=FeedRecord, record=record, change=change)
    )


def _store(asset, data, now):
    """Create or update the record of a public asset; the datestamp moves only if
    what the public sees changed."""
    kind = KIND_OF_MODEL[type(asset)]
    new_digest = digest(data)
    record = FeedRecord.objects.select_for_update().filter(kind=kind, asset_id=asset.pk).first()
    if record is not None and not record.deleted and record.digest == new_digest:
        if record.expires_at != asset.expire_at:
            record.expires_at = asset.expire_at
            record.save(update_fields=["expires_at"])
        return record, None
    change = "created" if record is None else ("created" if record.deleted else "updated")
    if record is None:
        record = FeedRecord(kind=kind, asset_id=asset.pk)
    record.record = data
    record.digest = new_digest
    record.deleted = False
    record.expires_at = asset.expire_at
    record.first_published_at = asset.first_published_at
    record.datestamp = now
    record.save()
    specs = set(set_specs(asset))
    record.set_memberships.exclude(spec__in=specs).delete()
    existing = set(record.set_memberships.values_list("spec", flat=True))
    FeedSetMembership.objects.bulk_create(
        [FeedSetMembership(record=record, spec=spec) for spec in sorted(specs - existing)]
    )
    return record, change


def _tombstone(kind, asset_id, now):
    """The asset left the public record: keep only that it did, and when."""
    record = FeedRecord.objects.select_for_update().filter(kind=kind, asset_id=asset_id).first()
    if record is None or record.deleted:
        return record, None
    record.deleted = True
    record.record = {}
    record.digest = ""
    record.datestamp = now
    record.save()
    return record, "deleted"


@transaction.atomic
def sync(asset, *, now=None):
    """Make the feed say what the public sees of `asset` now. Returns the change
    ("created", "updated", "deleted") or None when nothing public changed."""
    now = now or timezone.now()
    kind = KIND_OF_MODEL[type(asset)]
    fresh = QUERYSET_OF_KIND[kind]().filter(pk=asset.pk).first()
    if fresh is None:
        record, change = _tombstone(kind, asset.pk, now)
    else:
        record, change = _store(fresh, public_records([fresh])[0], now)
    if change:
        _announce(record, change)
    return change


@transaction.atomic
def forget(kind, asset_id, *, now=None):
    """An asset row was deleted: if it was ever public, it stays as a tombstone."""
    record, change = _tombstone(kind, asset_id, now or timezone.now())
    if change:
        _announce(record, change)
    return change


def sync_all(*, batch_size=500, progress=None):
    """Bring every record in line with the public record (first install, a changed
    organisation, place or licence name, a new serialiser). Returns counts per change.

    Batched: one set of queries per `batch_size` public assets."""
    counts = {"created": 0, "updated": 0, "deleted": 0, "unchanged": 0}
    now = timezone.now()
    for kind, queryset in QUERYSET_OF_KIND.items():
        ids = list(queryset().order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch_size):
            chunk = ids[start : start + batch_size]
            assets = list(
                queryset()
                .select_related("organisation", "attributed_organisation")
                .prefetch_related("keywords")
                .filter(pk__in=chunk)
                .order_by("pk")
            )
            with transaction.atomic():
                for asset, data in zip(assets, public_records(assets), strict=True):
                    record, change = _store(asset, data, now)
                    counts[change or "unchanged"] += 1
                    if change:
                        _announce(record, change)
            if progress:
                progress(len(assets))
        # Records whose asset is no longer public (or no longer exists).
        public_ids = set(ids)
        stale = FeedRecord.objects.filter(kind=kind, deleted=False).exclude(asset_id__in=public_ids)
        for asset_id in stale.values_list("asset_id", flat=True):
            with transaction.atomic():
                record, change = _tombstone(kind, asset_id, now)
                if change:
                    counts["deleted"] += 1
                    _announce(record, change)
    return counts


def expire_due(now=None):
    """Turn records past their expiry into tombstones dated now. Readers already
    hide them the moment the expiry passes (`FeedRecordQuerySet.public`); dating the
    tombstone when it is written, not at the expiry, makes sure a harvest `from` the
    last one sees the deletion even if it ran between the expiry and this tick. Run by the
    scheduler with Wagtail's `publish_scheduled` (README, "Scheduled publishing")."""
    now = now or timezone.now()
    changed = 0
    due = FeedRecord.objects.filter(deleted=False, expires_at__isnull=False, expires_at__lte=now)
    for record in due:
        with transaction.atomic():
            record, change = _tombstone(record.kind, record.asset_id, now)
            if change:
                changed += 1
                _announce(record, change)
    return changed


def asset_of(record):
    """The asset behind a public record (None if it is not public any more)."""
    return QUERYSET_OF_KIND[record.kind]().filter(pk=record.asset_id).first()


def model_of(kind):
    return MODEL_OF_KIND[kind]
