"""Checks on the search index that commands and deployments ask for."""

from django.db import connection

from . import elasticsearch
from .index import MODELS
from .models import SearchEntry


def readiness_problems():
    """Why the index cannot serve, as sentences (empty when ready)."""
    problems = database_problems()
    try:
        problems.extend(elasticsearch_problems())
    except Exception as error:  # noqa: BLE001 - any failure to reach it is the answer
        problems.append(f"Elasticsearch: {error}")
    return problems


def database_problems():
    """The database index: its FTS5 table (SQLite) and an entry for every asset. One
    count per kind, whatever the size of the library."""
    problems = []
    tables = connection.introspection.table_names()
    if connection.vendor == "sqlite" and "search_entry_fts" not in tables:
        problems.append("search_entry_fts: missing (run manage.py migrate)")
    missing = sum(
        model.objects.exclude(
            pk__in=SearchEntry.objects.filter(kind=kind).values("asset_id")
        ).count()
        for kind, model in MODELS.items()
    )
    if missing:
        problems.append(f"{missing} assets are not in the index (run manage.py search_rebuild)")
    return problems


def elasticsearch_problems():
    """The Elasticsearch index where ELASTICSEARCH_URL is set (nothing is contacted
    otherwise): its alias and mapping against Sen's. Raises what the client raises
    when the cluster cannot be reached."""
    return elasticsearch.check() if elasticsearch.enabled() else []
