"""Image renditions near the decoder's limit.

Wagtail (through Willow) decodes the whole original and resizes it with LANCZOS for
every rendition: a 24-megapixel JPEG costs about 4.5× what shrink-on-load costs
(shared/reference/performance-and-security-anchors.md, A1). Here a source is decoded
once per batch of renditions, at the smallest scale that still covers the largest
one (JPEG DCT scaling through `Image.draft()`; `reduce()` through `reducing_gap` for
other formats), and each rendition is cut from the smallest intermediate that covers
it. The geometry still comes from Wagtail's own `Filter.get_transform()`, so crops and
focal points are exactly Wagtail's, and the rows are ordinary renditions that
`{% image %}` and `get_rendition()` find.

Only renditions whose operations we understand take this path (resizes, crops,
format and quality); anything else (a background colour) goes through Wagtail's
`Filter.run()` unchanged. Metadata is never copied: a public rendition must not carry
the original's GPS position or camera serial number.
"""

import io
import math
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, ImageOps
from pillow_heif import register_heif_opener
from wagtail.images.image_operations import (
    AvifQualityOperation,
    DoNothingOperation,
    FormatOperation,
    JPEGQualityOperation,
    TransformOperation,
    WebPQualityOperation,
)
from wagtail.images.models import Filter

register_heif_opener()

# Filter operations that only choose the encoder and its settings.
ENCODER_OPERATIONS = (
    FormatOperation,
    JPEGQualityOperation,
    WebPQualityOperation,
    AvifQualityOperation,
    DoNothingOperation,
)
EXTENSIONS = {"jpeg": ".jpg", "png": ".png", "webp": ".webp", "avif": ".avif"}
# Above this many output pixels per intermediate pixel, LANCZOS from a large
# intermediate buys nothing visible; Pillow's thumbnail() uses the same gap.
REDUCING_GAP = 2.0


def site_filter_specs():
    """The renditions the public site and the admin use, made ahead of any request:
    each width in JPEG and WebP (AVIF too when SEN_RENDITIONS_AVIF is on), plus the
    admin's thumbnail."""
    formats = ["jpeg", "webp"] + (["avif"] if settings.SEN_RENDITIONS_AVIF else [])
    specs = [f"max-{w}x{w}|format-{fmt}" for w in settings.SEN_RENDITION_WIDTHS for fmt in formats]
    return specs + list(settings.SEN_ADMIN_RENDITION_SPECS)


def is_fast_path(filter):
    return all(
        isinstance(op, (TransformOperation, *ENCODER_OPERATIONS)) for op in filter.operations
    )


@dataclass
class Output:
    spec: str
    focal_point_key: str
    content: ContentFile
    width: int
    height: int


def _encoder_env(filter, image):
    env = {}
    for operation in filter.operations:
        if isinstance(operation, ENCODER_OPERATIONS):
            operation.run(None, image, env)
    return env


def _output_format(env, original_format):
    if "output-format" in env:
        return env["output-format"]
    conversions = {"bmp": "png", "heic": "jpeg", "heif": "jpeg", "tiff": "jpeg", "gif": "png"}
    conversions.update(getattr(settings, "WAGTAILIMAGES_FORMAT_CONVERSIONS", {}))
    return conversions.get(original_format, original_format)


def flatten(picture):
    """An RGB(A) picture an encoder takes: 16-bit and CMYK TIFFs, palettes, greys."""
    if picture.mode in ("RGB", "RGBA"):
        return picture
    if picture.mode in ("LA", "PA") or (picture.mode == "P" and "transparency" in picture.info):
        return picture.convert("RGBA")
    if picture.mode.startswith("I;16") or picture.mode == "I":
        picture = picture.point(lambda value: value * (1 / 256)).convert("L")
    return picture.convert("RGB")


def encode(picture, output_format, env, icc_profile=None):
    buffer = io.BytesIO()
    options = env.get("output-format-options") or []
    extra = {"icc_profile": icc_profile} if icc_profile else {}
    if output_format == "jpeg":
        if picture.mode == "RGBA":
            background = Image.new("RGB", picture.size, (255, 255, 255))
            background.paste(picture, mask=picture.getchannel("A"))
            picture = background
        quality = env.get("jpeg-quality", getattr(settings, "WAGTAILIMAGES_JPEG_QUALITY", 76))
        picture.save(buffer, "JPEG", quality=quality, progressive=True, optimize=True, **extra)
    elif output_format == "webp":
        quality = env.get("webp-quality", getattr(settings, "WAGTAILIMAGES_WEBP_QUALITY", 80))
        picture.save(buffer, "WEBP", quality=quality, lossless="lossless" in options, **extra)
    elif output_format == "avif":
        quality = env.get("avif-quality", getattr(settings, "WAGTAILIMAGES_AVIF_QUALITY", 61))
        picture.save(buffer, "AVIF", quality=quality, speed=8, **extra)
    elif output_format == "png":
        picture.save(buffer, "PNG", **extra)
    else:
        raise ValueError(f"Unsupported rendition format: {output_format}")
    return buffer.getvalue()


