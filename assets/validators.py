"""What may enter the library: checked on the bytes, before anything is stored.

Every path that accepts a file (the asset forms, Wagtail's image, document and media
admins, the demo loader) calls `validate_upload()`, so a hostile or broken file is
refused the same way everywhere, with a message that names the file and the reason in
the user's language, and nothing is written. Types are sniffed from the content with
libmagic, never taken from the name or the browser's declared type.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image
from pillow_heif import register_heif_opener

register_heif_opener()  # iPhones' HEIC/HEIF: decoded by Pillow like any other photo

# Sniffed type -> (kind, file name extensions that may carry it)
ALLOWED_TYPES = {
    "image/jpeg": ("photo", {"jpg", "jpeg"}),
    "image/png": ("photo", {"png"}),
    "image/webp": ("photo", {"webp"}),
    "image/tiff": ("photo", {"tif", "tiff"}),
    "image/heic": ("photo", {"heic", "heif"}),
    "image/heif": ("photo", {"heic", "heif"}),
    "video/mp4": ("video", {"mp4", "m4v"}),
    "video/quicktime": ("video", {"mov"}),
    "video/webm": ("video", {"webm"}),
    "application/pdf": ("publication", {"pdf"}),
}
KIND_LABELS = {
    "photo": "JPEG, PNG, WebP, TIFF, HEIC",
    "video": "MP4, MOV, WebM",
    "publication": "PDF",
}
SNIFF_BYTES = 64 * 1024
PDF_ACTIVE_CONTENT = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles|RichMedia|XFA)\b")


@dataclass
class UploadInfo:
    mime: str
    extension: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None
    page_count: int | None = None


def _fail(name, reason):
    raise ValidationError(
        _("The file “%(name)s” was not accepted: %(reason)s") % {"name": name, "reason": reason},
        code="invalid_upload",
    )


def sha256_of(uploaded):
    """SHA-256 of a file or upload, read in chunks: uploads larger than the memory
    limit are temp files, derivatives can be videos."""
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in (
        uploaded.chunks()
        if hasattr(uploaded, "chunks")
        else iter(lambda: uploaded.read(1024 * 1024), b"")
    ):
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def upload_on_disk(uploaded):
    """A path on disk for tools that need one (ffprobe); temp copy if in memory."""
    if hasattr(uploaded, "temporary_file_path"):
        return uploaded.temporary_file_path(), False
    handle = tempfile.NamedTemporaryFile(delete=False, suffix=".upload")  # noqa: SIM115
    with handle:
        uploaded.seek(0)
        shutil.copyfileobj(uploaded, handle)
    uploaded.seek(0)
    return handle.name, True


def validate_upload(uploaded, kind):
    """Check `uploaded` (a Django File) is an acceptable `kind` file; return what we
    learnt about it, or raise ValidationError."""
    name = os.path.basename(getattr(uploaded, "name", "") or "")
    size = uploaded.size or 0
    if size == 0:
        _fail(name, _("the file is empty."))
    limit = settings.SEN_MAX_UPLOAD_BYTES[kind]
    if size > limit:
        _fail(
            name,
            _("the file is larger than the limit of %(limit)s.") % {"limit": filesizeformat(limit)},
        )

    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    uploaded.seek(0)
    mime = magic.from_buffer(head, mime=True)
    allowed = ALLOWED_TYPES.get(mime)
    if allowed is None or allowed[0] != kind:
        if mime == "image/svg+xml":
            reason = _("SVG files are not accepted, because they can carry scripts.")
        else:
            reason = _("its content is not an accepted type (%(allowed)s).") % {
                "allowed": KIND_LABELS[kind]
            }
        _fail(name, reason)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in allowed[1]:
        _fail(
            name,
            _(
                "its name ends in “.%(ext)s” but its content is %(type)s; "
                "rename it and upload it again."
            )
            % {"ext": extension, "type": mime.split("/")[-1].upper()},
        )

    info = UploadInfo(mime=mime, extension=extension, size=size, sha256=sha256_of(uploaded))
    if kind == "photo":
        _check_image(uploaded, name, info)
    elif kind == "video":
        _check_video(uploaded, name, info)
    else:
        _check_pdf(uploaded, name, info)
    uploaded.seek(0)
    return info


def _jpeg_metadata_bytes(uploaded):
    """Bytes of APPn and COM segments before the image data: real cameras write a
    few dozen KB; megabytes there are a way to smuggle content or exhaust parsers."""
    uploaded.seek(0)
    data = uploaded.read(2)
    if data != b"\xff\xd8":
        return 0
    total = 0
    while True:
        marker = uploaded.read(2)
        if len(marker) < 2 or marker[0] != 0xFF:
            return total
        code = marker[1]
        if code == 0xDA:  # start of scan: metadata is over
            return total
        length_bytes = uploaded.read(2)
        if len(length_bytes) < 2:
            return total
        length = int.from_bytes(length_bytes, "big")
        if 0xE0 <= code <= 0xEF or code == 0xFE:
            total += length
        uploaded.seek(length - 2, os.SEEK_CUR)


def _check_image(uploaded, name, info):
    if info.mime == "image/jpeg":
        limit = settings.SEN_MAX_IMAGE_METADATA_BYTES
        if _jpeg_metadata_bytes(uploaded) > limit:
            _fail(
                name,
                _("its embedded metadata is larger than %(limit)s.")
                % {"limit": filesizeformat(limit)},
            )
    uploaded.seek(0)
    try:
        with Image.open(uploaded) as image:
            width, height = image.size
            if width * height > settings.SEN_MAX_IMAGE_PIXELS:
                _fail(
                    name,
                    _(
                        "it declares %(pixels)s megapixels, more than the limit "
                        "of %(limit)s (a decompression bomb is refused)."
                    )
                    % {
                        "pixels": width * height // 1_000_000,
                        "limit": settings.SEN_MAX_IMAGE_PIXELS // 1_000_000,
                    },
                )
            image.load()  # decodes everything: a truncated or corrupt file fails here
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        _fail(name, _("the image is too large to decode safely (decompression bomb)."))
    except Exception:  # noqa: BLE001 - any decoder failure means a broken file
        _fail(name, _("the image is damaged or incomplete and cannot be read."))
    info.width, info.height = width, height


def _check_video(uploaded, name, info):
    ffprobe = shutil.which("ffprobe")
    if not ffprobe:
        # Without ffprobe a container with no playable picture would pass: refuse
        # rather than guess (assets/checks.py warns the administrator at start-up).
        _fail(
            name,
            _("videos cannot be checked on this server; ask the administrator to install ffmpeg."),
        )
    path, is_temp = upload_on_disk(uploaded)
    try:
        result = subprocess.run(  # noqa: S603
            [
                ffprobe,
                "-v",
                "error",
                "-show_entries",
                "stream=codec_type,width,height",
                "-of",
                "json",
                path,
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
        streams = json.loads(result.stdout or b"{}").get("streams", [])
    except (subprocess.TimeoutExpired, ValueError):
        streams = []
    finally:
        if is_temp:
            os.unlink(path)
    video = [s for s in streams if s.get("codec_type") == "video"]
    if not video:
        _fail(name, _("the video is damaged or has no picture track."))
    info.width, info.height = video[0].get("width"), video[0].get("height")


# Names that start scripts, launch programs or carry other files or forms, whether
# they appear as a dictionary key (/JS, /AA, /EmbeddedFiles, /XFA) or as a value
# (/S /JavaScript, /S /Launch, /Subtype /RichMedia, /Subtype /FileAttachment).
PDF_ACTIVE_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/AA",
        "/Launch",
        "/EmbeddedFiles",
        "/EmbeddedFile",
        "/FileAttachment",
        "/GoToE",
        "/RichMedia",
        "/RichMediaExecute",
        "/XFA",
    }
)
PDF_SCAN_OVERLAP = 32  # longer than any name in PDF_ACTIVE_CONTENT


def _pdf_raw_has_active_content(uploaded):
    """The uncompressed part of the file, scanned in chunks (a PDF may be hundreds of
    megabytes; it is not read into memory at once)."""
    uploaded.seek(0)
    tail = b""
    try:
        while chunk := uploaded.read(1024 * 1024):
            if PDF_ACTIVE_CONTENT.search(tail + chunk):
                return True
            tail = chunk[-PDF_SCAN_OVERLAP:]
        return False
    finally:
        uploaded.seek(0)


def _pdf_structure_has_active_content(reader):
    """Walk every object reachable from the trailer, following references, and look
    at dictionary keys and name values. Object streams are compressed, so the raw
    scan cannot see inside them: an /OpenAction, a catalogue /AA, a link annotation
    with a JavaScript action or an /XFA form may all hide there. Stream data (page
    contents, images, fonts) is not decoded; only the stream dictionaries are read."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen = set()
    stack = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            for key, value in dict.items(obj):
                if key in PDF_ACTIVE_NAMES:
                    return True
                stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(list.__iter__(obj))
        elif isinstance(obj, NameObject) and obj in PDF_ACTIVE_NAMES:
            return True
    return False


def _check_pdf(uploaded, name, info):
    from pypdf import PdfReader

    active = _(
        "the PDF contains scripts, embedded files or other active "
        "content. Export it again without them."
    )
    if _pdf_raw_has_active_content(uploaded):
        _fail(name, active)
    try:
        reader = PdfReader(uploaded, strict=False)
        if reader.is_encrypted:
            _fail(name, _("the PDF is password-protected."))
        info.page_count = len(reader.pages)
        suspicious = _pdf_structure_has_active_content(reader)
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - any parser failure means a broken file, never a 500
        _fail(name, _("the PDF is damaged and cannot be read."))
    finally:
        uploaded.seek(0)
    if suspicious:
        _fail(name, active)
    if not info.page_count:
        _fail(name, _("the PDF has no pages."))
