"""ingest.metadata against files made here: JPEGs tagged with pyexiv2, PDFs built
with pypdf, clips encoded by ffmpeg. No database."""

import io
import subprocess
import unicodedata
from datetime import datetime

import pyexiv2
import pytest
from PIL import Image
from pypdf import PageObject, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, TextStringObject
from pypdf.xmp import XmpInformation

from ingest.metadata import (
    ImageMetadata,
    PdfMetadata,
    VideoMetadata,
    embed_credit,
    embed_credit_bytes,
    language_code,
    read_image_metadata,
    read_pdf_metadata,
    read_video_metadata,
)

TITLE_VI = "Cầu Rồng, Đà Nẵng"
CREATOR = "Nguyễn Văn Ánh"
CREDIT = "Ảnh: Sở Văn hoá"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
LANGUAGES = [
    ("vi", "Tiếng Việt"),
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("ja", "日本語"),
    ("ko", "한국어"),
    ("fr", "Français"),
]


@pytest.fixture(autouse=True)
def _languages(settings):
    settings.LANGUAGES = LANGUAGES


def nfd(text):
    return unicodedata.normalize("NFD", text)


def make_jpeg(tmp_path, name="photo.jpg", *, exif=None, iptc=None, xmp=None, iptc_encoding="utf-8"):
    path = tmp_path / name
    Image.new("RGB", (32, 24), (200, 80, 40)).save(path, "JPEG")
    image = pyexiv2.Image(str(path))
    try:
        if exif:
            image.modify_exif(exif)
        if iptc:
            image.modify_iptc(iptc, encoding=iptc_encoding)
        if xmp:
            image.modify_xmp(xmp)
    finally:
        image.close()
    return path


def raw_metadata(source):
    """What pyexiv2 itself reads, from a path or bytes."""
    image = pyexiv2.ImageData(source) if isinstance(source, bytes) else pyexiv2.Image(str(source))
    try:
        return image.read_iptc(), image.read_xmp()
    finally:
        image.close()


# --- Photos -------------------------------------------------------------------------


def test_xmp_language_alternatives_map_to_configured_languages(tmp_path):
    path = make_jpeg(
        tmp_path,
        xmp={
            "Xmp.dc.title": {
                'lang="x-default"': "Cầu Rồng",
                'lang="vi"': TITLE_VI,
                'lang="en-US"': "Dragon Bridge, Da Nang",
                'lang="zh-CN"': "岘港龙桥",
                'lang="de"': "Drachenbrücke",  # not configured: dropped
            },
            # Only x-default: Vietnamese, Sen's first language.
            "Xmp.dc.description": {'lang="x-default"': "Cầu Rồng phun lửa vào cuối tuần."},
            "Xmp.dc.creator": [CREATOR],
            "Xmp.photoshop.Credit": CREDIT,
            "Xmp.dc.rights": {'lang="x-default"': "© 2024 Sở Văn hoá"},
            "Xmp.dc.subject": ["Đà Nẵng", "cầu", "đà nẵng", "Cầu Rồng", "cầu"],
        },
    )

    meta = read_image_metadata(path)

    assert meta.title == {"vi": TITLE_VI, "en": "Dragon Bridge, Da Nang", "zh-hans": "岘港龙桥"}
    assert meta.description == {"vi": "Cầu Rồng phun lửa vào cuối tuần."}
    assert meta.creator == CREATOR
    assert meta.credit_line == CREDIT
    assert meta.copyright == "© 2024 Sở Văn hoá"
    assert meta.keywords == ["Đà Nẵng", "cầu", "Cầu Rồng"]


def test_x_default_copying_another_language_is_not_taken_as_vietnamese(tmp_path):
    path = make_jpeg(
        tmp_path,
        xmp={
            "Xmp.dc.title": {
                'lang="x-default"': "Dragon Bridge",
                'lang="en-US"': "Dragon Bridge",
            }
        },
    )

    assert read_image_metadata(path).title == {"en": "Dragon Bridge"}


