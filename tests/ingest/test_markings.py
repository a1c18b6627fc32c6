"""State-secret marking detection (ingest.markings).

Fixtures are drawn here with Pillow and the DejaVu fonts (they carry the
Vietnamese glyphs), so every file a test reads is one whose content we know.
The OCR tests run the real tesseract; each image takes well under a second.
"""

import random
import subprocess
import unicodedata

import pytest
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter

from ingest import markings
from ingest.markings import Marking, MarkingCheckError, find_marking, match_marking

BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
REGULAR = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
RED = (200, 30, 30)


# --- Matching ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("MẬT", "mat"),
        ("TỐI MẬT", "toi_mat"),
        ("TUYỆT MẬT", "tuyet_mat"),
        ("  [ MẬT ]  ", "mat"),
        ('"TỐI MẬT"', "toi_mat"),
        ("*** TUYỆT MẬT ***", "tuyet_mat"),
        ("│ TUYỆT MẬT │", "tuyet_mat"),
        ("╔═══╗\n║ MẬT ║\n╚═══╝", "mat"),
        ("-TUYỆT MẬT", "tuyet_mat"),  # OCR of a stamp's edge
        ("l MẬT l", "mat"),  # OCR of a stamp's vertical edges
        ("T Ố I  M Ậ T", "toi_mat"),  # letter-spaced stamp in a text layer
        ("Độ mật: MẬT", "mat"),
        ("ĐỘ MẬT: TUYỆT MẬT", "tuyet_mat"),
        ("Độ mật - Tối mật", "toi_mat"),
        ("MÂT", "mat"),  # OCR lost the dot below
        ("MẶT", "mat"),  # OCR read the circumflex as a breve
        ("MẠT", "mat"),  # OCR lost the circumflex
        ("MẬÂT", "mat"),  # OCR doubled the vowel
        ("mẬT", "mat"),  # OCR guessed the case of a size-only M
        ("TuYỆT MẬT", "tuyet_mat"),
        ("TUYET MAT", "tuyet_mat"),
        ("TOI MAT", "toi_mat"),
        ("Số: 12/QĐ-UBND\nMẬT\nQuảng Bình, ngày 5 tháng 3 năm 2024", "mat"),
        # pdftotext -layout puts the other column on the same line
        ("MẬT                      Quảng Bình, ngày 5 tháng 3 năm 2024", "mat"),
        ("MẬT\nTUYỆT MẬT\nTỐI MẬT", "tuyet_mat"),  # the most severe wins
        (unicodedata.normalize("NFD", "TỐI MẬT"), "toi_mat"),
    ],
)
def test_marking_is_found(text, level):
    found = match_marking(text)
    assert found is not None
    assert found[0] == level
    assert unicodedata.is_normalized("NFC", found[1])


@pytest.mark.parametrize(
    "text",
    [
        "mật ong",
        "Mật ong rừng Quảng Bình",
        "mật độ dân số",
        "Mật độ dân số: 110 người/km²",
        "MẬT ĐỘ",
        "MẬT ONG",
        "BÍ MẬT HANG SƠN ĐOÒNG",
        "KHÁM PHÁ BÍ MẬT HANG SƠN ĐOÒNG",
        "Khám phá bí mật",
        "BÍ MẬT",
        "MẶT TRỜI",
        "mật khẩu",
        "MẬT KHẨU",
        "Mật",  # a word on its own line, not the uppercase marking
        "mật",
        "tuyệt mật",
        "Tối mật",
        "MAT",  # too little left of the marking: "MAT" is also English
        "MẤT",  # to lose
        "MÁT",  # cool
        "TÔI MẤT",  # "I lose"
        "Độ mật: thường",
        "Độ mật cao",
        "",
    ],
)
def test_ordinary_vietnamese_is_not_a_marking(text):
    assert match_marking(text) is None


def test_matched_line_is_reported_without_surrounding_space():
    assert match_marking("Công văn\n   TỐI MẬT   \nKính gửi") == ("toi_mat", "TỐI MẬT")


# --- Rebuilding OCR lines from word boxes -----------------------------------


def word(text, left, top, right, bottom):
    return (left, top, right, bottom, text)


def test_words_close_on_one_baseline_form_one_line():
    # tesseract's sparse mode may return these as two lines
    words = [word("MẬT", 260, 102, 360, 150), word("TUYỆT", 100, 100, 240, 148)]
    assert markings._group_lines(words) == ["TUYỆT MẬT"]


def test_heading_word_is_not_standalone():
    words = [word("BÍ", 100, 100, 160, 150), word("MẬT", 180, 100, 280, 150)]
    assert markings._group_lines(words) == ["BÍ MẬT"]


