"""Background work of the feed (django-tasks: the database worker by default)."""

from django_tasks import task


@task()
def resync_related(model_label, pk):
    """Refresh the records of the public assets that quote a topic, place,
    organisation or licence just edited: an organisation may have thousands."""
    from django.apps import apps

    from . import operations
    from .receivers import ASSET_MODELS, RELATED

    model = apps.get_model(model_label)
    for asset_model in ASSET_MODELS:
        for asset in RELATED[model](asset_model, pk).filter(live=True).distinct().iterator():
            operations.sync(asset)


@task()
def deliver_webhook(delivery_id, expected_attempts):
    """One attempt at one webhook delivery (`feed.webhooks.deliver`)."""
    from .webhooks import deliver

    return deliver(delivery_id, expected_attempts)
