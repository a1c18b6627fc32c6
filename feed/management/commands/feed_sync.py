"""Bring the feed's records in line with the public record.

Run once after installing (`make run` does), after changing how records are made,
or to be sure; it is idempotent and moves a record's datestamp only if its public
content changed."""

from django.core.management.base import BaseCommand

from feed import operations


class Command(BaseCommand):
    help = "Create, update or tombstone the feed records so that they equal the public record."

    def handle(self, *args, **options):
        counts = operations.sync_all()
        counts["expired"] = operations.expire_due()
        if options["verbosity"]:
            self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
