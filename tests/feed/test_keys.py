"""API keys are shown once, stored hashed, and stop working when revoked."""

import pytest

from feed import keys
from feed.models import ApiKey, Consumer

pytestmark = pytest.mark.django_db


@pytest.fixture
def consumer():
    return Consumer.objects.create(name="Cơ sở dữ liệu quốc gia về thông tin đối ngoại")


def test_a_key_is_stored_hashed_and_found_again(consumer):
    row, whole = keys.issue(consumer, label="harvester")
    assert whole.startswith(f"sen_{row.prefix}_")
    secret = whole.split("_", 2)[2]
    stored = ApiKey.objects.get(pk=row.pk)
    assert secret not in stored.hashed_key and len(stored.hashed_key) == 64
    assert keys.check(whole) == row
    assert ApiKey.objects.get(pk=row.pk).last_used_at is not None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda k: k[:-1] + ("A" if k[-1] != "A" else "B"),  # one character of the secret
        lambda k: k.replace("sen_", "xen_", 1),
        lambda k: k.split("_", 2)[0] + "_" + "0" * 8 + "_" + k.split("_", 2)[2],  # other prefix
        lambda k: "",
        lambda k: "sen_" + "x" * 500,
        lambda k: None,
    ],
)
def test_a_tampered_key_is_refused(consumer, tamper):
    _row, whole = keys.issue(consumer)
    assert keys.check(tamper(whole)) is None


def test_revoked_keys_and_inactive_consumers_are_refused(consumer):
    row, whole = keys.issue(consumer)
    keys.revoke(row)
    assert keys.check(whole) is None
    other, other_whole = keys.issue(consumer)
    consumer.active = False
    consumer.save()
    assert keys.check(other_whole) is None
