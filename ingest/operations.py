"""The ingest pipeline's rules: what runs after a file is stored, how a job is run,
retried and recovered, what a content check decides, and what blocks submission.

A new file record (any path: the asset forms, bulk upload, Wagtail's own admins, the
demo loader) gets a pending content check and two jobs: the check (state-secret
markings, perceptual hash, PDF text) and the derivatives (renditions, poster and web
copy, cover and page previews). Jobs are rows (models.Job) run by django-tasks; the
row, not the task queue, is what the admin shows and what recovery works from.
"""

import contextlib
import datetime
import io
import logging
import os
import shutil
import subprocess
import tempfile
import traceback

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from assets.validators import sha256_of

from .models import ContentCheck, Derivative, Job

logger = logging.getLogger(__name__)


# --- Queueing ----------------------------------------------------------------------


def file_processing_started(record, user=None):
    """A file record was just created: check it and make its derivatives."""
    ContentCheck.objects.get_or_create(
        **ContentCheck.lookup(record),
        defaults={
            "file_name": os.path.basename(record.file.name)[:255],
            "uploaded_by": user or getattr(record, "uploaded_by_user", None),
        },
    )
    queue_job(record, Job.Kind.CHECK)
    queue_job(record, Job.Kind.DERIVATIVES)


def queue_job(record, kind):
    """Queue (or queue again, from scratch) the `kind` job of `record`; the task is
    enqueued once the current transaction commits, so a rolled-back upload never
    reaches a worker."""
    job, created = Job.objects.get_or_create(kind=kind, **Job.lookup(record))
    if not created:
        job.status = Job.Status.QUEUED
        job.attempts = 0
        job.last_error = ""
        job.run_after = timezone.now()
        job.started_at = job.finished_at = None
        job.save()
    transaction.on_commit(lambda: enqueue(job))
    return job


def enqueue(job, run_after=None):
    from .tasks import run_job

    task = run_job
    if run_after is not None:
        task = run_job.using(run_after=run_after)
    task.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(enqueued_at=timezone.now())


def backend_can_defer():
    from django_tasks import default_task_backend

    return default_task_backend.supports_defer


# --- Running -----------------------------------------------------------------------


class JobError(Exception):
    """A failure worth a retry, with a message for the admin's job listing."""


