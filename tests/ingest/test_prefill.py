"""The add form fills its empty fields from the chosen file before anything is saved:
ingest:file_metadata reads the file, checks it like any upload and stores nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assets.models import Place, SenImage

from ..assets.test_uploads import HTML_PAGE, REFUSED_VI
from ..conftest import stored_files
from ..factories import PASSWORD, contributor, make_organisation
from .test_metadata import make_jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    user = contributor(make_organisation())
    assert client.login(username=user.username, password=PASSWORD)
    return client


def post_file(client, name, data):
    return client.post(reverse("ingest:file_metadata"), {"file": SimpleUploadedFile(name, data)})


def test_the_files_metadata_comes_back_as_the_forms_values(editor_client, tmp_path, media_dirs):
    place = Place.objects.create(
        code="48-hai-chau", name_vi="Phường Hải Châu", latitude=16.061, longitude=108.224
    )
    path = make_jpeg(
        tmp_path,
        exif={
            "Exif.Photo.DateTimeOriginal": "2024:03:29 21:04:05",
            "Exif.GPSInfo.GPSLatitudeRef": "N",
            "Exif.GPSInfo.GPSLatitude": "16/1 3/1 41/1",
            "Exif.GPSInfo.GPSLongitudeRef": "E",
            "Exif.GPSInfo.GPSLongitude": "108/1 13/1 3700/100",
        },
        xmp={
            "Xmp.dc.title": {'lang="x-default"': "Cầu Rồng", 'lang="en-US"': "Dragon Bridge"},
            "Xmp.dc.creator": ["Nguyễn Văn Ánh"],
            "Xmp.photoshop.Credit": "Ảnh: Sở Văn hoá",
        },
    )
    before = SenImage.objects.count()

    response = post_file(editor_client, "cau-rong.jpg", path.read_bytes())

    assert response.status_code == 200
    fields = response.json()["fields"]
    assert fields["title_vi"] == "Cầu Rồng"
    assert fields["title_en"] == "Dragon Bridge"
    assert fields["author"] == "Nguyễn Văn Ánh"
    assert fields["credit_line"] == "Ảnh: Sở Văn hoá"
    assert fields["date"] == "2024-03-29"
    assert fields["place"] == str(place.pk)
    # Read, not kept.
    assert SenImage.objects.count() == before
    assert stored_files(*media_dirs) == []


def test_a_hostile_file_gets_its_message_and_leaves_nothing(editor_client, media_dirs):
    response = post_file(editor_client, "trang.jpg", HTML_PAGE)

    assert response.status_code == 400
    assert "trang.jpg" in response.json()["message"]
    assert REFUSED_VI in response.json()["message"]
    assert stored_files(*media_dirs) == []


def test_no_file_is_a_clear_error(editor_client):
    response = editor_client.post(reverse("ingest:file_metadata"))
    assert response.status_code == 400
    assert response.json()["message"]


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = post_file(client, "a.jpg", b"\xff\xd8\xff")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_add_form_asks_for_it(editor_client):
    add = editor_client.get(reverse("wagtailsnippets_assets_photo:add"))
    assert b"ingest/prefill.js" in add.content
    assert reverse("ingest:file_metadata").encode() in add.content
