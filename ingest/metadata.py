"""What a file already says about itself, read so an upload can prefill its asset.

Photos carry EXIF, IPTC and XMP; PDFs an info dictionary, XMP and a /Lang; videos
whatever ffprobe reports. All of it is a nicety: the file was validated elsewhere,
so a broken or missing block gives empty fields here, never an exception.

Everything returned is NFC-normalised and stripped (assets.text explains why NFC),
and empty values come back as None, {} or [].

The other direction, `embed_credit`, writes Sen's credit, copyright and licence into
the JPEGs people download, so the credit travels with the file (IPTC Photo Metadata
Standard: https://iptc.org/std/photometadata/specification/).

pyexiv2 2.16 value shapes this module relies on (checked by experiment):
- XMP lang-alt values (dc:title, dc:description, dc:rights) are dicts keyed
  'lang="x-default"', 'lang="vi"', ...; exiv2 lower-cases the tags it writes
  ("zh-Hans" comes back as "zh-hans"). pyexiv2 builds the dict by splitting exiv2's
  text form on ', lang="..." ', so a text that itself contains ', lang="xx" ' is
  split wrongly; the raw XMP is right, but no real caption looks like that.
- XMP bags and seqs (dc:subject, dc:creator) are lists, even of one item.
- IPTC repeatable tags (Keywords, Byline) are always lists; a non-repeatable tag
  that occurs twice becomes a list too. The IPTC "By-line" is Iptc.Application2.Byline
  and "CopyrightNotice" is Iptc.Application2.Copyright.
- read_exif/read_iptc decode every value with one encoding: a single non-UTF-8 byte
  anywhere fails the whole block with UnicodeDecodeError, hence the latin-1 retry.
- Writing a key replaces all its values (a lang-alt loses alternatives not given).
"""

import contextlib
import json
import logging
import math
import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

import pyexiv2
from django.conf import settings

logger = logging.getLogger(__name__)

# exiv2 reports every oddity of a camera's maker notes on stderr; metadata here is
# best effort, so it stays quiet. The level is process-wide, set once on import.
pyexiv2.set_log_level(4)
# exiv2 knows no "cc" prefix; without it Xmp.cc.license cannot be written.
pyexiv2.registerNs("http://creativecommons.org/ns#", "cc")

JPEG_MAGIC = b"\xff\xd8\xff"
IPTC_UTF8 = "\x1b%G"  # ISO 2022 escape for UTF-8 in Iptc.Envelope.CharacterSet

# ISO 639-2 codes (ffprobe and some PDFs use them) of the 639-1 codes Sen may use.
ISO_639_2 = {
    "vie": "vi",
    "eng": "en",
    "zho": "zh",
    "chi": "zh",
    "jpn": "ja",
    "kor": "ko",
    "fra": "fr",
    "fre": "fr",
    "deu": "de",
    "ger": "de",
    "rus": "ru",
    "spa": "es",
    "tha": "th",
    "khm": "km",
    "lao": "lo",
}
TRADITIONAL_CHINESE = {"hant", "tw", "hk", "mo"}

# What cameras write into ImageDescription when the photographer wrote nothing.
CAMERA_PLACEHOLDERS = {
    "olympus digital camera",
    "sony dsc",
    "digital camera",
    "minolta digital camera",
    "konica minolta digital camera",
    "kodak digital still camera",
    "default",
    "dcim",
}


@dataclass
class ImageMetadata:
    # Naive: cameras record local wall-clock time, usually without a zone.
    taken_at: datetime | None = None
    camera: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    creator: str | None = None
    credit_line: str | None = None
    copyright: str | None = None
    keywords: list[str] = field(default_factory=list)


@dataclass
class PdfMetadata:
    page_count: int | None = None
    title: str | None = None
    language: str | None = None
    text: str | None = None


@dataclass
class VideoMetadata:
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    audio_tracks: list[dict] = field(default_factory=list)


# --- Shared helpers -----------------------------------------------------------------


