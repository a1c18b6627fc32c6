"""Webhooks: telling consumers' endpoints of each public change, signed, with retries.

When a record of the feed changes (`feed.signals.record_changed`, sent once the
change committed), each active endpoint of an active consumer subscribed to that
change gets one `WebhookDelivery` row and a background task. The row, not the task
queue, is the truth (as for ingest jobs): a failed attempt is recorded with its
error and gets a retry time with exponential backoff and jitter; the minute tick
(`enqueue_due_deliveries`, from `sen_tick`) enqueues the retries that have come due,
and any that a dead worker dropped.

What a receiver gets (README, "Export feed"): a POST with a JSON body::

    {"id": "<event uuid>", "type": "record.created|record.updated|record.deleted",
     "occurred_at": "...", "record_id": "photo/12", "datestamp": "...",
     "record": {...the public record (feed.records)... or null when deleted}}

and the headers `X-Sen-Event`, `X-Sen-Delivery` (the event id again: the
idempotency key, the same on every retry and resend), `X-Sen-Timestamp` (unix
seconds of this attempt) and `X-Sen-Signature: sha256=<hex HMAC-SHA256 of
"<timestamp>.<raw body>" keyed with the endpoint's secret>` (Stripe's scheme: the
timestamp is signed, so a receiver that refuses timestamps older than a few minutes
cannot be fed a captured request again).

Nothing non-public leaves: a deletion carries the identifier only; a content event
whose record left the public record before it could be delivered (withdrawn,
expired) is cancelled and its stored content emptied, never sent. Only the URLs
that administrators registered are ever fetched, redirects are not followed, and of
a response only the status and a short excerpt are kept.
"""

import datetime
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import random
import secrets
import ssl
import time
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import FeedRecord, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

EVENT_TYPES = {
    "created": "record.created",
    "updated": "record.updated",
    "deleted": "record.deleted",
}
CONTENT_EVENTS = ("created", "updated")
RETRYABLE = (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED)
EXCERPT_CHARS = 300
USER_AGENT = "Sen-Webhooks/1"


# --- Endpoints ---------------------------------------------------------------------


def new_secret():
    """32 random bytes; the prefix tells a leaked string for what it is."""
    return "whsec_" + secrets.token_urlsafe(32)


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_endpoint_url(url):
    """https only; plain http to a loopback address only where
    `SEN_WEBHOOK_ALLOW_LOOPBACK_HTTP` allows it (on outside production: a receiver
    on the same machine while developing, and the tests' receivers)."""
    URLValidator(schemes=["http", "https"])(url)
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ValidationError(_("Put no user name or password in the URL."), code="credentials")
    if parts.scheme == "https":
        return
    if _is_loopback(parts.hostname or "") and settings.SEN_WEBHOOK_ALLOW_LOOPBACK_HTTP:
        return
    raise ValidationError(_("The URL must start with https://."), code="https")


def subscribers(change):
    return WebhookEndpoint.objects.filter(
        active=True, consumer__active=True, **{f"on_{change}": True}
    )


# --- Events ------------------------------------------------------------------------


def payload_of(record, change, event_id, occurred_at):
    """The body of an event. A deletion says which record left and when, nothing of
    what it was."""
    return {
        "id": str(event_id),
        "type": EVENT_TYPES[change],
        "occurred_at": occurred_at.isoformat(),
        "record_id": record.local_id,
        "datestamp": record.datestamp.isoformat(),
        "record": record.record if change in CONTENT_EVENTS and not record.deleted else None,
    }


