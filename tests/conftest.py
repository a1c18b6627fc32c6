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
    with django_db_blocker.unblock():
        call_command("update_translation_fields", verbosity=0)


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
