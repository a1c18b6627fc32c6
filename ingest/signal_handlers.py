"""Start the pipeline whichever way a file or a publication happens."""

from django.db.models.signals import post_save
from wagtail.signals import published

from . import operations
from .models import Job


def file_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw and instance.file:
        operations.file_processing_started(instance)


def photo_published(sender, instance, **kwargs):
    if instance.image_id:
        operations.queue_job(instance.image, Job.Kind.DOWNLOADS)


def register_signal_handlers():
    from assets.models import Photo, SenDocument, SenImage, SenMedia

    for model in (SenImage, SenMedia, SenDocument):
        post_save.connect(file_saved, sender=model, dispatch_uid=f"ingest_{model.__name__}")
    published.connect(photo_published, sender=Photo, dispatch_uid="ingest_photo_published")
