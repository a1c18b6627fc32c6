"""Finds state-secret markings (dấu chỉ độ mật) in uploaded files.

Nothing classified may enter Sen (Luật Bảo vệ bí mật nhà nước 2018; the marking's
form is set by Thông tư 24/2020/TT-BCA: "MẬT", "TỐI MẬT" or "TUYỆT MẬT" in a
rectangular stamp under the document number, or printed as "Độ mật: …"). A file
that carries one must be quarantined, so this module answers one question per
file: does its text carry a marking, and which? It runs in a background worker:
a few seconds per file is acceptable, but every external tool call has a timeout,
and a check that could not run raises `MarkingCheckError` instead of returning
None, because "not checked" must never look like "clean".

Known limits, by design or for now:

- Videos are not checked (`find_marking` returns None for them).
- Only the first `SEN_MARKING_MAX_PAGES` pages of a PDF (or frames of a
  multi-frame image) are checked: the marking belongs on the first page, and the
  bound keeps a 500-page scan from occupying a worker for an hour.
- Text rotated by 90° (a sideways scan without EXIF orientation) is not read.
- PDFs whose text layer uses pre-Unicode Vietnamese fonts (TCVN3/VNI) yield
  mojibake; the first page is therefore always OCR'd when its text layer showed
  nothing, which also catches stamps pasted into a PDF as images.
"""

import math
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from PIL import Image, ImageOps, ImageSequence
from pillow_heif import register_heif_opener
from scipy import ndimage

register_heif_opener()

#: Severity order, least to most severe; the most severe marking found wins.
LEVELS = ("mat", "toi_mat", "tuyet_mat")

#: Per call of tesseract, pdftotext, pdftoppm or pdfinfo.
TOOL_TIMEOUT = 60

#: Long side, in pixels, of what we hand to tesseract: an A4 page at 150 dpi
#: (1754) fits, and a stamp on a photographed A4 page is still ~25 px high.
#: Sparse-text OCR time grows with area and texture: a detailed landscape photo
#: takes ~3 s at 2000 px but ~7 s at 2500 px.
MAX_OCR_SIDE = 2000

#: Resolution at which scanned PDF pages are rendered (lowered for huge pages).
RENDER_DPI = 150

#: Pages whose text layer has fewer visible characters than this are scans.
MIN_TEXT_LAYER_CHARS = 30

#: Tesseract language. Only "vie": with "vie+eng" tesseract sometimes picks the
#: English model for a line and drops the diacritics ("MAT Quang Binh"), and a
#: bare "MAT" is deliberately not accepted as a marking (see `match_marking`).
#: The Vietnamese model reads plain Latin text well enough for our purpose.
OCR_LANGUAGE = "vie"

#: Page segmentation mode 11, "sparse text": stamps are isolated blocks of text,
#: and modes 3/4/6 glue them to the text beside them ("MẬT Quảng Bình, ngày 5
#: tháng 3…"), after which no line is the marking alone. We rebuild lines from
#: word boxes ourselves (`_ocr_lines`), so mode 11's loose grouping does not matter.
OCR_PSM = "11"

#: Two binarisations, the second only when the first found nothing. Tesseract's
#: global Otsu loses a faded or red stamp on a noisy photo, which falls on the
#: "paper" side of one page-wide threshold; Sauvola's local threshold finds it,
#: but (with the window it derives from an estimated resolution) hollows out
#: large bold letters that Otsu reads. Costs a second OCR run for clean files.
OCR_PASSES = (
    ["-c", "thresholding_method=0"],
    ["-c", "thresholding_method=2"],
)


class MarkingCheckError(Exception):
    """The file could not be checked (broken file, missing tool, timeout).

    The caller should retry or tell the uploader; it must not treat the file as
    clean.
    """


@dataclass(frozen=True)
class Marking:
    """A marking found in a file.

    `page` is the 1-based page of a PDF (or frame of a multi-frame image), None
    for an ordinary single-frame image.
    """

    level: str
    text: str
    source: str
    page: int | None


# --- Matching ---------------------------------------------------------------

# The vowel of MẬT as OCR returns it: intact, or with one of its two diacritics
# lost (Â, Ạ), or with the circumflex read as a breve (Ặ, Ă). Not Ấ/Á/À…: "MẤT"
# (to lose) and "MÁT" (cool) are ordinary words. Doubling ("MẬÂT") is an OCR
# artefact we have seen, hence the optional second vowel.
_A = "ẬÂẠẶĂ"
# Letters whose capital and small forms differ only in size (M, O, U) come back
# from OCR in either case in an all-capitals line ("mẬT", "khÁm phÁ"), so they
# are accepted in either case; the others must be capitals.
_MAT = rf"[Mm][{_A}][{_A}]?T"
# In the two-word forms the first word makes the line unambiguous, so plain
# letters are accepted too ("TUYET MAT", "TOI MAT": OCR that lost every accent).
_MAT_LOOSE = rf"[Mm][{_A}A][{_A}]?T"
_TOI = r"T[ỐÔÓỒỘOốôóồộo]I"
_TUYET = r"T[Uu]Y[ỆÊẸẾỀE]T"

