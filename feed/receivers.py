"""When the public record changes, the feed's records follow in the same transaction.

The moments: Wagtail's `published` and `unpublished` signals (approval, withdrawal,
scheduled go-live and expiry by `publish_scheduled`), an asset row deleted, a
background job that made a published asset's download sizes or web copy, and an
edit of what records quote from elsewhere (a topic, place, organisation or licence).
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.signals import published, unpublished

from assets.models import Licence, Organisation, Photo, Place, Publication, Topic, Video

from . import operations
from .records import KIND_OF_MODEL

ASSET_MODELS = (Photo, Video, Publication)


def asset_changed(sender, instance, **kwargs):
    operations.sync(instance)


def asset_deleted(sender, instance, **kwargs):
    operations.forget(KIND_OF_MODEL[sender], instance.pk)


def job_done(sender, job, record, **kwargs):
    from ingest.operations import assets_of

    for asset in assets_of(record):
        if asset.live:
            operations.sync(asset)


# An edit of these changes the records that quote them; which assets use them:
RELATED = {
    Topic: lambda model, pk: model.objects.filter(topics=pk),
    Place: lambda model, pk: model.objects.filter(place=pk),
    Licence: lambda model, pk: model.objects.filter(licence=pk),
    Organisation: lambda model, pk: (
        model.objects.filter(attributed_organisation=pk)
        | model.objects.filter(organisation=pk, attributed_organisation__isnull=True)
    ),
}


def related_changed(sender, instance, created=False, **kwargs):
    if created:
        return  # nothing quotes it yet
    from .tasks import resync_related

    label, pk = sender._meta.label, instance.pk
    transaction.on_commit(lambda: resync_related.enqueue(label, pk))


def connect():
    for model in ASSET_MODELS:
        published.connect(
            asset_changed, sender=model, dispatch_uid=f"feed_published_{model.__name__}"
        )
        unpublished.connect(
            asset_changed, sender=model, dispatch_uid=f"feed_unpublished_{model.__name__}"
        )
        post_delete.connect(
            asset_deleted, sender=model, dispatch_uid=f"feed_deleted_{model.__name__}"
        )
    for model in RELATED:
        post_save.connect(
            related_changed, sender=model, dispatch_uid=f"feed_related_{model.__name__}"
        )

    from ingest.models import Job
    from ingest.signals import job_done as job_done_signal

    job_done_signal.connect(job_done, sender=Job, dispatch_uid="feed_job_done")

    from . import webhooks
    from .models import FeedRecord
    from .signals import record_changed

    record_changed.connect(webhooks.record_changed, sender=FeedRecord, dispatch_uid="feed_webhooks")
