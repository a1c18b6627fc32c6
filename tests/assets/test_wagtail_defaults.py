"""What Wagtail's migrations create in English is named in Vietnamese by `migrate`
(assets/migrations/0007_wagtail_defaults_in_vietnamese.py, issue 9)."""

import importlib
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation
from wagtail.models import Collection, GroupApprovalTask, Page, Workflow

from assets import operations

pytestmark = pytest.mark.django_db

MIGRATION = "0007_wagtail_defaults_in_vietnamese"
ENGLISH = {
    "collection": "Root",
    "page": "Root",
    "groups": {"Editors", "Moderators"},
    "workflows": {"Moderators approval"},
    "tasks": {"Moderators approval"},
}
VIETNAMESE = {
    "collection": "Gốc",
    "page": "Gốc",
    "groups": {"Biên tập viên trang", "Người kiểm duyệt trang"},
    "workflows": {"Duyệt trang"},
    "tasks": {"Người kiểm duyệt trang phê duyệt"},
}


def names():
    """The names the admin shows (the root page's as the Vietnamese admin reads it)."""
    sens_roles = [
        operations.CONTRIBUTORS,
        operations.REVIEWERS,
        operations.AUDITORS,
        operations.ADMINISTRATORS,
    ]
    wagtail_groups = Group.objects.exclude(name__in=sens_roles)
    root = Page.objects.get(depth=1)
    with translation.override("vi"):
        assert root.title == root.draft_title, (root.title, root.draft_title)
        return {
            "collection": Collection.get_first_root_node().name,
            "page": root.title,
            "groups": set(wagtail_groups.values_list("name", flat=True)),
            "workflows": set(
                Workflow.objects.exclude(name="Duyệt tư liệu").values_list("name", flat=True)
            ),
            "tasks": set(GroupApprovalTask.objects.values_list("name", flat=True)),
        }


def run(function_name):
    """The migration's function, on the models as they were when it was written."""
    module = importlib.import_module(f"assets.migrations.{MIGRATION}")
    state = MigrationExecutor(connection).loader.project_state(("assets", MIGRATION))
    # The function needs only these of a schema editor (SQLite's cannot open inside
    # the test's transaction).
    editor = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
    getattr(module, function_name)(state.apps, editor)


def test_migrate_names_wagtails_defaults_in_vietnamese():
    assert names() == VIETNAMESE
    # Still what they were: the page workflow, its task approved by the moderators.
    task = GroupApprovalTask.objects.get(name="Người kiểm duyệt trang phê duyệt")
    assert list(task.groups.values_list("name", flat=True)) == ["Người kiểm duyệt trang"]
    assert Workflow.objects.get(name="Duyệt trang").tasks.get() == task.task_ptr


def test_the_migration_goes_back_to_english_and_forth_again():
    run("to_english")
    assert names() == ENGLISH
    run("to_vietnamese")
    assert names() == VIETNAMESE


def test_an_administrators_own_names_stay():
    run("to_english")
    Collection.objects.filter(depth=1).update(name="Tất cả tư liệu")
    Group.objects.create(name="Người kiểm duyệt trang")  # an administrator's group
    run("to_vietnamese")
    assert Collection.get_first_root_node().name == "Tất cả tư liệu"
    assert Group.objects.filter(name="Moderators").exists()  # its name is taken
    assert Group.objects.filter(name="Biên tập viên trang").exists()
