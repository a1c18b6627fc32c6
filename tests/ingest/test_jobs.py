"""Jobs: run off the request path, retried with backoff, recovered after a worker dies,
and leaving exactly one set of derivatives whatever happened."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from ingest import operations
from ingest.models import ContentCheck, Job
from ingest.renditions import site_filter_specs
from tests.conftest import stored_files
from tests.factories import SenImageFactory, jpeg_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_dirs")]


class WorkerKilled(BaseException):
    """Stands for SIGKILL: not an Exception, so nothing in the job catches it and
    the row stays "running", as it would after a real kill."""


@pytest.mark.pipeline_deferred
def test_a_new_file_gets_a_pending_check_and_two_queued_jobs():
    image = SenImageFactory()
    jobs = Job.objects.filter(image=image)
    assert sorted(jobs.values_list("kind", flat=True)) == ["check", "derivatives"]
    assert set(jobs.values_list("status", flat=True)) == {"queued"}
    assert image.renditions.count() == 0  # nothing was made on the request path


def test_the_pipeline_makes_every_site_rendition():
    image = SenImageFactory(file=ContentFile(jpeg_bytes(1200, 800), name="a.jpg"))
    assert Job.objects.get(image=image, kind="derivatives").status == "done"
    assert set(image.renditions.values_list("filter_spec", flat=True)) == set(site_filter_specs())


@pytest.mark.pipeline_deferred
def test_a_job_killed_midway_is_retried_and_leaves_one_set(media_dirs, settings, monkeypatch):
    image = SenImageFactory(file=ContentFile(jpeg_bytes(1200, 800), name="a.jpg"))
    job = Job.objects.get(image=image, kind="derivatives")

    # The worker dies after writing the third rendition's file, before its row.
    from django.core.files.storage import FileSystemStorage

    saves = []
    real_save = FileSystemStorage._save

    def dying_save(storage, name, content):
        saved = real_save(storage, name, content)
        saves.append(saved)
        if name.startswith("renditions/") and len(saves) == 3:
            raise WorkerKilled
        return saved

    monkeypatch.setattr(FileSystemStorage, "_save", dying_save)
    with pytest.raises(WorkerKilled):
        operations.run_job(job.pk)
    monkeypatch.setattr(FileSystemStorage, "_save", real_save)
    job.refresh_from_db()
    assert job.status == "running"
    assert image.renditions.count() == 2  # the third file has no row: an orphan

    # Before its lease runs out the job is left alone; after, it runs again.
    assert operations.reclaim_stale_jobs() == 0
    later = timezone.now() + datetime.timedelta(seconds=settings.SEN_JOB_LEASE_SECONDS + 1)
    assert operations.reclaim_stale_jobs(now=later) == 1
    job.refresh_from_db()
    assert job.status == "queued"
    assert operations.run_job(job.pk) == "done"

    specs = site_filter_specs()
    assert image.renditions.count() == len(specs)
    private, _public = media_dirs
    on_disk = [p for p in stored_files(private) if f"/renditions/{image.pk}/" in p]
    assert len(on_disk) == len(specs)
    assert sorted(p.rsplit("/", 1)[1] for p in on_disk) == sorted(
        r.file.name.rsplit("/", 1)[1] for r in image.renditions.all()
    )


@pytest.mark.pipeline_deferred
def test_a_failing_job_is_retried_with_backoff_then_marked_failed(settings, monkeypatch):
    settings.SEN_JOB_MAX_ATTEMPTS = 3
    settings.SEN_JOB_RETRY_DELAY = 10
    image = SenImageFactory()
    job = Job.objects.get(image=image, kind="derivatives")

    def broken(record):
        raise operations.JobError("ffmpeg: broken pipe")

    monkeypatch.setitem(operations.RUNNERS, Job.Kind.DERIVATIVES, broken)
    delays = []
    for _attempt in range(3):
        before = timezone.now()
        assert operations.run_job(job.pk) == "failed"
        job.refresh_from_db()
        if job.status == "queued":
            delays.append((job.run_after - before).total_seconds())
            Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    assert [round(d) for d in delays] == [10, 20]
    assert job.status == "failed"
    assert job.attempts == 3
    assert "ffmpeg: broken pipe" in job.last_error

    # An administrator runs it again from the jobs listing, now that it works.
    monkeypatch.undo()
    operations.retry_job(job)
    job.refresh_from_db()
    assert job.status == "queued" and job.attempts == 0


@pytest.mark.pipeline_deferred
def test_due_retries_are_enqueued_once(monkeypatch):
    image = SenImageFactory()
    enqueued = []
    monkeypatch.setattr(
        operations,
        "enqueue",
        lambda job, run_after=None: (
            enqueued.append(job.pk),
            Job.objects.filter(pk=job.pk).update(enqueued_at=timezone.now()),
        ),
    )
    Job.objects.filter(image=image).update(enqueued_at=None)
    assert operations.enqueue_due_jobs() == 2
    assert operations.enqueue_due_jobs() == 0
    assert len(enqueued) == 2


@pytest.mark.pipeline_deferred
def test_two_workers_given_the_same_job_run_it_once():
    image = SenImageFactory()
    job = Job.objects.get(image=image, kind="derivatives")
    assert operations.run_job(job.pk) == "done"
    assert operations.run_job(job.pk) == "skipped"


def test_a_failed_derivative_does_not_block_saving_or_review(monkeypatch, settings):
    """The check passed; the renditions failed: the asset can still be submitted."""
    from ingest.operations import submission_blockers
    from tests.factories import PhotoFactory

    settings.SEN_JOB_MAX_ATTEMPTS = 1

    def broken(record):
        raise operations.JobError("no space left on device")

    monkeypatch.setitem(operations.RUNNERS, Job.Kind.DERIVATIVES, broken)
    photo = PhotoFactory(live=False)
    assert Job.objects.get(image=photo.image, kind="derivatives").status == "failed"
    assert submission_blockers(photo, for_approval=True) == []


def test_administrators_see_failed_jobs_with_their_error_and_run_them_again(monkeypatch, settings):
    from django.test import Client
    from django.urls import reverse

    from assets.operations import ADMINISTRATORS, AUDITORS
    from tests.factories import PASSWORD, role_user

    settings.SEN_JOB_MAX_ATTEMPTS = 1

    def broken(record):
        raise operations.JobError("pdftoppm: cannot open file")

    monkeypatch.setitem(operations.RUNNERS, Job.Kind.DERIVATIVES, broken)
    image = SenImageFactory()
    job = Job.objects.get(image=image, kind="derivatives")
    assert job.status == "failed"

    administrator, auditor = role_user(ADMINISTRATORS), role_user(AUDITORS)
    client = Client()
    client.login(username=administrator.username, password=PASSWORD)
    listing = client.get(reverse("ingest_job:index"))
    assert listing.status_code == 200
    assert "pdftoppm: cannot open file" in listing.content.decode()
    assert "Thất bại" in listing.content.decode() or "failed" in listing.content.decode()

    auditor_client = Client()
    auditor_client.login(username=auditor.username, password=PASSWORD)
    assert auditor_client.get(reverse("ingest_job:index")).status_code == 200
    retry = reverse("ingest_retry_job", args=[job.pk])
    assert auditor_client.post(retry).status_code in (302, 403)
    job.refresh_from_db()
    assert job.status == "failed"  # an auditor reads, and changes nothing

    monkeypatch.setitem(operations.RUNNERS, Job.Kind.DERIVATIVES, operations.make_derivatives)
    assert client.post(retry).status_code == 302
    job.refresh_from_db()
    assert job.status == "done"  # run again (inline here, by the worker in production)


@pytest.mark.pipeline_deferred
def test_a_job_whose_worker_dies_every_time_ends_failed(settings):
    """A file that kills every worker opening it (a decoder crash, out of memory)
    must not be retried forever: after its attempts it fails, visible in the admin."""
    settings.SEN_JOB_MAX_ATTEMPTS = 2
    image = SenImageFactory()
    job = Job.objects.get(image=image, kind="check")
    lease = datetime.timedelta(seconds=settings.SEN_JOB_LEASE_SECONDS + 1)
    for attempt in (1, 2):
        # What run_job's claim does before the worker dies.
        Job.objects.filter(pk=job.pk).update(
            status="running", attempts=attempt, started_at=timezone.now() - lease
        )
        assert operations.reclaim_stale_jobs() == 1
        job.refresh_from_db()
        assert job.status == ("queued" if attempt == 1 else "failed")
    assert "every attempt" in job.last_error or "mọi lần" in job.last_error
    assert ContentCheck.objects.get(image=image).status == "error"
