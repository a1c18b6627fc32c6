"""Export feed → API keys in the admin: administrators issue a key (shown whole
once) and revoke it; auditors see keys but no secret; others see nothing."""

import pytest
from django.test import Client

from assets import operations
from feed import keys
from feed.models import ApiKey, Consumer

from ..factories import role_user

pytestmark = pytest.mark.django_db

LIST = "/admin/snippets/feed/apikey/"
ADD = "/admin/snippets/feed/apikey/add/"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def consumer(db):
    return Consumer.objects.create(name="CSDL quốc gia về thông tin đối ngoại")


def test_an_administrator_issues_a_key_shown_once(consumer):
    admin = logged_in(role_user(operations.ADMINISTRATORS))
    response = admin.post(ADD, {"consumer": consumer.pk, "label": "đồng bộ"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    row = ApiKey.objects.get()
    page = response.content.decode()
    start = page.index("sen_" + row.prefix)
    whole = page[start : page.index("<", start)]
    assert keys.check(whole) == row and row.created_by is not None and row.label == "đồng bộ"
    assert whole.split("_", 2)[2] not in row.hashed_key  # only the hash is stored
    # Afterwards only the prefix is shown.
    for url in (LIST, f"/admin/snippets/feed/apikey/inspect/{row.pk}/"):
        later = admin.get(url).content.decode()
        assert row.prefix in later and whole not in later and row.hashed_key not in later


def test_an_administrator_revokes_a_key(consumer):
    admin = logged_in(role_user(operations.ADMINISTRATORS))
    row, whole = keys.issue(consumer)
    url = f"/admin/feed/api-keys/{row.pk}/revoke/"
    assert url in admin.get(LIST).content.decode()
    assert admin.get(url).status_code == 200
    assert keys.check(whole) == row  # a GET changes nothing
    assert admin.post(url).status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None and keys.check(whole) is None


def test_an_auditor_sees_keys_but_cannot_issue_or_revoke(consumer):
    auditor = logged_in(role_user(operations.AUDITORS))
    row, whole = keys.issue(consumer)
    listing = auditor.get(LIST)
    assert listing.status_code == 200 and row.prefix in listing.content.decode()
    assert f"/admin/feed/api-keys/{row.pk}/revoke/" not in listing.content.decode()
    assert auditor.post(ADD, {"consumer": consumer.pk}).status_code in (302, 403)
    assert auditor.post(f"/admin/feed/api-keys/{row.pk}/revoke/").status_code in (302, 403)
    assert ApiKey.objects.count() == 1 and keys.check(whole) == row


def test_reviewers_do_not_see_the_export_feed(consumer):
    reviewer = logged_in(role_user(operations.REVIEWERS))
    assert reviewer.get(LIST).status_code in (302, 403)
    assert reviewer.get("/admin/snippets/feed/consumer/").status_code in (302, 403)
    assert "Export feed" not in reviewer.get("/admin/").content.decode()
