"""What the benchmarks share: photo-like test images, the bare Pillow pipeline (the
limit every Sen number is divided by), machine facts, memory readings and the CSV.

Nothing here imports Django: the limit must not pay for it.
"""

import csv
import datetime
import hashlib
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageOps

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"

# The site's public renditions (cms/settings.py SEN_RENDITION_WIDTHS, each in JPEG and
# WebP). Checked against ingest.renditions.site_filter_specs() wherever Django is set up.
PUBLIC_WIDTHS = (480, 960, 1600)
PUBLIC_FORMATS = ("jpeg", "webp")
# Sen's encoder settings (ingest/renditions.py encode(): JPEG quality 76, progressive,
# optimize; WebP quality 80, lossy). Checked against encode() in check_encoder().
JPEG_OPTIONS = {"quality": 76, "progressive": True, "optimize": True}
WEBP_OPTIONS = {"quality": 80, "lossless": False}


def public_specs():
    return [f"max-{w}x{w}|format-{fmt}" for w in PUBLIC_WIDTHS for fmt in PUBLIC_FORMATS]


# --- Test images ------------------------------------------------------------------


def photo_like(width, height, seed, alpha=False):
    """Smooth light, textured surfaces, hard-edged shapes and sensor noise: content
    that makes decoders and encoders do the work a photograph makes them do (a flat
    colour compresses to nothing and decodes in no time)."""
    rng = np.random.default_rng(seed)
    # Light and large forms, drawn small and enlarged.
    lw, lh = max(16, width // 16), max(16, height // 16)
    y, x = np.mgrid[0:lh, 0:lw].astype(np.float32)
    low = np.empty((lh, lw, 3), np.float32)
    for channel in range(3):
        fx, fy = rng.uniform(0.5, 4, 2)
        px, py = rng.uniform(0, 6.3, 2)
        low[..., channel] = (
            110
            + rng.uniform(-40, 40) * (x / lw)
            + rng.uniform(-40, 40) * (y / lh)
            + 45 * np.sin(np.pi * fx * x / lw + px) * np.cos(np.pi * fy * y / lh + py)
        )
    picture = Image.fromarray(np.clip(low, 0, 255).astype(np.uint8)).resize(
        (width, height), Image.Resampling.BICUBIC
    )
    draw = ImageDraw.Draw(picture)
    for _ in range(40):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        w, h = (
            int(rng.integers(width // 30, width // 4)),
            int(rng.integers(height // 30, height // 4)),
        )
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        shape = rng.integers(0, 3)
        if shape == 0:
            draw.ellipse((x0, y0, x0 + w, y0 + h), fill=colour)
        elif shape == 1:
            draw.rectangle((x0, y0, x0 + w, y0 + h), fill=colour)
        else:
            points = [
                (x0 + int(rng.integers(0, w)), y0 + int(rng.integers(0, h))) for _ in range(5)
            ]
            draw.polygon(points, fill=colour)
    # Texture (foliage, fabric, stone) at a third of the resolution, then per-pixel
    # noise; added in bands so a 50-megapixel picture stays within a few hundred MB.
    texture = Image.fromarray(
        rng.integers(0, 256, (max(1, height // 3), max(1, width // 3)), dtype=np.uint8)
    ).resize((width, height), Image.Resampling.BICUBIC)
    pixels = np.asarray(picture).copy()
    texture_pixels = np.asarray(texture)
    band = 512
    for top in range(0, height, band):
        rows = slice(top, min(height, top + band))
        block = pixels[rows].astype(np.int16)
        block += ((texture_pixels[rows].astype(np.int16) - 128) // 6)[..., None]
        block += rng.integers(-6, 7, block.shape, dtype=np.int16)
        pixels[rows] = np.clip(block, 0, 255).astype(np.uint8)
    picture = Image.fromarray(pixels)
    if alpha:
        # Opaque in the middle, fading out towards the edges, with a hole.
        a = np.clip(
            255 * (1.6 - np.hypot((x - lw / 2) / (lw / 2), (y - lh / 2) / (lh / 2))), 0, 255
        )
        a[lh // 3 : lh // 2, lw // 3 : lw // 2] = 0
        mask = Image.fromarray(a.astype(np.uint8)).resize(
            (width, height), Image.Resampling.BILINEAR
        )
        picture = picture.convert("RGBA")
        picture.putalpha(mask)
    return picture


def camera_exif(orientation=None, serial="BENCH0001"):
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "EOS R6"  # Model
    exif[0x0131] = "Sen bench"  # Software
    exif[0x0132] = "2025:04:30 09:15:00"  # DateTime
    exif[0xA431] = serial  # BodySerialNumber (in IFD0 here; enough for a size)
    if orientation:
        exif[0x0112] = orientation
    return exif


def save_jpeg(picture, path, quality, orientation=None, seed=0):
    exif = camera_exif(orientation, serial=f"BENCH{seed:05d}")
    picture.save(path, "JPEG", quality=quality, exif=exif.tobytes())


# --- The limit: bare Pillow ----------------------------------------------------------


def oriented_size(picture):
    width, height = picture.size
    orientation = picture.getexif().get(0x0112, 1)
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def max_size(size, box):
    """Wagtail's `max-WxH` (image_operations.MinMaxOperation): fit inside, never
    enlarge, and floor the other side. Pillow's thumbnail() rounds it instead
    (8660x5773 into 480: Wagtail 480x319, thumbnail 480x320), so the limit computes
    the size Wagtail's way and then does what thumbnail() does."""
    width, height = size
    if width <= box[0] and height <= box[1]:
        return size
    horizontal, vertical = box[0] / width, box[1] / height
    if horizontal < vertical:
        return box[0], max(1, int(height * horizontal))
    return max(1, int(width * vertical)), box[1]


def fill_size(size, box):
    """Wagtail's `fill-WxH` without a focal point: the centred crop of the box's
    aspect, then resized to the box (or less, when the original is smaller)."""
    width, height = size
    aspect = box[0] / box[1]
    if width / height > aspect:
        crop_w, crop_h = round(height * aspect), height
    else:
        crop_w, crop_h = width, round(width / aspect)
    left, top = (width - crop_w) // 2, (height - crop_h) // 2
    scale = min(1.0, box[0] / crop_w)
    return (left, top, left + crop_w, top + crop_h), (
        max(1, round(crop_w * scale)),
        max(1, round(crop_h * scale)),
    )


def to_rgb_on_white(picture):
    if picture.mode == "RGBA":
        background = Image.new("RGB", picture.size, (255, 255, 255))
        background.paste(picture, mask=picture.getchannel("A"))
        return background
    if picture.mode not in ("RGB", "L"):
        return picture.convert("RGB")
    return picture


def bare_encode(picture, fmt, path):
    if fmt == "jpeg":
        to_rgb_on_white(picture).save(path, "JPEG", **JPEG_OPTIONS)
    else:
        if picture.mode not in ("RGB", "RGBA"):
            picture = picture.convert("RGB")
        picture.save(path, "WEBP", **WEBP_OPTIONS)
    return os.path.getsize(path)


def bare_output(source, width, fmt, out_path, fill=None, box=None):
    """One rendition the plainest way Pillow allows: open, draft() (JPEG DCT
    scaling), exif_transpose(), then thumbnail()'s resize (reduce() by an integer
    factor while 2x the target remains, then LANCZOS), encode. One decode per output.
    Returns (width, height, bytes)."""
    with Image.open(source) as picture:
        size = oriented_size(picture)
        if fill:
            rect, target = fill_size(size, fill)
        else:
            rect, target = (0, 0, *size), max_size(size, box or (width, width))
        # DCT scaling to the smallest picture still at least the output's size.
        scale = max(target[0] / (rect[2] - rect[0]), target[1] / (rect[3] - rect[1]))
        picture.draft("RGB", (int(picture.size[0] * scale) + 1, int(picture.size[1] * scale) + 1))
        picture = ImageOps.exif_transpose(picture)
        # Per axis: DCT scaling rounds each side up on its own.
        fx, fy = picture.size[0] / size[0], picture.size[1] / size[1]
        box = (rect[0] * fx, rect[1] * fy, rect[2] * fx, rect[3] * fy)
        if picture.mode not in ("RGB", "RGBA"):
            picture = picture.convert("RGBA" if "transparency" in picture.info else "RGB")
        out = picture.resize(target, Image.Resampling.LANCZOS, box=box, reducing_gap=2.0)
    return (*out.size, bare_encode(out, fmt, out_path))


def bare_spec(source, spec, out_path):
    """bare_output() for a Wagtail spec of the kinds the site uses: `max-WxH` or
    `fill-WxH` (centred), then `format-F` or the source's own format."""
    operation, *rest = spec.split("|")
    method, box = operation.split("-", 1)
    box = tuple(int(v) for v in box.split("x"))
    fmt = next((op.removeprefix("format-") for op in rest if op.startswith("format-")), "jpeg")
    if method == "fill":
        return bare_output(source, None, fmt, out_path, fill=box)
    return bare_output(source, None, fmt, out_path, box=box)


def sen_encoder_options():
    """The keyword arguments ingest.renditions.encode() gives Pillow for JPEG and WebP
    (Django must be set up), so that the limit encodes exactly as Sen does."""
    from ingest import renditions

    captured = {}
    real_save = Image.Image.save

    def spy(picture, fp, format=None, **params):
        captured[format.lower()] = {k: v for k, v in params.items() if k != "icc_profile"}
        return real_save(picture, fp, format, **params)

    Image.Image.save = spy
    try:
        for fmt in ("jpeg", "webp"):
            renditions.encode(Image.new("RGB", (8, 8)), fmt, {})
    finally:
        Image.Image.save = real_save
    return captured


def use_encoder_options(options):
    JPEG_OPTIONS.clear()
    JPEG_OPTIONS.update(options["jpeg"])
    WEBP_OPTIONS.clear()
    WEBP_OPTIONS.update(options["webp"])


def bare_outputs_once(source, widths_formats, out_dir, stem):
    """The same outputs from one decode per source (draft() for the largest), each
    resized from the decoded picture: the bound for a one-decode pipeline.
    Returns {spec: (width, height, bytes)}."""
    results = {}
    with Image.open(source) as picture:
        size = oriented_size(picture)
        largest = max(w for w, _fmt in widths_formats)
        target = max_size(size, (largest, largest))
        scale = target[0] / size[0]
        picture.draft("RGB", (int(picture.size[0] * scale) + 1, int(picture.size[1] * scale) + 1))
        decoded = ImageOps.exif_transpose(picture)
        if decoded.mode not in ("RGB", "RGBA"):
            decoded = decoded.convert("RGB")
    box = (0, 0, *decoded.size)
    resized = {}
    for width, fmt in widths_formats:
        target = max_size(size, (width, width))
        if target not in resized:
            resized[target] = decoded.resize(
                target, Image.Resampling.LANCZOS, box=box, reducing_gap=2.0
            )
        out = resized[target]
        spec = f"max-{width}x{width}|format-{fmt}"
        path = Path(out_dir) / f"{stem}.{width}.{fmt}"
        results[spec] = (*out.size, bare_encode(out, fmt, path))
    return results


# --- Machine, memory, results ------------------------------------------------------------


def vm_status(pid="self"):
    """VmRSS and VmHWM (peak) of a process, in MB; None once it has gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    values = {}
    for key in ("VmRSS", "VmHWM"):
        match = re.search(rf"^{key}:\s+(\d+) kB", text, re.MULTILINE)
        values[key] = int(match.group(1)) / 1024 if match else 0.0
    return values


def process_name(pid):
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except (FileNotFoundError, ProcessLookupError):
        return None


def descendants(pid):
    """Every live process under `pid` (children, grandchildren...)."""
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        for child in children:
            found.append(int(child))
            frontier.append(int(child))
    return found


def git_sha():
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return sha + ("+dirty" if dirty else "")


def file_digest(*relative_paths):
    """Short hash of the code under test, since the working tree moves under us."""
    digest = hashlib.sha1(usedforsecurity=False)
    for relative in relative_paths:
        path = ROOT / relative
        digest.update(path.read_bytes() if path.exists() else b"missing")
    return digest.hexdigest()[:10]


def machine_facts():
    import PIL

    cpu = "unknown"
    try:
        match = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu = match.group(1).strip() if match else platform.processor()
    except OSError:
        pass
    memory = ""
    try:
        match = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
        memory = f"{int(match.group(1)) / 1024 / 1024:.1f} GB"
    except (OSError, AttributeError):
        pass
    try:
        import pillow_heif

        heif = f"pillow_heif {pillow_heif.__version__} (libheif {pillow_heif.libheif_version()})"
    except ImportError:
        heif = "pillow_heif missing"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "memory": memory,
        "python": platform.python_version(),
        "pillow": PIL.__version__,
        "heif": heif,
        "git": git_sha(),
        "kernel": platform.release(),
    }


def print_facts(facts, code=None):
    print(
        f"Machine: {facts['cpu']}, {facts['cores']} cores ({facts['cores_usable']} usable), "
        f"{facts['memory']} RAM, Linux {facts['kernel']}"
    )
    print(f"Python {facts['python']}, Pillow {facts['pillow']}, {facts['heif']}")
    print(f"Sen at {facts['git']}" + (f", code under test {code}" if code else ""))


def append_csv(name, rows):
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    new = not path.exists()
    fields = list(rows[0].keys())
    with path.open("a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        if new:
            writer.writeheader()
        writer.writerows(rows)
    return path


def now_iso():
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def percentile(values, fraction):
    """Nearest-rank percentile; `fraction` in 0..1."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, int(np.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def python():
    """The project's interpreter (the venv), whatever runs this script."""
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def free_port():
    """A TCP port free on the loopback interface now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
