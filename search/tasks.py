"""Background tasks that keep the search index up to date (django-tasks: a worker in
production, inline in tests and with SEN_TASKS_IMMEDIATE)."""

from django_tasks import task


@task()
def update_asset(kind, pk):
    """Rewrite the index entry of one asset (and its Elasticsearch document, where
    configured) from the database as it is now: idempotent, so a duplicate or late
    task does no harm, and a withdrawn, expired or deleted asset leaves the index."""
    from . import elasticsearch, index

    item = index.update_asset(kind, pk)
    if elasticsearch.enabled():
        elasticsearch.update(kind, pk, item)


@task()
def update_assets_of(model_label, pk):
    """A place, topic or organisation was renamed: its assets are found by the name."""
    from . import index

    for kind, asset_pk in index.assets_naming(model_label, pk):
        update_asset.call(kind, asset_pk)


@task()
def know_collection():
    """The public index changed: count the collection's facets and find the terms
    every public asset carries, so that searching the province's name does not count
    the whole collection again (search.collection)."""
    from . import collection

    collection.know()
