"""A derivative job whose worker is really killed (SIGKILL, another OS process) midway
is taken back by the minute tick, run again, and leaves exactly one set of
derivatives: no duplicate row, no file that no row refers to, the asset untouched.

The worker is a separate Python process on the same settings, the same test database
and the same storage folders, running the job through `ingest.tasks.run_job` as a
worker does. To kill it at a known point rather than after a blind sleep, the worker
process (and only it: this is the child's own code, not Sen's) stops itself with
SIGSTOP right after its storage has written the Nth output file, before that file's
row is saved; the test sees it stopped (waitpid) and sends SIGKILL. What the dead
worker left is then exactly what a kill leaves, and the test checks it: rows for the
outputs it finished, one file without a row, the job "running". The tick (the
`sen_tick` command, also a separate process) takes the job back once its lease has run
out and runs it again.

Transactional (the processes see each other's commits), hence `serialized_rollback`
(tests/conftest.py says why).
"""

import datetime
import hashlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.db import connection
from PIL import Image

from assets.models import Photo, SenDocument
from ingest import operations
from ingest.models import Derivative, Job
from ingest.renditions import site_filter_specs
from tests.conftest import stored_files
from tests.factories import PhotoFactory, jpeg_bytes

from ..assets.test_uploads import pdf_bytes

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.pipeline_deferred,  # no job runs in this process: the worker runs it
    pytest.mark.usefixtures("media_dirs"),
]

# The child process: a worker running one job ("work") or the minute tick ("tick"),
# on the database the test runs on (its name in SEN_KILL_TEST_DATABASE).
CHILD = r"""
import os, signal, sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
from django.conf import settings

settings.DATABASES["default"]["NAME"] = os.environ["SEN_KILL_TEST_DATABASE"]
import django

django.setup()
if sys.argv[1] == "tick":
    from django.core.management import call_command

    call_command("sen_tick", verbosity=2)
    sys.exit(0)

job_id, folder, stop_after = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
from django.core.files.storage import FileSystemStorage

real_save = FileSystemStorage._save
written = []


def save_then_stop(storage, name, content):
    name = real_save(storage, name, content)
    if name.startswith(folder):
        written.append(name)
        if len(written) == stop_after:
            os.kill(os.getpid(), signal.SIGSTOP)  # the test kills us here
    return name


FileSystemStorage._save = save_then_stop
from ingest.tasks import run_job

run_job.enqueue(job_id)
sys.exit(3)  # the job ran to its end: it was never stopped midway
"""


def child(*args, log_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "SEN_KILL_TEST_DATABASE": str(connection.settings_dict["NAME"]),
    }
    log = open(log_path, "w")  # noqa: SIM115 - closed by the caller through the process
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, *args],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log = log
    return process


def kill_midway(job, folder, stop_after, log_path, timeout=180):
    """Start a worker on `job`, wait until it has written `stop_after` files under
    `folder` (it then stops itself), and SIGKILL it."""
    worker = child("work", str(job.pk), folder, str(stop_after), log_path=log_path)
    try:
        deadline = time.monotonic() + timeout
        while True:
            pid, status = os.waitpid(worker.pid, os.WNOHANG | os.WUNTRACED)
            if pid and os.WIFSTOPPED(status):
                break
            if pid:  # it ended on its own: reaped here, so tell Popen
                worker.returncode = os.waitstatus_to_exitcode(status)
                pytest.fail(f"the worker ended ({worker.returncode}):\n{log_path.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the worker never got midway:\n{log_path.read_text()}")
            time.sleep(0.02)
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=30) == -signal.SIGKILL
    finally:
        if worker.returncode is None:
            worker.kill()
            worker.wait()
        worker.log.close()


def tick(log_path):
    """The `sen_tick` command in its own process, as cron or the systemd timer runs it."""
    process = child("tick", log_path=log_path)
    try:
        returncode = process.wait(timeout=300)
    finally:
        if process.returncode is None:
            process.kill()
            process.wait()
        process.log.close()
    output = log_path.read_text()
    assert returncode == 0, output
    return output


def let_the_lease_run_out(job):
    """What SEN_JOB_LEASE_SECONDS of silence looks like, without waiting for it."""
    lease = datetime.timedelta(seconds=django_settings.SEN_JOB_LEASE_SECONDS + 1)
    Job.objects.filter(pk=job.pk).update(started_at=job.started_at - lease)