def test_iptc_in_utf8_when_there_is_no_xmp(tmp_path):
    path = make_jpeg(
        tmp_path,
        iptc={
            "Iptc.Envelope.CharacterSet": "\x1b%G",
            "Iptc.Application2.ObjectName": TITLE_VI,
            "Iptc.Application2.Caption": "Cầu Rồng về đêm",
            "Iptc.Application2.Byline": [CREATOR],
            "Iptc.Application2.Credit": CREDIT,
            "Iptc.Application2.Copyright": "Sở Văn hoá và Thể thao",
            "Iptc.Application2.Keywords": ["Đà Nẵng", "Đà Nẵng", "sông Hàn"],
            "Iptc.Application2.DateCreated": "2023-09-02",
            "Iptc.Application2.TimeCreated": "20:15:00+07:00",
        },
    )

    meta = read_image_metadata(path)

    assert meta.title == {"vi": TITLE_VI}
    assert meta.description == {"vi": "Cầu Rồng về đêm"}
    assert meta.creator == CREATOR
    assert meta.credit_line == CREDIT
    assert meta.copyright == "Sở Văn hoá và Thể thao"
    assert meta.keywords == ["Đà Nẵng", "sông Hàn"]
    assert meta.taken_at == datetime(2023, 9, 2, 20, 15)


def test_iptc_in_latin1_is_read_without_raising(tmp_path):
    path = make_jpeg(
        tmp_path,
        iptc={
            "Iptc.Application2.ObjectName": "Café à Hue",
            "Iptc.Application2.Credit": "Agence Presse Française",
        },
        iptc_encoding="latin-1",
    )

    meta = read_image_metadata(path)

    assert meta.title == {"vi": "Café à Hue"}
    assert meta.credit_line == "Agence Presse Française"


def test_exif_date_camera_gps_and_text(tmp_path):
    # 16°03'41"N 108°13'37"E: the Dragon Bridge.
    path = make_jpeg(
        tmp_path,
        exif={
            "Exif.Photo.DateTimeOriginal": "2024:03:29 21:04:05",
            "Exif.Image.DateTime": "2025:01:01 10:00:00",
            "Exif.Image.Make": "Canon",
            "Exif.Image.Model": "Canon EOS R5",
            "Exif.GPSInfo.GPSLatitudeRef": "N",
            "Exif.GPSInfo.GPSLatitude": "16/1 3/1 41/1",
            "Exif.GPSInfo.GPSLongitudeRef": "E",
            "Exif.GPSInfo.GPSLongitude": "108/1 13/1 3700/100",
            "Exif.Image.Artist": CREATOR,
            "Exif.Image.Copyright": "Sở Văn hoá",
            "Exif.Image.ImageDescription": "Pháo hoa trên sông Hàn",
        },
    )

    meta = read_image_metadata(path)

    assert meta.taken_at == datetime(2024, 3, 29, 21, 4, 5)
    assert meta.camera == "Canon EOS R5"
    assert meta.latitude == pytest.approx(16.0614, abs=1e-3)
    assert meta.longitude == pytest.approx(108.2269, abs=1e-3)
    assert meta.creator == CREATOR
    assert meta.copyright == "Sở Văn hoá"
    assert meta.description == {"vi": "Pháo hoa trên sông Hàn"}
    assert meta.title == {}


def test_southern_and_western_hemispheres_are_negative(tmp_path):
    # 22°54'30"S 43°11'47"W: Rio de Janeiro.
    path = make_jpeg(
        tmp_path,
        exif={
            "Exif.GPSInfo.GPSLatitudeRef": "S",
            "Exif.GPSInfo.GPSLatitude": "22/1 54/1 30/1",
            "Exif.GPSInfo.GPSLongitudeRef": "W",
            "Exif.GPSInfo.GPSLongitude": "43/1 11/1 47/1",
        },
    )

    meta = read_image_metadata(path)

    assert meta.latitude == pytest.approx(-22.9083, abs=1e-3)
    assert meta.longitude == pytest.approx(-43.1964, abs=1e-3)


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        ("16/0 3/1 41/1", "108/1 13/1 37/1"),  # zero denominator
        ("0/1 0/1 0/1", "0/1 0/1 0/1"),  # "Null Island": no fix
        ("95/1 0/1 0/1", "108/1 13/1 37/1"),  # off the globe
    ],
)
def test_malformed_gps_gives_no_position(tmp_path, latitude, longitude):
    path = make_jpeg(
        tmp_path,
        exif={
            "Exif.GPSInfo.GPSLatitudeRef": "N",
            "Exif.GPSInfo.GPSLatitude": latitude,
            "Exif.GPSInfo.GPSLongitudeRef": "E",
            "Exif.GPSInfo.GPSLongitude": longitude,
        },
    )

    meta = read_image_metadata(path)

    assert (meta.latitude, meta.longitude) == (None, None)


