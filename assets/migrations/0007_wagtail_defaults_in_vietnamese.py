"""Name in Vietnamese what Wagtail's own migrations create in English (issue 9).

Wagtail seeds every new site with a root collection and a root page named "Root",
two groups, "Editors" and "Moderators", and a page workflow with one task, both named
"Moderators approval" after the group that approves it. The admin shows these names
as they are stored: in the collection selects, the page chooser, Settings → Groups and
Settings → Workflows.

They are renamed, not deleted: the two groups are the only page roles Sen has (Sen's
own roles are about assets; pages are otherwise edited by administrators), and the
workflow moderates the managing department's pages. "Biên tập viên" is Sen's
contributor group, so Wagtail's "Editors" become page editors. Each object is renamed
only while it still has Wagtail's name and the new name is free: an administrator's
own choice stays. The reverse gives back Wagtail's English names.
"""

from django.db import migrations

# (app label, model, field lookups that find Wagtail's object, English, Vietnamese)
RENAMES = [
    ("wagtailcore", "Collection", {"depth": 1}, "name", "Root", "Gốc"),
    ("wagtailcore", "Page", {"depth": 1}, "title", "Root", "Gốc"),
    ("auth", "Group", {}, "name", "Editors", "Biên tập viên trang"),
    ("auth", "Group", {}, "name", "Moderators", "Người kiểm duyệt trang"),
    ("wagtailcore", "Workflow", {}, "name", "Moderators approval", "Duyệt trang"),
    (
        "wagtailcore",
        "Task",
        {},
        "name",
        "Moderators approval",
        "Người kiểm duyệt trang phê duyệt",
    ),
]
# wagtail-modeltranslation adds the page title's column per language outside
# migrations (`manage.py sync_page_translation_fields`); the admin reads the
# Vietnamese one where it exists.
PAGE_TITLE_COLUMN = "title_vi"


def _rename(apps, schema_editor, *, forward):
    for app_label, model_name, lookups, field, english, vietnamese in RENAMES:
        old, new = (english, vietnamese) if forward else (vietnamese, english)
        model = apps.get_model(app_label, model_name)
        objects = model.objects.filter(**lookups)
        if objects.filter(**{field: new}).exists():
            continue
        changes = {field: new}
        if model_name == "Page":
            changes["draft_title"] = new  # what the admin shows (get_admin_display_title)
            _rename_translated_title(schema_editor, old, new)
        objects.filter(**{field: old}).update(**changes)


def _rename_translated_title(schema_editor, old, new):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        columns = {
            column.name
            for column in connection.introspection.get_table_description(
                cursor, "wagtailcore_page"
            )
        }
        if PAGE_TITLE_COLUMN in columns:
            column = schema_editor.quote_name(PAGE_TITLE_COLUMN)
            cursor.execute(
                f"UPDATE wagtailcore_page SET {column} = %s WHERE depth = 1 AND {column} = %s",
                [new, old],
            )


def to_vietnamese(apps, schema_editor):
    _rename(apps, schema_editor, forward=True)


def to_english(apps, schema_editor):
    _rename(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0006_forget_wagtail_index_of_assets"),
        # Every migration that finds Wagtail's defaults by these names.
        ("wagtailcore", "0048_add_default_workflows"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtaildocs", "0002_initial_data"),
        ("wagtailimages", "0002_initial_data"),
        ("wagtailmedia", "0002_initial_data"),
    ]
    operations = [migrations.RunPython(to_vietnamese, to_english)]