def _text(value):
    """One clean string from what a metadata reader gave, or None.

    Lists (creators, a repeated IPTC tag) are joined. EXIF strings may be
    NUL-padded or hold several NUL-separated names (Exif.Image.Copyright:
    photographer, then editor).
    """
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return _text(", ".join(filter(None, (_text(item) for item in value))))
    text = str(value).encode("utf-8", "replace").decode("utf-8")  # lone surrogates
    parts = (part.strip() for part in text.split("\x00"))
    text = unicodedata.normalize("NFC", ", ".join(part for part in parts if part)).strip()
    return text or None


def _first(value):
    """The first non-empty text of a tag meant to hold one value."""
    if isinstance(value, list | tuple):
        return next(filter(None, (_text(item) for item in value)), None)
    return _text(value)


def language_code(tag):
    """The configured language (settings.LANGUAGES) a BCP 47 or ISO 639 tag names.

    Matches on the primary subtag, so "en-US" is "en" and "vie" is "vi". Chinese
    is matched by script: simplified text must not fill a traditional field, so
    "zh-TW"/"zh-Hant" give "zh-hant" only where that is configured, else None.
    """
    if not tag:
        return None
    tag = str(tag).strip().lower().replace("_", "-")
    codes = [code for code, _name in settings.LANGUAGES]
    if tag in codes:
        return tag
    primary, *rest = tag.split("-")
    primary = ISO_639_2.get(primary, primary)
    if primary == "zh":
        code = "zh-hant" if TRADITIONAL_CHINESE.intersection(rest) else "zh-hans"
        return code if code in codes else None
    return next((code for code in codes if code.split("-")[0] == primary), None)


def _lang_tag(key):
    """'lang="en-US"' (pyexiv2's key) or 'en-US' (pypdf's) as 'en-US'."""
    match = re.fullmatch(r'\s*lang="?([^"]*)"?\s*', str(key))
    return (match.group(1) if match else str(key)).strip()


def _alternatives(value):
    """XMP lang-alt texts by configured language code.

    x-default is taken as Vietnamese, Sen's first language, unless the file gives
    "vi" explicitly, or x-default only repeats another alternative: many tools
    write x-default as a copy of their one language (often English), which must
    not land in the Vietnamese field.
    """
    if isinstance(value, str):  # a lang-alt pyexiv2 could not split into languages
        value = {"x-default": value}
    if not isinstance(value, dict):
        return {}
    texts, default = {}, None
    for key, raw in value.items():
        text = _text(raw)
        tag = _lang_tag(key)
        if not text:
            continue
        if tag.lower() == "x-default":
            default = text
            continue
        code = language_code(tag)
        if code and code not in texts:
            texts[code] = text
    if default and "vi" not in texts and default not in texts.values():
        texts["vi"] = default
    order = [code for code, _name in settings.LANGUAGES]
    return {code: texts[code] for code in order if code in texts}


def _default_alternative(value):
    """The x-default text of a lang-alt (else its first), whatever its language."""
    if isinstance(value, dict):
        texts = {_lang_tag(key).lower(): _text(text) for key, text in value.items()}
        return texts.get("x-default") or next(filter(None, texts.values()), None)
    return _first(value)


# --- Photos -------------------------------------------------------------------------


def read_image_metadata(path):
    """EXIF, IPTC and XMP of a photo as an ImageMetadata (empty if unreadable).

    XMP wins over IPTC, and IPTC over EXIF, as the Metadata Working Group advises:
    XMP is Unicode and multilingual, IPTC IIM is single-language, and EXIF text
    fields are nominally ASCII.
    """
    try:
        image = pyexiv2.Image(os.fspath(path))
    except Exception:  # pyexiv2 raises RuntimeError, C++ errors vary
        logger.info("No readable metadata in %s", path, exc_info=True)
        return ImageMetadata()
    try:
        exif = _read_block(image.read_exif)
        iptc = _read_block(image.read_iptc)
        xmp = _read_block(image.read_xmp)
    finally:
        image.close()
    try:
        return _image_metadata(exif, iptc, xmp)
    except Exception:  # an odd value must not fail the upload
        logger.warning("Could not interpret the metadata of %s", path, exc_info=True)
        return ImageMetadata()