# Standalone forms are matched against the line with every space removed, so
# letter-spaced stamps ("T Ố I  M Ậ T") match too. Case-sensitive: the marking is
# always in capitals, and "Mật" on its own line is just a word.
_STANDALONE = (
    ("tuyet_mat", re.compile(_TUYET + _MAT_LOOSE)),
    ("toi_mat", re.compile(_TOI + _MAT_LOOSE)),
    ("mat", re.compile(_MAT)),
)

# "Độ mật: MẬT": the label makes the line unambiguous, so any case is accepted.
_LABELLED = re.compile(
    rf"[ĐD][ỘÔỌO]\s*{_MAT_LOOSE}\s*[:：.\-–—]?\s*"
    rf"(?:(?P<tuyet_mat>{_TUYET}\s*{_MAT_LOOSE})|(?P<toi_mat>{_TOI}\s*{_MAT_LOOSE})"
    rf"|(?P<mat>{_MAT_LOOSE}))",
    re.IGNORECASE,
)

# What may surround the marking on its line: punctuation, quotes, brackets,
# asterisks, box-drawing characters (all non-word characters), and the lone
# "I"/"l"/"1" that OCR makes of a stamp's vertical edges.
_EDGE = re.compile(r"^(?:[\W_]|[Il1](?=\s))+|(?:[\W_]|(?<=\s)[Il1])+$")

# pdftotext -layout puts side-by-side columns on one line, separated by a run
# of spaces.
_COLUMN_GAP = re.compile(r"\s{3,}|\t")


def match_marking(text):
    """Return `(level, line)` for the most severe marking in `text`, else None.

    A marking is a line that is nothing but MẬT / TỐI MẬT / TUYỆT MẬT (in
    capitals, bar M/O/U whose case OCR guesses; surrounding punctuation,
    brackets, quotes, asterisks and box drawing are ignored), or a labelled line
    "Độ mật: …" in any case. Requiring the whole line is what keeps "mật ong",
    "mật độ dân số", "BÍ MẬT HANG SƠN ĐOÒNG" or "MẶT TRỜI" out. OCR confusions
    of the accents are accepted only in such a whole line (see `_A`); a bare
    "MAT" is not, since it is also an English word. `line` is the matched line
    (or column of a line), NFC, stripped of surrounding whitespace.
    """
    text = unicodedata.normalize("NFC", text)
    best = None
    for line in text.splitlines():
        candidates = [line]
        columns = [part for part in _COLUMN_GAP.split(line) if part.strip()]
        if len(columns) > 1:
            candidates += columns
        for candidate in candidates:
            level = _line_level(candidate)
            if level and (best is None or LEVELS.index(level) > LEVELS.index(best[0])):
                best = (level, candidate.strip())
    return best


def _line_level(line):
    core = _EDGE.sub("", line.strip())
    if not core:
        return None
    labelled = _LABELLED.fullmatch(core)
    if labelled:
        return labelled.lastgroup
    squeezed = re.sub(r"\s+", "", core)
    for level, pattern in _STANDALONE:
        if pattern.fullmatch(squeezed):
            return level
    return None


# --- Files ------------------------------------------------------------------


def find_marking(path, kind):
    """Return the `Marking` in the file at `path`, or None if it carries none.

    `kind` is "photo", "publication" (PDF) or "video" (not checked yet: always
    None). Raises `MarkingCheckError` when the check could not run.
    """
    path = Path(path)
    if kind == "video":
        return None
    if not path.is_file():
        raise MarkingCheckError(f"{path} does not exist")
    # At least one page: a zero here must not switch the check off unnoticed.
    max_pages = max(1, int(getattr(settings, "SEN_MARKING_MAX_PAGES", 20)))
    if kind == "photo":
        return _find_in_image(path, max_pages)
    if kind == "publication":
        return _find_in_pdf(path, max_pages)
    raise ValueError(f"unknown kind {kind!r}")


