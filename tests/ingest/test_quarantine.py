"""A scanned document stamped TUYỆT MẬT goes through bulk upload: it is quarantined,
cannot be submitted or approved, is logged for auditors, and is removed from storage
when its quarantine runs out unless an administrator releases it."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from assets.models import Photo
from assets.operations import ADMINISTRATORS
from ingest import operations
from ingest.models import ContentCheck

from ..factories import jpeg_bytes, role_user
from .test_bulk_upload import batch, client_for, editor, organisation, upload  # noqa: F401
from .test_markings import official_page

pytestmark = [pytest.mark.django_db]


def scan_bytes(marking="TUYỆT MẬT"):
    buffer = io.BytesIO()
    official_page(marking).convert("RGB").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@pytest.fixture
def quarantined(batch, media_dirs):  # noqa: F811
    result = upload(batch, "cong-van.jpg", scan_bytes())
    photo = Photo.objects.get()
    return result, photo


def test_a_stamped_scan_is_quarantined_and_the_uploader_sees_why(batch, quarantined):  # noqa: F811
    result, photo = quarantined
    assert result["check"] == "quarantined"
    check = ContentCheck.objects.get(image=photo.image)
    assert check.level == "tuyet_mat" and "MẬT" in check.matched_text
    page = batch["client"].get(reverse(photo.snippet_viewset.get_url_name("edit"), args=[photo.pk]))
    assert "cách ly" in page.content.decode()
    entry = ModelLogEntry.objects.get(action="sen.quarantine", object_id=str(check.pk))
    assert entry.data["level"] == "tuyet_mat" and entry.data["file"] == "cong-van.jpg"


def test_a_clean_photo_in_the_same_batch_is_not(batch, quarantined):  # noqa: F811
    assert upload(batch, "phong-canh.jpg", jpeg_bytes(640, 480))["check"] == "clear"


def test_a_quarantined_file_cannot_be_submitted(batch, quarantined):  # noqa: F811
    _result, photo = quarantined
    blockers = operations.submission_blockers(photo)
    assert blockers and "cong-van" in blockers[0]
    response = batch["client"].post(
        reverse("ingest:submit_batch", args=[batch["batch"]]),
        {"attest_no_state_secret": "on", "attest_rights_correct": "on"},
        follow=True,
    )
    assert response.status_code == 200
    photo.refresh_from_db()
    assert not photo.workflow_in_progress


def test_the_file_is_removed_when_the_quarantine_runs_out(quarantined, media_dirs, settings):
    _result, photo = quarantined
    path = photo.image.file.path
    assert operations.purge_quarantined() == 0
    later = timezone.now() + datetime.timedelta(days=settings.SEN_QUARANTINE_DAYS, seconds=1)
    assert operations.purge_quarantined(now=later) == 1
    import os

    assert not os.path.exists(path)
    check = ContentCheck.objects.get(image=photo.image)
    assert check.status == "purged"  # the record stays for auditors


def test_an_administrator_releases_a_false_positive(quarantined, client_for):  # noqa: F811
    _result, photo = quarantined
    check = ContentCheck.objects.get(image=photo.image)
    administrator = role_user(ADMINISTRATORS)
    url = reverse("ingest_release_check", args=[check.pk])
    client = client_for(administrator)
    assert client.post(url, {"reason": ""}).status_code == 200  # a reason is required
    assert (
        client.post(url, {"reason": "Ảnh chụp biển hiệu, không phải tài liệu mật"}).status_code
        == 302
    )
    check.refresh_from_db()
    assert check.status == "released" and check.released_by == administrator
    assert operations.submission_blockers(photo) == []
    assert ModelLogEntry.objects.filter(action="sen.quarantine_release").exists()


def test_only_administrators_release(quarantined, client_for, editor):  # noqa: F811
    _result, photo = quarantined
    check = ContentCheck.objects.get(image=photo.image)
    response = client_for(editor).post(
        reverse("ingest_release_check", args=[check.pk]), {"reason": "mine"}
    )
    assert response.status_code in (302, 403)
    check.refresh_from_db()
    assert check.status == "quarantined"


def test_auditors_see_the_content_checks(quarantined, client_for):  # noqa: F811
    from assets.operations import AUDITORS

    auditor = role_user(AUDITORS)
    response = client_for(auditor).get(reverse("ingest_contentcheck:index"))
    assert response.status_code == 200
    assert "cong-van.jpg" in response.content.decode()


@pytest.mark.pipeline_deferred
def test_approval_waits_for_the_check(batch):  # noqa: F811
    from review.models import ReviewTask

    upload(batch, "a.jpg", jpeg_bytes(300, 200))
    photo = Photo.objects.get()
    assert ContentCheck.objects.get(image=photo.image).status == "pending"
    assert operations.submission_blockers(photo) == []  # may submit while it runs
    assert operations.submission_blockers(photo, for_approval=True)  # may not approve
    task = ReviewTask.objects.first()
    reviewer = role_user("Người duyệt")
    assert "approve" not in [name for name, *_rest in task.get_actions(photo, reviewer)]


def test_near_duplicates_are_found_across_organisations(batch):  # noqa: F811
    from PIL import Image

    picture = Image.open(io.BytesIO(scan_bytes("Công văn số 12")))
    big, small = io.BytesIO(), io.BytesIO()
    picture.save(big, "JPEG", quality=92)
    picture.resize((620, 877)).save(small, "JPEG", quality=70)
    upload(batch, "ban-goc.jpg", big.getvalue())
    second = upload(batch, "ban-nho.jpg", small.getvalue())
    assert second["duplicates"] and not second["duplicates"][0]["identical"]


def test_unrelated_pictures_are_not_duplicates(batch):  # noqa: F811
    upload(batch, "do.jpg", jpeg_bytes(300, 200, color=(200, 30, 30)))
    other = upload(batch, "scan.jpg", scan_bytes("Công văn số 12"))
    assert other["duplicates"] == []
