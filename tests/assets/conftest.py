"""Two organisations and a contributor of the first: the scoping tests
(test_permissions.py) and the chooser's search (test_chooser_search.py)."""

import pytest

from assets import operations

from ..factories import contributor, make_organisation


@pytest.fixture
def org_a():
    return make_organisation("Phường Ninh Kiều")


@pytest.fixture
def org_b():
    return make_organisation("Phường Cái Răng")


@pytest.fixture
def contributor_a(org_a):
    operations.ensure_role_groups()
    return contributor(org_a)
