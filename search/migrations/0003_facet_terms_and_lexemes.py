"""PostgreSQL: one stripped tsvector of tagged lexemes instead of the weighted one.

Why (bench/search.py at 100k assets): the weighted vector of 0002 keeps a position
for every word, about 1.6 kB a row, stored out of line; a query matching most assets
("Cần Thơ", the province's own name, is in every asset) read and decoded it three
times a row (the match, the exact tier, ts_rank): about 2 s. Ranking is now by tiers
(search.query.PostgreSQLEngine), each answered by the GIN index alone, so the vector
needs no positions and no weights, only which terms are where:

    t.<term>  a term of the title side, as written   e.<term>  a term anywhere, as written
    u.<term>  a term of the title side, folded       f.<term>  a term anywhere, folded

plus the facet values of `facet_terms` and `value_terms` (k. type, y. year, p. place,
o. organisation, l. licence; c. topic, g. language), so that a filter narrows the match inside the
index too. Two b-tree indexes serve "newest first" and "by date", which every tier
and the date sort read in order and stop after one page.
"""

from django.db import migrations, models



def tagged(column, tag):
    return rf"regexp_replace({column}, '(\S+)', '{tag}.\1', 'g')"


LEXEMES = " || ' ' || ".join(
    [
        tagged("title_exact", "t"),
        tagged("title_exact || ' ' || body_exact", "e"),
        tagged("title_folded", "u"),
        tagged("title_folded || ' ' || body_folded", "f"),
        "facet_terms",
        "value_terms",
    ]
)

POSTGRESQL = [
    "DROP INDEX IF EXISTS search_entry_vector",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS vector",
    f"""ALTER TABLE search_searchentry ADD COLUMN lexemes tsvector GENERATED ALWAYS AS (
        array_to_tsvector(array_remove(regexp_split_to_array({LEXEMES}, '\\s+'), ''))) STORED""",
    "CREATE INDEX search_entry_lexemes ON search_searchentry USING gin (lexemes)",
    """CREATE INDEX search_entry_newest ON search_searchentry
        (published_at DESC NULLS LAST, id DESC)""",
    """CREATE INDEX search_entry_dated ON search_searchentry
        (date DESC NULLS LAST, published_at DESC NULLS LAST, id DESC)""",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS search_entry_dated",
    "DROP INDEX IF EXISTS search_entry_newest",
    "DROP INDEX IF EXISTS search_entry_lexemes",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS lexemes",
    """ALTER TABLE search_searchentry ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_exact), 'A')
        || setweight(to_tsvector('simple'::regconfig, title_folded), 'B')
        || setweight(to_tsvector('simple'::regconfig, body_exact), 'C')
        || setweight(to_tsvector('simple'::regconfig, body_folded), 'D')) STORED""",
    "CREATE INDEX search_entry_vector ON search_searchentry USING gin (vector)",
]


# SQLite: adding a NOT NULL column makes Django rebuild the table (copy, drop, rename),
# and the triggers that keep the FTS5 table of 0002 in sync go with the old table. The
# FTS5 table itself survives (it names the table; the ids are copied), so only the
# triggers are made again, as 0002 made them.
COLUMNS = "title_exact, title_folded, body_exact, body_folded"
NEW = "new.id, new.title_exact, new.title_folded, new.body_exact, new.body_folded"
OLD = "old.id, old.title_exact, old.title_folded, old.body_exact, old.body_folded"
SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS search_entry_fts_insert AFTER INSERT ON search_searchentry
        BEGIN INSERT INTO search_entry_fts(rowid, {COLUMNS}) VALUES ({NEW}); END""",
    f"""CREATE TRIGGER IF NOT EXISTS search_entry_fts_delete AFTER DELETE ON search_searchentry
        BEGIN INSERT INTO search_entry_fts(search_entry_fts, rowid, {COLUMNS})
        VALUES ('delete', {OLD}); END""",
    f"""CREATE TRIGGER IF NOT EXISTS search_entry_fts_update AFTER UPDATE ON search_searchentry
        BEGIN INSERT INTO search_entry_fts(search_entry_fts, rowid, {COLUMNS})
        VALUES ('delete', {OLD});
        INSERT INTO search_entry_fts(rowid, {COLUMNS}) VALUES ({NEW}); END""",
]

# search.index.FACET_PREFIX, as it was when this migration was written.
PREFIX = {"topic": "c", "language": "g"}


def fill_facet_terms(apps, schema_editor):
    """The rows written before this migration get their facet terms (a rebuild would
    too, but a deployment must not search wrongly until someone runs it)."""
    Entry = apps.get_model("search", "SearchEntry")
    Value = apps.get_model("search", "SearchEntryValue")
    last = 0
    while True:
        entries = list(Entry.objects.filter(pk__gt=last).order_by("pk")[:1000])
        if not entries:
            return
        values = {}
        for entry_id, facet, value in Value.objects.filter(entry__in=entries).values_list(
            "entry_id", "facet", "value"
        ):
            values.setdefault(entry_id, []).append(f"{PREFIX[facet]}.{value}")
        for entry in entries:
            scalars = [
                ("k", entry.kind),
                ("y", entry.year),
                ("p", entry.place_id),
                ("o", entry.organisation_id),
                ("l", entry.licence_id),
            ]
            entry.facet_terms = " ".join(
                f"{tag}.{value}" for tag, value in scalars if value is not None
            )
            entry.value_terms = " ".join(sorted(set(values.get(entry.pk, []))))
        Entry.objects.bulk_update(entries, ["facet_terms", "value_terms"])
        last = entries[-1].pk


def run(statements):
    def operation(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("search", "0002_full_text_index")]

    operations = [
        # Undoing this migration rebuilds the table again: the triggers come back last.
        migrations.RunPython(migrations.RunPython.noop, run({"sqlite": SQLITE})),
        migrations.AddField(
            model_name="searchentry",
            name="facet_terms",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="value_terms",
            field=models.TextField(blank=True),
        ),
        # Before the rows are touched: the update trigger keeps FTS5 in step.
        migrations.RunPython(run({"sqlite": SQLITE}), run({"sqlite": SQLITE})),
        migrations.RunPython(fill_facet_terms, migrations.RunPython.noop),
        migrations.RunPython(
            run({"postgresql": POSTGRESQL}), run({"postgresql": POSTGRESQL_REVERSE})
        ),
    ]
