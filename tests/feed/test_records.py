"""The feed's records follow the public record: created on publication, updated when
the public sees a change, emptied into a tombstone when the asset leaves."""

import datetime

import pytest
from django.utils import timezone

from assets.models import Place
from feed import operations
from feed.models import FeedRecord
from feed.signals import record_changed
from review.operations import withdraw

pytestmark = pytest.mark.django_db


@pytest.fixture
def changes():
    seen = []

    def receiver(sender, record, change, **kwargs):
        seen.append((record.local_id, change))

    record_changed.connect(receiver)
    yield seen
    record_changed.disconnect(receiver)


def record_of(asset):
    return FeedRecord.objects.get(kind=type(asset).__name__.lower(), asset_id=asset.pk)


def test_a_draft_has_no_record(make_photo):
    photo = make_photo(live=False)
    assert not FeedRecord.objects.filter(asset_id=photo.pk).exists()


def test_publishing_makes_the_public_record(
    make_photo, settings, django_capture_on_commit_callbacks, changes
):
    settings.WAGTAILADMIN_BASE_URL = "https://anh.cantho.gov.vn"
    place = Place.objects.create(name="Cái Răng", name_en="Cai Rang", kind=Place.Kind.WARD)
    with django_capture_on_commit_callbacks(execute=True):
        photo = make_photo(
            title_vi="Chợ nổi Cái Răng",
            title_en="Cai Rang floating market",
            alt_text_vi="Ghe thuyền",
            credit_line="Ảnh: Sở VHTTDL",
            place=place,
        )
    record = record_of(photo)
    data = record.record
    assert data["id"] == f"photo/{photo.pk}"
    assert data["title"] == {"vi": "Chợ nổi Cái Răng", "en": "Cai Rang floating market"}
    assert data["alt_text"] == {"vi": "Ghe thuyền"}
    assert (
        data["url"]["en"]
        == f"https://anh.cantho.gov.vn/en/photos/{photo.pk}/cai-rang-floating-market/"
    )
    assert data["url"]["vi"] == f"https://anh.cantho.gov.vn/vi/photos/{photo.pk}/cho-noi-cai-rang/"
    assert data["place"]["name"] == {"vi": "Cái Răng", "en": "Cai Rang"}
    assert data["licence"]["uri"].startswith("https://creativecommons.org/")
    assert data["credit"] == "Ảnh: Sở VHTTDL"
    # The worker made the download sizes the licence allows at publication; the record
    # was refreshed with their size and checksum.
    roles = {entry["role"]: entry for entry in data["files"]}
    assert set(roles) == {f"download-{size}" for size in photo.licence.download_sizes}
    assert all(len(entry["sha256"]) == 64 and entry["bytes"] > 0 for entry in roles.values())
    assert set(record.set_memberships.values_list("spec", flat=True)) == {
        "type:photo",
        f"organisation:{photo.organisation_id}",
    }
    assert (f"photo/{photo.pk}", "created") in changes
    assert record.first_published_at == photo.first_published_at


def test_a_draft_edit_of_a_published_asset_changes_nothing(make_photo, reviewer):
    photo = make_photo(title_vi="Bến Ninh Kiều")
    before = record_of(photo)
    photo.title_vi = "Bến Ninh Kiều (bản nháp)"
    photo.save_revision(user=reviewer)
    operations.sync(photo)
    after = record_of(photo)
    assert after.datestamp == before.datestamp
    assert after.record["title"]["vi"] == "Bến Ninh Kiều"


def test_publishing_a_change_updates_and_moves_the_datestamp(make_photo, publish, changes):
    photo = make_photo(title_vi="Bến Ninh Kiều")
    before = record_of(photo)
    photo.title_vi = "Bến Ninh Kiều về đêm"
    publish(photo)
    after = record_of(photo)
    assert after.record["title"]["vi"] == "Bến Ninh Kiều về đêm"
    assert after.datestamp > before.datestamp
    assert after.pk == before.pk


def test_withdrawal_empties_the_record_in_the_same_transaction(
    make_photo, reviewer, django_capture_on_commit_callbacks, changes
):
    photo = make_photo(title_vi="Ảnh sẽ rút")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        withdraw(photo, user=reviewer, reason="Sai thông tin")
        # Before the commit: the record is already a tombstone.
        record = record_of(photo)
        assert record.deleted and record.record == {}
        assert (record.local_id, "deleted") not in changes
    assert callbacks
    assert (f"photo/{photo.pk}", "deleted") in changes
    assert not FeedRecord.objects.public().filter(pk=record.pk).exists()
    assert FeedRecord.objects.gone().filter(pk=record.pk).exists()


def test_republishing_after_withdrawal_creates_it_again(make_photo, reviewer, publish, changes):
    photo = make_photo()
    withdraw(photo, user=reviewer, reason="Tạm rút")
    publish(photo)
    record = record_of(photo)
    assert not record.deleted and record.record["id"] == f"photo/{photo.pk}"