def run_job(job_id):
    """Run one attempt of a job. Claiming is one UPDATE, so two workers given the
    same job (a re-enqueue after a lease ran out) cannot both run it."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, finished_at=None
    )
    if not claimed:
        return "skipped"
    job = Job.objects.select_related("image", "media", "document").get(pk=job_id)
    job.attempts += 1
    Job.objects.filter(pk=job.pk).update(attempts=job.attempts)
    try:
        RUNNERS[job.kind](job.file_record)
    except Exception as error:  # noqa: BLE001 - every failure is recorded on the job
        logger.warning("Job %s failed (attempt %s): %s", job.pk, job.attempts, error)
        _failed(job, error)
        return "failed"
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE, finished_at=timezone.now(), last_error=""
    )
    from .signals import job_done

    job_done.send(sender=Job, job=job, record=job.file_record)
    return "done"


def _failed(job, error):
    message = str(error) if isinstance(error, JobError) else traceback.format_exc(limit=5)
    if job.attempts >= settings.SEN_JOB_MAX_ATTEMPTS:
        _give_up(job, message)
        return
    run_after = _retry_time(job)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.QUEUED, run_after=run_after, last_error=message, enqueued_at=None
    )
    if backend_can_defer():
        enqueue(job, run_after=run_after)
    # Otherwise the scheduler's tick (enqueue_due_jobs) enqueues it when it is due.


def _retry_time(job, now=None):
    delay = settings.SEN_JOB_RETRY_DELAY * 2 ** max(job.attempts - 1, 0)
    return (now or timezone.now()) + datetime.timedelta(seconds=delay)


def _give_up(job, message):
    """The job has had its attempts: failed for good, shown in the admin with its
    error; a content check that could not run leaves the file unapprovable."""
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, finished_at=timezone.now(), last_error=message
    )
    if job.kind == Job.Kind.CHECK:
        ContentCheck.objects.filter(**Job.lookup(job.file_record)).filter(
            status=ContentCheck.Status.PENDING
        ).update(status=ContentCheck.Status.ERROR, checked_at=timezone.now())


def reclaim_stale_jobs(now=None):
    """Jobs still "running" past their lease belong to a worker that died (killed,
    out of memory, machine restarted): the attempt counts and they run again at once
    (the lease was their wait), or fail for good once they had all their attempts (a
    file that kills every worker that opens it must not be retried forever)."""
    now = now or timezone.now()
    lease = datetime.timedelta(seconds=settings.SEN_JOB_LEASE_SECONDS)
    stale = Job.objects.filter(status=Job.Status.RUNNING, started_at__lt=now - lease)
    reclaimed = 0
    for job in stale:
        if job.attempts >= settings.SEN_JOB_MAX_ATTEMPTS:
            _give_up(job, _("The worker stopped during every attempt at this job."))
        else:
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.QUEUED,
                run_after=now,
                enqueued_at=None,
                last_error=_("The worker stopped during this job; it will run again."),
            )
        reclaimed += 1
    return reclaimed


def enqueue_due_jobs(now=None):
    """Queued jobs that are due and not waiting in the task queue already."""
    now = now or timezone.now()
    lease = datetime.timedelta(seconds=settings.SEN_JOB_LEASE_SECONDS)
    due = Job.objects.filter(status=Job.Status.QUEUED, run_after__lte=now).filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - lease)
    )
    jobs = list(due)
    for job in jobs:
        enqueue(job)
    return len(jobs)


def retry_job(job):
    """An administrator asks for a failed job to run again."""
    queue_job(job.file_record, job.kind)


# --- Files on disk -------------------------------------------------------------------


@contextlib.contextmanager
def local_copy(field_file, suffix=""):
    """A path to the file's bytes for command-line tools: the file itself on local
    storage, a streamed temporary copy from S3."""
    storage = field_file.storage
    try:
        path = storage.path(field_file.name)
    except NotImplementedError:
        path = None
    if path and os.path.exists(path):
        yield path
        return
    suffix = suffix or os.path.splitext(field_file.name)[1]
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        with storage.open(field_file.name, "rb") as source:
            shutil.copyfileobj(source, handle, 1024 * 1024)
        handle.flush()
        yield handle.name


def remove_orphan_files(storage, folder, keep):
    """Delete files under `folder` that no row refers to: what an attempt killed
    between writing a file and saving its row left behind."""
    try:
        _dirs, names = storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return 0
    removed = 0
    for name in names:
        path = f"{folder.rstrip('/')}/{name}"
        if path not in keep:
            storage.delete(path)
            removed += 1
    return removed


def remove_orphan_renditions(image):
    storage = image.file.storage
    keep = set(image.renditions.values_list("file", flat=True))
    return remove_orphan_files(storage, f"renditions/{image.pk}", keep)


def remove_orphan_derivatives(record, field):
    keep = set(Derivative.objects.filter(**{field: record}).values_list("file", flat=True))
    return remove_orphan_files(record.file.storage, f"derivatives/{field}/{record.pk}", keep)


def save_derivative(record, name, content, *, mime_type, width=None, height=None):
    """Replace the derivative `name` of `record` by `content` (file first, then the
    row; a failed row deletes the file)."""
    lookup = Derivative.lookup(record)
    for old in Derivative.objects.filter(name=name, **lookup):
        old.file.delete(save=False)
        old.delete()
    derivative = Derivative(name=name, mime_type=mime_type, width=width, height=height, **lookup)
    derivative.sha256 = sha256_of(content)
    derivative.file.save(content.name, content, save=False)
    try:
        derivative.size = derivative.file.size
        derivative.save()
    except Exception:
        derivative.file.storage.delete(derivative.file.name)
        raise
    return derivative


# --- The content check ----------------------------------------------------------------


def check_file(record):
    """State-secret markings (and, for photos, the perceptual hash; for PDFs, what
    the file says of itself). A tool that could not run raises: the job retries,
    and the check stays pending, which blocks submission."""
    from .markings import MarkingCheckError, find_marking

    kind = ContentCheck(**ContentCheck.lookup(record)).file_kind
    with local_copy(record.file) as path:
        if kind == "photo":
            set_perceptual_hash(record, path)
        elif kind == "publication":
            read_pdf_into(record, path)
        elif kind == "video":
            read_video_into(record, path)
        try:
            marking = find_marking(path, kind)
        except MarkingCheckError as error:
            raise JobError(_("The file could not be checked for markings: %s") % error) from error
    check, _created = ContentCheck.objects.get_or_create(
        **ContentCheck.lookup(record),
        defaults={"file_name": os.path.basename(record.file.name)[:255]},
    )
    if check.status in (ContentCheck.Status.RELEASED, ContentCheck.Status.PURGED):
        return check
    check.checked_at = timezone.now()
    if marking is None:
        check.status = ContentCheck.Status.CLEAR
        check.save()
        return check
    quarantine(check, marking)
    return check


def quarantine(check, marking):
    check.status = ContentCheck.Status.QUARANTINED
    check.level = marking.level
    check.matched_text = (marking.text or "")[:255]
    check.page = marking.page
    check.source = marking.source
    check.purge_after = timezone.now() + datetime.timedelta(days=settings.SEN_QUARANTINE_DAYS)
    check.save()
    # The check's own entry is there even before the asset row exists (a file is
    # checked as soon as it is stored); each asset using the file gets one too.
    log(
        instance=check,
        action="sen.quarantine",
        user=check.uploaded_by,
        data={"file": check.file_name, "level": check.level, "text": check.matched_text},
    )
    for asset in assets_of(check.file_record):
        workflow_state = asset.current_workflow_state
        if workflow_state is not None:
            workflow_state.cancel(user=None)
        log(
            instance=asset,
            action="sen.quarantine",
            user=check.uploaded_by,
            data={
                "file": check.file_name,
                "level": check.level,
                "text": check.matched_text,
                "page": check.page,
            },
        )


def release(check, user, reason):
    """An administrator judges a quarantined file a false positive."""
    check.status = ContentCheck.Status.RELEASED
    check.released_by = user
    check.released_at = timezone.now()
    check.release_reason = reason
    check.purge_after = None
    check.save()
    for asset in assets_of(check.file_record):
        log(instance=asset, action="sen.quarantine_release", user=user, data={"reason": reason})


def purge_quarantined(now=None):
    """Remove from storage the files whose quarantine ran out; the record of the
    attempt (the check row and the log) stays for auditors."""
    now = now or timezone.now()
    purged = 0
    for check in ContentCheck.objects.filter(
        status=ContentCheck.Status.QUARANTINED, purge_after__lte=now
    ):
        record = check.file_record
        if record is not None and record.file:
            record.file.storage.delete(record.file.name)
            if hasattr(record, "renditions"):
                for rendition in record.renditions.all():
                    rendition.file.delete(save=False)
                record.renditions.all().delete()
            for derivative in Derivative.objects.filter(**ContentCheck.lookup(record)):
                derivative.file.delete(save=False)
                derivative.delete()
        check.status = ContentCheck.Status.PURGED
        check.save(update_fields=["status"])
        purged += 1
    return purged


def file_key(record):
    return (record._meta.label, record.pk)


def assets_using(records):
    """The asset records that use each of `records` (file model instances), with
    their organisations, in one query per kind of file: {key: [asset, ...]} where
    key is `file_key(record)`."""
    from assets.models import Photo, PublicationEdition, SenDocument, SenImage, SenMedia, Video

    ids = {SenImage: set(), SenMedia: set(), SenDocument: set()}
    for record in records:
        ids[type(record)].add(record.pk)
    found = {}
    if ids[SenImage]:
        for photo in Photo.objects.filter(image__in=ids[SenImage]).select_related("organisation"):
            found.setdefault((SenImage._meta.label, photo.image_id), []).append(photo)
    if ids[SenMedia]:
        for video in Video.objects.filter(media__in=ids[SenMedia]).select_related("organisation"):
            found.setdefault((SenMedia._meta.label, video.media_id), []).append(video)
    if ids[SenDocument]:
        editions = PublicationEdition.objects.filter(document__in=ids[SenDocument])
        for edition in editions.select_related("publication__organisation").order_by("pk"):
            users = found.setdefault((SenDocument._meta.label, edition.document_id), [])
            if all(other.pk != edition.publication_id for other in users):
                users.append(edition.publication)
    return found


def assets_of(record):
    """The asset records that use a file."""
    return assets_using([record]).get(file_key(record), [])


def files_of(asset):
    from assets.models import Photo, Video

    if isinstance(asset, Photo):
        return [asset.image] if asset.image_id else []
    if isinstance(asset, Video):
        return [asset.media] if asset.media_id else []
    return [edition.document for edition in asset.editions.all() if edition.document_id]


def submission_blockers(asset, files=None, *, for_approval=False):
    """Why `asset` may not go to review (or, `for_approval`, be approved) now, as
    messages for the user: a file quarantined for a marking or not checkable, and for
    approval also one still being checked. A contributor may submit while the check
    runs (it takes seconds); if it then finds a marking, quarantine() ends the review."""
    messages = []
    files = files if files is not None else files_of(asset)
    for record in files:
        check = ContentCheck.objects.filter(**ContentCheck.lookup(record)).first()
        name = os.path.basename(record.file.name)
        if check is None or check.allows_submission:
            continue
        if check.status == ContentCheck.Status.PENDING:
            if not for_approval:
                continue
            messages.append(
                _(
                    "The file “%(name)s” is still being checked for state-secret markings; "
                    "try again in a few minutes."
                )
                % {"name": name}
            )
        elif check.status in (ContentCheck.Status.QUARANTINED, ContentCheck.Status.PURGED):
            where = _(" on page %(page)s") % {"page": check.page} if check.page else ""
            messages.append(
                _(
                    "The file “%(name)s” carries the state-secret marking “%(text)s”%(where)s "
                    "and is quarantined: it cannot be submitted. If this is a mistake, ask an "
                    "administrator to release it."
                )
                % {"name": name, "text": check.matched_text, "where": where}
            )
        else:
            messages.append(
                _(
                    "The file “%(name)s” could not be checked for state-secret markings; "
                    "an administrator can run the check again from Jobs."
                )
                % {"name": name}
            )
    return messages


# --- Duplicates ------------------------------------------------------------------------


def set_perceptual_hash(image, path):
    import imagehash
    from PIL import Image, ImageOps

    with Image.open(path) as picture:
        picture.draft("RGB", (256, 256))
        picture = ImageOps.exif_transpose(picture)
        picture.thumbnail((256, 256))
        value = str(imagehash.phash(picture))
    bands = [int(value[i : i + 4], 16) for i in range(0, 16, 4)]
    type(image).objects.filter(pk=image.pk).update(
        phash=value,
        phash_band0=bands[0],
        phash_band1=bands[1],
        phash_band2=bands[2],
        phash_band3=bands[3],
    )
    image.phash = value
    image.phash_band0, image.phash_band1, image.phash_band2, image.phash_band3 = bands


def duplicates_among(records):
    """Other files with the same bytes, or (photos) nearly the same picture, in any
    organisation, for each of `records` at once (two queries per kind of file, so
    the upload page can show a whole batch): {key: [(file record, identical bytes?),
    ...] closest first}, key as `file_key(record)`. Near means a perceptual hash within
    SEN_NEAR_DUPLICATE_DISTANCE bits; candidates share one of the hash's four 16-bit
    bands (fewer than four differing bits leave at least one band equal), found
    through the bands' indexes instead of a scan."""
    limit = settings.SEN_NEAR_DUPLICATE_DISTANCE
    found = {file_key(record): {} for record in records}
    by_model = {}
    for record in records:
        by_model.setdefault(type(record), []).append(record)
    for model, group in by_model.items():
        hashes = {record.sha256 for record in group if record.sha256}
        if hashes:
            for other in model.objects.filter(sha256__in=hashes):
                for record in group:
                    if other.sha256 == record.sha256 and other.pk != record.pk:
                        found[file_key(record)][other.pk] = (other, -1)
        pictured = [record for record in group if getattr(record, "phash", "")]
        if not pictured:
            continue
        bands = Q()
        for i in range(4):
            values = {getattr(record, f"phash_band{i}") for record in pictured} - {None}
            if values:
                bands |= Q(**{f"phash_band{i}__in": values})
        candidates = list(model.objects.filter(bands).exclude(phash="")) if bands else []
        for record in pictured:
            mine, same = int(record.phash, 16), found[file_key(record)]
            for other in candidates:
                if other.pk == record.pk or other.pk in same:
                    continue
                if not any(
                    getattr(other, f"phash_band{i}") == getattr(record, f"phash_band{i}")
                    for i in range(4)
                ):
                    continue
                distance = bin(mine ^ int(other.phash, 16)).count("1")
                if distance <= limit:
                    same[other.pk] = (other, distance)
    return {
        key: [
            (other, distance < 0)
            for other, distance in sorted(same.values(), key=lambda pair: (pair[1], pair[0].pk))
        ]
        for key, same in found.items()
    }