def test_malformed_dates_give_none(tmp_path):
    path = make_jpeg(
        tmp_path,
        exif={
            "Exif.Photo.DateTimeOriginal": "0000:00:00 00:00:00",
            "Exif.Image.DateTime": "    :  :     :  :  ",
        },
        xmp={"Xmp.photoshop.DateCreated": "2024"},  # a year alone would invent a day
    )

    assert read_image_metadata(path).taken_at is None


def test_modification_time_is_the_last_resort(tmp_path):
    path = make_jpeg(tmp_path, exif={"Exif.Image.DateTime": "2025:01:01 10:00:00"})

    assert read_image_metadata(path).taken_at == datetime(2025, 1, 1, 10, 0)


def test_creation_date_wins_over_the_files_modification_time(tmp_path):
    path = make_jpeg(
        tmp_path,
        exif={"Exif.Image.DateTime": "2025:01:01 10:00:00"},
        xmp={"Xmp.photoshop.DateCreated": "2019-04-30T06:30:00+07:00"},
    )

    assert read_image_metadata(path).taken_at == datetime(2019, 4, 30, 6, 30)


@pytest.mark.parametrize(
    ("make", "model", "camera"),
    [
        ("NIKON CORPORATION", "NIKON D850", "NIKON D850"),
        ("Apple", "iPhone 15 Pro", "Apple iPhone 15 Pro"),
        ("FUJIFILM", None, "FUJIFILM"),
    ],
)
def test_camera_names_the_make_once(tmp_path, make, model, camera):
    exif = {"Exif.Image.Make": make}
    if model:
        exif["Exif.Image.Model"] = model

    assert read_image_metadata(make_jpeg(tmp_path, exif=exif)).camera == camera


def test_camera_placeholder_description_is_ignored(tmp_path):
    path = make_jpeg(
        tmp_path,
        exif={
            "Exif.Image.Make": "OLYMPUS",
            "Exif.Image.ImageDescription": "OLYMPUS DIGITAL CAMERA ",
        },
    )

    assert read_image_metadata(path).description == {}


def test_decomposed_text_comes_back_composed(tmp_path):
    path = make_jpeg(
        tmp_path,
        exif={"Exif.Image.Artist": nfd(CREATOR)},
        iptc={"Iptc.Envelope.CharacterSet": "\x1b%G", "Iptc.Application2.Credit": nfd(CREDIT)},
        xmp={
            "Xmp.dc.title": {'lang="vi"': nfd(TITLE_VI)},
            "Xmp.dc.subject": [nfd("Đà Nẵng"), "Đà Nẵng"],
        },
    )
    assert nfd(TITLE_VI) != TITLE_VI

    meta = read_image_metadata(path)

    assert meta.title == {"vi": TITLE_VI}
    assert meta.creator == CREATOR
    assert meta.credit_line == CREDIT
    assert meta.keywords == ["Đà Nẵng"]


def test_photo_without_metadata_is_empty(tmp_path):
    assert read_image_metadata(make_jpeg(tmp_path)) == ImageMetadata()


@pytest.mark.parametrize(
    "content",
    [b"", b"\xff\xd8\xff\xe0 not really a jpeg" * 4, "truncated", b"%PDF-1.7 wrong file"],
)
def test_broken_photo_is_empty_without_raising(tmp_path, content):
    if content == "truncated":  # cut inside the EXIF segment
        whole = make_jpeg(tmp_path, "whole.jpg", exif={"Exif.Image.Make": "Canon"}).read_bytes()
        content = whole[: whole.index(b"Exif") + 12]
    path = tmp_path / "broken.jpg"
    path.write_bytes(content)

    assert read_image_metadata(path) == ImageMetadata()


