"""Rebuild the search index: the database index always, Elasticsearch when configured
(a new index, then the alias moved to it at once: no downtime)."""

from django.core.management.base import BaseCommand

from search import elasticsearch, index


class Command(BaseCommand):
    help = "Rebuild Sen's search index (database, and Elasticsearch when configured)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--database-only", action="store_true", help="Leave Elasticsearch alone."
        )

    def handle(self, *args, database_only=False, **options):
        self.verbosity = options["verbosity"]
        total = index.rebuild(progress=self._progress)
        self.stdout.write(f"Database index: {total} assets.")
        if elasticsearch.enabled() and not database_only:
            name, loaded = elasticsearch.rebuild()
            self.stdout.write(
                f"Elasticsearch: {loaded} public assets in {name}, "
                f"alias {elasticsearch.alias_name()} moved to it."
            )

    def _progress(self, count):
        if self.verbosity > 1 and count % 10000 == 0:
            self.stdout.write(f"  {count} assets")