def _read_block(reader):
    """One metadata block as a dict. IPTC is UTF-8 when CodedCharacterSet says so
    (and often when it does not); otherwise it is ISO 8859-1 by the standard, and
    latin-1 decodes any byte, so the second try cannot fail on encoding."""
    for encoding in ("utf-8", "latin-1"):
        try:
            return reader(encoding=encoding)
        except UnicodeDecodeError:
            continue
        except Exception:  # a broken block leaves the others readable
            logger.info("Unreadable metadata block", exc_info=True)
            return {}
    return {}


def _image_metadata(exif, iptc, xmp):
    latitude = _gps_degrees(
        exif.get("Exif.GPSInfo.GPSLatitude"), exif.get("Exif.GPSInfo.GPSLatitudeRef"), "NS"
    )
    longitude = _gps_degrees(
        exif.get("Exif.GPSInfo.GPSLongitude"), exif.get("Exif.GPSInfo.GPSLongitudeRef"), "EW"
    )
    if not _plausible_position(latitude, longitude):
        latitude = longitude = None
    camera = _camera(exif.get("Exif.Image.Make"), exif.get("Exif.Image.Model"))

    title = _alternatives(xmp.get("Xmp.dc.title"))
    if not title and (name := _first(iptc.get("Iptc.Application2.ObjectName"))):
        title = {"vi": name}
    description = _alternatives(xmp.get("Xmp.dc.description"))
    if not description:
        caption = _first(iptc.get("Iptc.Application2.Caption")) or _exif_description(
            exif.get("Exif.Image.ImageDescription"), camera
        )
        description = {"vi": caption} if caption else {}

    return ImageMetadata(
        taken_at=_taken_at(exif, iptc, xmp),
        camera=camera,
        latitude=latitude,
        longitude=longitude,
        title=title,
        description=description,
        creator=_text(xmp.get("Xmp.dc.creator"))
        or _text(iptc.get("Iptc.Application2.Byline"))
        or _text(exif.get("Exif.Image.Artist")),
        credit_line=_first(xmp.get("Xmp.photoshop.Credit"))
        or _first(iptc.get("Iptc.Application2.Credit")),
        copyright=_default_alternative(xmp.get("Xmp.dc.rights"))
        or _first(iptc.get("Iptc.Application2.Copyright"))
        or _text(exif.get("Exif.Image.Copyright")),
        keywords=_keywords(xmp.get("Xmp.dc.subject"))
        or _keywords(iptc.get("Iptc.Application2.Keywords")),
    )


def _plausible_position(latitude, longitude):
    """Both coordinates, on the globe, and not 0/0: phones without a fix have been
    known to write that ("Null Island")."""
    if latitude is None or longitude is None:
        return False
    on_globe = -90 <= latitude <= 90 and -180 <= longitude <= 180
    return on_globe and not latitude == longitude == 0


def _taken_at(exif, iptc, xmp):
    """When the photo was taken.

    Exif.Image.DateTime comes last, after XMP and IPTC's creation dates: EXIF
    defines it as when the *file* was last changed, so any editor rewrites it.
    """
    iptc_date = _first(iptc.get("Iptc.Application2.DateCreated"))
    iptc_time = _first(iptc.get("Iptc.Application2.TimeCreated"))
    candidates = (
        exif.get("Exif.Photo.DateTimeOriginal"),
        xmp.get("Xmp.photoshop.DateCreated"),
        f"{iptc_date}T{iptc_time}" if iptc_date and iptc_time else iptc_date,
        exif.get("Exif.Photo.DateTimeDigitized"),
        exif.get("Exif.Image.DateTime"),
    )
    for candidate in candidates:
        if (taken_at := _parse_datetime(_first(candidate))) is not None:
            return taken_at
    return None


# EXIF "2024:05:06 07:08:09", XMP "2024-05-06T07:08:09+07:00", IPTC "2024-05-06".
# Year-only or year-month dates are refused: they would invent a day.
DATETIME_PATTERN = re.compile(
    r"(\d{4})[:\-/.](\d{1,2})[:\-/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?"
)


