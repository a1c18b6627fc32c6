"""The order of results across pages: exact before folded, title before body, newest
first within a tier, and pages that add up to the whole list.

PostgreSQL reads each tier's newest entries through the date index and merges them
(search.query.PostgreSQLEngine.tiers), which is only right if an asset missing from a
tier's list can never belong on the page: paging through a corpus whose tiers and
dates are interleaved checks exactly that."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from search.query import database, parse
from tests.factories import index_entry

pytestmark = pytest.mark.django_db

# (tier, title, description): the tier of each for the query "Cần Thơ".
SHAPES = [
    (0, "Cần Thơ về đêm", ""),  # as written, in the title
    (1, "Sông nước miền Tây", "Ảnh chụp ở Cần Thơ"),  # as written, in the body
    (1, "Can Tho by night", "Bến Ninh Kiều, Cần Thơ"),  # written beats title-folded
    (2, "Can Tho river", "A river"),  # folded, in the title
    (3, "Chợ nổi", "floating market near can tho"),  # folded, in the body
]


def write(count):
    now = timezone.now()
    tiers = {}
    for i in range(count):
        tier, title, description = SHAPES[(i * 7) % len(SHAPES)]
        item = index_entry(
            1000 + i,
            # Dates interleaved with the tiers: no tier is all newer than the next.
            published_at=now - datetime.timedelta(minutes=(i * 13) % count),
            titles={"vi": title},
            descriptions={"vi": f"{description} {i}"},
        )
        tiers[item.asset_id] = (tier, item.published_at)
    return tiers


def ranked(text, page, page_size):
    ranked_ids, total, _counts = database.run(
        parse(text, None, "relevance", page, page_size, "vi", None)
    )
    return [pk for _kind, pk in ranked_ids], total


def test_pages_add_up_to_the_whole_list():
    write(40)
    whole, total = ranked("Cần Thơ", 1, 100)
    assert total == 40 and len(whole) == 40 and len(set(whole)) == 40
    for size in (1, 3, 7):
        pages = []
        for page in range(1, -(-40 // size) + 1):
            ids, page_total = ranked("Cần Thơ", page, size)
            assert page_total == 40
            pages.extend(ids)
        assert pages == whole, size


def test_exact_before_folded_and_title_before_body():
    written = write(40)
    whole, _total = ranked("Cần Thơ", 1, 100)
    tiers = [written[pk][0] for pk in whole]
    if connection.vendor == "postgresql":
        # Tiers, then newest first within each.
        expected = sorted(whole, key=lambda pk: (written[pk][0], -written[pk][1].timestamp(), -pk))
        assert whole == expected
    else:
        # SQLite: written before folded; bm25 (titles weigh five times) inside each.
        assert tiers == sorted(tiers, key=lambda tier: tier >= 2)