def files_in(folder):
    root = os.path.realpath(django_settings.PRIVATE_ROOT)
    return [p for p in stored_files(root) if p.startswith(os.path.join(root, folder))]


def assert_storage_matches_rows(record, media_dirs):
    """Every stored file is the original or a row's file, and every row's file is
    whole (it opens, at the row's size)."""
    derivatives = list(Derivative.objects.filter(**Derivative.lookup(record)))
    renditions = list(record.renditions.all()) if hasattr(record, "renditions") else []
    expected = {record.file.path} | {row.file.path for row in renditions + derivatives}
    expected = sorted(os.path.realpath(path) for path in expected)
    on_disk = [os.path.realpath(path) for path in stored_files(*media_dirs)]
    assert on_disk == expected
    for row in renditions + derivatives:
        with Image.open(row.file.path) as picture:
            picture.load()
            assert picture.size == (row.width, row.height), row.file.name


def test_a_photo_derivative_job_killed_midway_is_retried_and_leaves_one_set(media_dirs, tmp_path):
    original = jpeg_bytes(2400, 1600)
    photo = PhotoFactory(live=False, image__file=ContentFile(original, name="ben-ninh-kieu.jpg"))
    image = photo.image
    asset_before = Photo.objects.filter(pk=photo.pk).values().get()
    job = Job.objects.get(image=image, kind=Job.Kind.DERIVATIVES)
    assert job.status == Job.Status.QUEUED and image.renditions.count() == 0
    specs = site_filter_specs()
    folder = f"renditions/{image.pk}/"
    stop_after = 4
    assert len(specs) > stop_after

    # A worker runs the job and is killed after its 4th rendition file is written,
    # inside the transaction that was to save that rendition's row.
    kill_midway(job, folder, stop_after, tmp_path / "worker.log")
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.attempts == 1
    kept_before = {r.pk: r.file.name for r in image.renditions.all()}
    assert len(kept_before) == stop_after - 1
    assert len(files_in(folder)) == stop_after  # one file that no row refers to

    # Within its lease the job is left alone (its worker may still be working).
    assert operations.reclaim_stale_jobs() == 0
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING

    # The lease runs out; the next tick takes the job back and runs it again.
    let_the_lease_run_out(job)
    output = tick(tmp_path / "tick.log")
    assert "jobs reclaimed: 1" in output, output

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.last_error
    assert job.attempts == 2  # the killed attempt counts
    assert job.last_error == ""

    # Exactly one set: each spec once, the finished renditions kept as they were.
    renditions = list(image.renditions.all())
    assert Counter(r.filter_spec for r in renditions) == Counter(specs)
    assert {r.pk: r.file.name for r in renditions if r.pk in kept_before} == kept_before
    names = Derivative.objects.filter(image=image).values_list("name", flat=True)
    assert all(count == 1 for count in Counter(names).values())
    assert_storage_matches_rows(image, media_dirs)
    assert len(files_in(folder)) == len(specs)

    # The asset and its original are untouched.
    assert Photo.objects.filter(pk=photo.pk).values().get() == asset_before
    image.refresh_from_db()
    with open(image.file.path, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == hashlib.sha256(original).hexdigest()
    assert (image.width, image.height) == (2400, 1600)


def test_a_pdf_derivative_job_killed_midway_is_retried_and_leaves_one_set(media_dirs, tmp_path):
    """The same with derivative rows (cover and page previews, saved file first and
    row after, outside any transaction): the kill falls between the two."""
    document = SenDocument.objects.create(
        title="guide", file=ContentFile(pdf_bytes(pages=3), name="guide.pdf"), page_count=3
    )
    job = Job.objects.get(document=document, kind=Job.Kind.DERIVATIVES)
    folder = f"derivatives/document/{document.pk}/"
    names = ["cover", "page-1", "page-2", "page-3"]  # SEN_PDF_PREVIEW_PAGES is 6
    stop_after = 2

    kill_midway(job, folder, stop_after, tmp_path / "worker.log")
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.attempts == 1
    made = Derivative.objects.filter(document=document)
    assert list(made.values_list("name", flat=True)) == ["cover"]
    assert len(files_in(folder)) == stop_after  # page-1's file has no row

    let_the_lease_run_out(job)
    output = tick(tmp_path / "tick.log")
    assert "jobs reclaimed: 1" in output, output

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.last_error
    assert job.attempts == 2
    assert Counter(made.values_list("name", flat=True)) == Counter(names)
    assert_storage_matches_rows(document, media_dirs)
    assert len(files_in(folder)) == len(names)
