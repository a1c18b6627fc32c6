"""Test-wide setup.

Settings come from cms.settings with SEN_ENV=test (fast hashing, tasks run inline),
files go to a temporary folder per session, and every test database gets the page
translation columns that wagtail-modeltranslation adds outside migrations.
"""

import os
import shutil

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Fill the page translation columns, then take again the snapshot that
    `serialized_rollback` restores: Django takes it right after migrating, when those
    columns were still empty, and restoring that would blank the root and home page
    titles. Every transactional test must use
    `django_db(transaction=True, serialized_rollback=True)`: the flush of one without
    it re-creates content types and permissions, and the next serialized test then
    fails on duplicate keys."""
    from django.db import connections

    with django_db_blocker.unblock():
        call_command("update_translation_fields", verbosity=0)
        for connection in connections.all():
            if getattr(connection, "_test_serialized_contents", None) is not None:
                connection._test_serialized_contents = connection.creation.serialize_db_to_string()


# Under pytest-xdist (`make test` and CI run `-n auto`), modules whose tests share a
# costly module-scoped fixture are sent whole to one worker, so that it is built once;
# every other test goes on its own to whichever worker is free. pytest-xdist's
# `xdist_group` mark would say the same, but its `--dist loadgroup` does not group
# under pytest 9.2 (pytest-dev/pytest-xdist#1386): it renames node ids, which pytest 9.2
# no longer allows. Paths are relative to the repository root, as node ids are.
ONE_WORKER_MODULES = {
    "tests/assets/test_demo.py",  # the demo, loaded once (about a minute)
    "tests/test_storage_s3.py",  # one moto server
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadgroup` (pyproject.toml), grouping ONE_WORKER_MODULES."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class Scheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid):
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_WORKER_MODULES else super()._split_scope(nodeid)

    return Scheduling(config, log)


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(os.environ["SEN_VAR_DIR"], ignore_errors=True)


@pytest.fixture
def media_dirs(settings):
    """The private (originals) and public (renditions) folders, emptied per test."""
    private, public = settings.PRIVATE_ROOT, settings.MEDIA_ROOT
    for folder in (private, public):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
    return private, public


def stored_files(*folders):
    return sorted(
        os.path.join(root, name)
        for folder in folders
        for root, _dirs, names in os.walk(folder)
        for name in names
    )


@pytest.fixture(autouse=True)
def _empty_caches():
    """Wagtail caches renditions by image id, and ids repeat between tests whose
    transactions were rolled back: start every test with empty caches."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


class _InlineTransaction:
    """`transaction` for ingest.operations with on_commit running at once."""

    def __getattr__(self, name):
        from django.db import transaction

        return getattr(transaction, name)

    @staticmethod
    def on_commit(func, using=None, robust=False):
        func()


@pytest.fixture(autouse=True)
def _pipeline_inline(request, monkeypatch):
    """Tests run inside a transaction that is rolled back, so on_commit callbacks
    never fire and the ingest pipeline (content check, derivatives) would never run.
    Run it at once instead, as a worker would right after the commit; a test marked
    `pipeline_deferred` sees the state before the worker has run."""
    if request.node.get_closest_marker("pipeline_deferred"):
        monkeypatch.setattr("ingest.operations.enqueue", lambda job, run_after=None: None)
        return
    monkeypatch.setattr("ingest.operations.transaction", _InlineTransaction())


@pytest.fixture(autouse=True)
def _search_index_inline(monkeypatch):
    """The search index is updated by a task enqueued after the commit
    (search.signal_handlers); tests never commit, so enqueue at once (the tasks
    backend of the tests runs it inline), as a worker would after the commit."""
    monkeypatch.setattr("search.signal_handlers.transaction", _InlineTransaction())
    # ... and the new public generation that an index write starts after its commit.
    monkeypatch.setattr("search.index.transaction", _InlineTransaction())
