"""The role groups made by `migrate` itself (no later call of ensure_role_groups):
on a new database they must already carry the permissions of every app, including
the apps that migrate after `assets`."""

import pytest
from django.contrib.auth.models import Group

from assets import operations

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "group, app_label, codename",
    [
        (operations.AUDITORS, "review", "view_reviewdecision"),
        (operations.ADMINISTRATORS, "review", "view_reviewdecision"),
        (operations.ADMINISTRATORS, "ingest", "change_job"),
        (operations.ADMINISTRATORS, "ingest", "change_contentcheck"),
        (operations.AUDITORS, "ingest", "view_job"),
    ],
)
def test_migrate_gives_the_role_groups_every_apps_permissions(group, app_label, codename):
    # The test database was made by `migrate`; nothing in this test completes the groups.
    permissions = Group.objects.get(name=group).permissions
    assert permissions.filter(content_type__app_label=app_label, codename=codename).exists()
