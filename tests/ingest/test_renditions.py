"""Renditions made ahead of any request, with shrink-on-load, as Wagtail would cut them."""

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from wagtail.images.models import Filter

from ingest.renditions import make_renditions, render, site_filter_specs
from tests.factories import SenImageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_dirs")]


def photo_bytes(width, height, fmt="JPEG", mode="RGB", exif=None):
    picture = Image.new(mode, (width, height))
    # Not flat: a gradient, so that resizing and encoding do real work.
    picture.putdata(
        [
            ((x * 255) // width, (y * 255) // height, 128) + ((200,) if mode == "RGBA" else ())
            for y in range(height)
            for x in range(width)
        ]
    )
    buffer = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    picture.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def image_of(data, name="photo.jpg"):
    return SenImageFactory(file=ContentFile(data, name=name))


@pytest.mark.pipeline_deferred
def test_every_site_size_is_made_in_one_call_with_wagtails_geometry():
    image = image_of(photo_bytes(2000, 1000))
    specs = site_filter_specs()
    renditions = make_renditions(image, specs)
    assert set(renditions) == set(specs)
    for spec, rendition in renditions.items():
        expected = Filter(spec).get_transform(image, (2000, 1000)).size
        assert (rendition.width, rendition.height) == tuple(expected), spec
        with rendition.file.open("rb") as handle, Image.open(handle) as picture:
            assert picture.size == tuple(expected)
            wanted = "WEBP" if "webp" in spec else "JPEG"
            assert picture.format == wanted
    # And Wagtail's own lookups find them: nothing is generated on request.
    assert image.renditions.count() == len(specs)
    image.get_rendition("max-960x960|format-webp")
    assert image.renditions.count() == len(specs)


@pytest.mark.pipeline_deferred
def test_a_second_run_makes_nothing_new():
    image = image_of(photo_bytes(800, 600))
    first = make_renditions(image, site_filter_specs())
    second = make_renditions(image, site_filter_specs())
    assert {s: r.pk for s, r in first.items()} == {s: r.pk for s, r in second.items()}


@pytest.mark.pipeline_deferred
def test_the_cameras_orientation_is_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    image = image_of(photo_bytes(400, 200, exif=exif))
    rendition = make_renditions(image, ["max-165x165"])["max-165x165"]
    assert rendition.height > rendition.width


@pytest.mark.pipeline_deferred
def test_renditions_carry_no_metadata_from_the_original():
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[0x8825] = {2: (10.0, 2.0, 3.0)}  # a GPS position
    image = image_of(photo_bytes(600, 400, exif=exif))
    rendition = make_renditions(image, ["max-480x480|format-jpeg"])["max-480x480|format-jpeg"]
    with rendition.file.open("rb") as handle, Image.open(handle) as picture:
        assert not picture.getexif()


@pytest.mark.pipeline_deferred
def test_alpha_is_kept_in_webp_and_flattened_on_white_in_jpeg():
    image = image_of(photo_bytes(300, 200, fmt="PNG", mode="RGBA"), name="alpha.png")
    made = make_renditions(image, ["max-165x165|format-webp", "max-165x165|format-jpeg"])
    with made["max-165x165|format-webp"].file.open("rb") as handle, Image.open(handle) as p:
        assert p.mode == "RGBA"
    with made["max-165x165|format-jpeg"].file.open("rb") as handle, Image.open(handle) as p:
        assert p.mode == "RGB"


@pytest.mark.pipeline_deferred
def test_crops_follow_the_focal_point_as_wagtail_does():
    image = image_of(photo_bytes(1200, 600))
    image.focal_point_x, image.focal_point_y = 1100, 300
    image.focal_point_width = image.focal_point_height = 50
    image.save()
    ours = render(image, [Filter("fill-200x200")], image.file.open("rb"))[0]
    with Image.open(io.BytesIO(ours.content.read())) as picture:
        right_edge = picture.getpixel((199, 100))[0]
        left_edge = picture.getpixel((0, 100))[0]
    # The crop is the right half (x 600..1200: red from 128 up); a centred crop
    # would start at x 300 (red 64).
    assert left_edge > 110 and right_edge > left_edge
    assert ours.focal_point_key == Filter("fill-200x200").get_cache_key(image)


@pytest.mark.pipeline_deferred
def test_a_big_jpeg_is_decoded_at_a_reduced_scale(monkeypatch):
    decoded = []
    from PIL import JpegImagePlugin

    original_draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        result = original_draft(self, mode, size)
        decoded.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    image = image_of(photo_bytes(2400, 1600))
    make_renditions(image, ["max-480x480|format-jpeg", "max-165x165"])
    assert decoded and decoded[0][0] <= 1200  # DCT scaling: 1/2 or smaller, not 2400


@pytest.mark.pipeline_deferred
def test_wagtails_on_request_path_uses_the_same_engine():
    image = image_of(photo_bytes(900, 600))
    rendition = image.get_rendition("max-300x300|format-webp")
    assert (rendition.width, rendition.height) == (300, 200)
    assert rendition.file.name.startswith(f"renditions/{image.pk}/")


@pytest.mark.pipeline_deferred
@pytest.mark.parametrize("size", [(4000, 2667), (2667, 4000), (3001, 1999), (1999, 1333)])
def test_odd_sizes_reduced_on_load_stay_inside_the_picture(size):
    """draft() rounds each side up on its own: a box scaled by the width's ratio
    fell past the bottom edge ("box can't exceed original image size")."""
    image = image_of(photo_bytes(*size))
    made = make_renditions(image, site_filter_specs())
    assert len(made) == len(site_filter_specs())