def test_an_expired_asset_is_gone_before_the_scheduler_runs(make_photo, publish):
    photo = make_photo()
    photo.expire_at = timezone.now() + datetime.timedelta(hours=1)
    publish(photo)
    record = record_of(photo)
    assert record.expires_at == photo.expire_at
    later = timezone.now() + datetime.timedelta(hours=2)
    assert FeedRecord.objects.public().filter(pk=record.pk).exists()
    assert not FeedRecord.objects.public(now=later).filter(pk=record.pk).exists()
    assert operations.expire_due(now=later) == 1
    record.refresh_from_db()
    assert record.deleted and record.record == {} and record.datestamp == later


def test_deleting_a_published_asset_leaves_a_tombstone(make_photo):
    photo = make_photo()
    pk = photo.pk
    photo.delete()
    record = FeedRecord.objects.get(kind="photo", asset_id=pk)
    assert record.deleted and record.record == {}


def test_deleting_a_draft_leaves_nothing(make_photo):
    photo = make_photo(live=False)
    pk = photo.pk
    photo.delete()
    assert not FeedRecord.objects.filter(kind="photo", asset_id=pk).exists()


def test_renaming_a_place_refreshes_the_records_quoting_it(
    make_photo, django_capture_on_commit_callbacks
):
    place = Place.objects.create(name="Ninh Kiều", name_en="Ninh Kieu", kind=Place.Kind.WARD)
    photo = make_photo(place=place)
    before = record_of(photo)
    with django_capture_on_commit_callbacks(execute=True):
        place.name_en = "Ninh Kieu ward"
        place.save()
    after = record_of(photo)
    assert after.record["place"]["name"]["en"] == "Ninh Kieu ward"
    assert after.datestamp > before.datestamp


def test_video_and_publication_records(make_video, make_publication):
    video = make_video(title_vi="Phim Cần Thơ", title_en="Can Tho film", content_languages=["vi"])
    publication = make_publication(title_vi="Cẩm nang", languages=("vi", "en"))
    video_data = record_of(video).record
    assert video_data["type"] == "video" and video_data["duration"] == 75
    assert video_data["languages"] == ["vi"]
    assert any(entry["role"] == "original" for entry in video_data["files"])
    data = record_of(publication).record
    assert [edition["language"] for edition in data["editions"]] == ["vi", "en"]
    assert all(edition["url"].endswith(".pdf") for edition in data["editions"])
    assert all(edition["mime_type"] == "application/pdf" for edition in data["editions"])
    assert {entry["language"] for entry in data["files"]} == {"vi", "en"}


def test_sync_all_is_idempotent_and_repairs(make_photo):
    kept = make_photo()
    lost = make_photo()
    FeedRecord.objects.filter(asset_id=lost.pk).delete()  # as before the feed existed
    counts = operations.sync_all()
    assert counts["created"] == 1 and counts["unchanged"] == 1
    assert record_of(lost).record["id"] == f"photo/{lost.pk}"
    stamp = record_of(kept).datestamp
    again = operations.sync_all()
    assert again == {"created": 0, "updated": 0, "deleted": 0, "unchanged": 2}
    assert record_of(kept).datestamp == stamp


def test_download_sizes_made_later_by_the_worker_reach_the_record(make_photo):
    """In production the worker makes the download sizes after the approval: when its
    job is done, the record gains them (ingest.signals.job_done)."""
    from ingest.models import Derivative, Job
    from ingest.operations import run_job

    photo = make_photo()
    Derivative.objects.filter(image=photo.image_id).delete()
    operations.sync(photo)
    assert record_of(photo).record["files"] == []
    Job.objects.filter(image=photo.image_id, kind=Job.Kind.DOWNLOADS).delete()
    job = Job.objects.create(image=photo.image, kind=Job.Kind.DOWNLOADS)
    assert run_job(job.pk) == "done"
    files = record_of(photo).record["files"]
    assert {entry["role"] for entry in files} == {
        f"download-{size}" for size in photo.licence.download_sizes
    }


def test_rebuilding_every_record_costs_the_same_queries_for_more_assets(make_photo):
    """sync_all reads the organisation's name on the publication day and the place's
    unit today for a whole batch at once, not per asset."""
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assets.models import OrganisationFormerName
    from tests.factories import make_organisation

    def photo(i):
        organisation = make_organisation(f"Phường {i}")
        OrganisationFormerName.objects.create(
            organisation=organisation, name=f"Xã {i}", valid_until=dt.date(2999, 1, 1)
        )
        today = Place.objects.create(name=f"Phường mới {i}", kind=Place.Kind.WARD)
        merged = Place.objects.create(name=f"Xã cũ {i}", kind=Place.Kind.WARD, replaced_by=today)
        return make_photo(organisation=organisation, place=merged)

    def cost():
        FeedRecord.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            operations.sync_all()
        return len(queries)

    first = photo(0)
    few = cost()
    assert record_of(first).record["organisation"]["name"] == "Xã 0"
    assert record_of(first).record["place"]["current"]["name"]["vi"] == "Phường mới 0"
    for i in range(1, 5):
        photo(i)
    # Per record only its own rows: look it up, write it, read and write its sets.
    assert cost() == few + 4 * 5
