"""What the feed tells the rest of Sen (webhooks listen here).

`record_changed(sender=FeedRecord, record=..., change=...)` is sent once the
transaction that changed a record has committed, with `change` one of
"created" (first time public), "updated" (the public record changed) or
"deleted" (withdrawn, expired, deleted after publication)."""

from django.dispatch import Signal

record_changed = Signal()
