"""The webhook screens: administrators register endpoints, see their secret and
resend; auditors read the delivery log and see no secret; others see nothing."""

import pytest
from django.urls import reverse

from assets import operations
from feed.models import Consumer, FeedRecord, WebhookDelivery, WebhookEndpoint

from ..factories import contributor, make_organisation, role_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint():
    consumer = Consumer.objects.create(name="Cổng thông tin đối ngoại")
    return WebhookEndpoint.objects.create(consumer=consumer, url="https://nhan.example.org/sen")


@pytest.fixture
def delivery(endpoint):
    record = FeedRecord.objects.create(kind="photo", asset_id=1, datestamp="2026-01-01T00:00Z")
    return WebhookDelivery.objects.create(
        endpoint=endpoint, record=record, event_id="2f1d3c4e-0000-4000-8000-000000000001",
        event="deleted", local_id="photo/1", payload={"record": None},
        status=WebhookDelivery.Status.GAVE_UP, attempts=8, last_error="HTTP 500",
    )  # fmt: skip


def test_administrator_registers_an_endpoint_and_sees_its_secret(client, endpoint):
    admin = role_user(operations.ADMINISTRATORS)
    client.force_login(admin)
    response = client.post(
        reverse("feed_webhookendpoint:add"),
        {"consumer": endpoint.consumer_id, "url": "https://api.example.gov.vn/sen", "active": "on",
         "on_created": "on", "on_deleted": "on"},
    )  # fmt: skip
    made = WebhookEndpoint.objects.get(url="https://api.example.gov.vn/sen")
    assert response.status_code == 302
    assert response.url == reverse("feed_webhookendpoint:inspect", args=[made.pk])
    assert made.created_by == admin and not made.on_updated and made.secret
    page = client.get(response.url).content.decode()
    assert made.secret in page
    assert f"?endpoint={made.pk}" in page  # the delivery log


def test_an_insecure_url_is_refused_with_a_message(client, endpoint):
    client.force_login(role_user(operations.ADMINISTRATORS))
    response = client.post(
        reverse("feed_webhookendpoint:add"),
        {"consumer": endpoint.consumer_id, "url": "http://example.org/sen", "active": "on"},
    )
    assert response.status_code == 200
    assert "https://" in response.content.decode()
    assert not WebhookEndpoint.objects.filter(url="http://example.org/sen").exists()


def test_auditor_reads_the_log_but_not_the_secret_and_cannot_resend(client, endpoint, delivery):
    client.force_login(role_user(operations.AUDITORS))
    log = client.get(reverse("feed_webhookdelivery:index"), {"endpoint": endpoint.pk})
    assert log.status_code == 200 and "photo/1" in log.content.decode()
    page = client.get(reverse("feed_webhookendpoint:inspect", args=[endpoint.pk]))
    assert page.status_code == 200 and endpoint.secret not in page.content.decode()
    assert client.get(reverse("feed_webhookendpoint:add")).status_code == 302
    # Wagtail's admin answers a refusal by sending back to the dashboard.
    refused = client.post(reverse("feed_webhook_resend", args=[delivery.pk]))
    assert refused.status_code == 302 and refused.url == reverse("wagtailadmin_home")
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.GAVE_UP


def test_contributor_sees_nothing(client, endpoint, delivery):
    client.force_login(contributor(make_organisation("Phường A")))
    for url in (
        reverse("feed_webhookdelivery:index"),
        reverse("feed_webhookendpoint:inspect", args=[endpoint.pk]),
    ):
        assert client.get(url).status_code == 302  # permission denied: back to the dashboard
    refused = client.post(reverse("feed_webhook_resend", args=[delivery.pk]))
    assert refused.status_code == 302 and refused.url == reverse("wagtailadmin_home")
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.GAVE_UP


def test_administrator_resends_with_the_same_key(
    client, delivery, django_capture_on_commit_callbacks
):
    client.force_login(role_user(operations.ADMINISTRATORS))
    url = reverse("feed_webhook_resend", args=[delivery.pk])
    assert client.get(url).status_code == 200
    log = client.get(reverse("feed_webhookdelivery:index")).content.decode()
    assert url in log
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url)
    assert response.status_code == 302
    resent = WebhookDelivery.objects.get(pk=delivery.pk)
    assert resent.status == WebhookDelivery.Status.PENDING
    assert str(resent.event_id) == str(delivery.event_id) and resent.attempts_before_resend == 8
    assert client.get(reverse("feed_webhook_resend", args=[999999])).status_code == 404


def test_nobody_edits_or_deletes_the_log(client, delivery):
    client.force_login(role_user(operations.ADMINISTRATORS))
    assert client.get(reverse("feed_webhookdelivery:edit", args=[delivery.pk])).status_code == 302
    assert (
        client.post(reverse("feed_webhookdelivery:delete", args=[delivery.pk])).status_code == 302
    )
    assert WebhookDelivery.objects.filter(pk=delivery.pk).exists()


def test_the_screens_render_for_an_administrator(client, endpoint, delivery):
    client.force_login(role_user(operations.ADMINISTRATORS))
    for url in (
        reverse("feed_webhookendpoint:index"),
        reverse("feed_webhookendpoint:add"),
        reverse("feed_webhookendpoint:edit", args=[endpoint.pk]),
        reverse("feed_webhookdelivery:inspect", args=[delivery.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    listing = client.get(reverse("feed_webhookendpoint:index")).content.decode()
    assert f"?endpoint={endpoint.pk}" in listing  # each endpoint's delivery log
    edit = client.get(reverse("feed_webhookendpoint:edit", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in edit  # shown on its page, not carried in a form
