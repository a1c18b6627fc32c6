"""schemathesis against the OpenAPI document, in process through the WSGI app:
every operation, generated and boundary inputs; no 5xx, and each answer's status,
content type, headers and body conform to the document."""

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

from review.operations import withdraw

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


# Loaded at collection through the WSGI app: the document's view reads no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def records(db, settings, make_photo, make_publication, reviewer):
    """A photo, a publication and a tombstone for the generated requests to find."""
    settings.SEN_API_SETTLE_SECONDS = 0
    settings.SEN_API_RATE_ANONYMOUS = "100000/min"
    cache.clear()
    make_photo(title_vi="Chợ nổi Cái Răng", title_en="Cai Rang floating market")
    make_publication(languages=("vi",))
    withdraw(make_photo(), user=reviewer, reason="Rút")  # a tombstone
    # The WSGI handler closes the connection after each request, as in production; in
    # a test's transaction that would close the test's own connection (Django's test
    # Client does the same disconnection).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_conforms_to_its_document(case):
    # The in-process transport does not inflate gzip (tested in test_api.py).
    case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})


def test_the_document_covers_every_route(client):
    """A route added without its operation would escape the test above."""
    from feed.urls import urlpatterns

    document = client.get("/api/v1/openapi.json").json()
    named = {
        p.name for p in urlpatterns if p.name and p.name.startswith(("feed_api_", "feed_iiif_"))
    }
    assert len(document["paths"]) == len(named - {"feed_api_docs"})
