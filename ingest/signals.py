"""What the ingest pipeline tells the rest of Sen.

`job_done(sender=Job, job=..., record=...)` is sent after a background job on a file
(content check, derivatives, download sizes) succeeded: a published asset using the
file may now offer more (the feed refreshes its record then)."""

from django.dispatch import Signal

job_done = Signal()
