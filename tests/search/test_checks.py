"""`manage.py check --deploy` reports the search index's readiness (search/checks.py),
as `search_check` does: an Elasticsearch mapping that is not Sen's, and, when the check
names the database, assets missing from the database index. Elasticsearch is the
recording client of test_elasticsearch.py (no server here)."""

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from search import elasticsearch
from search.models import SearchEntry

from .test_elasticsearch import RecordingClient


def es_with_mapping(settings, monkeypatch, mapping):
    settings.ELASTICSEARCH_URL = "http://es.invalid:9200"
    client = RecordingClient(aliases={"sen_assets-1": {}}, mapping={"sen_assets-1": mapping})
    monkeypatch.setattr(elasticsearch, "client", lambda: client)
    return client


def stale_mapping():
    expected = elasticsearch.index_body().to_dict()["mappings"]
    changed = {**expected, "properties": dict(expected["properties"])}
    changed["properties"]["title_vi"] = {"type": "text", "analyzer": "standard"}
    return {"mappings": changed}


def test_check_deploy_reports_a_mapping_mismatch(settings, monkeypatch):
    es_with_mapping(settings, monkeypatch, stale_mapping())
    with pytest.raises(SystemCheckError) as error:
        call_command("check", "--deploy", "--tag", "search")
    text = str(error.value)
    assert "sen.search.E001" in text
    assert "properties.title_vi.analyzer: 'standard' instead of 'sen_exact'" in text
    assert "HINT: Run manage.py search_rebuild" in text


def test_check_deploy_passes_when_the_mapping_is_sens(settings, monkeypatch, capsys):
    mapping = {"mappings": elasticsearch.index_body().to_dict()["mappings"]}
    es_with_mapping(settings, monkeypatch, mapping)
    call_command("check", "--deploy", "--tag", "search")
    assert "System check identified no issues" in capsys.readouterr().out


def test_an_unreachable_cluster_is_its_own_error(settings, monkeypatch):
    settings.ELASTICSEARCH_URL = "http://es.invalid:9200"

    def refused():
        raise ConnectionError("connection refused")

    monkeypatch.setattr(elasticsearch, "check", lambda: refused())
    errors = checks.run_checks(tags=["search"], include_deployment_checks=True)
    assert [e.id for e in errors] == ["sen.search.E002"]
    assert "connection refused" in errors[0].msg


def test_not_run_without_deploy_and_nothing_contacted_without_a_url(settings, monkeypatch):
    # No django_db mark: pytest-django fails any database access in this test.
    es_with_mapping(settings, monkeypatch, stale_mapping())
    # runserver, migrate and the rest run the checks without --deploy.
    assert checks.run_checks(tags=["search"]) == []
    settings.ELASTICSEARCH_URL = ""
    monkeypatch.setattr(elasticsearch, "client", lambda: pytest.fail("Elasticsearch contacted"))
    assert checks.run_checks(tags=["search"], include_deployment_checks=True) == []


@pytest.mark.django_db
def test_the_database_index_is_checked_when_the_check_names_the_database(make_photo):
    make_photo(title_vi="Cầu Cần Thơ")
    call_command("check", "--deploy", "--tag", "search", "--database", "default")
    SearchEntry.objects.all().delete()
    with pytest.raises(SystemCheckError, match=r"sen.search.E003.*1 assets are not in the index"):
        call_command("check", "--deploy", "--tag", "search", "--database", "default")
    # Without --database, Django's rule: no database access.
    call_command("check", "--deploy", "--tag", "search")
