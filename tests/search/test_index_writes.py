"""Writes to Wagtail's index from concurrent transactions on PostgreSQL.

modelsearch's PostgreSQL index rewrites `title_norm` of every entry still at 1.0 after
each write; entries whose title is exactly the average length stay at 1.0, so two
transactions that each saved an indexed object then lock each other's rows:
PostgreSQL aborts one with "deadlock detected" and the upload in it is lost (seen in
CI on the bulk upload, when assets were in that index too; their files still are:
each upload saves a Wagtail image, document or media). Sen's backend serialises
index writes per transaction."""

import threading

import pytest
from django.db import connection, connections, transaction

from assets.models import SenImage
from search.backends import SerialisedPostgresIndex
from tests.factories import SenImageFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's index table and its row locks"
)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_transactions_writing_the_index_do_not_deadlock():
    from modelsearch.backends import get_search_backend

    assert isinstance(get_search_backend().get_index_for_model(SenImage), SerialisedPostgresIndex)
    # Equal title lengths: every entry keeps title_norm 1.0 and every write touches all.
    ids = [SenImageFactory(title=f"Ảnh {n:03d}").pk for n in range(6)]
    errors = []
    start = threading.Barrier(len(ids))

    def save_own_image(pk):
        # Each transaction writes only its own image: any lock cycle is the index's.
        try:
            start.wait()
            for _ in range(5):
                with transaction.atomic():
                    image = SenImage.objects.get(pk=pk)
                    # Not the title: its length would move the entry's title_norm.
                    image.focal_point_x = (image.focal_point_x or 0) + 1
                    image.save()
                    image.save()
        except Exception as error:  # noqa: BLE001 - collected for the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save_own_image, args=(pk,)) for pk in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    for image in SenImage.objects.filter(pk__in=ids):
        assert image.focal_point_x == 5