def duplicates_of(record):
    """duplicates_among for one file: [(file record, identical bytes?), ...]."""
    return duplicates_among([record])[file_key(record)]


def checks_of(records):
    """The content check of each file record in one query per kind: {key: check}."""
    from assets.models import SenDocument, SenImage, SenMedia

    found = {}
    for field, model in (("image", SenImage), ("media", SenMedia), ("document", SenDocument)):
        ids = [record.pk for record in records if type(record) is model]
        if ids:
            for check in ContentCheck.objects.filter(**{f"{field}__in": ids}):
                found[(model._meta.label, getattr(check, f"{field}_id"))] = check
    return found


# --- Derivatives -------------------------------------------------------------------------


def make_derivatives(record):
    from assets.models import SenDocument, SenImage, SenMedia

    if isinstance(record, SenImage):
        from .renditions import make_renditions, site_filter_specs

        remove_orphan_renditions(record)
        make_renditions(record, site_filter_specs())
    elif isinstance(record, SenMedia):
        remove_orphan_derivatives(record, "media")
        make_video_derivatives(record)
    elif isinstance(record, SenDocument):
        remove_orphan_derivatives(record, "document")
        make_pdf_derivatives(record)


def _run(argv, timeout):
    result = subprocess.run(argv, capture_output=True, timeout=timeout, check=False)  # noqa: S603
    if result.returncode != 0:
        raise JobError(
            f"{os.path.basename(argv[0])}: {result.stderr.decode(errors='replace')[-500:]}"
        )
    return result


