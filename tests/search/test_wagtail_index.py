"""Assets are in Sen's index only: saving one writes nothing to Wagtail's index
(modelsearch, which keeps pages, images and documents), and migration 0006 of
assets deleted what that index held of them."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from wagtail.search.models import IndexEntry

from assets.models import Photo, Publication, SenImage, Video
from tests.factories import SenImageFactory

pytestmark = pytest.mark.django_db

ASSETS = (Photo, Video, Publication)


def asset_entries():
    return IndexEntry.objects.filter(
        content_type__in=ContentType.objects.get_for_models(*ASSETS).values()
    )


def test_saving_an_asset_writes_nothing_to_wagtails_index(make_photo, publish):
    before = IndexEntry.objects.count()
    photo = make_photo(live=False, title_vi="Cần Thơ")
    # Its image is a Wagtail image: Wagtail's index keeps it, and only it.
    assert IndexEntry.objects.count() == before + 1
    assert IndexEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(SenImage), object_id=str(photo.image_id)
    ).exists()
    photo.title_vi = "Cần Thơ về đêm"
    photo.save()
    publish(photo)
    assert IndexEntry.objects.count() == before + 1
    assert not asset_entries().exists()


def test_migration_deletes_the_entries_of_assets_and_keeps_the_rest():
    # Entries as Wagtail's index wrote them before, moved onto the assets' types.
    images = [SenImageFactory() for _ in range(4)]
    entries = {
        e.object_id: e for e in IndexEntry.objects.filter(object_id__in=[str(i.pk) for i in images])
    }
    stale = []
    for image, model in zip(images, ASSETS, strict=False):
        entry = entries[str(image.pk)]
        entry.content_type = ContentType.objects.get_for_model(model)
        entry.save(update_fields=["content_type"])
        stale.append(entry.pk)
    kept = entries[str(images[3].pk)]
    assert asset_entries().count() == 3

    migration = importlib.import_module("assets.migrations.0006_forget_wagtail_index_of_assets")
    migration.forget_assets(apps, SimpleNamespace(connection=connection))

    assert not asset_entries().exists()
    assert IndexEntry.objects.filter(pk=kept.pk).exists()
    if connection.vendor == "sqlite":
        # The FTS5 rows of the deleted entries went with them (wagtailsearch's trigger).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM wagtailsearch_indexentry_fts WHERE rowid IN (%s, %s, %s, %s)",
                [*stale, kept.pk],
            )
            assert [row[0] for row in cursor.fetchall()] == [kept.pk]
