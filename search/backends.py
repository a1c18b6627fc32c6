"""Wagtail's database search backend, made safe for concurrent writers on PostgreSQL.

Point ``WAGTAILSEARCH_BACKENDS["default"]["BACKEND"]`` at this module: it returns
modelsearch's backend for the database in use, with one change on PostgreSQL.

Why: modelsearch's PostgreSQL index rewrites ``title_norm`` of every entry still at
1.0 after each write, and entries whose title is exactly the average length stay at
1.0. So two transactions that each saved an asset (two uploads of one batch, two
reviewers approving) update each other's rows in crossed order and PostgreSQL aborts
one of them with "deadlock detected": the upload or approval in it is lost. Taking
one transaction-level advisory lock before any index write makes the writers queue
instead; the lock is held until the transaction ends, which for Sen's requests is
milliseconds after the index write. SQLite already serialises writers.
"""

from django.db import transaction
from modelsearch.backends.database import SearchBackend as database_backend
from modelsearch.backends.database.postgres.postgres import (
    PostgresIndex,
    PostgresSearchBackend,
)

# Any constant bigint; it names "Sen's search index" among advisory locks.
INDEX_WRITE_LOCK = 0x53454E5F494458  # "SEN_IDX"


class SerialisedPostgresIndex(PostgresIndex):
    """PostgreSQL index whose writes hold one advisory lock per transaction."""

    def _lock(self):
        with self.write_connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [INDEX_WRITE_LOCK])

    def add_items(self, model, objs):
        # In autocommit (a worker) the lock must cover the insert and the norm refresh.
        with transaction.atomic(using=self.write_connection.alias):
            self._lock()
            super().add_items(model, objs)

    def delete_item(self, item):
        with transaction.atomic(using=self.write_connection.alias):
            self._lock()
            super().delete_item(item)


class SerialisedPostgresSearchBackend(PostgresSearchBackend):
    index_class = SerialisedPostgresIndex


# modelsearch looks up a backend module's `SearchBackend`, called with the params.
def SearchBackend(params):
    backend = database_backend(params)
    if isinstance(backend, PostgresSearchBackend):
        return SerialisedPostgresSearchBackend(params)
    return backend