def body_of(payload):
    """The exact bytes sent (and signed): the same on every attempt."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sign(secret, timestamp, body):
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def record_changed(sender, record, change, **kwargs):
    """Receiver of `feed.signals.record_changed` (connected in `feed.receivers`).

    It runs after the publication committed: a failure here must not turn the
    reviewer's successful approval into an error page. It is logged; `sync_all`
    or a resend recovers."""
    try:
        queue_event(record, change)
    except Exception:  # logged with its traceback: see the docstring
        logger.exception("Webhooks for %s (%s) could not be queued", record.local_id, change)


def queue_event(record, change, *, now=None):
    """One delivery per subscribed endpoint, each sent by its own task."""
    now = now or timezone.now()
    if change == "deleted":
        cancel_content_of(record)
    endpoints = list(subscribers(change))
    if not endpoints:
        return []
    event_id = uuid.uuid4()
    payload = payload_of(record, change, event_id, now)
    with transaction.atomic():
        deliveries = WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(
                    endpoint=endpoint, record=record, event_id=event_id, event=change,
                    local_id=record.local_id, payload=payload, next_attempt_at=now,
                )
                for endpoint in endpoints
            ]
        )  # fmt: skip
        for delivery in deliveries:
            enqueue(delivery, now=now)
    return deliveries


def cancel_content_of(record):
    """The record left the public record: what was waiting to be sent of it must not
    go out, and is not kept either."""
    waiting = WebhookDelivery.objects.filter(
        record=record, event__in=CONTENT_EVENTS, status__in=RETRYABLE
    )
    for delivery in waiting:
        _cancel(delivery)


def _cancel(delivery):
    payload = dict(delivery.payload, record=None)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.CANCELLED,
        payload=payload,
        next_attempt_at=None,
        last_error=_("The record is no longer public; its content was not sent."),
    )


# --- Attempts ----------------------------------------------------------------------


def _lease():
    """How long a claimed or enqueued delivery is left alone before the tick takes
    it for lost (a dead worker): longer than one attempt can take."""
    return datetime.timedelta(
        seconds=2 * (settings.SEN_WEBHOOK_CONNECT_TIMEOUT + settings.SEN_WEBHOOK_READ_TIMEOUT) + 60
    )


def enqueue(delivery, *, now=None, run_after=None):
    """Hand the next attempt to the task queue once the transaction commits. The
    task names the attempt it is for, so a delivery enqueued twice is tried once."""
    from .tasks import deliver_webhook

    now = now or timezone.now()
    expected = delivery.attempts
    if run_after is None:
        # Waiting in the queue now: the tick leaves it alone until the lease runs out.
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now + _lease())
    # A deferred task keeps the retry time as next_attempt_at (what the log shows); if
    # the tick enqueues it too once due, whichever task runs first claims the attempt.
    task = deliver_webhook.using(run_after=run_after) if run_after else deliver_webhook
    pk = delivery.pk
    transaction.on_commit(lambda: task.enqueue(pk, expected))


def retry_time(attempts, now=None):
    """`SEN_WEBHOOK_RETRY_DELAY` seconds doubled after each failed attempt, plus up
    to a quarter more at random so that a receiver back from an outage is not hit
    by every delayed delivery in the same second."""
    delay = settings.SEN_WEBHOOK_RETRY_DELAY * 2 ** max(attempts - 1, 0)
    delay *= 1 + random.random() / 4  # noqa: S311 - jitter, not a secret
    return (now or timezone.now()) + datetime.timedelta(seconds=delay)


class DeliveryError(Exception):
    def __init__(self, message, status_code=None):
        super().__init__(message)
        self.status_code = status_code


def post(url, body, headers):
    """One POST, with separate connect and read timeouts, no redirects followed and
    no proxy: only the registered URL is contacted. Returns the status code of a
    2xx answer; anything else raises `DeliveryError`."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    connect_timeout = settings.SEN_WEBHOOK_CONNECT_TIMEOUT
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=connect_timeout,
            context=ssl.create_default_context(),
        )  # fmt: skip
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=connect_timeout)
    try:
        connection.connect()
        connection.sock.settimeout(settings.SEN_WEBHOOK_READ_TIMEOUT)
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_CHARS * 4).decode("utf-8", "replace")[:EXCERPT_CHARS]
    except (OSError, http.client.HTTPException) as error:
        raise DeliveryError(f"{type(error).__name__}: {error}") from error
    finally:
        connection.close()
    if 200 <= response.status < 300:
        return response.status
    if 300 <= response.status < 400:
        location = response.getheader("Location", "")[:200]
        raise DeliveryError(
            f"HTTP {response.status}: redirect not followed ({location})", response.status
        )
    raise DeliveryError(f"HTTP {response.status}: {excerpt}".strip(), response.status)


