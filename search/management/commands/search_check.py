"""Readiness of the search index: exit status 1 and the reasons when it cannot serve
(a deployment's health check, or after upgrading Sen: a mapping that changed needs
`search_rebuild`)."""

from django.core.management.base import BaseCommand, CommandError

from search import elasticsearch, operations


class Command(BaseCommand):
    help = "Check that the search index is ready (Elasticsearch mapping, database index)."

    def handle(self, *args, **options):
        problems = operations.readiness_problems()
        if problems:
            raise CommandError("Search index not ready:\n" + "\n".join(problems))
        backend = "Elasticsearch" if elasticsearch.enabled() else "database"
        self.stdout.write(f"Search index ready ({backend}).")
