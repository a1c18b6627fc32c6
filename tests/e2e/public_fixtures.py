"""A small published public site for the browser tests of tests/e2e/test_public_site.py.

Everything is made the way the product makes it: files go in through their models,
so the ingest pipeline (run inline by tests/conftest.py) makes the renditions, the
video's poster and web copy and the PDF covers; assets are published through a
revision by a reviewer, which also makes the photos' download sizes. The video is a
real H.264 clip made by ffmpeg, the publication a real PDF, so that the browser can
play and open them.
"""

import datetime
import io
import subprocess
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from assets import operations
from assets.models import (
    Licence,
    Photo,
    Place,
    Publication,
    PublicationEdition,
    SenDocument,
    SenImage,
    SenMedia,
    Topic,
    Video,
    VideoSubtitle,
)

from ..factories import make_organisation, role_user

HOME_TITLES = {"vi": "Hình ảnh Cần Thơ", "en": "Images of Can Tho"}
# One cue each, over the whole clip.
SUBTITLE_CUES = {"vi": "Bến Ninh Kiều buổi sáng", "en": "Ninh Kieu wharf in the morning"}


@dataclass
class PublicSite:
    topic: Topic
    photo: Photo  # titled "Cần Thơ", in the topic, with an English title and alt text
    photos: list
    video: Video
    publication: Publication


