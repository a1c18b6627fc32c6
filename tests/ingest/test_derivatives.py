"""Video, PDF and download derivatives, made by the worker with the real tools."""

import io
import json
import subprocess

import pyexiv2
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from assets.models import Licence, SenDocument, SenMedia, VideoSubtitle
from assets.models.assets import validate_webvtt
from ingest.models import Derivative, Job
from tests.factories import PhotoFactory, SenImageFactory, jpeg_bytes

from ..assets.test_uploads import pdf_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_dirs")]


def clip(tmp_path, size="1920x1440", seconds=1):
    path = tmp_path / "clip.mov"
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"testsrc=size={size}:rate=10",
            "-f", "lavfi", "-i", "sine=frequency=440", "-t", str(seconds),
            "-c:v", "mpeg4", "-c:a", "pcm_s16le", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


def probe(path):
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-of", "json", path],
        capture_output=True,
        check=True,
    )
    return {s["codec_type"]: s for s in json.loads(result.stdout)["streams"]}


def test_a_video_gets_a_poster_and_a_web_copy_every_browser_plays(tmp_path):
    media = SenMedia.objects.create(
        title="clip", type="video", duration=0, file=ContentFile(clip(tmp_path), name="clip.mov")
    )
    assert Job.objects.get(media=media, kind="derivatives").status == "done"
    poster = Derivative.objects.get(media=media, name="poster")
    with poster.file.open("rb") as handle, Image.open(handle) as picture:
        assert picture.format == "JPEG" and picture.size == (1920, 1440)
    web = Derivative.objects.get(media=media, name="web-mp4")
    streams = probe(web.file.path)
    assert streams["video"]["codec_name"] == "h264"
    assert streams["video"]["height"] == 1080  # at most 1080p
    assert streams["audio"]["codec_name"] == "aac"
    media.refresh_from_db()
    assert media.duration == pytest.approx(1, abs=0.2)


def test_a_pdf_gets_a_cover_and_page_previews(settings):
    settings.SEN_PDF_PREVIEW_PAGES = 2
    document = SenDocument.objects.create(
        title="guide", file=ContentFile(pdf_bytes(pages=3), name="guide.pdf"), page_count=3
    )
    names = set(Derivative.objects.filter(document=document).values_list("name", flat=True))
    assert names == {"cover", "page-1", "page-2"}
    cover = Derivative.objects.get(document=document, name="cover")
    assert max(cover.width, cover.height) == 1200


def test_subtitles_must_be_webvtt():
    good = SimpleUploadedFile("vi.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nXin chào\n".encode())
    validate_webvtt(good)
    from django.core.exceptions import ValidationError

    for bad in (b"1\n00:00:00,000 --> 00:00:01,000\nSRT\n", "WEBVTT\n".encode("utf-16")):
        with pytest.raises(ValidationError):
            validate_webvtt(SimpleUploadedFile("x.vtt", bad))
    assert VideoSubtitle._meta.get_field("file").validators == [validate_webvtt]


def published_photo(licence_code="cc-by-4.0"):
    image = SenImageFactory(file=ContentFile(jpeg_bytes(3000, 2000), name="cau-rong.jpg"))
    photo = PhotoFactory(
        image=image,
        live=False,
        title_vi="Cầu Rồng, Đà Nẵng",
        author="Nguyễn Văn Ánh",
        credit_line="Ảnh: Sở Văn hoá",
        copyright_holder="UBND thành phố",
        licence=Licence.objects.get(code=licence_code),
    )
    photo.save_revision().publish()
    photo.refresh_from_db()
    return photo


def test_a_published_photo_downloads_with_its_credit_embedded(client):
    photo = published_photo()
    assert Job.objects.get(image=photo.image, kind="downloads").status == "done"
    response = client.get(reverse("sen_download_photo", args=[photo.pk, "web"]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    with Image.open(io.BytesIO(data)) as picture:
        assert max(picture.size) == 1280
    with pyexiv2.ImageData(data) as image:
        xmp = image.read_xmp()
    assert xmp["Xmp.photoshop.Credit"] == "Ảnh: Sở Văn hoá"
    assert photo.licence.uri in json.dumps(xmp, ensure_ascii=False)
    assert "Nguyễn Văn Ánh" in json.dumps(xmp, ensure_ascii=False)
    original = client.get(reverse("sen_download_photo", args=[photo.pk, "original"]))
    with Image.open(io.BytesIO(b"".join(original.streaming_content))) as picture:
        assert picture.size == (3000, 2000)


def test_downloads_follow_the_licence_and_the_state(client):
    photo = published_photo("all-rights-reserved")
    assert client.get(reverse("sen_download_photo", args=[photo.pk, "web"])).status_code == 200
    assert client.get(reverse("sen_download_photo", args=[photo.pk, "print"])).status_code == 404
    photo.unpublish()
    assert client.get(reverse("sen_download_photo", args=[photo.pk, "web"])).status_code == 404
    assert client.get(reverse("sen_download_photo", args=[photo.pk, "nonsense"])).status_code == 404


def test_download_files_are_not_public_files(client):
    photo = published_photo()
    derivative = Derivative.objects.get(image=photo.image, name="download-print")
    assert client.get(f"/files/{derivative.file.name}").status_code == 404
