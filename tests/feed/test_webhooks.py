"""Webhooks reach real HTTP receivers on loopback, signed, retried with backoff by
Sen's own retry mechanism, and carry nothing that is not public.

The receivers verify the signature with their own HMAC code (not feed.webhooks.sign),
as a consumer would from the README."""

import datetime
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from feed import operations, webhooks
from feed.models import Consumer, FeedRecord, WebhookDelivery, WebhookEndpoint
from review.operations import withdraw

pytestmark = pytest.mark.django_db

REPLAY_WINDOW = 300


class Receiver:
    """A consumer's endpoint: checks the signature and the timestamp as the README
    tells consumers to, records what it got, and answers with `statuses` in turn
    (then 200)."""

    def __init__(self, secret="", statuses=(), redirect_to=None):
        self.secret = secret
        self.statuses = list(statuses)
        self.redirect_to = redirect_to
        self.received = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp = self.headers["X-Sen-Timestamp"]
                expected = hmac.new(
                    receiver.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
                ).hexdigest()
                given = self.headers.get("X-Sen-Signature", "")
                valid = given.startswith("sha256=") and hmac.compare_digest(
                    given.removeprefix("sha256="), expected
                )
                fresh = abs(time.time() - int(timestamp)) <= REPLAY_WINDOW
                receiver.received.append(
                    {
                        "headers": dict(self.headers),
                        "body": json.loads(body),
                        "raw": body,
                        "valid": valid and fresh,
                        "path": self.path,
                    }
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                if receiver.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", receiver.redirect_to)
                    self.end_headers()
                    return
                self.send_response(status if valid else 401)
                self.end_headers()
                self.wfile.write(b"server says no" if status >= 400 else b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/sen"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers():
    made = []

    def make(**kwargs):
        receiver = Receiver(**kwargs)
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.close()


@pytest.fixture
def consumer():
    return Consumer.objects.create(name="Cơ sở dữ liệu quốc gia về thông tin đối ngoại")


@pytest.fixture
def endpoint(consumer, receivers):
    def make(statuses=(), consumer=consumer, **fields):
        receiver = receivers(statuses=statuses)
        row = WebhookEndpoint.objects.create(consumer=consumer, url=receiver.url, **fields)
        receiver.secret = row.secret
        return row, receiver

    return make


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the on-commit hooks (record_changed, then the delivery tasks) as a real
    commit would."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def record_of(asset):
    return FeedRecord.objects.get(kind=type(asset).__name__.lower(), asset_id=asset.pk)


def test_publication_is_delivered_signed_to_each_endpoint(make_photo, endpoint, committed):
    (first, one), (second, two) = endpoint(), endpoint()
    photo = committed(make_photo, title_vi="Chợ nổi Cái Răng")
    for row, receiver in ((first, one), (second, two)):
        assert len(receiver.received) == 1
        got = receiver.received[0]
        assert got["valid"]
        assert got["path"] == "/hooks/sen"
        body, headers = got["body"], got["headers"]
        assert body["type"] == "record.created" and headers["X-Sen-Event"] == "record.created"
        assert body["record_id"] == f"photo/{photo.pk}"
        assert body["record"]["title"]["vi"] == "Chợ nổi Cái Răng"
        assert body["record"] == record_of(photo).record
        assert headers["X-Sen-Delivery"] == body["id"]
        assert headers["Content-Type"] == "application/json"
        delivery = WebhookDelivery.objects.get(endpoint=row)
        assert delivery.status == WebhookDelivery.Status.SUCCEEDED
        assert delivery.attempts == 1 and delivery.last_status_code == 200
        assert str(delivery.event_id) == body["id"]


def test_a_wrong_secret_fails_the_receivers_check(make_photo, endpoint, committed):
    row, receiver = endpoint()
    receiver.secret = "whsec_not-the-one"
    committed(make_photo)
    assert receiver.received and not receiver.received[0]["valid"]
    delivery = WebhookDelivery.objects.get(endpoint=row)
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.last_status_code == 401


def test_a_failing_receiver_is_retried_with_backoff_until_it_answers(
    make_photo, endpoint, committed, settings
):
    settings.SEN_WEBHOOK_RETRY_DELAY = 60
    row, receiver = endpoint(statuses=(500, 500))
    before = timezone.now()
    committed(make_photo)
    delivery = WebhookDelivery.objects.get(endpoint=row)
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.attempts == 1
    assert delivery.last_status_code == 500 and "server says no" in delivery.last_error
    first_wait = (delivery.next_attempt_at - before).total_seconds()
    assert 60 <= first_wait <= 60 * 1.25 + 5
    # Not due yet: the tick leaves it alone.
    assert webhooks.enqueue_due_deliveries(now=timezone.now()) == 0
    assert len(receiver.received) == 1

    committed(webhooks.enqueue_due_deliveries, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.attempts == 2
    second_wait = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
    assert 120 <= second_wait <= 120 * 1.25 + 5

    committed(webhooks.enqueue_due_deliveries, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED and delivery.attempts == 3
    assert delivery.last_error == "" and delivery.next_attempt_at is None
    keys = {got["headers"]["X-Sen-Delivery"] for got in receiver.received}
    bodies = {json.dumps(got["body"], sort_keys=True) for got in receiver.received}
    assert len(receiver.received) == 3 and len(keys) == 1 and len(bodies) == 1
    assert all(got["valid"] for got in receiver.received)
    # Nothing more to do.
    assert webhooks.enqueue_due_deliveries(now=timezone.now() + datetime.timedelta(days=1)) == 0


def test_a_receiver_that_never_answers_is_given_up(make_photo, endpoint, committed, settings):
    settings.SEN_WEBHOOK_MAX_ATTEMPTS = 2
    row, receiver = endpoint(statuses=(500, 503, 500))
    committed(make_photo)
    delivery = WebhookDelivery.objects.get(endpoint=row)
    committed(webhooks.enqueue_due_deliveries, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.GAVE_UP and delivery.attempts == 2
    assert delivery.last_status_code == 503 and delivery.next_attempt_at is None
    # A manual resend: same key, a fresh budget; the receiver answers 500 then 200.
    committed(webhooks.resend, delivery)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.attempts == 3
    committed(webhooks.enqueue_due_deliveries, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED and delivery.attempts == 4
    assert len({got["headers"]["X-Sen-Delivery"] for got in receiver.received}) == 1


def test_an_unreachable_endpoint_records_the_error(make_photo, consumer, committed, receivers):
    gone = receivers()
    url = gone.url
    gone.close()
    row = WebhookEndpoint.objects.create(consumer=consumer, url=url)
    committed(make_photo)
    delivery = WebhookDelivery.objects.get(endpoint=row)
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert "ConnectionRefused" in delivery.last_error and delivery.last_status_code is None


def test_redirects_are_not_followed(make_photo, consumer, committed, receivers):
    elsewhere = receivers()
    redirecting = receivers(redirect_to=elsewhere.url)
    row = WebhookEndpoint.objects.create(consumer=consumer, url=redirecting.url)
    redirecting.secret = row.secret
    committed(make_photo)
    delivery = WebhookDelivery.objects.get(endpoint=row)
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.last_status_code == 302
    assert "redirect not followed" in delivery.last_error
    assert elsewhere.received == []


def test_update_withdrawal_and_expiry_each_make_one_delivery_per_endpoint(
    make_photo, publish, reviewer, endpoint, committed
):
    (first, one), (second, two) = endpoint(), endpoint()
    photo = committed(make_photo, title_vi="Bến Ninh Kiều")
    photo.title_vi = "Bến Ninh Kiều về đêm"
    committed(publish, photo)
    committed(withdraw, photo, user=reviewer, reason="Sai thông tin")

    other = committed(make_photo, title_vi="Lễ hội bánh dân gian")
    other.expire_at = timezone.now() + datetime.timedelta(hours=1)
    committed(publish, other)
    later = timezone.now() + datetime.timedelta(hours=2)
    assert committed(operations.expire_due, now=later) == 1

    for row, receiver in ((first, one), (second, two)):
        events = [(got["body"]["record_id"], got["body"]["type"]) for got in receiver.received]
        mine = [event for event in events if event[0] == f"photo/{photo.pk}"]
        assert mine == [
            (f"photo/{photo.pk}", "record.created"),
            (f"photo/{photo.pk}", "record.updated"),
            (f"photo/{photo.pk}", "record.deleted"),
        ]
        theirs = [event[1] for event in events if event[0] == f"photo/{other.pk}"]
        # Republished with an expiry (its record's last_published moved), then expired.
        assert theirs == ["record.created", "record.updated", "record.deleted"]
        updated = next(g for g in receiver.received if g["body"]["type"] == "record.updated")
        assert updated["body"]["record"]["title"]["vi"] == "Bến Ninh Kiều về đêm"
        # A deletion says which record left and when: nothing of what it was.
        for got in receiver.received:
            if got["body"]["type"] == "record.deleted":
                assert got["body"]["record"] is None
                text = json.dumps(got["body"], ensure_ascii=False)
                assert "Ninh Kiều" not in text and "bánh" not in text
        assert WebhookDelivery.objects.filter(endpoint=row).count() == 6


def test_drafts_and_reviews_send_nothing(make_photo, endpoint, committed, reviewer):
    _row, receiver = endpoint()
    draft = committed(make_photo, live=False, title_vi="Bản nháp")
    draft.title_vi = "Bản nháp sửa"
    committed(draft.save_revision, user=reviewer)
    committed(operations.sync, draft)
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_inactive_endpoints_and_other_filters_get_nothing(
    make_photo, reviewer, endpoint, committed, consumer
):
    _off, off = endpoint(active=False)
    dormant = Consumer.objects.create(name="Đối tác tạm ngưng", active=False)
    _asleep, asleep = endpoint(consumer=dormant)
    _deletions, deletions_only = endpoint(on_created=False, on_updated=False)
    photo = committed(make_photo)
    committed(withdraw, photo, user=reviewer, reason="Hết hạn sử dụng")
    assert off.received == [] and asleep.received == []
    assert [got["body"]["type"] for got in deletions_only.received] == ["record.deleted"]


def test_content_waiting_for_a_retry_is_not_sent_after_withdrawal(
    make_photo, reviewer, endpoint, committed
):
    row, receiver = endpoint(statuses=(500,))
    photo = committed(make_photo, title_vi="Ảnh sẽ rút")
    created = WebhookDelivery.objects.get(endpoint=row, event="created")
    assert created.status == WebhookDelivery.Status.FAILED
    committed(withdraw, photo, user=reviewer, reason="Sai thông tin")
    created.refresh_from_db()
    assert created.status == WebhookDelivery.Status.CANCELLED
    assert created.payload["record"] is None  # not kept either
    later = timezone.now() + datetime.timedelta(days=1)
    committed(webhooks.enqueue_due_deliveries, now=later)
    assert [got["body"]["type"] for got in receiver.received] == [
        "record.created",  # the failed attempt
        "record.deleted",
    ]
    with pytest.raises(ValidationError):
        webhooks.resend(created)


def test_content_of_an_expired_record_is_not_sent_even_before_the_tick(
    make_photo, publish, endpoint, committed
):
    row, receiver = endpoint(statuses=(500,))
    photo = make_photo()
    photo.expire_at = timezone.now() + datetime.timedelta(seconds=2)
    committed(publish, photo)
    delivery = WebhookDelivery.objects.filter(endpoint=row).latest("pk")
    assert delivery.status == WebhookDelivery.Status.FAILED
    FeedRecord.objects.filter(pk=delivery.record_id).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert webhooks.deliver(delivery.pk) == "cancelled"
    assert len(receiver.received) == 1


def test_a_delivery_is_attempted_once_per_enqueue(make_photo, endpoint, committed):
    row, receiver = endpoint(statuses=(500,))
    committed(make_photo)
    delivery = WebhookDelivery.objects.get(endpoint=row)
    # Two tasks for the same attempt (a re-enqueue while the first waited):
    assert webhooks.deliver(delivery.pk, 1) == "succeeded"
    assert webhooks.deliver(delivery.pk, 1) == "skipped"
    assert len(receiver.received) == 2


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/hook",  # plain http off loopback
        "ftp://127.0.0.1/hook",
        "https://user:pass@example.org/hook",
        "javascript:alert(1)",
        "not a url",
        "https://" + "a" * 300 + ".org/",
    ],
)
def test_endpoint_urls_are_validated(url):
    with pytest.raises(ValidationError):
        webhooks.validate_endpoint_url(url)


def test_plain_http_to_loopback_only_where_allowed(settings):
    webhooks.validate_endpoint_url("https://nhan.example.org/sen")
    webhooks.validate_endpoint_url("http://127.0.0.1:8080/sen")
    settings.SEN_WEBHOOK_ALLOW_LOOPBACK_HTTP = False
    with pytest.raises(ValidationError):
        webhooks.validate_endpoint_url("http://127.0.0.1:8080/sen")


def test_the_secret_is_generated_and_unguessable(consumer):
    a = WebhookEndpoint.objects.create(consumer=consumer, url="https://a.example.org/")
    b = WebhookEndpoint.objects.create(consumer=consumer, url="https://b.example.org/")
    assert a.secret.startswith("whsec_") and len(a.secret) > 40 and a.secret != b.secret


def test_the_minute_tick_sends_due_retries(make_photo, endpoint, committed):
    from django.core.management import call_command

    row, receiver = endpoint(statuses=(500,))
    committed(make_photo)
    delivery = WebhookDelivery.objects.get(endpoint=row)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    committed(call_command, "sen_tick")
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED and delivery.attempts == 2
    assert len(receiver.received) == 2


def test_the_readme_verification_example_accepts_sen_and_refuses_a_forgery(
    make_photo, endpoint, committed
):
    """The receiver code consumers copy from the README works."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    code = next(
        block for block in re.findall(r"```python\n(.*?)```", readme, re.S) if "def verify" in block
    )
    scope = {}
    exec(code, scope)  # noqa: S102 - the README's own example
    row, receiver = endpoint()
    committed(make_photo)
    got = receiver.received[0]
    assert scope["verify"](row.secret, got["headers"], got["raw"])
    assert not scope["verify"](row.secret, got["headers"], got["raw"] + b" ")
    assert not scope["verify"]("whsec_other", got["headers"], got["raw"])
    stale = dict(got["headers"], **{"X-Sen-Timestamp": str(int(time.time()) - 3600)})
    assert not scope["verify"](row.secret, stale, got["raw"])


def _into_review(asset, reviewer, state):
    asset.save_revision(user=reviewer)
    workflow_state = asset.get_workflow().start(asset, reviewer)
    task_state = workflow_state.current_task_state
    if state == "changes_requested":
        task_state.reject(user=reviewer, comment="Sửa")
    elif state == "rejected":
        task_state.task.specific.on_action(task_state, reviewer, "decline", comment="Không đạt")


@pytest.mark.parametrize("state", ["in_review", "changes_requested", "rejected"])
def test_review_states_send_nothing(state, make_photo, endpoint, committed, reviewer):
    _row, receiver = endpoint()
    photo = make_photo(live=False, title_vi="Ảnh đang duyệt")
    committed(_into_review, photo, reviewer, state)
    assert receiver.received == [] and not WebhookDelivery.objects.exists()


def test_a_pending_change_of_a_published_asset_is_not_sent(
    make_photo, endpoint, committed, reviewer
):
    _row, receiver = endpoint()
    photo = committed(make_photo, title_vi="Tiêu đề công khai")
    photo.title_vi = "Tiêu đề chưa duyệt"
    committed(_into_review, photo, reviewer, "in_review")
    committed(operations.sync, photo)
    assert [got["body"]["type"] for got in receiver.received] == ["record.created"]
    assert "chưa duyệt" not in json.dumps(receiver.received, ensure_ascii=False, default=str)


def test_deleting_a_published_asset_sends_only_its_identifier(make_photo, endpoint, committed):
    _row, receiver = endpoint()
    photo = committed(make_photo, title_vi="Ảnh sẽ xóa")
    pk = photo.pk
    committed(photo.delete)
    deleted = receiver.received[-1]["body"]
    assert deleted["type"] == "record.deleted" and deleted["record_id"] == f"photo/{pk}"
    assert deleted["record"] is None and "sẽ xóa" not in json.dumps(deleted, ensure_ascii=False)


def test_with_the_database_queue_a_retry_is_deferred_to_its_time(
    make_photo, endpoint, settings, committed
):
    """Production's task backend can defer: a failed attempt is queued again for its
    retry time, which is also what the delivery log shows."""
    from django_tasks_db.models import DBTaskResult

    row, receiver = endpoint(statuses=(500,))
    photo = make_photo()
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    record = FeedRecord.objects.get(kind="photo", asset_id=photo.pk)
    (delivery,) = committed(webhooks.queue_event, record, "updated")
    delivery.refresh_from_db()
    assert receiver.received == []  # waiting in the queue: nothing sent yet
    assert DBTaskResult.objects.get().args_kwargs["args"] == [delivery.pk, 0]
    assert delivery.next_attempt_at > timezone.now()  # the tick leaves it to the queue
    assert committed(webhooks.deliver, delivery.pk, 0) == "failed"
    delivery.refresh_from_db()
    deferred = DBTaskResult.objects.filter(run_after__isnull=False).latest("enqueued_at")
    assert deferred.run_after == delivery.next_attempt_at
    assert deferred.args_kwargs["args"] == [delivery.pk, 1]
    assert len(receiver.received) == 1