def landscape_jpeg(width, height, hue):
    """A JPEG that looks like a picture (sky, river, bank), not a flat colour: the
    renditions, the screenshots and Lighthouse's image audits see real pixels."""
    picture = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(picture)
    for y in range(height):
        t = y / height
        if t < 0.55:  # sky, lighter towards the horizon
            colour = (int(90 + 120 * t), int(140 + 90 * t), int(200 + 40 * t))
        elif t < 0.8:  # river
            colour = (int(60 + hue * 0.3), int(110 + 40 * (t - 0.55)), int(140 - hue * 0.2))
        else:  # bank
            colour = (int(70 + hue * 0.4), int(100 + 30 * t), 50)
        draw.line([(0, y), (width, y)], fill=colour)
    sun = width // 5 + hue * 3
    draw.ellipse([sun, height // 8, sun + width // 10, height // 8 + width // 10], fill="#ffd27a")
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def h264_clip(tmp_path, seconds=3):
    """A real MP4 (H.264, yuv420p) that chromium plays."""
    path = tmp_path / "ninh-kieu.mp4"
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-f", "lavfi",
            "-i", "testsrc=size=320x240:rate=25", "-t", str(seconds),
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-y", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


def pdf_bytes(title):
    """A one-page PDF with a title on it (pypdf writes no text, so draw it with PIL)."""
    page = Image.new("RGB", (620, 877), "#f6f3ee")
    draw = ImageDraw.Draw(page)
    draw.rectangle([0, 0, 620, 180], fill="#8a1c1c")
    draw.text((40, 80), title, fill="white")
    draw.rectangle([0, 300, 620, 700], fill="#3f7f9a")  # a picture across the middle
    draw.ellipse([380, 340, 480, 440], fill="#ffd27a")
    buffer = io.BytesIO()
    page.save(buffer, "PDF", resolution=72)
    return buffer.getvalue()


def make_public_site(tmp_path):
    """Three photos, a video with Vietnamese and English subtitles and a publication
    with a Vietnamese and an English edition, all published; a home page with a hero
    photo and an introduction; the province's name in both languages."""
    from cms.models import HomePage, ProvinceSettings

    reviewer = role_user(operations.REVIEWERS)

    def publish(asset):
        asset.save_revision(user=reviewer).publish(user=reviewer, skip_permission_checks=True)
        asset.refresh_from_db()
        return asset

    province = ProvinceSettings.load()
    province.province_name_vi = "Thành phố Cần Thơ"
    province.province_name_en = "Can Tho City"
    province.save()
    organisation = make_organisation(
        "Sở Văn hóa, Thể thao và Du lịch", en="Department of Culture, Sports and Tourism"
    )
    licence = Licence.objects.get(code="cc-by-4.0")
    topic = Topic.objects.get(slug="tourism")
    place = Place.objects.create(
        name="Ninh Kiều", name_vi="Ninh Kiều", name_en="Ninh Kieu", kind=Place.Kind.WARD
    )
    common = {
        "organisation": organisation,
        "licence": licence,
        "place": place,
        "author": "Nguyễn Văn An",
        "credit_line": "Ảnh: Nguyễn Văn An / Sở VHTTDL Cần Thơ",
        "copyright_holder": "Sở VHTTDL Cần Thơ",
        "date": datetime.date(2024, 3, 15),
        "live": False,
    }

    photos = []
    for number, (title_vi, title_en, alt_vi, alt_en) in enumerate(
        [
            ("Chợ nổi Cái Răng", "Cai Rang floating market", "Ghe thuyền họp chợ trên sông", "Boats trading on the river"),
            ("Bến Ninh Kiều về đêm", "Ninh Kieu wharf at night", "Bến sông lên đèn", "The wharf lit up"),
            ("Cần Thơ", "Can Tho", "Sông Hậu nhìn từ bờ", "The Hau river seen from the bank"),
        ]
    ):  # fmt: skip
        image = SenImage.objects.create(
            title=title_vi,
            collection=organisation.collection,
            file=ContentFile(landscape_jpeg(1200, 800, 30 * number), name=f"photo-{number}.jpg"),
        )
        photo = Photo.objects.create(
            image=image,
            title=title_vi,
            title_vi=title_vi,
            title_en=title_en,
            alt_text_vi=alt_vi,
            alt_text_en=alt_en,
            description_vi=f"{title_vi}: ảnh giới thiệu thành phố Cần Thơ.",
            description_en=f"{title_en}: a photo introducing Can Tho.",
            **common,
        )
        photo.topics.add(topic)
        photos.append(publish(photo))

    media = SenMedia.objects.create(
        title="Bến Ninh Kiều",
        collection=organisation.collection,
        type="video",
        duration=0,
        file=ContentFile(h264_clip(tmp_path), name="ninh-kieu.mp4"),
    )
    video = Video.objects.create(
        media=media,
        title="Bến Ninh Kiều buổi sáng",
        title_vi="Bến Ninh Kiều buổi sáng",
        title_en="Ninh Kieu wharf in the morning",
        description_vi="Một buổi sáng bên sông Hậu.",
        description_en="A morning by the Hau river.",
        **common,
    )
    for language, cue in SUBTITLE_CUES.items():
        vtt = f"WEBVTT\n\n00:00.000 --> 00:03.000\n{cue}\n"
        VideoSubtitle.objects.create(
            video=video, language=language, file=ContentFile(vtt.encode(), name=f"{language}.vtt")
        )
    video.topics.add(topic)
    video = publish(video)

    publication = Publication.objects.create(
        title="Cẩm nang du lịch Cần Thơ",
        title_vi="Cẩm nang du lịch Cần Thơ",
        title_en="Can Tho travel guide",
        description_vi="Cẩm nang cho du khách.",
        description_en="A guide for visitors.",
        **common,
    )
    for language, title in (("vi", "Cam nang du lich Can Tho"), ("en", "Can Tho travel guide")):
        document = SenDocument.objects.create(
            title=f"{title} ({language})",
            collection=organisation.collection,
            file=ContentFile(pdf_bytes(title), name=f"cam-nang-{language}.pdf"),
        )
        PublicationEdition.objects.create(
            publication=publication, language=language, document=document
        )
    publication.topics.add(topic)
    publication = publish(publication)

    home = HomePage.objects.get()
    home.title_vi, home.title_en = HOME_TITLES["vi"], HOME_TITLES["en"]
    home.introduction_vi = "<p>Ảnh, video và ấn phẩm giới thiệu thành phố Cần Thơ.</p>"
    home.introduction_en = "<p>Photos, videos and publications introducing Can Tho.</p>"
    home.hero_photo = photos[0]
    home.save_revision().publish()

    cantho = next(p for p in photos if p.title_vi == "Cần Thơ")
    return PublicSite(
        topic=topic, photo=cantho, photos=photos, video=video, publication=publication
    )