def test_photo_cut_short_after_its_metadata_still_gives_it(tmp_path):
    whole = make_jpeg(tmp_path, "whole.jpg", exif={"Exif.Image.Make": "Canon"}).read_bytes()
    path = tmp_path / "cut.jpg"
    path.write_bytes(whole[: whole.index(b"\xff\xda")])  # start of the pixel data

    assert read_image_metadata(path).camera == "Canon"


def test_missing_photo_is_empty(tmp_path):
    assert read_image_metadata(tmp_path / "gone.jpg") == ImageMetadata()


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("vi-VN", "vi"),
        ("EN-us", "en"),
        ("zh-Hans", "zh-hans"),
        ("zh-CN", "zh-hans"),
        ("zh", "zh-hans"),
        ("zh-TW", None),  # traditional script, not configured
        ("vie", "vi"),
        ("de", None),
        ("", None),
    ],
)
def test_language_code(tag, code):
    assert language_code(tag) == code


# --- PDFs ---------------------------------------------------------------------------


def make_pdf(path, pages, *, title=None, lang=None, xmp_title=None, xmp_language=None):
    """A PDF whose pages draw `pages` in Helvetica, a standard font every reader
    has, so the text layer needs no embedded font (ASCII only)."""
    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    for text in pages:
        page = writer.add_blank_page(300, 200)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        content = DecodedStreamObject()
        content.set_data(f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode("ascii"))
        page.replace_contents(content)
    if title:
        writer.add_metadata({"/Title": title})
    if lang:
        writer.root_object[NameObject("/Lang")] = TextStringObject(lang)
    if xmp_title or xmp_language:
        xmp = XmpInformation.create()
        if xmp_title:
            xmp.dc_title = {"x-default": xmp_title}
        if xmp_language:
            xmp.dc_language = [xmp_language]
        writer.xmp_metadata = xmp
    writer.write(path)
    return path


def test_pdf_title_language_pages_and_text(tmp_path):
    path = make_pdf(
        tmp_path / "guide.pdf",
        ["Da Nang travel guide", "Dragon Bridge", "Marble Mountains"],
        title=nfd("Cẩm nang du lịch Đà Nẵng"),
        lang="vi-VN",
    )

    meta = read_pdf_metadata(path)

    assert meta.page_count == 3
    assert meta.title == "Cẩm nang du lịch Đà Nẵng"
    assert meta.language == "vi"
    assert meta.text == "Da Nang travel guide\nDragon Bridge\nMarble Mountains"


def test_pdf_falls_back_to_xmp_title_and_language(tmp_path):
    path = make_pdf(
        tmp_path / "guide.pdf", ["Hello"], xmp_title="Hội An về đêm", xmp_language="en-GB"
    )

    meta = read_pdf_metadata(path)

    assert meta.title == "Hội An về đêm"
    assert meta.language == "en"


def test_pdf_language_not_configured_is_kept_as_written(tmp_path):
    path = make_pdf(tmp_path / "guide.pdf", ["Hallo"], lang="de-DE")

    assert read_pdf_metadata(path).language == "de-DE"


def test_pdf_text_is_capped(tmp_path):
    path = make_pdf(tmp_path / "long.pdf", [f"Page {n} " + "x" * 50 for n in range(20)])

    assert len(read_pdf_metadata(path).text) > 1000
    capped = read_pdf_metadata(path, max_chars=100)
    assert len(capped.text) == 100
    assert capped.text.startswith("Page 0 ")
    assert read_pdf_metadata(path, max_chars=0).text is None
    assert read_pdf_metadata(path, max_chars=0).page_count == 20


def test_pdf_text_stops_extracting_at_the_cap(tmp_path, monkeypatch):
    path = make_pdf(tmp_path / "long.pdf", [f"Page {n} " + "x" * 50 for n in range(20)])
    extracted = []
    extract_text = PageObject.extract_text

    def counting(page, *args, **kwargs):
        extracted.append(page)
        return extract_text(page, *args, **kwargs)

    monkeypatch.setattr(PageObject, "extract_text", counting)

    read_pdf_metadata(path, max_chars=100)
    assert len(extracted) == 2
    read_pdf_metadata(path, max_chars=0)
    assert len(extracted) == 2