def read_video_into(media, path):
    from .metadata import read_video_metadata

    meta = read_video_metadata(path)
    type(media).objects.filter(pk=media.pk).update(
        duration=meta.duration or 0,
        width=meta.width or media.width,
        height=meta.height or media.height,
    )


def make_video_derivatives(media):
    """A poster frame and a web copy every browser plays: H.264/AAC MP4 at most
    SEN_VIDEO_MAX_HEIGHT high, its index first (faststart) so playback starts at once."""
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg:
        raise JobError(_("ffmpeg is not installed on this server."))
    with local_copy(media.file) as path, tempfile.TemporaryDirectory() as folder:
        duration = float(media.duration or 0)
        at = f"{min(1.0, duration / 10):.2f}" if duration else "0"
        poster = os.path.join(folder, "poster.jpg")
        _run(
            [
                ffmpeg,
                "-v",
                "error",
                "-ss",
                at,
                "-i",
                path,
                "-frames:v",
                "1",
                "-q:v",
                "3",
                "-y",
                poster,
            ],
            120,
        )
        web = os.path.join(folder, "web.mp4")
        height = settings.SEN_VIDEO_MAX_HEIGHT
        _run(
            [
                ffmpeg, "-v", "error", "-i", path,
                "-map", "0:v:0", "-map", "0:a?",
                "-vf", f"scale=-2:'min({height},ih)'",
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "128k",
                "-movflags", "+faststart", "-y", web,
            ],
            6 * 3600,
        )  # fmt: skip
        from PIL import Image

        with Image.open(poster) as picture:
            size = picture.size
        with open(poster, "rb") as handle:
            save_derivative(
                media, "poster", File(handle, name="poster.jpg"),
                mime_type="image/jpeg", width=size[0], height=size[1],
            )  # fmt: skip
        with open(web, "rb") as handle:
            save_derivative(media, "web-mp4", File(handle, name="web.mp4"), mime_type="video/mp4")


