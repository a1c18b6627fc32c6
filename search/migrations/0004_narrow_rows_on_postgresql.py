"""PostgreSQL: the text columns of an index entry live out of line; the row keeps the
facet columns.

Why (bench/search.py at 100k assets): counting a search's facets reads every
matching row from the table, and each row held its four text columns inline (~1.4 kB:
the titles and bodies, as written and folded), so 15,600 matches were spread over
10,900 pages; the `lexemes` vector was already out of line. With the text stored
EXTERNAL and a 256-byte target for the row, the table shrinks from 139 to 24 MB and
the same count reads a sixth of the pages ("phong dien" by date 37.5 → 22.6 ms,
カントー 35.9 → 21.8, a search matching all 100k 156 → 91 ms). The text is read only
to make the vector (a generated column) and by the worker's count of the collection.

Existing rows are rewritten here (the vector is generated again: ~50 s at 100k
entries). Nothing changes on SQLite, whose FTS5 tables hold the text.
"""

from django.db import migrations

TEXT = ("title_exact", "title_folded", "body_exact", "body_folded")


def narrow(apps, schema_editor, storage="EXTERNAL", target="toast_tuple_target = 256"):
    if schema_editor.connection.vendor != "postgresql":
        return
    columns = ", ".join(f"ALTER COLUMN {column} SET STORAGE {storage}" for column in TEXT)
    schema_editor.execute(f"ALTER TABLE search_searchentry {columns}, SET ({target})")
    # Rows are stored anew only when written: write every one.
    schema_editor.execute("UPDATE search_searchentry SET facet_terms = facet_terms")


def widen(apps, schema_editor):
    narrow(apps, schema_editor, storage="EXTENDED", target="toast_tuple_target = 2032")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_facet_terms_and_lexemes")]

    operations = [migrations.RunPython(narrow, widen, elidable=False)]