def test_pdf_without_metadata_has_only_its_pages(tmp_path):
    path = make_pdf(tmp_path / "blank.pdf", [""])

    assert read_pdf_metadata(path) == PdfMetadata(page_count=1)


@pytest.mark.parametrize("content", [b"", b"%PDF-1.7\n garbage", b"not a pdf at all"])
def test_broken_pdf_is_empty(tmp_path, content):
    path = tmp_path / "broken.pdf"
    path.write_bytes(content)

    assert read_pdf_metadata(path) == PdfMetadata()


# --- Videos -------------------------------------------------------------------------


def make_clip(path, *extra, audio=True):
    argv = ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10"]
    if audio:
        argv += ["-f", "lavfi", "-i", "sine=frequency=440"]
    argv += ["-t", "1", "-c:v", "libx264"]
    argv += ["-c:a", "aac"] if audio else []
    argv += [*extra, "-y", str(path)]
    subprocess.run(argv, check=True, capture_output=True, timeout=120)
    return path


def test_video_duration_size_codecs_and_audio_language(tmp_path):
    path = make_clip(tmp_path / "clip.mp4", "-metadata:s:a:0", "language=vie")

    meta = read_video_metadata(path)

    assert meta.duration == pytest.approx(1.0, abs=0.1)
    assert (meta.width, meta.height) == (320, 240)
    assert (meta.video_codec, meta.audio_codec) == ("h264", "aac")
    assert meta.audio_tracks == [{"codec": "aac", "language": "vi", "channels": 1}]


def test_rotated_video_reports_its_display_size(tmp_path):
    clip = make_clip(tmp_path / "clip.mp4", audio=False)
    rotated = tmp_path / "rotated.mp4"
    argv = ["ffmpeg", "-v", "error", "-i", str(clip), "-c", "copy"]
    argv += ["-metadata:s:v:0", "rotate=90", "-y", str(rotated)]
    subprocess.run(argv, check=True, capture_output=True, timeout=120)

    meta = read_video_metadata(rotated)

    assert (meta.width, meta.height) == (240, 320)
    assert meta.audio_codec is None
    assert meta.audio_tracks == []


def test_undetermined_audio_language_is_none(tmp_path):
    meta = read_video_metadata(make_clip(tmp_path / "clip.mp4"))

    assert meta.audio_tracks == [{"codec": "aac", "language": None, "channels": 1}]


def test_broken_video_is_empty(tmp_path):
    path = tmp_path / "broken.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42 then nothing useful")

    assert read_video_metadata(path) == VideoMetadata()


def test_video_without_ffprobe_is_empty(tmp_path, monkeypatch):
    path = make_clip(tmp_path / "clip.mp4")
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))

    assert read_video_metadata(path) == VideoMetadata()


# --- Credit in downloads ------------------------------------------------------------

CREDIT_FIELDS = {
    "creator": CREATOR,
    "credit_line": CREDIT,
    "copyright": "© 2025 Sở Văn hoá và Thể thao Đà Nẵng",
    "licence_url": LICENCE,
    "title": {"vi": TITLE_VI, "en": "Dragon Bridge, Da Nang", "zh-hans": "岘港龙桥"},
    "description": {"vi": '"Rồng" phun lửa, 21 giờ thứ Bảy'},
}


def assert_credit_embedded(iptc, xmp):
    assert iptc["Iptc.Envelope.CharacterSet"] == "\x1b%G"
    assert iptc["Iptc.Application2.Byline"] == [CREATOR]
    assert iptc["Iptc.Application2.Credit"] == CREDIT
    assert iptc["Iptc.Application2.Copyright"] == "© 2025 Sở Văn hoá và Thể thao Đà Nẵng"
    assert iptc["Iptc.Application2.ObjectName"] == TITLE_VI
    assert iptc["Iptc.Application2.Caption"] == '"Rồng" phun lửa, 21 giờ thứ Bảy'
    assert xmp["Xmp.dc.creator"] == [CREATOR]
    assert xmp["Xmp.photoshop.Credit"] == CREDIT
    assert xmp["Xmp.dc.rights"] == {'lang="x-default"': "© 2025 Sở Văn hoá và Thể thao Đà Nẵng"}
    assert xmp["Xmp.xmpRights.WebStatement"] == LICENCE
    assert xmp["Xmp.xmpRights.UsageTerms"] == {'lang="x-default"': LICENCE}
    assert xmp["Xmp.cc.license"] == LICENCE
    assert xmp["Xmp.dc.title"] == {
        'lang="x-default"': TITLE_VI,
        'lang="vi"': TITLE_VI,
        'lang="en"': "Dragon Bridge, Da Nang",
        'lang="zh-hans"': "岘港龙桥",
    }