def read_pdf_into(document, path):
    from .metadata import read_pdf_metadata

    meta = read_pdf_metadata(path)
    type(document).objects.filter(pk=document.pk).update(
        page_count=meta.page_count or document.page_count,
        language=(meta.language or "")[:20],
        text=meta.text or "",
    )


def make_pdf_derivatives(document):
    """The cover (page 1, 1200 px) and previews of the first pages (800 px), drawn by
    poppler's pdftoppm."""
    pdftoppm = shutil.which("pdftoppm")
    if not pdftoppm:
        raise JobError(_("poppler-utils (pdftoppm) is not installed on this server."))
    pages = min(settings.SEN_PDF_PREVIEW_PAGES, document.page_count or 1)
    with local_copy(document.file) as path, tempfile.TemporaryDirectory() as folder:
        cover = os.path.join(folder, "cover")
        _run([pdftoppm, "-f", "1", "-l", "1", "-scale-to", "1200", "-jpeg", "-singlefile", path, cover], 300)  # fmt: skip
        outputs = [("cover", cover + ".jpg")]
        prefix = os.path.join(folder, "page")
        _run([pdftoppm, "-f", "1", "-l", str(pages), "-scale-to", "800", "-jpeg", path, prefix], 600)  # fmt: skip
        for name in sorted(os.listdir(folder)):
            if name.startswith("page-"):
                number = int(name.removeprefix("page-").removesuffix(".jpg"))
                outputs.append((f"page-{number}", os.path.join(folder, name)))
        from PIL import Image

        for name, file_path in outputs:
            with Image.open(file_path) as picture:
                size = picture.size
            with open(file_path, "rb") as handle:
                save_derivative(
                    document, name, File(handle, name=f"{name}.jpg"),
                    mime_type="image/jpeg", width=size[0], height=size[1],
                )  # fmt: skip


