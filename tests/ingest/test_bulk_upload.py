"""Bulk upload through the real admin views: shared metadata set once, one request per
file, one failure touching nothing else, a metadata sheet, and submission."""

import functools
import io
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from assets.models import Photo, Publication, SenDocument, SenImage, SenMedia, Topic, Video
from ingest.models import BatchItem, UploadBatch
from review.models import SubmissionAttestation

from ..assets.test_uploads import (
    HOSTILE,
    HOSTILE_NAMES,
    HTML_PAGE,
    REFUSED_VI,
    SVG_SCRIPT,
    pdf_bytes,
    pixel_bomb_png,
    truncated_jpeg,
)
from ..conftest import stored_files
from ..factories import PASSWORD, contributor, jpeg_bytes, make_organisation, png_bytes

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def organisation():
    return make_organisation("Sở Văn hoá, Thể thao và Du lịch")


@pytest.fixture
def editor(organisation):
    return contributor(organisation)


@pytest.fixture
def client_for():
    from django.test import Client

    def make(user):
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return make


@pytest.fixture
def batch(client_for, editor, organisation):
    client = client_for(editor)
    topic = Topic.objects.first()
    response = client.post(
        reverse("ingest:create_batch"),
        {
            "organisation": organisation.pk,
            "topics": [topic.pk],
            "author": "Nguyễn Văn Ánh",
            "credit_line": "Ảnh: Sở Văn hoá",
            "information_class": "promotion",
            "keywords": "Cần Thơ, chợ nổi",
            "edition_language": "vi",
        },
    )
    assert response.status_code == 200, response.content
    data = response.json()
    data["client"] = client
    data["topic"] = topic
    return data


