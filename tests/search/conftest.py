import pytest

from tests.cms.conftest import make_photo, organisation, publish, reviewer  # noqa: F401


@pytest.fixture(autouse=True)
def _vietnamese_first():
    from django.utils import translation

    translation.activate("vi")
    yield
    translation.activate("vi")
