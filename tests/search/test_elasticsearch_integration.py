"""The search behaviour against a real Elasticsearch cluster (with the analysis-icu
plugin): `ELASTICSEARCH_URL=http://127.0.0.1:9200 pytest -m elasticsearch
tests/search/test_elasticsearch_integration.py`. Skipped here: no server can be
installed on the development machines (README, "Search on Elasticsearch")."""

import os
import uuid

import pytest

pytestmark = [
    pytest.mark.elasticsearch,
    pytest.mark.skipif(
        not os.environ.get("ELASTICSEARCH_URL"), reason="ELASTICSEARCH_URL is not set"
    ),
    pytest.mark.django_db,
]


@pytest.fixture
def cluster(settings):
    """A fresh alias per test, dropped afterwards."""
    from search import elasticsearch

    settings.ELASTICSEARCH_URL = os.environ["ELASTICSEARCH_URL"]
    settings.SEN_ELASTICSEARCH_INDEX_PREFIX = f"sen_test_{uuid.uuid4().hex[:8]}_"
    es = elasticsearch.client()
    yield es
    es.indices.delete(index=elasticsearch.alias_name() + "-*", ignore_status=404)


def refresh(es):
    from search import elasticsearch

    es.indices.refresh(index=elasticsearch.alias_name())


def titles(results):
    return [asset.title_vi for asset in results.hits]


def test_same_behaviour_as_the_database(cluster, make_photo, reviewer):
    from review.operations import withdraw
    from search import elasticsearch
    from search.query import search_assets

    market = make_photo(title_vi="Chợ nổi Cái Răng", title_ja="カイラン水上マーケット")
    wharf = make_photo(title_vi="Bến Ninh Kiều ở Cần Thơ", title_ja="カントーのニンキエウ埠頭")
    make_photo(title_vi="Thành phố về đêm", title_en="Can Tho at night")
    make_photo(live=False, title_vi="Cần Thơ nháp")
    elasticsearch.rebuild(es=cluster)
    assert elasticsearch.check(es=cluster) == []
    assert titles(search_assets("Cần Thơ")) == ["Bến Ninh Kiều ở Cần Thơ", "Thành phố về đêm"]
    assert set(titles(search_assets("can tho"))) == {"Bến Ninh Kiều ở Cần Thơ", "Thành phố về đêm"}
    assert titles(search_assets("カントー")) == [wharf.title_vi]
    assert titles(search_assets("cho noi")) == [market.title_vi]
    facets = search_assets("can tho").facets
    assert {v.value: v.count for v in facets["type"]} == {"photos": 2}
    # Withdrawing deletes the document (the task runs inline in tests).
    withdraw(wharf, user=reviewer, reason="test")
    refresh(cluster)
    assert titles(search_assets("Cần Thơ")) == ["Thành phố về đêm"]