def test_embed_credit_writes_a_copy_that_round_trips(tmp_path):
    source = make_jpeg(
        tmp_path,
        "original.jpg",
        exif={"Exif.Image.Make": "Canon"},
        xmp={"Xmp.dc.title": {'lang="x-default"': "Old", 'lang="fr"': "Ancien"}},
    )
    before = source.read_bytes()
    target = tmp_path / "download.jpg"

    embed_credit(source, target, **CREDIT_FIELDS)

    assert source.read_bytes() == before
    assert_credit_embedded(*raw_metadata(target))
    meta = read_image_metadata(target)
    assert meta.title == {"vi": TITLE_VI, "en": "Dragon Bridge, Da Nang", "zh-hans": "岘港龙桥"}
    assert meta.description == {"vi": '"Rồng" phun lửa, 21 giờ thứ Bảy'}
    assert (meta.creator, meta.credit_line, meta.camera) == (CREATOR, CREDIT, "Canon")
    with Image.open(target) as picture:
        assert picture.size == (32, 24)


def test_embed_credit_bytes_round_trips(tmp_path):
    data = make_jpeg(tmp_path).read_bytes()

    result = embed_credit_bytes(data, **CREDIT_FIELDS)

    assert_credit_embedded(*raw_metadata(result))
    with Image.open(io.BytesIO(result)) as picture:
        assert picture.size == (32, 24)


def test_embed_credit_takes_a_plain_title_as_vietnamese_and_skips_empty_fields(tmp_path):
    data = make_jpeg(tmp_path).read_bytes()

    result = embed_credit_bytes(
        data, creator="", credit_line=CREDIT, copyright="", licence_url="", title=nfd(TITLE_VI)
    )

    iptc, xmp = raw_metadata(result)
    assert xmp["Xmp.dc.title"] == {'lang="x-default"': TITLE_VI, 'lang="vi"': TITLE_VI}
    assert "Iptc.Application2.Byline" not in iptc
    assert "Xmp.xmpRights.WebStatement" not in xmp
    assert "Xmp.dc.rights" not in xmp


def test_embed_credit_keeps_legacy_latin1_iptc_readable(tmp_path):
    data = make_jpeg(
        tmp_path, iptc={"Iptc.Application2.Keywords": ["Café"]}, iptc_encoding="latin-1"
    ).read_bytes()

    iptc, _xmp = raw_metadata(embed_credit_bytes(data, **CREDIT_FIELDS))

    assert iptc["Iptc.Application2.Keywords"] == ["Café"]
    assert iptc["Iptc.Application2.Credit"] == CREDIT


def test_embed_credit_leaves_no_uncredited_copy_when_writing_fails(tmp_path):
    source = tmp_path / "damaged.jpg"
    source.write_bytes(b"\xff\xd8\xff\xe0 then garbage")
    target = tmp_path / "download.jpg"

    with pytest.raises(RuntimeError):
        embed_credit(source, target, **CREDIT_FIELDS)
    assert not target.exists()


def test_embed_credit_refuses_anything_but_jpeg(tmp_path):
    png = tmp_path / "photo.png"
    Image.new("RGB", (8, 8)).save(png, "PNG")
    target = tmp_path / "download.png"

    with pytest.raises(ValueError, match="JPEG"):
        embed_credit(png, target, **CREDIT_FIELDS)
    with pytest.raises(ValueError, match="JPEG"):
        embed_credit_bytes(png.read_bytes(), **CREDIT_FIELDS)
    assert not target.exists()
