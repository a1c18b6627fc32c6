"""`manage.py export_bag --since 2026-01-01 [--until DATE] [--output DIR]
[--include-deleted] [--no-progress]`: the public records changed in those days, with
their files, as a BagIt bag (feed/bags.py)."""

import datetime
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from feed.bags import BagError, export_bag


def _day(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": value}
        ) from None


class Command(BaseCommand):
    help = "Write the public records changed since a date, with their files, as a BagIt bag."

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="first day (YYYY-MM-DD), included")
        parser.add_argument("--until", help="last day (YYYY-MM-DD), included; default: today")
        parser.add_argument(
            "--output",
            help="folder to create (must not exist or be empty); default: sen-bag-<since>",
        )
        parser.add_argument(
            "--include-deleted",
            action="store_true",
            help="list the records that left the public record in data/deleted.json",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, since, until, output, include_deleted, no_progress, **options):
        since = _day(since)
        until = _day(until) if until else None
        if until and until < since:
            raise CommandError(_("--until is before --since."))
        if since > timezone.localdate():
            raise CommandError(_("--since is in the future."))
        output = output or f"sen-bag-{since.isoformat()}"
        show = not no_progress and sys.stderr.isatty() and options["verbosity"] > 0
        bar = None

        def progress(total):
            nonlocal bar
            from tqdm import tqdm

            bar = tqdm(total=total, unit=_("record"), file=sys.stderr)
            return lambda: bar.update(1)

        try:
            summary = export_bag(
                output,
                since=since,
                until=until,
                include_deleted=include_deleted,
                progress=progress if show else None,
            )
        except BagError as error:
            raise CommandError(str(error)) from error
        finally:
            if bar is not None:
                bar.close()
        self.stdout.write(
            _(
                "Bag written to %(path)s: %(records)s records, %(files)s files (%(bytes)s bytes), %(deleted)s deletions."
            )
            % {"path": output, **summary}
        )
