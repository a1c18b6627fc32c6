import csv

from django.core.management.base import BaseCommand, CommandError

from assets.operations import PLACE_CSV_COLUMNS, PlaceImportError, import_places


class Command(BaseCommand):
    help = (
        "Load or update the gazetteer from a UTF-8 CSV file with the columns "
        + ", ".join(PLACE_CSV_COLUMNS)
        + " (name_<lang> columns for other languages are optional). Rows are matched "
        "by code; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        with open(path, newline="", encoding="utf-8-sig") as handle:
            try:
                count = import_places(csv.DictReader(handle))
            except PlaceImportError as error:
                raise CommandError(str(error)) from error
        self.stdout.write(f"{count} places loaded.")