def test_column_gap_and_rows_separate_lines():
    words = [
        word("MẬT", 100, 230, 190, 262),
        word("Quảng", 650, 228, 740, 258),
        word("Bình,", 750, 228, 820, 258),
        word("QUYẾT", 200, 500, 320, 540),
    ]
    assert sorted(markings._group_lines(words)) == ["MẬT", "QUYẾT", "Quảng Bình,"]


# --- Fixtures ---------------------------------------------------------------


def font(path, size):
    return ImageFont.truetype(path, size)


def stamp(text, color="black", size=48, border=5, pad=10):
    """A boxed marking on a transparent sheet, like an ink stamp."""
    bbox = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox((0, 0), text, font=font(BOLD, size))
    width = bbox[2] - bbox[0] + 2 * (pad + border)
    height = bbox[3] - bbox[1] + 2 * (pad + border)
    sheet = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(sheet)
    draw.rectangle((0, 0, width - 1, height - 1), outline=color, width=border)
    draw.text(
        (border + pad - bbox[0], border + pad - bbox[1]), text, font=font(BOLD, size), fill=color
    )
    return sheet


def official_page(marking=None, color="black", rotate=0, noise=False, size=(1240, 1754)):
    """An A4 page at 150 dpi with an official document's header, as scanned."""
    page = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(page)
    draw.text((80, 80), "UBND TỈNH QUẢNG BÌNH", font=font(BOLD, 30), fill="black")
    draw.text((620, 80), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=font(BOLD, 26), fill="black")
    draw.text((700, 120), "Độc lập - Tự do - Hạnh phúc", font=font(BOLD, 26), fill="black")
    draw.text((80, 130), "Số: 123/QĐ-UBND", font=font(REGULAR, 26), fill="black")
    draw.text(
        (650, 230), "Quảng Bình, ngày 5 tháng 3 năm 2024", font=font(REGULAR, 26), fill="black"
    )
    draw.text((200, 500), "QUYẾT ĐỊNH", font=font(BOLD, 36), fill="black")
    draw.text(
        (120, 580),
        "Về việc phê duyệt kế hoạch quảng bá du lịch năm 2024",
        font=font(REGULAR, 28),
        fill="black",
    )
    if marking:
        sheet = stamp(marking, color)
        if rotate:
            sheet = sheet.rotate(rotate, expand=True, resample=Image.Resampling.BICUBIC)
        page.paste(sheet, (100, 200), sheet)
    if noise:
        rng = random.Random(1)  # noqa: S311 - repeatable speckle, not a secret
        pixels = page.load()
        for _ in range(size[0] * size[1] // 50):
            grey = rng.randrange(256)
            pixels[rng.randrange(size[0]), rng.randrange(size[1])] = (grey, grey, grey)
    return page


def blank_page(marking=None, size=(620, 877)):
    """A small page (A4 at 75 dpi) holding at most a stamp: cheap to OCR."""
    page = Image.new("RGB", size, "white")
    if marking:
        sheet = stamp(marking)
        page.paste(sheet, (60, 80), sheet)
    return page


def photo(size=(1200, 800)):
    """A sky-like gradient with sensor noise and no text."""
    red = Image.linear_gradient("L").resize(size)
    green = Image.linear_gradient("L").rotate(90).resize(size)
    blue = Image.effect_noise(size, 30).point(lambda v: 120 + v // 4)
    return Image.merge("RGB", (red, green, blue))


def poster(title):
    image = photo()
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 300, 1160, 420), fill=(250, 245, 230))
    draw.text((60, 330), title, font=font(BOLD, 44), fill=(150, 20, 20))
    return image


def save_pdf(path, pages, resolution=150):
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=resolution)
    return path


