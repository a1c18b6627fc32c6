"""What runs every minute beside the worker (`make run` loops it; in production a
systemd timer or cron entry): Wagtail's scheduled publishing and expiry, recovery of
jobs whose worker died, retries that have come due, the removal of files whose
quarantine has run out, the feed's tombstones for assets whose expiry passed, and
webhook deliveries whose retry has come due."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from ingest import operations


class Command(BaseCommand):
    help = "Publish and expire on schedule, recover and retry jobs, purge quarantined files."

    def handle(self, *args, **options):
        call_command("publish_scheduled", verbosity=options["verbosity"])
        reclaimed = operations.reclaim_stale_jobs()
        enqueued = operations.enqueue_due_jobs()
        purged = operations.purge_quarantined()
        from feed.operations import expire_due
        from feed.webhooks import enqueue_due_deliveries

        expire_due()
        enqueue_due_deliveries()
        if options["verbosity"] > 1 or reclaimed or enqueued or purged:
            self.stdout.write(
                f"jobs reclaimed: {reclaimed}, enqueued: {enqueued}; files purged: {purged}"
            )
