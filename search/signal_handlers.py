"""When the index must change: at the moments the public site's cache is purged
(cms/apps.py), i.e. any save or delete of an asset, its topics, keywords, editions
and the PDF text of its editions; and renames in the gazetteer, topics and
organisations. Publishing, withdrawing and expiry all save the asset row (Wagtail's
`publish_scheduled` unpublishes an expired asset, which saves it), so they are covered
by `post_save` without listening to `published`/`unpublished` separately.

The work is a background task enqueued after the commit: the task reads the
committed row (never the instance in memory, which may hold a draft), and a rolled
back transaction enqueues nothing.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from assets.models import (
    Licence,
    Organisation,
    OrganisationFormerName,
    Photo,
    PhotoTag,
    Place,
    Publication,
    PublicationEdition,
    PublicationTag,
    SenDocument,
    Topic,
    Video,
    VideoTag,
)

from .index import KIND_OF_MODEL


def enqueue_update(kind, pk):
    from .tasks import update_asset

    transaction.on_commit(lambda: update_asset.enqueue(kind, pk))


def asset_changed(sender, instance, **kwargs):
    enqueue_update(KIND_OF_MODEL[sender], instance.pk)


def child_changed(sender, instance, **kwargs):
    """A keyword (tag through row) or an edition changed: its asset's text did."""
    if isinstance(instance, PublicationEdition):
        enqueue_update("publications", instance.publication_id)
    else:
        parent = instance.content_object_id
        enqueue_update(
            KIND_OF_MODEL[sender._meta.get_field("content_object").related_model], parent
        )


def topics_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if not reverse:
        enqueue_update(KIND_OF_MODEL[type(instance)], instance.pk)
        return
    # topic.photos.add(...): pk_set holds assets of the model the through table names.
    for field in sender._meta.get_fields():
        if getattr(field, "related_model", None) in KIND_OF_MODEL:
            for pk in pk_set or ():
                enqueue_update(KIND_OF_MODEL[field.related_model], pk)


def document_changed(sender, instance, **kwargs):
    """The worker stored a PDF's text (ingest): publications with that edition."""
    for pk in instance.editions.values_list("publication_id", flat=True):
        enqueue_update("publications", pk)


def name_changed(sender, instance, **kwargs):
    from .tasks import update_assets_of

    label = sender._meta.label_lower
    transaction.on_commit(lambda: update_assets_of.enqueue(label, instance.pk))


def labels_changed(sender, **kwargs):
    """Facet labels are cached (search.query.labels): a new generation after commit."""
    from .query import bump_labels_generation

    transaction.on_commit(bump_labels_generation)


def register_signal_handlers():
    for model in (Photo, Video, Publication):
        uid = f"sen_search_{model.__name__}"
        post_save.connect(asset_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(asset_changed, sender=model, dispatch_uid=uid)
        m2m_changed.connect(
            topics_changed, sender=model.topics.through, dispatch_uid=f"{uid}_topics"
        )
    for model in (PhotoTag, VideoTag, PublicationTag, PublicationEdition):
        uid = f"sen_search_{model.__name__}"
        post_save.connect(child_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(child_changed, sender=model, dispatch_uid=uid)
    post_save.connect(document_changed, sender=SenDocument, dispatch_uid="sen_search_document")
    for model in (Place, Topic, Organisation, OrganisationFormerName):
        post_save.connect(name_changed, sender=model, dispatch_uid=f"sen_search_{model.__name__}")
    for model in (Place, Topic, Organisation, Licence):
        uid = f"sen_search_labels_{model.__name__}"
        post_save.connect(labels_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(labels_changed, sender=model, dispatch_uid=uid)