def text_layer_pdf(tmp_path, lines):
    """A PDF whose only content is a Vietnamese text layer.

    Nothing installed writes PDF text with a Vietnamese font, so tesseract reads
    the lines off an image and writes them as an invisible text layer; with
    textonly_pdf the page shows nothing, so only the text layer can match.
    """
    image = Image.new("RGB", (1240, 400 + 80 * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((100, 100 + 80 * number), line, font=font(BOLD, 40), fill="black")
    image.save(tmp_path / "text.png", dpi=(150, 150))
    subprocess.run(
        [
            "tesseract",
            tmp_path / "text.png",
            tmp_path / "text",
            "-l",
            "vie",
            "-c",
            "textonly_pdf=1",
            "pdf",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return tmp_path / "text.pdf"


def pdf_text(path):
    return subprocess.run(
        ["pdftotext", "-layout", path, "-"], check=True, capture_output=True, text=True
    ).stdout


def ocr_lines(path, tmp_path):
    """What OCR reads in the image at `path`: shows a negative test is not
    negative merely because the picture went unread."""
    with Image.open(path) as image:
        markings._prepare_for_ocr(image).save(tmp_path / "read.png")
    return [
        line
        for config in markings.OCR_PASSES
        for line in markings._ocr_lines(tmp_path / "read.png", config)
    ]


# --- Photos -----------------------------------------------------------------


def test_boxed_stamp_on_scan_is_found(tmp_path):
    official_page("TUYỆT MẬT").save(tmp_path / "scan.png")
    assert find_marking(tmp_path / "scan.png", "photo") == Marking(
        level="tuyet_mat", text="TUYỆT MẬT", source="ocr", page=None
    )


def test_red_rotated_stamp_on_noisy_scan_is_found(tmp_path):
    official_page("TUYỆT MẬT", color=RED, rotate=3, noise=True).save(tmp_path / "scan.jpg")
    found = find_marking(tmp_path / "scan.jpg", "photo")
    assert (found.level, found.source) == ("tuyet_mat", "ocr")


def test_faded_red_stamp_needs_the_green_channel(tmp_path):
    # Pink ink is mid-grey in luminance and lost to binarisation; in the green
    # channel it is as dark as the red stamp above.
    official_page("TỐI MẬT", color=(250, 130, 110), rotate=3, noise=True).save(
        tmp_path / "scan.png"
    )
    assert find_marking(tmp_path / "scan.png", "photo").level == "toi_mat"


def test_red_stamp_on_green_photo_is_found(tmp_path):
    image = Image.merge(
        "RGB",
        [
            Image.effect_noise((1000, 700), 12).point(lambda v, base=base: base + v - 128)
            for base in (80, 160, 80)
        ],
    )
    sheet = stamp("MẬT", RED).rotate(-3, expand=True, resample=Image.Resampling.BICUBIC)
    image.paste(sheet, (300, 300), sheet)
    image.save(tmp_path / "photo.jpg", quality=90)
    assert find_marking(tmp_path / "photo.jpg", "photo").level == "mat"


def test_close_up_of_a_large_stamp_is_found(tmp_path):
    # Local binarisation hollows out letters this big; the global pass reads them.
    image = Image.merge(
        "RGB",
        [
            Image.effect_noise((1600, 1200), 12).point(lambda v, base=base: base + v - 128)
            for base in (230, 225, 215)
        ],
    )
    sheet = stamp("TỐI MẬT", RED, size=90, border=10, pad=16).rotate(
        -2, expand=True, resample=Image.Resampling.BICUBIC
    )
    image.paste(sheet, (100, 300), sheet)
    image.save(tmp_path / "close-up.jpg", quality=90)
    assert find_marking(tmp_path / "close-up.jpg", "photo").level == "toi_mat"


def test_stamp_next_to_other_column_is_found(tmp_path):
    # "MẬT" sits at the height of the place and date on the right: OCR must not
    # glue the two into one line.
    page = official_page()
    sheet = stamp("MẬT", size=30, border=3, pad=6)
    page.paste(sheet, (100, 222), sheet)
    page.save(tmp_path / "scan.png")
    assert find_marking(tmp_path / "scan.png", "photo").level == "mat"


def test_exif_orientation_is_applied(tmp_path):
    sideways = blank_page("TỐI MẬT", size=(700, 400)).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    sideways.save(tmp_path / "tagged.jpg", exif=exif)
    sideways.save(tmp_path / "untagged.jpg")
    assert find_marking(tmp_path / "tagged.jpg", "photo").level == "toi_mat"
    # A known limit: sideways text without the EXIF tag is not read.
    assert find_marking(tmp_path / "untagged.jpg", "photo") is None


def test_heic_photo_is_read(tmp_path):
    blank_page("TUYỆT MẬT").save(tmp_path / "phone.heic")
    assert find_marking(tmp_path / "phone.heic", "photo").level == "tuyet_mat"


def test_transparent_png_is_put_on_paper(tmp_path):
    # Fully transparent pixels are black here: read as they are, the black
    # stamp would vanish into them.
    image = Image.new("RGBA", (700, 300), (0, 0, 0, 0))
    sheet = stamp("MẬT")
    image.paste(sheet, (60, 80), sheet)
    image.save(tmp_path / "logo.png")
    assert find_marking(tmp_path / "logo.png", "photo").level == "mat"


def test_every_frame_of_a_multipage_tiff_is_read(tmp_path):
    frames = [blank_page(), blank_page("TỐI MẬT")]
    frames[0].save(tmp_path / "scan.tif", save_all=True, append_images=frames[1:])
    found = find_marking(tmp_path / "scan.tif", "photo")
    assert (found.level, found.page) == ("toi_mat", 2)


def test_photo_without_text_is_clean(tmp_path):
    photo().save(tmp_path / "sky.jpg", quality=90)
    assert find_marking(tmp_path / "sky.jpg", "photo") is None


def test_poster_about_a_secret_is_clean(tmp_path):
    poster("KHÁM PHÁ BÍ MẬT HANG SƠN ĐOÒNG").save(tmp_path / "poster.jpg", quality=90)
    assert any("mật" in line.lower() for line in ocr_lines(tmp_path / "poster.jpg", tmp_path))
    assert find_marking(tmp_path / "poster.jpg", "photo") is None


# --- PDFs -------------------------------------------------------------------


def test_stamp_on_second_page_of_a_scan_is_found(tmp_path):
    pdf = save_pdf(tmp_path / "scan.pdf", [official_page(), official_page("MẬT")])
    assert find_marking(pdf, "publication") == Marking(
        level="mat", text="MẬT", source="ocr", page=2
    )


def test_marking_in_text_layer_is_found(tmp_path):
    pdf = text_layer_pdf(tmp_path, ["UBND TỈNH QUẢNG BÌNH", "TỐI MẬT", "Số: 12/QĐ-UBND"])
    found = find_marking(pdf, "publication")
    assert (found.level, found.source, found.page) == ("toi_mat", "text_layer", 1)


def test_text_layer_about_population_density_is_clean(tmp_path):
    pdf = text_layer_pdf(tmp_path, ["MẬT ĐỘ DÂN SỐ", "Mật độ dân số: 110 người/km²"])
    assert "ật độ dân số" in pdf_text(pdf)
    assert find_marking(pdf, "publication") is None


def test_pages_beyond_the_limit_are_not_checked(tmp_path, settings):
    pdf = save_pdf(tmp_path / "long.pdf", [blank_page(), blank_page(), blank_page("TUYỆT MẬT")], 75)
    settings.SEN_MARKING_MAX_PAGES = 2
    assert find_marking(pdf, "publication") is None  # the documented limit
    settings.SEN_MARKING_MAX_PAGES = 3
    assert find_marking(pdf, "publication").page == 3


# --- When the check cannot run ----------------------------------------------


@pytest.mark.parametrize(("name", "kind"), [("broken.pdf", "publication"), ("broken.jpg", "photo")])
def test_broken_file_cannot_be_checked(tmp_path, name, kind):
    (tmp_path / name).write_bytes(b"this is not what the name says\n" * 20)
    with pytest.raises(MarkingCheckError):
        find_marking(tmp_path / name, kind)


def test_truncated_jpeg_cannot_be_checked(tmp_path):
    official_page("MẬT").save(tmp_path / "whole.jpg")
    data = (tmp_path / "whole.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 3])
    with pytest.raises(MarkingCheckError):
        find_marking(tmp_path / "cut.jpg", "photo")


def test_password_protected_pdf_cannot_be_checked(tmp_path):
    save_pdf(tmp_path / "open.pdf", [blank_page("MẬT")], 75)
    writer = PdfWriter(clone_from=PdfReader(tmp_path / "open.pdf"))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    writer.write(tmp_path / "locked.pdf")
    with pytest.raises(MarkingCheckError):
        find_marking(tmp_path / "locked.pdf", "publication")


def test_missing_file_cannot_be_checked(tmp_path):
    with pytest.raises(MarkingCheckError):
        find_marking(tmp_path / "gone.png", "photo")


@pytest.mark.parametrize(("name", "kind"), [("scan.png", "photo"), ("scan.pdf", "publication")])
def test_missing_tool_cannot_check(tmp_path, monkeypatch, name, kind):
    page = blank_page("MẬT")
    if kind == "photo":
        page.save(tmp_path / name)
    else:
        save_pdf(tmp_path / name, [page], 75)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MarkingCheckError, match="not installed"):
        find_marking(tmp_path / name, kind)


def test_failing_tool_cannot_check(tmp_path, monkeypatch):
    blank_page("MẬT").save(tmp_path / "scan.png")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "tesseract"
    fake.write_text("#!/bin/sh\necho 'Error: model not found' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    with pytest.raises(MarkingCheckError, match="model not found"):
        find_marking(tmp_path / "scan.png", "photo")


def test_slow_tool_is_stopped(tmp_path, monkeypatch):
    blank_page("MẬT").save(tmp_path / "scan.png")
    monkeypatch.setattr(markings, "TOOL_TIMEOUT", 0.001)
    with pytest.raises(MarkingCheckError, match="longer than"):
        find_marking(tmp_path / "scan.png", "photo")


def test_videos_are_not_checked_yet(tmp_path):
    (tmp_path / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    assert find_marking(tmp_path / "clip.mp4", "video") is None