def _oriented_size(picture):
    width, height = picture.size
    orientation = picture.getexif().get(0x0112, 1)
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _plan(image, filters, size):
    """Per filter, Wagtail's transform: the crop rectangle in the oriented original
    and the output size."""
    plans = []
    for filter in filters:
        transform = filter.get_transform(image, size)
        left, top, right, bottom = transform.get_rect().round()
        out_w, out_h = (max(1, int(v)) for v in transform.size)
        scale = max(out_w / max(1, right - left), out_h / max(1, bottom - top))
        plans.append((filter, (left, top, right, bottom), (out_w, out_h), scale))
    return plans


def render(image, filters, source):
    """Decode `source` (a file object of `image`'s original) once and return an
    Output per filter. `image` gives Wagtail the focal point for crops."""
    with Image.open(source) as picture:
        original_format = (picture.format or "").lower()
        icc_profile = picture.info.get("icc_profile")
        size = _oriented_size(picture)
        plans = _plan(image, filters, size)
        largest = max(scale for *_rest, scale in plans)
        if picture.format == "JPEG" and largest < 1:
            # DCT scaling: decode at 1/2, 1/4 or 1/8 when that still covers the
            # largest output; draft() picks the scale.
            want = (math.ceil(picture.size[0] * largest), math.ceil(picture.size[1] * largest))
            picture.draft("RGB", want)
        decoded = ImageOps.exif_transpose(picture)
        decoded = flatten(decoded)
    # Full-frame pictures we hold, as (output pixels per original pixel, picture).
    intermediates = [(decoded.size[0] / size[0], decoded)]
    outputs = []
    # Biggest first, so that each smaller one can start from a smaller intermediate.
    for filter, rect, out_size, scale in sorted(plans, key=lambda plan: -plan[3]):
        env = _encoder_env(filter, image)
        output_format = _output_format(env, original_format)
        covering = [item for item in intermediates if item[0] >= scale * REDUCING_GAP]
        base_scale, base = min(covering, key=lambda item: item[0]) if covering else intermediates[0]
        # Per axis: a draft or a resize rounds each side on its own, so the two
        # scales differ by up to a pixel; clamp what rounding pushes past an edge.
        sx, sy = base.size[0] / size[0], base.size[1] / size[1]
        left, top, right, bottom = rect
        box = (
            max(0.0, left * sx),
            max(0.0, top * sy),
            min(float(base.size[0]), right * sx),
            min(float(base.size[1]), bottom * sy),
        )
        full_frame = rect == (0, 0, *size)
        if full_frame and out_size == base.size:
            picture = base
        else:
            picture = base.resize(
                out_size, Image.Resampling.LANCZOS, box=box, reducing_gap=REDUCING_GAP
            )
            if full_frame:
                intermediates.append((out_size[0] / size[0], picture))
        data = encode(picture, output_format, env, icc_profile)
        outputs.append(
            Output(
                spec=filter.spec,
                focal_point_key=filter.get_cache_key(image),
                content=ContentFile(data, name=_file_name(image, filter, output_format)),
                width=out_size[0],
                height=out_size[1],
            )
        )
    return outputs


def _file_name(image, filter, output_format):
    stem = os.path.splitext(os.path.basename(image.file.name))[0]
    key = filter.get_cache_key(image)
    suffix = (f"{key}." if key else "") + filter.spec.replace("|", ".")
    suffix += EXTENSIONS.get(output_format, "." + output_format)
    return stem[: max(1, 59 - len(suffix))] + "." + suffix


def make_renditions(image, specs):
    """Create every missing rendition of `image` among `specs` in one decode, and
    return them all (existing and new) by spec. Safe to run again: a rendition that
    exists is kept, and unique constraints stop a concurrent duplicate."""
    filters = [Filter(spec=spec) for spec in specs]
    existing = {
        (r.filter_spec, r.focal_point_key): r
        for r in image.renditions.filter(filter_spec__in=specs)
    }
    missing = [
        f for f in filters if (f.spec, f.get_cache_key(image)) not in existing and is_fast_path(f)
    ]
    slow = [
        f
        for f in filters
        if (f.spec, f.get_cache_key(image)) not in existing and not is_fast_path(f)
    ]
    result = {spec: r for (spec, _key), r in existing.items()}
    if missing:
        with image.open_file() as source:
            outputs = render(image, missing, source)
        for output in outputs:
            rendition, created = image.renditions.get_or_create(
                filter_spec=output.spec,
                focal_point_key=output.focal_point_key,
                defaults={"file": output.content, "width": output.width, "height": output.height},
            )
            result[output.spec] = rendition
    for filter in slow:
        result[filter.spec] = image.get_rendition(filter)
    return result
