"""The full-text index over SearchEntry's term columns, in each database's own way
(search/models.py says why): an FTS5 table kept in sync by triggers on SQLite, a
generated weighted tsvector column with a GIN index on PostgreSQL. The term columns
hold text already cut into terms by search.text, so both only split on spaces."""

from django.db import migrations

COLUMNS = "title_exact, title_folded, body_exact, body_folded"
NEW = "new.id, new.title_exact, new.title_folded, new.body_exact, new.body_folded"
OLD = "old.id, old.title_exact, old.title_folded, old.body_exact, old.body_folded"

SQLITE = [
    # remove_diacritics 0: the exact columns keep their marks ("cần" is not "can").
    f"""CREATE VIRTUAL TABLE search_entry_fts USING fts5({COLUMNS},
        content='search_searchentry', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    f"""CREATE TRIGGER search_entry_fts_insert AFTER INSERT ON search_searchentry BEGIN
        INSERT INTO search_entry_fts(rowid, {COLUMNS}) VALUES ({NEW}); END""",
    f"""CREATE TRIGGER search_entry_fts_delete AFTER DELETE ON search_searchentry BEGIN
        INSERT INTO search_entry_fts(search_entry_fts, rowid, {COLUMNS})
        VALUES ('delete', {OLD}); END""",
    f"""CREATE TRIGGER search_entry_fts_update AFTER UPDATE ON search_searchentry BEGIN
        INSERT INTO search_entry_fts(search_entry_fts, rowid, {COLUMNS})
        VALUES ('delete', {OLD});
        INSERT INTO search_entry_fts(rowid, {COLUMNS}) VALUES ({NEW}); END""",
    "INSERT INTO search_entry_fts(search_entry_fts) VALUES ('rebuild')",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS search_entry_fts_insert",
    "DROP TRIGGER IF EXISTS search_entry_fts_delete",
    "DROP TRIGGER IF EXISTS search_entry_fts_update",
    "DROP TABLE IF EXISTS search_entry_fts",
]

# Weights: A exact title terms, B folded title terms, C exact body, D folded body.
POSTGRESQL = [
    """ALTER TABLE search_searchentry ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_exact), 'A')
        || setweight(to_tsvector('simple'::regconfig, title_folded), 'B')
        || setweight(to_tsvector('simple'::regconfig, body_exact), 'C')
        || setweight(to_tsvector('simple'::regconfig, body_folded), 'D')) STORED""",
    "CREATE INDEX search_entry_vector ON search_searchentry USING gin (vector)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS search_entry_vector",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS vector",
]


def run(statements):
    def operation(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_index")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        )
    ]
