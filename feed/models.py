"""The public record as other systems receive it.

Why a table of its own, rather than reading the three asset tables at each request:
harvesters walk the whole repository in datestamp order and come back for what
changed since, including what *left* the public record (OAI-PMH persistent deletes,
API tombstones, webhooks on withdrawal). An asset row cannot say "I was public until
yesterday" once it is unpublished or deleted, and a datestamp that moves whenever an
editor saves a draft would send harvesters records that did not change publicly. So
each asset that was ever public has one `FeedRecord`: the serialised public record
(`feed.records.public_record`) frozen when it was published, the datestamp of its
last public change, and a `deleted` flag once it left. Harvests read one indexed
table in (datestamp, id) order at constant cost per page, whatever the depth.

Nothing non-public is stored here: a record that leaves the public record is emptied
in the same transaction that unpublished it, and `expires_at` lets every reader
treat an asset as gone the moment its expiry passes, before the scheduler runs.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FeedRecordQuerySet(models.QuerySet):
    def expired_q(self, now=None):
        return Q(expires_at__isnull=False, expires_at__lte=now or timezone.now())

    def public(self, now=None):
        """Records of assets the public may see now (published, not past expiry)."""
        return self.filter(deleted=False).exclude(self.expired_q(now))

    def gone(self, now=None):
        """Records that left the public record: tombstones."""
        return self.filter(Q(deleted=True) | self.expired_q(now))

    def in_set(self, spec):
        return self.filter(set_memberships__spec=spec)


class FeedRecord(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("photo")
        VIDEO = "video", _("video")
        PUBLICATION = "publication", _("publication")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    asset_id = models.PositiveBigIntegerField(_("asset"))
    datestamp = models.DateTimeField(
        _("last public change"),
        help_text=_("When this record last changed for the public: published, updated, left."),
    )
    first_published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    deleted = models.BooleanField(_("left the public record"), default=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    record = models.JSONField(_("public record"), default=dict, blank=True)
    digest = models.CharField(_("digest"), max_length=64, blank=True, editable=False)

    objects = FeedRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("feed record")
        verbose_name_plural = _("feed records")
        constraints = [
            models.UniqueConstraint(fields=["kind", "asset_id"], name="one_feed_record_per_asset")
        ]
        indexes = [
            # Keyset paging of harvests and incremental sync: WHERE datestamp > ? ORDER BY datestamp, id.
            models.Index(fields=["datestamp", "id"], name="feed_record_datestamp_id"),
        ]

    def __str__(self):
        return f"{self.kind}/{self.asset_id}"

    @property
    def local_id(self):
        """The stable identifier of the asset in every export: "photo/12"."""
        return f"{self.kind}/{self.asset_id}"

    def is_gone(self, now=None):
        now = now or timezone.now()
        return self.deleted or (self.expires_at is not None and self.expires_at <= now)


class FeedSetMembership(models.Model):
    """Which OAI-PMH sets (and API filters) a record belongs to: "type:photo",
    "topic:tourism", "organisation:4". Kept when the record is deleted, so that a
    harvester following one set also learns that a record of it left."""

    record = models.ForeignKey(FeedRecord, on_delete=models.CASCADE, related_name="set_memberships")
    spec = models.CharField(_("set"), max_length=120)

    class Meta:
        verbose_name = _("set membership")
        verbose_name_plural = _("set memberships")
        constraints = [
            models.UniqueConstraint(fields=["spec", "record"], name="one_membership_per_set")
        ]

    def __str__(self):
        return f"{self.record} in {self.spec}"


class Consumer(models.Model):
    """A system that takes Sen's records: the national foreign-information database,
    a press agency, an aggregator. Administrators register it; its API keys unlock
    higher rate limits and its webhook endpoints receive the changes."""

    name = models.CharField(_("name"), max_length=200)
    contact = models.CharField(
        _("contact"), max_length=255, blank=True, help_text=_("Who to call when it misbehaves.")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("consumer")
        verbose_name_plural = _("consumers")

    def __str__(self):
        return self.name


class ApiKeyQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, consumer__active=True)


class ApiKey(models.Model):
    """One key of a consumer. Only its SHA-256 is stored (a key is 32 random bytes,
    so a slow password hash adds nothing); `prefix` finds the row, and is what the
    admin shows. The whole key is shown once, when created (`feed.keys.issue`)."""

    consumer = models.ForeignKey(
        Consumer, verbose_name=_("consumer"), on_delete=models.CASCADE, related_name="keys"
    )
    label = models.CharField(_("label"), max_length=120, blank=True)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    hashed_key = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"), editable=False,
    )  # fmt: skip
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self):
        return f"{self.consumer} · {self.prefix}…"


# --- Webhooks (issue 8, item 3) ---------------------------------------------------------


class WebhookEndpoint(models.Model):
    """A URL of a consumer that Sen tells of every public change it subscribed to.

    Only administrators register endpoints: Sen never fetches a URL that came from a
    request. The secret signs each delivery (`feed.webhooks.sign`); it has to be kept
    in clear to sign, so it is shown to administrators only (never to auditors)."""

    class Event(models.TextChoices):
        CREATED = "created", _("published")
        UPDATED = "updated", _("updated")
        DELETED = "deleted", _("withdrawn or expired")

    consumer = models.ForeignKey(
        Consumer, verbose_name=_("consumer"), on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )  # fmt: skip
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=80, editable=False)
    active = models.BooleanField(_("active"), default=True)
    # Which changes it receives: one flag per event, so the query that finds the
    # subscribers of an event is a plain filter on every database.
    on_created = models.BooleanField(_("published"), default=True)
    on_updated = models.BooleanField(_("updated"), default=True)
    on_deleted = models.BooleanField(_("withdrawn or expired"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"), editable=False,
    )  # fmt: skip

    class Meta:
        ordering = ["consumer__name", "url"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return f"{self.consumer} → {self.url}"

    def save(self, *args, **kwargs):
        if not self.secret:
            from .webhooks import new_secret

            self.secret = new_secret()
        super().save(*args, **kwargs)

    def clean(self):
        from .webhooks import validate_endpoint_url

        super().clean()
        validate_endpoint_url(self.url)


class WebhookDelivery(models.Model):
    """One event for one endpoint, kept with every attempt's outcome: the delivery log.

    `event_id` is the idempotency key: the same for every attempt and every manual
    resend, so a receiver that saw it once can ignore it. The payload is frozen when
    the event happens; a content event whose record has since left the public record
    is cancelled, and its content emptied, rather than sent (`feed.webhooks`)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("delivered")
        FAILED = "failed", _("failed, will retry")
        GAVE_UP = "gave_up", _("gave up")
        CANCELLED = "cancelled", _("cancelled (no longer public)")

    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE,
        related_name="deliveries",
    )  # fmt: skip
    record = models.ForeignKey(
        FeedRecord, verbose_name=_("record"), on_delete=models.CASCADE, related_name="+"
    )
    event_id = models.UUIDField(_("idempotency key"), editable=False)
    event = models.CharField(_("event"), max_length=12, choices=WebhookEndpoint.Event.choices)
    local_id = models.CharField(_("record identifier"), max_length=40)
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Attempts made before the last manual resend: each resend gets a fresh budget.
    attempts_before_resend = models.PositiveIntegerField(default=0, editable=False)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="one_delivery_per_event"),
        ]
        indexes = [
            # The minute tick: due retries.
            models.Index(fields=["status", "next_attempt_at"], name="feed_delivery_due"),
        ]

    def __str__(self):
        return f"{self.get_event_display()} {self.local_id} → {self.endpoint.url}"