def upload(batch, name, data):
    response = batch["client"].post(batch["upload_url"], {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 200, response.content
    return response.json()


@functools.cache
def small_mp4():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/clip.mp4"
        subprocess.run(
            [
                "ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10",
                "-t", "1", "-pix_fmt", "yuv420p", "-c:v", "libx264", path,
            ],
            check=True,
        )  # fmt: skip
        with open(path, "rb") as handle:
            return handle.read()


def hostile_samples():
    generated = {
        "cut.jpg": truncated_jpeg(),
        "bomb.png": pixel_bomb_png(),
        "page.jpg": HTML_PAGE,
        "logo.svg": SVG_SCRIPT,
        "script.pdf": pdf_bytes(javascript="app.alert(1)"),
        "zero.jpg": b"",
        "noise.mp4": bytes(range(256)) * 64,
    }
    shared = {name: (HOSTILE / name).read_bytes() for name in HOSTILE_NAMES}
    return {**generated, **shared}


@pytest.mark.pipeline_deferred
@pytest.mark.parametrize("name", sorted(hostile_samples()))
def test_each_hostile_file_is_refused_with_its_name_and_leaves_nothing(batch, media_dirs, name):
    data = hostile_samples()[name]
    result = upload(batch, name, data)
    assert result["status"] == "refused"
    assert name in result["message"]
    assert REFUSED_VI in result["message"]
    assert not SenImage.objects.exists() and not SenMedia.objects.exists()
    assert not SenDocument.objects.exists()
    assert not (Photo.objects.exists() or Video.objects.exists() or Publication.objects.exists())
    assert stored_files(*media_dirs) == []
    assert BatchItem.objects.get().status == "refused"


@pytest.mark.pipeline_deferred
def test_a_mixed_batch_makes_drafts_with_the_shared_metadata(batch, organisation, media_dirs):
    results = [
        upload(batch, "cho-noi-cai-rang.jpg", jpeg_bytes(320, 200)),
        upload(batch, "ban-do.png", png_bytes(200, 100)),
        upload(batch, "cam-nang.pdf", pdf_bytes(pages=2)),
        upload(batch, "le-hoi.mp4", small_mp4()),
        upload(batch, "page.jpg", HTML_PAGE),
        upload(batch, "anh-cuoi.jpg", jpeg_bytes(100, 100)),
    ]
    assert [r["status"] for r in results] == ["accepted"] * 4 + ["refused", "accepted"]
    photos = Photo.objects.order_by("pk")
    assert [p.title_vi for p in photos] == ["cho noi cai rang", "ban do", "anh cuoi"]
    for asset in [*photos, Video.objects.get(), Publication.objects.get()]:
        assert not asset.live
        assert asset.organisation == organisation
        assert asset.collection_id == organisation.collection_id
        assert asset.author == "Nguyễn Văn Ánh"
        assert asset.credit_line == "Ảnh: Sở Văn hoá"
        assert list(asset.topics.all()) == [batch["topic"]]
        assert sorted(asset.keywords.names()) == ["Cần Thơ", "chợ nổi"]
        assert asset.latest_revision is not None  # in its history from the start
    publication = Publication.objects.get()
    assert publication.editions.get().language == "vi"
    assert len(stored_files(media_dirs[0])) == 5


@pytest.mark.pipeline_deferred
def test_what_the_file_says_fills_what_the_batch_left_empty(batch, tmp_path):
    import pyexiv2

    path = tmp_path / "den.jpg"
    path.write_bytes(jpeg_bytes(320, 200))
    with pyexiv2.Image(str(path)) as image:
        image.modify_xmp(
            {
                "Xmp.dc.title": {'lang="x-default"': "Đền Hùng", 'lang="en-US"': "Hung Temple"},
                "Xmp.dc.description": {'lang="x-default"': "Lễ hội Đền Hùng"},
                "Xmp.photoshop.Credit": "Ảnh: Báo Phú Thọ",
                "Xmp.dc.subject": ["lễ hội", "đền"],
            }
        )
        image.modify_exif({"Exif.Photo.DateTimeOriginal": "2025:04:07 08:30:00"})
    upload(batch, "den.jpg", path.read_bytes())
    photo = Photo.objects.get()
    assert photo.title_vi == "Đền Hùng"
    assert photo.title_en == "Hung Temple"
    assert photo.description_vi == "Lễ hội Đền Hùng"
    assert photo.credit_line == "Ảnh: Sở Văn hoá"  # the batch's value wins
    assert str(photo.date) == "2025-04-07"
    assert {"lễ hội", "đền", "Cần Thơ"} <= set(photo.keywords.names())


@pytest.mark.pipeline_deferred
def test_another_users_batch_is_not_found(batch, client_for, organisation):
    other = client_for(contributor(organisation))
    response = other.post(batch["upload_url"], {"file": SimpleUploadedFile("a.jpg", jpeg_bytes())})
    assert response.status_code == 404
    assert other.get(batch["status_url"]).status_code == 404
    assert not Photo.objects.exists()


@pytest.mark.pipeline_deferred
def test_a_batch_for_another_organisation_is_refused(client_for, editor):
    elsewhere = make_organisation("Phường B")
    response = client_for(editor).post(
        reverse("ingest:create_batch"),
        {"organisation": elsewhere.pk, "information_class": "promotion", "edition_language": "vi"},
    )
    assert response.status_code == 400
    assert "organisation" in response.json()["errors"]
    assert not UploadBatch.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("ingest:upload"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.pipeline_deferred
def test_the_upload_page_speaks_vietnamese(batch):
    page = batch["client"].get(reverse("ingest:upload")).content.decode()
    assert "Tải tệp lên" in page
    assert "Kéo ảnh, video và tệp PDF vào đây" in page


def sheet_rows():
    return [
        ["filename", "title_vi", "title_en", "description_vi", "place", "date", "keywords"],
        [
            "cho-noi.jpg",
            "Chợ nổi Cái Răng",
            "Cai Rang floating market",
            "Sáng sớm",
            "",
            "2024-05-01",
            "sông nước",
        ],
        ["khong-co.jpg", "Không có", "", "", "", "", ""],
        ["ben-ninh-kieu.jpg", "Bến Ninh Kiều", "", "", "", "31/02/2024", ""],
    ]


def csv_sheet():
    import csv

    buffer = io.StringIO()
    csv.writer(buffer).writerows(sheet_rows())
    return SimpleUploadedFile("sheet.csv", buffer.getvalue().encode("utf-8"))


def xlsx_sheet():
    book = Workbook()
    for row in sheet_rows():
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("sheet.xlsx", buffer.getvalue())


@pytest.mark.pipeline_deferred
@pytest.mark.parametrize("make_sheet", [csv_sheet, xlsx_sheet], ids=["csv", "xlsx"])
def test_a_metadata_sheet_is_applied_with_a_report_per_row(batch, make_sheet):
    upload(batch, "cho-noi.jpg", jpeg_bytes())
    upload(batch, "ben-ninh-kieu.jpg", jpeg_bytes())
    response = batch["client"].post(
        reverse("ingest:apply_sheet", args=[batch["batch"]]), {"sheet": make_sheet()}
    )
    assert response.status_code == 200
    report = response.context["report"]
    assert [(row[1], row[2]) for row in report] == [
        ("cho-noi.jpg", "applied"),
        ("khong-co.jpg", "unmatched"),
        ("ben-ninh-kieu.jpg", "invalid"),
    ]
    assert "31/02/2024" in report[2][3]
    market = Photo.objects.get(title_vi="Chợ nổi Cái Răng")
    assert market.title_en == "Cai Rang floating market"
    assert str(market.date) == "2024-05-01"
    assert "sông nước" in market.keywords.names()
    assert market.revisions.count() == 2
    # The invalid row changed nothing (all or nothing per row).
    assert Photo.objects.filter(title_vi="ben ninh kieu").exists()


@pytest.mark.pipeline_deferred
def test_a_sheet_that_is_not_a_sheet_gets_a_message(batch):
    response = batch["client"].post(
        reverse("ingest:apply_sheet", args=[batch["batch"]]),
        {"sheet": SimpleUploadedFile("sheet.xlsx", b"not a workbook")},
    )
    assert response.status_code == 200
    assert "Excel" in response.context["sheet_form"].errors["sheet"][0]


@pytest.mark.pipeline_deferred
def test_an_identical_file_is_flagged_with_a_link_and_can_be_dropped(
    batch, media_dirs, django_capture_on_commit_callbacks
):
    first = upload(batch, "a.jpg", jpeg_bytes(300, 200))
    second = upload(batch, "b.jpg", jpeg_bytes(300, 200))
    assert second["duplicates"] and second["duplicates"][0]["identical"]
    assert second["duplicates"][0]["url"] == first["edit_url"]
    before = len(stored_files(media_dirs[0]))
    with django_capture_on_commit_callbacks(execute=True):  # the file goes after the commit
        response = batch["client"].post(reverse("ingest:drop_item", args=[second["id"]]))
    assert response.json()["status"] == "dropped"
    assert Photo.objects.count() == 1
    assert SenImage.objects.count() == 1
    assert len(stored_files(media_dirs[0])) == before - 1


def test_submitting_the_batch_needs_the_attestations_and_records_them(batch):
    from assets.models import Licence

    upload(batch, "a.jpg", jpeg_bytes(300, 200))
    upload(batch, "b.jpg", jpeg_bytes(200, 300, color=(10, 200, 30)))
    upload(batch, "c.jpg", jpeg_bytes(250, 250, color=(200, 200, 30)))
    # Two are complete; the third still lacks its licence and is left out, with why.
    Photo.objects.exclude(title_vi="c").update(licence=Licence.objects.first())
    url = reverse("ingest:submit_batch", args=[batch["batch"]])
    response = batch["client"].post(url, {})
    assert response.status_code == 200
    assert response.context["submit_form"].errors
    assert not any(p.workflow_in_progress for p in Photo.objects.all())
    response = batch["client"].post(
        url, {"attest_no_state_secret": "on", "attest_rights_correct": "on"}
    )
    assert response.status_code == 302
    assert all(p.workflow_in_progress for p in Photo.objects.exclude(title_vi="c"))
    assert not Photo.objects.get(title_vi="c").workflow_in_progress
    assert SubmissionAttestation.objects.count() == 2
    shown = [str(m) for m in batch["client"].get(response["Location"]).context["messages"]]
    assert any("c:" in m and "licence" in m.lower() or "giấy phép" in m for m in shown), shown


@pytest.mark.pipeline_deferred
def test_the_batch_status_costs_the_same_queries_for_6_or_20_files(batch, media_dirs):
    """The page polls the whole batch every few seconds: its queries must not grow
    with the number of files (photos, videos and publications, each with a twin)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    status_url = batch["status_url"]

    def add(count, start):
        for n in range(start, start + count):
            upload(batch, f"anh-{n}.jpg", jpeg_bytes(color=(n * 7 % 256, 40, 90)))
        upload(batch, f"twin-{start}.jpg", jpeg_bytes(color=(start * 7 % 256, 40, 90)))
        for twin in ("a", "b"):  # a duplicate of each kind: the twins' queries too
            upload(batch, f"clip-{start}{twin}.mp4", small_mp4())
            upload(batch, f"sach-{start}{twin}.pdf", pdf_bytes())

    add(1, 0)
    with CaptureQueriesContext(connection) as few:
        response = batch["client"].get(status_url)
    items = response.json()["items"]
    assert len(items) == 6
    assert all(item["duplicates"] for item in items)
    add(9, 100)
    with CaptureQueriesContext(connection) as many:
        response = batch["client"].get(status_url)
    assert len(response.json()["items"]) == 20
    assert len(many) <= len(few), [q["sql"][:80] for q in many.captured_queries]
