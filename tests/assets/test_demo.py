"""`make run` loads the demo from shared/demo-media; running it twice must change nothing.

Loading it takes about a minute (every file goes through the ingest pipeline), so the
module loads it once, in a transaction rolled back after its last test, and each test
runs in a savepoint inside it, as Django's `setUpTestData` does: what one test changes
(the second load of the idempotence test) is gone before the next. The module is sent
whole to one xdist worker (ONE_WORKER_MODULES in tests/conftest.py), so that the demo is
loaded once per run.
"""

import csv
import io
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from assets import operations
from assets.models import Organisation, Photo, Place, Publication, SenImage, Video

from ..conftest import _InlineTransaction

DEMO_MEDIA = Path(settings.BASE_DIR).parent / "shared" / "demo-media"

pytestmark = pytest.mark.django_db


def _empty_media_dirs():
    for folder in (settings.PRIVATE_ROOT, settings.MEDIA_ROOT):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded into empty media folders, with the ingest pipeline run inline as
    tests/conftest.py's `_pipeline_inline` runs it for every test (that fixture is
    per test, so it is applied here again); rolled back, files removed, at the end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        _empty_media_dirs()
        with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
            patch.setattr("ingest.operations.transaction", _InlineTransaction())
            call_command("load_demo", media=str(DEMO_MEDIA), stdout=io.StringIO())
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
        _empty_media_dirs()


def counts():
    return {
        "photos": Photo.objects.count(),
        "videos": Video.objects.count(),
        "publications": Publication.objects.count(),
        "images": SenImage.objects.count(),
        "organisations": Organisation.objects.count(),
        "places": Place.objects.count(),
        "users": get_user_model().objects.count(),
        "live": sum(m.objects.filter(live=True).count() for m in (Photo, Video, Publication)),
    }


def manifest_rows(kind):
    with open(DEMO_MEDIA / "MANIFEST.csv", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["kind"] == kind]


def test_demo_loads_every_manifest_file_once_and_is_idempotent(demo):
    first = counts()
    call_command("load_demo", media=str(DEMO_MEDIA), stdout=io.StringIO())
    assert counts() == first

    assert first["photos"] == len(manifest_rows("photo"))
    assert first["videos"] == len(manifest_rows("video"))
    # The vi and en travel guides are one publication with two language editions.
    guide = Publication.objects.get(editions__language="en")
    assert sorted(guide.editions.values_list("language", flat=True)) == ["en", "vi"]
    assert first["publications"] == len(manifest_rows("publication")) - 1


def test_demo_assets_carry_manifest_metadata_and_show_the_lifecycle(demo):
    row = next(r for r in manifest_rows("photo") if "floating-market" in r["path"])
    photo = Photo.objects.get(image__file__contains="floating-market")
    assert photo.title_vi == row["title_vi"]
    assert photo.title_en == row["title_en"]
    assert photo.author == row["author"]
    assert photo.licence.code == "cc0-1.0"
    assert photo.licence.uri == row["licence_url"]

    assert Photo.objects.filter(
        live=False, latest_revision__isnull=False, has_unpublished_changes=True
    ).exists()
    in_review = [p for p in Photo.objects.filter(live=False) if p.workflow_in_progress]
    assert len(in_review) == 2
    withdrawn = Photo.objects.filter(live=False, first_published_at__isnull=False)
    assert withdrawn.count() == 1


def test_demo_accounts_have_their_roles(demo):
    User = get_user_model()
    assert User.objects.get(username="admin").is_superuser
    reviewer = User.objects.get(username="reviewer")
    assert reviewer.groups.filter(name=operations.REVIEWERS).exists()
    editor = User.objects.get(username="editor.ninhkieu")
    assert editor.membership.organisation.name_vi == "UBND phường Ninh Kiều"
    assert editor.check_password("sen-demo-2026")
