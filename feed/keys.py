"""API keys: issue, check, revoke. A key reads `sen_<prefix>_<secret>`."""

import hashlib
import hmac
import secrets

from django.utils import timezone

from .models import ApiKey

PREFIX_LENGTH = 8


def _hash(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(consumer, *, label="", user=None):
    """(ApiKey row, the whole key): the key is shown to the administrator once."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        consumer=consumer, label=label, prefix=prefix, hashed_key=_hash(secret), created_by=user
    )
    return key, f"sen_{prefix}_{secret}"


def check(presented):
    """The usable ApiKey for a presented key, or None (malformed, unknown, revoked,
    consumer inactive). Constant-time comparison of the hashes."""
    if not isinstance(presented, str) or len(presented) > 200:
        return None
    parts = presented.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "sen" or len(parts[1]) != PREFIX_LENGTH:
        return None
    key = ApiKey.objects.usable().select_related("consumer").filter(prefix=parts[1]).first()
    if key is None or not hmac.compare_digest(key.hashed_key, _hash(parts[2])):
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def revoke(key):
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key
