import pytest
from django.core.files.base import ContentFile
from django.db import DatabaseError

from assets import operations
from assets.models import SenImage
from assets.validators import validate_upload

from ..conftest import stored_files
from ..factories import jpeg_bytes, make_organisation

pytestmark = pytest.mark.django_db


def upload():
    return ContentFile(jpeg_bytes(), name="cho-noi.jpg")


@pytest.mark.pipeline_deferred  # the stored original only, before the worker's derivatives
def test_store_file_writes_the_file_and_the_row(media_dirs):
    organisation = make_organisation()
    uploaded = upload()
    info = validate_upload(uploaded, "photo")
    image = operations.store_file(
        "photo", uploaded, info=info, title="Chợ nổi", collection=organisation.collection
    )
    assert image.pk and image.sha256 == info.sha256 and image.width == 64
    assert image.file_size == len(jpeg_bytes())
    assert stored_files(*media_dirs) == [image.file.path]


def test_a_row_that_cannot_be_saved_leaves_no_file(media_dirs, monkeypatch):
    organisation = make_organisation()
    uploaded = upload()
    info = validate_upload(uploaded, "photo")

    def fail(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(SenImage, "save", fail)
    with pytest.raises(DatabaseError):
        operations.store_file(
            "photo", uploaded, info=info, title="Chợ nổi", collection=organisation.collection
        )
    assert stored_files(*media_dirs) == []
