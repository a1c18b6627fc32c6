"""Delete the rows Wagtail's database search index (modelsearch, app label
`wagtailsearch`) still holds for photos, videos and publications.

Assets left Wagtail's index (issue 7: `Asset` is no longer `index.Indexed`; Sen's own
index in search/ serves every search of them), so nothing writes or reads these rows
again; they would only make the upkeep of what stays in it (pages, images,
documents) heavier, such as modelsearch's `title_norm` refresh after each write on
PostgreSQL (search/backends.py). One DELETE: on SQLite the trigger of
wagtailsearch's migration 0006 removes the matching rows of its FTS5 table
(`wagtailsearch_indexentry_fts`); on PostgreSQL the vectors are columns of the same
rows. With Elasticsearch configured, Wagtail's index lives in Elasticsearch and this
clears only rows left from before (README: Search names the Elasticsearch indexes
that can go).
"""

from django.db import migrations

ASSET_MODELS = ("photo", "video", "publication")


def forget_assets(apps, schema_editor):
    connection = schema_editor.connection
    ContentType = apps.get_model("contenttypes", "ContentType")
    IndexEntry = apps.get_model("wagtailsearch", "IndexEntry")
    types = list(
        ContentType.objects.using(connection.alias)
        .filter(app_label="assets", model__in=ASSET_MODELS)
        .values_list("pk", flat=True)
    )
    if not types:
        return
    table = connection.ops.quote_name(IndexEntry._meta.db_table)
    placeholders = ", ".join(["%s"] * len(types))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE content_type_id IN ({placeholders})",  # noqa: S608
            types,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0005_subtitle_kind"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [
        # Reversing leaves the rows gone: Wagtail's index no longer takes assets, so
        # there is nothing to put back.
        migrations.RunPython(forget_assets, migrations.RunPython.noop),
    ]