def headers_for(delivery, body, timestamp):
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Sen-Event": EVENT_TYPES[delivery.event],
        "X-Sen-Delivery": str(delivery.event_id),
        "X-Sen-Timestamp": str(timestamp),
        "X-Sen-Signature": sign(delivery.endpoint.secret, timestamp, body),
    }


def _no_longer_public(delivery, now):
    if delivery.event not in CONTENT_EVENTS:
        return False
    record = FeedRecord.objects.filter(pk=delivery.record_id).first()
    return record is None or record.is_gone(now)


def deliver(delivery_id, expected_attempts=None, *, now=None):
    """Make one attempt. Claiming is one UPDATE on the attempt count, so two tasks
    for the same attempt (a re-enqueue by the tick) cannot both send. Returns the
    outcome ("succeeded", "failed", "gave_up", "cancelled", "skipped")."""
    now = now or timezone.now()
    delivery = (
        WebhookDelivery.objects.select_related("endpoint__consumer").filter(pk=delivery_id).first()
    )
    if delivery is None or delivery.status not in RETRYABLE:
        return "skipped"
    if expected_attempts is not None and delivery.attempts != expected_attempts:
        return "skipped"
    claimed = WebhookDelivery.objects.filter(
        pk=delivery.pk, attempts=delivery.attempts, status__in=RETRYABLE
    ).update(attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=now + _lease())
    if not claimed:
        return "skipped"
    delivery.attempts += 1
    endpoint = delivery.endpoint
    if _no_longer_public(delivery, now):
        _cancel(delivery)
        return "cancelled"
    if not (endpoint.active and endpoint.consumer.active):
        return _failed(delivery, DeliveryError(_("The endpoint or its consumer is inactive.")), now)
    body = body_of(delivery.payload)
    timestamp = int(time.time())
    try:
        status_code = post(endpoint.url, body, headers_for(delivery, body, timestamp))
    except DeliveryError as error:
        logger.info("Webhook %s attempt %s failed: %s", delivery.pk, delivery.attempts, error)
        return _failed(delivery, error, now)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.SUCCEEDED, delivered_at=timezone.now(),
        last_status_code=status_code, last_error="", next_attempt_at=None,
    )  # fmt: skip
    return "succeeded"


def _failed(delivery, error, now):
    fields = {
        "last_error": str(error)[:1000],
        "last_status_code": getattr(error, "status_code", None),
    }
    if delivery.attempts - delivery.attempts_before_resend >= settings.SEN_WEBHOOK_MAX_ATTEMPTS:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.GAVE_UP, next_attempt_at=None, **fields
        )
        return "gave_up"
    run_after = retry_time(delivery.attempts, now)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.FAILED, next_attempt_at=run_after, **fields
    )
    from ingest.operations import backend_can_defer

    if backend_can_defer():
        delivery.status = WebhookDelivery.Status.FAILED
        enqueue(delivery, now=now, run_after=run_after)
    # Otherwise the minute tick (enqueue_due_deliveries) enqueues it when it is due.
    return "failed"


def enqueue_due_deliveries(now=None):
    """Deliveries whose next attempt has come (retries, and any whose task was lost
    with its worker: an enqueued delivery is due again only once its lease ran out)."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(status__in=RETRYABLE)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("next_attempt_at", "pk")
    )
    for delivery in due:
        enqueue(delivery, now=now)
    return len(due)


def resend(delivery, *, now=None):
    """An administrator sends an event again: the same idempotency key and body, a
    new budget of attempts. Refused for content that is no longer public."""
    now = now or timezone.now()
    if _no_longer_public(delivery, now) or delivery.status == WebhookDelivery.Status.CANCELLED:
        raise ValidationError(
            _("This record is no longer public: its content cannot be sent again."),
            code="not_public",
        )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING,
        attempts_before_resend=F("attempts"),
        next_attempt_at=now,
    )
    delivery.refresh_from_db()
    enqueue(delivery, now=now)
    return delivery