def _parse_datetime(value):
    """A naive datetime (the zone, if any, dropped: the local time is what counts),
    or None for blanks, zeros ("0000:00:00 00:00:00") and other nonsense."""
    match = DATETIME_PATTERN.match(value or "")
    if not match:
        return None
    try:
        return datetime(*(int(part or 0) for part in match.groups()))
    except ValueError:
        return None


def _gps_degrees(value, ref, hemispheres):
    """Decimal degrees from EXIF's "16/1 3/1 4100/100" and its N/S or E/W reference.

    A missing reference is read as north/east; any other unexpected reference or a
    zero denominator gives None.
    """
    positive, negative = hemispheres
    parts = str(value or "").split()
    if not 1 <= len(parts) <= 3:
        return None
    degrees = 0.0
    try:
        for part, scale in zip(parts, (1, 60, 3600), strict=False):
            numerator, _slash, denominator = part.partition("/")
            degrees += float(numerator) / float(denominator or 1) / scale
    except (ValueError, ZeroDivisionError):
        return None
    if not math.isfinite(degrees):
        return None
    ref = (_text(ref) or positive).upper()[:1]
    if ref == negative:
        return -degrees
    return degrees if ref == positive else None


def _camera(make, model):
    """The camera as "Make Model", without the make twice ("Canon" + "Canon EOS R5", or
    "NIKON CORPORATION" + "NIKON D850")."""
    make, model = _text(make), _text(model)
    if not make or not model:
        return make or model
    if model.casefold().startswith(make.casefold()) or (
        model.casefold().split()[0] == make.casefold().split()[0]
    ):
        return model
    return f"{make} {model}"


def _exif_description(value, camera):
    text = _text(value)
    if not text or text.casefold() in CAMERA_PLACEHOLDERS:
        return None
    if camera and text.casefold() in camera.casefold():
        return None
    return text