def _find_in_image(path, max_pages):
    try:
        with Image.open(path) as image:
            frames = getattr(image, "n_frames", 1)
            # JPEG can decode at 1/2, 1/4 or 1/8 scale for free; draft() picks
            # the smallest scale still at least this big in both directions.
            scale = MAX_OCR_SIDE / max(image.size)
            if scale < 1:
                image.draft(
                    "RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale))
                )
            for index, frame in enumerate(ImageSequence.Iterator(image)):
                if index >= max_pages:
                    break
                found = _find_in_picture(frame, page=index + 1 if frames > 1 else None)
                if found:
                    return found
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        # OSError covers unreadable/truncated files and UnidentifiedImageError.
        raise MarkingCheckError(f"cannot read image {path.name}: {exc}") from exc
    return None


def _find_in_picture(image, page, dpi=None):
    with tempfile.TemporaryDirectory(prefix="sen-marking-") as tmp:
        png = Path(tmp) / "ocr.png"
        _prepare_for_ocr(image).save(png)
        for config in OCR_PASSES:
            found = match_marking("\n".join(_ocr_lines(png, config, dpi)))
            if found:
                return Marking(level=found[0], text=found[1], source="ocr", page=page)
    return None


def _prepare_for_ocr(image):
    """Grey image, upright, at most MAX_OCR_SIDE, with stamp frames erased."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        # Transparent areas often hide black pixels: put the picture on paper.
        paper = Image.new("RGBA", image.size, "white")
        paper.alpha_composite(image.convert("RGBA"))
        image = paper
    image = image.convert("RGB")
    image.thumbnail((MAX_OCR_SIDE, MAX_OCR_SIDE))
    # The green channel instead of luminance: red stamp ink (and blue ink) is
    # nearly black there, and so is red ink on a green or yellowish background,
    # where luminance and the darkest channel both lose it. Green ink is lost.
    return _erase_frames(image.getchannel("G"))


def _erase_frames(grey):
    """Paint out the rectangle around stamped text.

    Tesseract reads a boxed word as a picture and skips it: in our trials a boxed
    "TỐI MẬT" was missed in every page segmentation mode, and read once the box
    was gone. A frame is a dark connected component whose bounding box holds
    at least two other sizeable components (the letters) while the frame itself
    fills little of it; a letter like O seldom holds two others.
    """
    pixels = np.asarray(grey)
    dark = pixels <= _otsu_threshold(pixels)
    if dark.all():
        return grey
    labels, count = ndimage.label(dark, structure=np.ones((3, 3), dtype=bool))
    if count == 0:
        return grey
    sizes = np.bincount(labels.ravel())[1:]
    boxes = ndimage.find_objects(labels)
    tops = np.array([box[0].start for box in boxes])
    bottoms = np.array([box[0].stop for box in boxes])
    lefts = np.array([box[1].start for box in boxes])
    rights = np.array([box[1].stop for box in boxes])
    heights, widths = bottoms - tops, rights - lefts
    sizeable = sizes >= 10
    candidates = np.flatnonzero(
        (widths >= 20) & (heights >= 12) & (sizes < 0.35 * widths * heights)
    )
    frames = []
    for i in candidates[np.argsort(-sizes[candidates])][:2000]:
        inside = (
            sizeable
            & (tops >= tops[i])
            & (bottoms <= bottoms[i])
            & (lefts >= lefts[i])
            & (rights <= rights[i])
        )
        if inside.sum() - 1 >= 2:  # minus the frame itself
            frames.append(i + 1)
    if not frames:
        return grey
    # One pixel more, so the grey anti-aliased rim does not survive as a line.
    mask = ndimage.binary_dilation(np.isin(labels, frames))
    cleaned = pixels.copy()
    # Paint with the background, not white: a white frame on a photo is a frame.
    cleaned[mask] = int(np.median(pixels[~dark]))
    return Image.fromarray(cleaned)


def _otsu_threshold(pixels):
    histogram = np.bincount(pixels.ravel(), minlength=256).astype(float)
    weight = np.cumsum(histogram) / histogram.sum()
    mean = np.cumsum(histogram * np.arange(256)) / histogram.sum()
    between = (mean[-1] * weight - mean) ** 2 / (weight * (1 - weight) + 1e-12)
    return int(np.argmax(between))


def _ocr_lines(png, config, dpi=None):
    """OCR `png` and return its lines, rebuilt from tesseract's word boxes.

    Tesseract's own sparse-text lines can split "TUYỆT MẬT" in two, or leave
    "MẬT" alone while "BÍ" sits right beside it on the same baseline. Words are
    on one line here when they overlap vertically by half and the gap between
    them is at most one word height: word spacing passes, column gaps do not.
    """
    argv = ["tesseract", str(png), "stdout", "-l", OCR_LANGUAGE, "--psm", OCR_PSM, *config]
    if dpi:
        argv += ["--dpi", str(dpi)]
    # One thread: OpenMP made tesseract 3-4 times slower on a 2-core machine,
    # and workers are parallel across files anyway.
    output = _run([*argv, "tsv"], env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    words = []
    for row in output.splitlines()[1:]:
        fields = row.split("\t")
        if len(fields) < 12 or fields[0] != "5" or not any(c.isalnum() for c in fields[11]):
            continue
        left, top, width, height = (int(v) for v in fields[6:10])
        words.append((left, top, left + width, top + height, fields[11]))
    return _group_lines(words)


def _group_lines(words):
    parent = list(range(len(words)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = sorted(range(len(words)), key=lambda i: words[i][1])
    for position, i in enumerate(order):
        left, top, right, bottom, _text = words[i]
        for j in order[position + 1 :]:
            left2, top2, right2, bottom2, _text2 = words[j]
            if top2 >= bottom:
                break  # sorted by top: no later word overlaps vertically
            overlap = min(bottom, bottom2) - max(top, top2)
            gap = max(left, left2) - min(right, right2)
            height = max(bottom - top, bottom2 - top2)
            if overlap >= 0.5 * min(bottom - top, bottom2 - top2) and gap <= height:
                parent[root(j)] = root(i)
    lines = {}
    for i in order:
        lines.setdefault(root(i), []).append(words[i])
    return [" ".join(w[4] for w in sorted(line)) for line in lines.values()]


def _find_in_pdf(path, max_pages):
    sizes = _pdf_page_sizes(path, max_pages)
    pages = len(sizes)
    if pages == 0:
        return None
    text = _run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-f", "1", "-l", str(pages), str(path), "-"]
    )
    # pdftotext ends every page with a form feed.
    texts = (text.split("\f") + [""] * pages)[:pages]
    best = None
    for number, page_text in enumerate(texts, start=1):
        found = match_marking(page_text)
        if found and (best is None or LEVELS.index(found[0]) > LEVELS.index(best.level)):
            best = Marking(level=found[0], text=found[1], source="text_layer", page=number)
    if best:
        return best
    # Scans have no text layer; page 1 is read in any case because a stamp is
    # often pasted onto a born-digital document as an image.
    scanned = [
        number
        for number, page_text in enumerate(texts, start=1)
        if number == 1 or len("".join(page_text.split())) < MIN_TEXT_LAYER_CHARS
    ]
    for number in scanned:
        found = _ocr_pdf_page(path, number, sizes[number - 1])
        if found:
            return found
    return None


def _pdf_page_sizes(path, max_pages):
    """(width, height) in points of the first `max_pages` pages."""
    info = _run(["pdfinfo", "-f", "1", "-l", str(max_pages), str(path)])
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    if not match:
        raise MarkingCheckError(f"pdfinfo found no page count in {path.name}")
    pages = min(int(match.group(1)), max_pages)
    sizes = {
        int(m.group(1)): (float(m.group(2)), float(m.group(3)))
        for m in re.finditer(r"^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts", info, re.MULTILINE)
    }
    return [sizes.get(number, (595.0, 842.0)) for number in range(1, pages + 1)]


def _ocr_pdf_page(path, number, size):
    # A poster-sized page at 150 dpi would be tens of thousands of pixels wide.
    dpi = max(36, min(RENDER_DPI, int(MAX_OCR_SIDE * 72 / max(max(size), 1))))
    with tempfile.TemporaryDirectory(prefix="sen-marking-") as tmp:
        prefix = Path(tmp) / "page"
        _run(
            ["pdftoppm", "-r", str(dpi), "-f", str(number), "-l", str(number), "-png"]
            + ["-singlefile", str(path), str(prefix)]
        )
        try:
            with Image.open(prefix.with_suffix(".png")) as image:
                image.load()
                found = _find_in_picture(image, page=number, dpi=dpi)
        except OSError as exc:
            raise MarkingCheckError(f"page {number} of {path.name} did not render") from exc
    return found


def _run(argv, env=None):
    """Run a tool; any failure to get its output is a `MarkingCheckError`."""
    if shutil.which(argv[0]) is None:
        raise MarkingCheckError(f"{argv[0]} is not installed")
    try:
        result = subprocess.run(  # noqa: S603 - fixed tools, list argv, no shell
            argv, capture_output=True, timeout=TOOL_TIMEOUT, env=env, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise MarkingCheckError(f"{argv[0]} took longer than {TOOL_TIMEOUT} s") from exc
    except OSError as exc:
        raise MarkingCheckError(f"{argv[0]} could not run: {exc}") from exc
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        raise MarkingCheckError(f"{argv[0]} failed ({result.returncode}): {' '.join(detail)}")
    return result.stdout.decode("utf-8", "replace")
