"""Index writes from concurrent transactions on PostgreSQL.

modelsearch's PostgreSQL index rewrites `title_norm` of every entry still at 1.0 after
each write; entries whose title is exactly the average length stay at 1.0, so two
transactions that each saved an asset then lock each other's rows: PostgreSQL aborts
one with "deadlock detected" and the upload or review in it is lost (seen in CI on
the bulk upload). Sen's backend serialises index writes per transaction."""

import threading

import pytest
from django.db import connection, connections, transaction

from assets.models import Photo
from search.backends import SerialisedPostgresIndex
from tests.factories import PhotoFactory, make_organisation

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's index table and its row locks"
)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_transactions_writing_the_index_do_not_deadlock():
    from modelsearch.backends import get_search_backend

    assert isinstance(get_search_backend().get_index_for_model(Photo), SerialisedPostgresIndex)
    # Equal title lengths: every entry keeps title_norm 1.0 and every write touches all.
    organisation = make_organisation()
    photos = [PhotoFactory(title_vi=f"Ảnh {n:03d}", organisation=organisation) for n in range(6)]
    ids = [photo.pk for photo in photos]
    errors = []
    start = threading.Barrier(len(ids))

    def save_own_photo(pk):
        # Each transaction writes only its own asset: any lock cycle is the index's.
        try:
            start.wait()
            for _ in range(5):
                with transaction.atomic():
                    photo = Photo.objects.get(pk=pk)
                    photo.description_vi = f"{photo.description_vi or ''}."
                    photo.save()
                    photo.save()
        except Exception as error:  # noqa: BLE001 - collected for the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save_own_photo, args=(pk,)) for pk in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    for photo in Photo.objects.filter(pk__in=ids):
        assert photo.description_vi == "." * 5
