"""The search index's readiness as Django system checks, run by
`manage.py check --deploy` (a deployment's checks, with Django's own), beside
`manage.py search_check` (exit status 1 with the reasons, for a health check).

Deploy-only (`deploy=True`): runserver and every other command run the checks
without `--deploy`, and none of them should wait on Elasticsearch or count the
library. Without ELASTICSEARCH_URL nothing is contacted. The database index is
checked only where Django's check command names a database (`--database default`),
as Django's own database checks are: a deployment may run `check --deploy` before
`migrate`, or where the database is not reachable yet.
"""

from django.core import checks
from django.db import DEFAULT_DB_ALIAS, DatabaseError

REBUILD = "Run manage.py search_rebuild (it loads a new index, then moves the alias)."


def search_index_ready(app_configs=None, databases=None, **kwargs):
    from . import operations

    if app_configs is not None and not any(c.name == "search" for c in app_configs):
        return []
    errors = []
    try:
        problems = operations.elasticsearch_problems()
    except Exception as error:  # noqa: BLE001 - any failure to reach it is the answer
        errors.append(
            checks.Error(
                f"Elasticsearch cannot be reached: {error}",
                hint="Check ELASTICSEARCH_URL and that the cluster answers.",
                id="sen.search.E002",
            )
        )
    else:
        errors.extend(
            checks.Error(
                f"Elasticsearch index not ready: {problem}", hint=REBUILD, id="sen.search.E001"
            )
            for problem in problems
        )
    if databases and DEFAULT_DB_ALIAS in databases:
        try:
            problems = operations.database_problems()
        except DatabaseError as error:
            problems = [f"the search tables cannot be read: {error}"]
        errors.extend(
            checks.Error(
                f"Database search index not ready: {problem}",
                hint="Run manage.py migrate, then manage.py search_rebuild.",
                id="sen.search.E003",
            )
            for problem in problems
        )
    return errors
