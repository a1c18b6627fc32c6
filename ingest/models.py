"""What the ingest pipeline keeps: jobs, derivatives, content checks, upload batches.

Everything here hangs off a *file* record (assets.SenImage, SenMedia, SenDocument),
not off the asset: a publication has one PDF per language, a file can be replaced
while its asset keeps its history, and a check or a derivative is about bytes.
"""

import os

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FILE_FIELDS = ("image", "media", "document")
KIND_FOR_FIELD = {"image": "photo", "media": "video", "document": "publication"}


class FileReference(models.Model):
    """Exactly one of image, media or document is set."""

    image = models.ForeignKey(
        "assets.SenImage", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    media = models.ForeignKey(
        "assets.SenMedia", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    document = models.ForeignKey(
        "assets.SenDocument", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        abstract = True

    @staticmethod
    def lookup(record):
        """The filter that finds rows about `record` (a file model instance)."""
        from assets.models import SenDocument, SenImage, SenMedia

        for field, model in (("image", SenImage), ("media", SenMedia), ("document", SenDocument)):
            if isinstance(record, model):
                return {field: record}
        raise TypeError(f"Not a file record: {record!r}")

    @property
    def file_record(self):
        for field in FILE_FIELDS:
            if getattr(self, f"{field}_id"):
                return getattr(self, field)
        return None

    @property
    def file_kind(self):
        for field in FILE_FIELDS:
            if getattr(self, f"{field}_id"):
                return KIND_FOR_FIELD[field]
        return None


def _one_file_constraint(name):
    return models.CheckConstraint(
        condition=(
            Q(image__isnull=False, media__isnull=True, document__isnull=True)
            | Q(image__isnull=True, media__isnull=False, document__isnull=True)
            | Q(image__isnull=True, media__isnull=True, document__isnull=False)
        ),
        name=name,
    )


class Job(FileReference):
    """One unit of background work on a file, as the admin shows it.

    django-tasks runs it (`ingest.tasks.run_job`); this row is what survives a
    worker killed halfway: a job still "running" after its lease is taken for dead
    and run again (`operations.reclaim_stale_jobs`), and every attempt starts by
    removing what a previous one left half-done, so a file ends with one set of
    derivatives whatever happened."""

    class Kind(models.TextChoices):
        CHECK = "check", _("Content check")
        DERIVATIVES = "derivatives", _("Derivatives")
        DOWNLOADS = "downloads", _("Download sizes")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    run_after = models.DateTimeField(_("run after"), default=timezone.now, db_index=True)
    enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]
        constraints = [
            _one_file_constraint("job_one_file"),
            models.UniqueConstraint(fields=["kind", "image"], name="one_job_per_image"),
            models.UniqueConstraint(fields=["kind", "media"], name="one_job_per_media"),
            models.UniqueConstraint(fields=["kind", "document"], name="one_job_per_document"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.file_record}"


def derivative_upload_to(instance, filename):
    field = next(f for f in FILE_FIELDS if getattr(instance, f"{f}_id"))
    record_id = getattr(instance, f"{field}_id")
    return f"derivatives/{field}/{record_id}/{filename}"


class Derivative(FileReference):
    """A file made from an original other than an image rendition: a video's poster
    and web copy, a PDF's cover and page previews, a photo's download sizes. Kept in
    the same private storage as the originals; served only for public assets."""

    name = models.CharField(_("name"), max_length=40)
    file = models.FileField(_("file"), upload_to=derivative_upload_to, max_length=255)
    mime_type = models.CharField(_("type"), max_length=60)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    # Harvesters (feed: OAI `sen` format, API, bags) verify what they fetched.
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("derivative")
        verbose_name_plural = _("derivatives")
        constraints = [
            _one_file_constraint("derivative_one_file"),
            models.UniqueConstraint(fields=["image", "name"], name="one_derivative_name_image"),
            models.UniqueConstraint(fields=["media", "name"], name="one_derivative_name_media"),
            models.UniqueConstraint(
                fields=["document", "name"], name="one_derivative_name_document"
            ),
        ]

    def __str__(self):
        return f"{self.name}: {os.path.basename(self.file.name)}"


class ContentCheck(FileReference):
    """The state-secret check of a file (text layer and OCR; ingest/markings.py).

    An asset can be submitted for review only when every file of it is "clear" or
    "released"; a quarantined file is removed from storage after
    SEN_QUARANTINE_DAYS unless an administrator releases it as a false positive."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being checked")
        CLEAR = "clear", _("No marking found")
        QUARANTINED = "quarantined", _("Quarantined")
        RELEASED = "released", _("Released as a false positive")
        PURGED = "purged", _("Removed from storage")
        ERROR = "error", _("Could not be checked")

    class Level(models.TextChoices):
        MAT = "mat", _("MẬT (confidential)")
        TOI_MAT = "toi_mat", _("TỐI MẬT (secret)")
        TUYET_MAT = "tuyet_mat", _("TUYỆT MẬT (top secret)")

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    level = models.CharField(_("marking"), max_length=10, choices=Level.choices, blank=True)
    matched_text = models.CharField(_("text found"), max_length=255, blank=True)
    page = models.PositiveIntegerField(_("page"), null=True, blank=True)
    source = models.CharField(_("found in"), max_length=12, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    purge_after = models.DateTimeField(_("removed after"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("released by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    release_reason = models.TextField(_("reason for release"), blank=True)

    class Meta:
        verbose_name = _("content check")
        verbose_name_plural = _("content checks")
        ordering = ["-checked_at"]
        constraints = [
            _one_file_constraint("check_one_file"),
            models.UniqueConstraint(fields=["image"], name="one_check_per_image"),
            models.UniqueConstraint(fields=["media"], name="one_check_per_media"),
            models.UniqueConstraint(fields=["document"], name="one_check_per_document"),
        ]

    def __str__(self):
        return f"{self.file_name} · {self.get_status_display()}"

    @property
    def allows_submission(self):
        return self.status in (self.Status.CLEAR, self.Status.RELEASED)


class UploadBatch(models.Model):
    """Files dropped together, with the metadata they share (set once)."""

    organisation = models.ForeignKey(
        "assets.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    defaults = models.JSONField(_("shared metadata"), default=dict, blank=True)

    class Meta:
        verbose_name = _("upload batch")
        verbose_name_plural = _("upload batches")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.organisation} · {self.created_at:%Y-%m-%d %H:%M}"


class BatchItem(models.Model):
    """One file of a batch and the asset draft it became (or why it did not)."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")
        DROPPED = "dropped", _("Dropped as a duplicate")

    batch = models.ForeignKey(UploadBatch, on_delete=models.CASCADE, related_name="items")
    file_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    message = models.TextField(_("message"), blank=True)
    content_type = models.ForeignKey(ContentType, null=True, on_delete=models.SET_NULL)
    object_id = models.PositiveBigIntegerField(null=True)
    asset = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")
        ordering = ["pk"]

    def __str__(self):
        return self.file_name
