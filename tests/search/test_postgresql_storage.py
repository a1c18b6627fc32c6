"""How PostgreSQL stores Sen's index entries (migration search 0004): the text out of
line, so that counting a search's facets reads few pages."""

import pytest
from django.db import connection

from search.query import search_assets
from tests.factories import index_entry

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="out-of-line storage (TOAST) is PostgreSQL's; on SQLite the FTS5 tables hold the text",
    ),
]


def test_the_text_of_an_entry_is_out_of_line_and_its_rows_are_narrow():
    words = " ".join(f"từ{i}" for i in range(250))  # ~1.5 kB, inline before 0004
    for pk in range(1000, 1050):
        index_entry(pk, titles={"vi": f"Ảnh {pk}"}, descriptions={"vi": words})
    with connection.cursor() as cursor:
        # The pages the 50 rows take in the table itself.
        cursor.execute(
            "SELECT COUNT(DISTINCT (ctid::text::point)[0]) FROM search_searchentry "
            "WHERE asset_id BETWEEN 1000 AND 1049"
        )
        pages = cursor.fetchone()[0]
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = "
            "'search_searchentry'::regclass AND attname LIKE %s",
            ["%%_exact"],
        )
        storage = dict(cursor.fetchall())
    # ~250 bytes a row: 30 to a page (inline text: 5 to a page, 10 pages).
    assert pages <= 3
    assert storage == {"title_exact": "e", "body_exact": "e"}
    # Still found by every word, the vector being made from the text out of line.
    assert search_assets("tu249").total == 50
    assert search_assets("anh 1007").total == 1
