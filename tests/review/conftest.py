import pytest

from ..factories import contributor, make_organisation


@pytest.fixture
def organisation():
    return make_organisation("UBND phường Ninh Kiều")


@pytest.fixture
def editor_client(client, organisation):
    client.force_login(contributor(organisation))
    return client