def _keywords(value):
    """Keywords once each, in the file's order; "Huế" and "huế" are one keyword."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    keywords, seen = [], set()
    for item in items:
        keyword = _text(item)
        if keyword and keyword.casefold() not in seen:
            seen.add(keyword.casefold())
            keywords.append(keyword)
    return keywords


# --- PDFs ---------------------------------------------------------------------------


def read_pdf_metadata(path, *, max_chars=1_000_000):
    """Page count, title, language and text of a PDF; unreadable parts are None.

    The text stops at `max_chars` (0 skips extraction, for callers that only want
    the title): a thousand-page catalogue must not exhaust a worker's memory.
    """
    from pypdf import PdfReader

    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, after lazy reads
    except OSError:
        return PdfMetadata()
    with handle:
        try:
            # A file object, not the path: given a path, pypdf reads it all into memory.
            reader = PdfReader(handle)
            if reader.is_encrypted:
                reader.decrypt("")  # many "protected" PDFs only restrict printing
        except Exception:  # pypdf's errors vary with the damage
            logger.info("Unreadable PDF %s", path, exc_info=True)
            return PdfMetadata()
        xmp = _attempt(lambda: reader.xmp_metadata)
        return PdfMetadata(
            page_count=_attempt(lambda: len(reader.pages)) or None,
            title=_attempt(lambda: _pdf_title(reader, xmp)),
            language=_attempt(lambda: _pdf_language(reader, xmp)),
            text=_attempt(lambda: _pdf_text(reader, max_chars)),
        )


def _attempt(read):
    try:
        return read()
    except Exception:  # one damaged part leaves the others readable
        logger.info("Unreadable part of a PDF", exc_info=True)
        return None


def _pdf_title(reader, xmp):
    info = reader.metadata
    title = _text(info.title) if info is not None else None
    if not title and xmp is not None:
        title = _default_alternative(xmp.dc_title)
    return title


def _pdf_language(reader, xmp):
    """The catalogue's /Lang as a configured code, else as written ("de-DE" where
    German is not configured), else XMP dc:language."""
    lang = reader.root_object.get("/Lang")
    raw = _text(lang.get_object() if lang is not None else None)
    if not raw and xmp is not None:
        raw = _first(xmp.dc_language)
    return language_code(raw) or raw


def _pdf_text(reader, max_chars):
    if max_chars <= 0:
        return None
    parts, size = [], 0
    for number, page in enumerate(reader.pages):
        try:
            text = page.extract_text() or ""
        except Exception:  # skip a broken page, keep the rest
            logger.info("No text from page %d", number + 1, exc_info=True)
            continue
        parts.append(text)
        size += len(text) + 1
        if size >= max_chars:
            break
    # PostgreSQL text cannot hold NUL, which some PDF fonts decode to.
    text = "\n".join(parts)[:max_chars].replace("\x00", "")
    text = text.encode("utf-8", "replace").decode("utf-8")
    return unicodedata.normalize("NFC", text).strip()[:max_chars] or None


# --- Videos -------------------------------------------------------------------------


def read_video_metadata(path):
    """Duration, display size and codecs from ffprobe (empty without ffprobe)."""
    ffprobe = shutil.which("ffprobe")
    if not ffprobe:
        return VideoMetadata()
    # "file:" so that no file name can be taken for an option or another protocol.
    argv = [ffprobe, "-v", "error", "-show_format", "-show_streams", "-of", "json"]
    argv.append("file:" + os.path.abspath(os.fspath(path)))
    try:
        result = subprocess.run(argv, capture_output=True, timeout=60, check=False)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired):
        logger.info("ffprobe failed on %s", path, exc_info=True)
        return VideoMetadata()
    if result.returncode != 0:
        return VideoMetadata()
    try:
        return _video_metadata(json.loads(result.stdout))
    except (ValueError, TypeError, AttributeError):
        logger.info("Unexpected ffprobe output for %s", path, exc_info=True)
        return VideoMetadata()


def _video_metadata(probe):
    streams = probe.get("streams") or []
    video = next(
        (
            stream
            for stream in streams
            if stream.get("codec_type") == "video"
            # MP4/MKV cover art is a "video" stream too.
            and not (stream.get("disposition") or {}).get("attached_pic")
        ),
        {},
    )
    audio = [stream for stream in streams if stream.get("codec_type") == "audio"]
    width, height = _int(video.get("width")), _int(video.get("height"))
    if _rotation(video) % 180 == 90:  # phones store portrait video as rotated landscape
        width, height = height, width
    return VideoMetadata(
        duration=_seconds((probe.get("format") or {}).get("duration"))
        or _seconds(video.get("duration")),
        width=width,
        height=height,
        video_codec=_text(video.get("codec_name")),
        audio_codec=_text(audio[0].get("codec_name")) if audio else None,
        audio_tracks=[
            {
                "codec": _text(stream.get("codec_name")),
                "language": _track_language(stream),
                "channels": _int(stream.get("channels")) or 0,
            }
            for stream in audio
        ],
    )


def _rotation(stream):
    """Degrees the player turns the picture: the display matrix (ffmpeg 5+) or the
    older "rotate" tag."""
    for side_data in stream.get("side_data_list") or []:
        if "rotation" in side_data:
            return round(float(side_data["rotation"])) % 360
    tags = {key.lower(): value for key, value in (stream.get("tags") or {}).items()}
    return round(float(tags.get("rotate") or 0)) % 360


def _track_language(stream):
    """ISO 639-2 as ffprobe reports it ("vie") mapped to a configured code; "und"
    (undetermined) is None; an unconfigured language stays as written."""
    tags = {key.lower(): value for key, value in (stream.get("tags") or {}).items()}
    raw = _text(tags.get("language"))
    if not raw or raw.lower() == "und":
        return None
    return language_code(raw) or raw


def _int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _seconds(value):
    try:
        seconds = float(value)  # "N/A" for streams that do not know
    except (TypeError, ValueError):
        return None
    return seconds if math.isfinite(seconds) and seconds > 0 else None


# --- Credit in downloads ------------------------------------------------------------


def embed_credit(
    source_path,
    target_path,
    *,
    creator,
    credit_line,
    copyright,
    licence_url,
    title=None,
    description=None,
):
    """Write a copy of a JPEG that carries Sen's credit, copyright and licence.

    The source is never touched: it is the archived original. Empty fields are
    left as the file has them. If writing fails, no half-credited copy is left.
    """
    with open(source_path, "rb") as source:
        _require_jpeg(source.read(len(JPEG_MAGIC)))
    shutil.copyfile(source_path, target_path)
    try:
        image = pyexiv2.Image(os.fspath(target_path))
        try:
            _write_credit(
                image,
                creator=creator,
                credit_line=credit_line,
                copyright=copyright,
                licence_url=licence_url,
                title=title,
                description=description,
            )
        finally:
            image.close()
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(target_path)
        raise


def embed_credit_bytes(
    data,
    *,
    creator,
    credit_line,
    copyright,
    licence_url,
    title=None,
    description=None,
):
    """`embed_credit` for a JPEG in memory (renditions are made in memory)."""
    _require_jpeg(data[: len(JPEG_MAGIC)])
    image = pyexiv2.ImageData(data)
    try:
        _write_credit(
            image,
            creator=creator,
            credit_line=credit_line,
            copyright=copyright,
            licence_url=licence_url,
            title=title,
            description=description,
        )
        return image.get_bytes()
    finally:
        image.close()


def _require_jpeg(head):
    if not bytes(head).startswith(JPEG_MAGIC):
        raise ValueError("Credit can only be embedded in JPEG files.")


def _write_credit(image, *, creator, credit_line, copyright, licence_url, title, description):
    creator, credit_line = _text(creator), _text(credit_line)
    copyright, licence_url = _text(copyright), _text(licence_url)
    titles, descriptions = _texts_to_write(title), _texts_to_write(description)
    iptc, xmp = {}, {}
    if creator:
        iptc["Iptc.Application2.Byline"] = [creator]
        xmp["Xmp.dc.creator"] = [creator]
    if credit_line:
        iptc["Iptc.Application2.Credit"] = credit_line
        xmp["Xmp.photoshop.Credit"] = credit_line
    if copyright:
        iptc["Iptc.Application2.Copyright"] = copyright
        xmp["Xmp.dc.rights"] = {'lang="x-default"': copyright}
    if licence_url:
        xmp["Xmp.xmpRights.WebStatement"] = licence_url
        xmp["Xmp.xmpRights.UsageTerms"] = {'lang="x-default"': licence_url}
        xmp["Xmp.cc.license"] = licence_url
    # IPTC IIM holds one language: the x-default (Vietnamese where given).
    if titles:
        iptc["Iptc.Application2.ObjectName"] = titles["x-default"]
        xmp["Xmp.dc.title"] = {f'lang="{tag}"': text for tag, text in titles.items()}
    if descriptions:
        iptc["Iptc.Application2.Caption"] = descriptions["x-default"]
        xmp["Xmp.dc.description"] = {f'lang="{tag}"': text for tag, text in descriptions.items()}
    if iptc:
        _iptc_to_utf8(image)
        iptc["Iptc.Envelope.CharacterSet"] = IPTC_UTF8
        image.modify_iptc(iptc, encoding="utf-8")
    if xmp:
        image.modify_xmp(xmp, encoding="utf-8")


def _texts_to_write(value):
    """A lang-alt to write: x-default first (Vietnamese, else the first language
    given), then each language. A plain string is Vietnamese."""
    if isinstance(value, str):
        value = {"vi": value}
    texts = {str(code).lower(): _text(text) for code, text in (value or {}).items()}
    texts = {code: text for code, text in texts.items() if text}
    if not texts:
        return {}
    default = texts.get("vi") or next(iter(texts.values()))
    return {"x-default": default, **texts}


def _iptc_to_utf8(image):
    """Re-encode IPTC that is not UTF-8, so that declaring UTF-8 for the whole
    block does not turn a photographer's latin-1 keywords into mojibake."""
    try:
        image.read_iptc(encoding="utf-8")
        return
    except UnicodeDecodeError:
        pass
    try:
        image.modify_iptc(image.read_iptc(encoding="latin-1"), encoding="utf-8")
    except Exception:  # Sen's credit matters more than legacy IPTC
        logger.warning("Dropping unreadable IPTC before embedding credit", exc_info=True)
        image.clear_iptc()