# --- Downloads with credit --------------------------------------------------------------


def make_downloads(image):
    """The download sizes of a published photo, each a JPEG carrying the photo's
    credit, copyright and licence in IPTC/XMP (made again at every publication, so
    a corrected credit reaches the files)."""
    from PIL import Image, ImageOps

    from .metadata import embed_credit_bytes
    from .renditions import encode, flatten

    photo = next((p for p in assets_of(image) if p.live), None)
    if photo is None:
        return
    credit = credit_fields(photo)
    remove_orphan_derivatives(image, "image")
    with image.open_file() as source:
        data = source.read()
    is_jpeg = data[:3] == b"\xff\xd8\xff"
    with Image.open(io.BytesIO(data)) as picture:
        picture.draft("RGB", (max(settings.SEN_DOWNLOAD_SIZES.values()),) * 2)
        full = flatten(ImageOps.exif_transpose(picture))
    for size_name, long_side in settings.SEN_DOWNLOAD_SIZES.items():
        picture = full.copy()
        picture.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
        jpeg = encode(picture, "jpeg", {"jpeg-quality": 88})
        content = ContentFile(embed_credit_bytes(jpeg, **credit), name=f"{size_name}.jpg")
        save_derivative(
            image, f"download-{size_name}", content, mime_type="image/jpeg",
            width=picture.size[0], height=picture.size[1],
        )  # fmt: skip
    if is_jpeg:
        original = embed_credit_bytes(data, **credit)
        width, height = image.width, image.height
    else:
        with Image.open(io.BytesIO(data)) as picture:
            whole = flatten(ImageOps.exif_transpose(picture))
            width, height = whole.size
            original = embed_credit_bytes(encode(whole, "jpeg", {"jpeg-quality": 95}), **credit)
    save_derivative(
        image, "download-original", ContentFile(original, name="original.jpg"),
        mime_type="image/jpeg", width=width, height=height,
    )  # fmt: skip


def credit_fields(photo):
    from assets.text import language_map

    def per_language(field):
        return language_map(photo, field)

    licence = photo.licence
    return {
        "creator": photo.author,
        "credit_line": photo.credit_line,
        "copyright": photo.copyright_holder,
        "licence_url": licence.uri if licence else "",
        "title": per_language("title"),
        "description": per_language("description"),
    }


RUNNERS = {
    Job.Kind.CHECK: check_file,
    Job.Kind.DERIVATIVES: make_derivatives,
    Job.Kind.DOWNLOADS: make_downloads,
}
