import pytest
from django.test import Client

from assets import operations

from ..factories import PhotoFactory, make_organisation, role_user


@pytest.fixture(autouse=True)
def _vietnamese_first():
    """Factories write `title` through modeltranslation, into the active language: a
    request of an earlier test must not leave it English."""
    from django.utils import translation

    translation.activate("vi")
    yield
    translation.activate("vi")


@pytest.fixture
def reviewer(db):
    return role_user(operations.REVIEWERS)


@pytest.fixture
def organisation(db):
    return make_organisation("Sở Văn hoá", en="Department of Culture")


@pytest.fixture
def publish(reviewer):
    """Publish through a revision, as a reviewer's approval does (sets the dates)."""

    def publish(asset):
        asset.save_revision(user=reviewer).publish(user=reviewer, skip_permission_checks=True)
        asset.refresh_from_db()
        return asset

    return publish


@pytest.fixture
def make_photo(media_dirs, organisation, publish):
    """A photo with its renditions made by the (inline) pipeline; published unless
    told otherwise."""

    def make(live=True, **fields):
        fields.setdefault("organisation", organisation)
        photo = PhotoFactory(live=False, **fields)
        return publish(photo) if live else photo

    return make


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False)
