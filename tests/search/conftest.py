import pytest

from tests.cms.conftest import (  # noqa: F401 - the public site's fixtures
    make_photo,
    organisation,
    publish,
    reviewer,
    visitor,
)


@pytest.fixture(autouse=True)
def _vietnamese_first():
    from django.utils import translation

    translation.activate("vi")
    yield
    translation.activate("vi")
