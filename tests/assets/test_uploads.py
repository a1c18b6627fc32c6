"""Bad input is refused with a clear Vietnamese message and leaves nothing behind.

Every sample in shared/demo-media/hostile/ and a set of generated ones go through the
real admin views (the photo and video snippets; Wagtail's document add, multiple
upload and chooser upload; the image multiple upload; wagtailmedia's add view) as a
browser would send them: the form is rendered first and what it would submit is read
from the HTML, then the file is added. (The snippet add forms carry no comments
formset: Wagtail keeps comments for pages. Management forms would be read from the
HTML like any hidden input.) A refused file must leave no record and no stored file
in either storage folder. The rules themselves are unit-tested on
`assets.validators.validate_upload` at the end.
"""

import hashlib
import io
import os
import shutil
import zlib
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from wagtail.models import Collection, GroupCollectionPermission

from assets import operations
from assets.models import Licence, Photo, SenDocument, SenImage, SenMedia, Video
from assets.validators import validate_upload

from ..conftest import stored_files
from ..factories import (
    PASSWORD,
    UserFactory,
    contributor,
    jpeg_bytes,
    make_organisation,
    png_bytes,
    role_user,
)

pytestmark = pytest.mark.django_db

DEMO_MEDIA = Path(
    os.environ.get("SEN_DEMO_MEDIA", Path(settings.BASE_DIR).parent / "shared" / "demo-media")
)
HOSTILE = DEMO_MEDIA / "hostile"
HOSTILE_NAMES = sorted(os.listdir(HOSTILE)) if HOSTILE.is_dir() else []
# What the Vietnamese message says, whatever the reason ("Tệp “x” không được chấp
# nhận: …"): the admin speaks Vietnamese unless the user chose English.
REFUSED_VI = "không được chấp nhận"


# --- Generated hostile files (small) -------------------------------------------------


def noisy_jpeg(width=400, height=300):
    """A JPEG whose data cannot be guessed, so a cut one is really incomplete."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, "JPEG")
    return buffer.getvalue()


def truncated_jpeg():
    data = noisy_jpeg()
    return data[: len(data) * 45 // 100]


def png_chunk(kind, data):
    body = kind + data
    return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")


def pixel_bomb_png(width=12000, height=12000):
    """A 1-bit PNG of a few KB declaring width x height pixels (144 Mpx by default),
    written chunk by chunk: Pillow would need the whole frame in memory to make it."""
    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


HTML_PAGE = b"<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>\n"
SVG_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>\n"
)


def jpeg_with_comments(total_bytes, segment=60_000):
    """A valid JPEG with `total_bytes` of COM segments right after SOI."""
    data = jpeg_bytes()
    comments = b""
    while total_bytes > 0:
        size = min(segment, total_bytes)
        comments += b"\xff\xfe" + (size + 2).to_bytes(2, "big") + b"x" * size
        total_bytes -= size
    return data[:2] + comments + data[2:]


def pdf_bytes(pages=1, javascript=None, password=None):
    """A plain PDF written by pypdf (no object streams), optionally with a
    JavaScript open action or a password."""
    writer = PdfWriter()
    for _page in range(pages):
        writer.add_blank_page(width=200, height=200)
    if javascript:
        writer.add_open_action(JavaScript(javascript))
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


JS_ACTION = b"<< /S /JavaScript /JS (app.alert(1)) >>"


def pdf_with_object_stream(catalog=b"", page=b"", extra=()):
    """A PDF 1.5 whose objects, catalogue included, all sit in one Flate-compressed
    object stream behind a cross-reference stream, as Acrobat and qpdf write them:
    a byte scan of the file sees no /JavaScript or /OpenAction at all. `extra`
    objects are numbered from 4 on."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] " + page + b" >>",
        *extra,
    ]
    offsets, body = [], b""
    for number, obj in enumerate(objects, start=1):
        offsets.append(b"%d %d" % (number, len(body)))
        body += obj + b"\n"
    head = b" ".join(offsets) + b"\n"
    data = zlib.compress(head + body)
    stream_number, xref_number = len(objects) + 1, len(objects) + 2
    out = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n"
    stream_offset = len(out)
    out += (
        b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\n"
        b"stream\n" % (stream_number, len(objects), len(head), len(data))
    )
    out += data + b"\nendstream\nendobj\n"
    xref_offset = len(out)
    rows = b"\x00\x00\x00\x00\x00\xff\xff"
    rows += b"".join(
        b"\x02" + stream_number.to_bytes(4, "big") + index.to_bytes(2, "big")
        for index in range(len(objects))
    )
    rows += b"\x01" + stream_offset.to_bytes(4, "big") + b"\x00\x00"
    rows += b"\x01" + xref_offset.to_bytes(4, "big") + b"\x00\x00"
    out += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % (
        xref_number,
        xref_number + 1,
        len(rows),
    )
    out += rows + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_offset
    return out


def fake_mp4():
    """An MP4 file-type box (libmagic says video/mp4) followed by noise: no movie."""
    return b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + os.urandom(4096)


# --- Driving the admin like a browser ------------------------------------------------


class FormFields(HTMLParser):
    """The (name, value) pairs a browser would submit from the form whose action is
    `action`: hidden inputs (management forms included), ticked boxes, selected
    options (the first one of a single select when none is marked), textareas.
    File inputs are left out: the test adds the file."""

    def __init__(self, action):
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.pairs = action, False, []
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("file", "submit", "button", "image", "reset"):
                self.pairs.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attrs, "all": [], "chosen": []}
        elif tag == "option" and self.select is not None:
            self.select["all"].append(attrs.get("value") or "")
            if "selected" in attrs:
                self.select["chosen"].append(attrs.get("value") or "")
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            select, self.select = self.select, None
            values = select["chosen"]
            if not values and not select["multiple"] and select["all"]:
                values = select["all"][:1]
            self.pairs += [(select["name"], value) for value in values]
        elif tag == "textarea" and self.textarea is not None:
            self.pairs.append((self.textarea[0], self.textarea[1].removeprefix("\n")))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data


def page_html(response):
    """The HTML of an admin page, or of a chooser modal step (JSON)."""
    if response["Content-Type"].startswith("application/json"):
        return response.json()["htmlFragment"]
    return response.content.decode()


def rendered_form_data(client, url):
    """What the form at `url` submits when the user only adds a file."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.get("Location"))
    parser = FormFields(action=url)
    parser.feed(page_html(response))
    assert parser.pairs, f"no form posting to {url}"
    data = {}
    for name, value in parser.pairs:
        data.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}


def upload(client, url, name, content, file_field="file", **fields):
    data = rendered_form_data(client, url)
    data.update(fields)
    data[file_field] = SimpleUploadedFile(name, content)
    return client.post(url, data)


def add_url(model):
    return reverse(model.snippet_viewset.get_url_name("add"))


def asset_fields(title="Chợ nổi Cái Răng lúc bình minh"):
    return {"title_vi": title, "licence": str(Licence.objects.get(code="cc-by-4.0").pk)}


@pytest.fixture
def organisation():
    return make_organisation("Trung tâm Xúc tiến Đầu tư")


@pytest.fixture
def contributor_client(client, organisation):
    user = contributor(organisation)
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def uploader_client(client):
    """A user who may add documents, images and media anywhere, granted the way
    Wagtail checks it: collection permissions on wagtaildocs.Document,
    wagtailimages.Image and wagtailmedia.Media (the auth models Wagtail and
    wagtailmedia use for swapped file models), here on the root collection."""
    group = Group.objects.create(name="Người tải tệp")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    root = Collection.get_first_root_node()
    for app_label, codename in (
        ("wagtaildocs", "add_document"),
        ("wagtaildocs", "choose_document"),
        ("wagtailimages", "add_image"),
        ("wagtailmedia", "add_media"),
    ):
        GroupCollectionPermission.objects.create(
            group=group,
            collection=root,
            permission=Permission.objects.get(content_type__app_label=app_label, codename=codename),
        )
    user = UserFactory()
    user.groups.add(group)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def assert_refused_in_vietnamese(response, name, field="file"):
    """200 with the form again; the file field's error names the file and says, in
    Vietnamese, that it was not accepted; the page shows that message."""
    assert response.status_code == 200, response.status_code
    form = response.context["form"]
    errors = form.errors.get(field, [])
    assert errors, f"no error on {field!r}: {form.errors!r}"
    message = " ".join(errors)
    assert name in message, message
    assert REFUSED_VI in message, f"not in Vietnamese: {message}"
    assert escape(errors[0]) in page_html(response)


def assert_nothing_stored(media_dirs, *models):
    for model in models:
        assert model.objects.count() == 0, model
    assert stored_files(*media_dirs) == []


# --- The hostile samples, through the real admin views --------------------------------


def test_hostile_samples_are_there():
    assert len(HOSTILE_NAMES) >= 10, f"{HOSTILE} is missing or incomplete"


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_sample_refused_by_photo_add_view(contributor_client, media_dirs, name):
    content = (HOSTILE / name).read_bytes()
    response = upload(contributor_client, add_url(Photo), name, content, **asset_fields())
    assert_refused_in_vietnamese(response, name)
    assert_nothing_stored(media_dirs, Photo, SenImage)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_sample_refused_by_video_add_view(contributor_client, media_dirs, name):
    content = (HOSTILE / name).read_bytes()
    response = upload(contributor_client, add_url(Video), name, content, **asset_fields())
    assert_refused_in_vietnamese(response, name)
    assert_nothing_stored(media_dirs, Video, SenMedia)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_sample_refused_by_document_add_view(uploader_client, media_dirs, name):
    """Publications' PDFs are Wagtail documents (WAGTAILDOCS_DOCUMENT_FORM_BASE)."""
    content = (HOSTILE / name).read_bytes()
    response = upload(uploader_client, reverse("wagtaildocs:add"), name, content, title="Cẩm nang")
    assert_refused_in_vietnamese(response, name)
    assert_nothing_stored(media_dirs, SenDocument)


def test_hostile_pdf_refused_by_document_chooser_upload(uploader_client, media_dirs):
    """The publication form's language editions pick their PDF in the chooser,
    whose Upload tab posts here."""
    name = "pdf-with-javascript.pdf"
    content = (HOSTILE / name).read_bytes()
    prefix = "document-chooser-upload-"
    response = upload(
        uploader_client,
        reverse("wagtaildocs_chooser:create"),
        name,
        content,
        file_field=prefix + "file",
        **{prefix + "title": "Cẩm nang"},
    )
    assert response.json()["step"] == "reshow_creation_form"
    assert_refused_in_vietnamese(response, name)
    assert_nothing_stored(media_dirs, SenDocument)


@pytest.mark.parametrize(
    ("url_name", "name", "model"),
    [
        *[("wagtaildocs:add_multiple", name, SenDocument) for name in HOSTILE_NAMES],
        *[("wagtailimages:add_multiple", name, SenImage) for name in HOSTILE_NAMES],
    ],
)
def test_hostile_sample_refused_by_multiple_upload(
    uploader_client, media_dirs, url_name, name, model
):
    """Wagtail's own "add documents/images" pages upload each file on its own."""
    url = reverse(url_name)
    response = upload(uploader_client, url, name, (HOSTILE / name).read_bytes(), "files[]")
    assert response.status_code == 200
    result = response.json()
    assert result["success"] is False, result
    assert name in result["error_message"], result
    assert REFUSED_VI in result["error_message"], result
    assert_nothing_stored(media_dirs, model)


MEDIA_ADD = "/admin/media/video/add/"
DEMO_CLIP = DEMO_MEDIA / "videos" / "big-buck-bunny-5s-clip.mp4"


def test_media_add_url():
    assert reverse("wagtailmedia:add", args=("video",)) == MEDIA_ADD


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_sample_refused_by_media_add_view(uploader_client, media_dirs, name):
    """wagtailmedia's own admin (WAGTAILMEDIA["MEDIA_FORM_BASE"])."""
    content = (HOSTILE / name).read_bytes()
    response = upload(uploader_client, MEDIA_ADD, name, content, title="Video")
    assert_refused_in_vietnamese(response, name)
    assert_nothing_stored(media_dirs, SenMedia)


@pytest.mark.parametrize("name", ["html-with-script.jpg", "svg-script-xxe.svg", "truncated.jpg"])
def test_hostile_thumbnail_refused_by_media_add_view(uploader_client, media_dirs, name):
    """The poster image is an upload of its own, beside a good video."""
    data = {
        **rendered_form_data(uploader_client, MEDIA_ADD),
        "title": "Video",
        "file": SimpleUploadedFile(DEMO_CLIP.name, DEMO_CLIP.read_bytes()),
        "thumbnail": SimpleUploadedFile(name, (HOSTILE / name).read_bytes()),
    }
    response = uploader_client.post(MEDIA_ADD, data)
    assert_refused_in_vietnamese(response, name, field="thumbnail")
    assert_nothing_stored(media_dirs, SenMedia)


@pytest.mark.pipeline_deferred  # the stored original only, before the worker's derivatives
def test_good_video_with_good_thumbnail_accepted_by_media_add_view(uploader_client, media_dirs):
    private, public = media_dirs
    data = {
        **rendered_form_data(uploader_client, MEDIA_ADD),
        "title": "Video",
        "file": SimpleUploadedFile(DEMO_CLIP.name, DEMO_CLIP.read_bytes()),
        "thumbnail": SimpleUploadedFile("poster.jpg", jpeg_bytes()),
    }
    response = uploader_client.post(MEDIA_ADD, data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    media = SenMedia.objects.get()
    assert media.sha256 == hashlib.sha256(DEMO_CLIP.read_bytes()).hexdigest()
    assert len(stored_files(private)) == 2
    assert stored_files(public) == []


def test_reviewers_may_add_documents(client):
    """The role groups must grant what Wagtail checks: for a swapped document model
    that is wagtaildocs.add_document on a collection, not assets.add_sendocument."""
    user = role_user(operations.REVIEWERS)
    assert client.login(username=user.username, password=PASSWORD)
    response = client.get(reverse("wagtaildocs:add"))
    assert response.status_code == 200, response.get("Location")


# --- Generated hostile files, through the same views ----------------------------------

GENERATED_PHOTOS = [
    ("cut-short.jpg", truncated_jpeg),
    ("pixel-bomb.png", pixel_bomb_png),
    ("page.jpg", lambda: HTML_PAGE),
    ("drawing.svg", lambda: SVG_SCRIPT),
    ("drawing.jpg", lambda: SVG_SCRIPT),
    ("empty.jpg", lambda: b""),
    ("photo.png", jpeg_bytes),
    ("photo.jpg", png_bytes),
    ("brochure.pdf", pdf_bytes),
]


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize(("name", "make"), GENERATED_PHOTOS, ids=[n for n, _m in GENERATED_PHOTOS])
def test_generated_bad_photo_refused(contributor_client, media_dirs, settings, name, make):
    settings.SEN_MAX_IMAGE_PIXELS = 10_000_000
    response = upload(contributor_client, add_url(Photo), name, make(), **asset_fields())
    assert_refused_in_vietnamese(response, name)
    assert_nothing_stored(media_dirs, Photo, SenImage)


GENERATED_VIDEOS = [
    ("noise.mp4", lambda: os.urandom(64 * 1024)),
    ("no-movie.mp4", fake_mp4),
    ("empty.mp4", lambda: b""),
    ("photo.mp4", jpeg_bytes),
]


@pytest.mark.parametrize(("name", "make"), GENERATED_VIDEOS, ids=[n for n, _m in GENERATED_VIDEOS])
def test_generated_bad_video_refused(contributor_client, media_dirs, name, make):
    response = upload(contributor_client, add_url(Video), name, make(), **asset_fields())
    assert_refused_in_vietnamese(response, name)
    assert_nothing_stored(media_dirs, Video, SenMedia)


GENERATED_PDFS = [
    (
        "js-in-object-stream.pdf",
        lambda: pdf_with_object_stream(catalog=b"/OpenAction " + JS_ACTION),
    ),
    ("js-plain.pdf", lambda: pdf_bytes(javascript="app.alert(1);")),
    ("locked.pdf", lambda: pdf_bytes(password="mat-khau")),
    ("no-pages.pdf", lambda: pdf_bytes(pages=0)),
    ("broken.pdf", lambda: b"%PDF-1.7\n" + os.urandom(2048)),
    ("empty.pdf", lambda: b""),
]


@pytest.mark.parametrize(("name", "make"), GENERATED_PDFS, ids=[n for n, _m in GENERATED_PDFS])
def test_generated_bad_pdf_refused(uploader_client, media_dirs, name, make):
    response = upload(uploader_client, reverse("wagtaildocs:add"), name, make(), title="Tờ rơi")
    assert_refused_in_vietnamese(response, name)
    assert_nothing_stored(media_dirs, SenDocument)


# --- Good input is stored, in the private folder; bad form values are field errors -----


@pytest.mark.pipeline_deferred  # the stored original only, before the worker's derivatives
def test_valid_photo_creates_one_photo_and_one_private_image(
    contributor_client, media_dirs, organisation
):
    private, public = media_dirs
    content = noisy_jpeg(320, 240)
    response = upload(contributor_client, add_url(Photo), "cho-noi.jpg", content, **asset_fields())
    assert response.status_code == 302, response.context and response.context["form"].errors
    photo = Photo.objects.get()
    image = SenImage.objects.get()
    assert photo.image == image
    assert photo.organisation == organisation
    assert photo.collection == image.collection == organisation.collection
    assert photo.title_vi == "Chợ nổi Cái Răng lúc bình minh"
    assert not photo.live  # saved as a draft, for review
    assert (image.width, image.height) == (320, 240)
    assert image.sha256 == hashlib.sha256(content).hexdigest()
    path = Path(image.file.path).resolve()
    assert path.is_relative_to(Path(settings.PRIVATE_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert path.read_bytes() == content
    assert stored_files(private) == [str(path)]
    assert stored_files(public) == []


@pytest.mark.pipeline_deferred  # the stored original only, before the worker's derivatives
def test_valid_pdf_creates_one_private_document(uploader_client, media_dirs):
    private, public = media_dirs
    content = pdf_bytes(pages=3)
    url = reverse("wagtaildocs:add")
    response = upload(uploader_client, url, "to-roi.pdf", content, title="Tờ rơi")
    assert response.status_code == 302, response.context and response.context["form"].errors
    document = SenDocument.objects.get()
    assert document.page_count == 3
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert stored_files(private) == [str(Path(document.file.path))]
    assert stored_files(public) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("organisation", "999999"),
        ("organisation", ""),
        ("organisation", "không-phải-số"),
        ("date", "không phải ngày"),
        ("date", "2025-02-30"),
        ("licence", "999999"),
        ("information_class", "bí-mật"),
        ("title_vi", ""),
    ],
)
def test_wrong_form_value_is_a_field_error(contributor_client, media_dirs, field, value):
    data = {**asset_fields(), field: value}
    response = upload(contributor_client, add_url(Photo), "anh.jpg", jpeg_bytes(), **data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert_nothing_stored(media_dirs, Photo, SenImage)


def test_organisation_of_someone_else_is_a_field_error(contributor_client, media_dirs):
    other = make_organisation("Phường B")
    data = {**asset_fields(), "organisation": str(other.pk)}
    response = upload(contributor_client, add_url(Photo), "anh.jpg", jpeg_bytes(), **data)
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert_nothing_stored(media_dirs, Photo, SenImage)


def test_photo_without_file_is_a_field_error(contributor_client, media_dirs):
    url = add_url(Photo)
    data = {**rendered_form_data(contributor_client, url), **asset_fields()}
    response = contributor_client.post(url, data)
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert_nothing_stored(media_dirs, Photo, SenImage)


# --- The rules, one by one --------------------------------------------------------------


def check(name, content, kind):
    """validate_upload's verdict in English, so that each test can tell which rule
    refused the file (the admin tests above check the Vietnamese wording)."""
    with translation.override("en"):
        return validate_upload(SimpleUploadedFile(name, content), kind)


def refusal(name, content, kind):
    with pytest.raises(ValidationError) as caught:
        check(name, content, kind)
    assert caught.value.code == "invalid_upload"
    (message,) = caught.value.messages
    assert message.startswith(f"The file “{name}” was not accepted: "), message
    return message


def test_message_is_vietnamese_by_default():
    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        validate_upload(SimpleUploadedFile("rong.jpg", b""), "photo")
    assert REFUSED_VI in caught.value.messages[0]
    assert "rong.jpg" in caught.value.messages[0]


@pytest.mark.parametrize("kind", ["photo", "video", "publication"])
def test_empty_file_refused(kind):
    assert refusal("blank.bin", b"", kind).endswith("the file is empty.")


@pytest.mark.parametrize(
    ("kind", "name", "make"),
    [("photo", "big.jpg", jpeg_bytes), ("publication", "big.pdf", pdf_bytes)],
)
def test_file_over_the_size_limit_refused(settings, kind, name, make):
    content = make()
    settings.SEN_MAX_UPLOAD_BYTES = {**settings.SEN_MAX_UPLOAD_BYTES, kind: len(content) - 1}
    assert "larger than the limit" in refusal(name, content, kind)
    settings.SEN_MAX_UPLOAD_BYTES = {**settings.SEN_MAX_UPLOAD_BYTES, kind: len(content)}
    assert check(name, content, kind).size == len(content)


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("page.jpg", HTML_PAGE, "photo"),
        ("page.html", HTML_PAGE, "photo"),
        ("noise.mp4", os.urandom(4096), "video"),
        ("photo.pdf", jpeg_bytes(), "publication"),
        ("brochure.jpg", pdf_bytes(), "photo"),
        ("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "photo"),
        ("photo.mp4", jpeg_bytes(), "video"),
    ],
)
def test_content_of_the_wrong_type_refused(name, content, kind):
    assert "not an accepted type" in refusal(name, content, kind)


@pytest.mark.parametrize("name", ["drawing.svg", "drawing.jpg", "drawing.png"])
def test_svg_refused_whatever_its_name(name):
    assert "SVG" in refusal(name, SVG_SCRIPT, "photo")


@pytest.mark.parametrize(
    ("name", "make", "named_type"),
    [
        ("photo.png", jpeg_bytes, "JPEG"),
        ("photo.jpg", png_bytes, "PNG"),
        ("photo", jpeg_bytes, "JPEG"),
    ],
)
def test_name_that_lies_about_the_content_refused(name, make, named_type):
    message = refusal(name, make(), "photo")
    assert "rename it" in message
    assert f"content is {named_type}" in message


def test_truncated_jpeg_refused():
    assert "damaged or incomplete" in refusal("cut.jpg", truncated_jpeg(), "photo")


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_pixel_bomb_refused_from_its_header_before_decoding(settings, monkeypatch):
    settings.SEN_MAX_IMAGE_PIXELS = 10_000_000

    def no_decoding(image):
        raise AssertionError("the image was decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    monkeypatch.setattr("PIL.ImageFile.ImageFile.load", no_decoding)
    message = refusal("bomb.png", pixel_bomb_png(), "photo")
    assert "144 megapixels" in message
    assert "limit of 10" in message


def test_huge_pixel_bomb_refused_by_pillow_guard_too():
    """Beyond twice Pillow's own limit, Image.open itself refuses it."""
    assert "decompression bomb" in refusal("bomb.png", pixel_bomb_png(30000, 30000), "photo")


def test_jpeg_metadata_over_the_limit_refused(settings):
    settings.SEN_MAX_IMAGE_METADATA_BYTES = 100_000
    assert "metadata is larger" in refusal("exif.jpg", jpeg_with_comments(150_000), "photo")
    assert check("exif.jpg", jpeg_with_comments(50_000), "photo").width == 64


@pytest.mark.parametrize(
    ("name", "make", "mime", "size"),
    [
        ("photo.jpg", jpeg_bytes, "image/jpeg", (64, 48)),
        ("photo.JPEG", jpeg_bytes, "image/jpeg", (64, 48)),
        ("photo.png", png_bytes, "image/png", (64, 48)),
    ],
)
def test_good_photo_accepted_with_what_was_learnt(name, make, mime, size):
    content = make()
    info = check(name, content, "photo")
    assert info.mime == mime
    assert (info.width, info.height) == size
    assert info.size == len(content)
    assert info.sha256 == hashlib.sha256(content).hexdigest()


def test_good_photo_from_a_file_on_disk_is_rewound(tmp_path):
    """A large upload is a temporary file: the checks must leave it at its start."""
    from django.core.files import File

    path = tmp_path / "anh.jpg"
    path.write_bytes(jpeg_bytes())
    with path.open("rb") as handle:
        uploaded = File(handle, name="anh.jpg")
        validate_upload(uploaded, "photo")
        assert uploaded.tell() == 0


def test_video_refused_when_ffprobe_is_missing(monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda cmd: None if cmd == "ffprobe" else real_which(cmd))
    clip = DEMO_MEDIA / "videos" / "big-buck-bunny-5s-clip.mp4"
    assert "ffmpeg" in refusal(clip.name, clip.read_bytes(), "video")


def test_container_without_a_movie_refused():
    assert "no picture track" in refusal("no-movie.mp4", fake_mp4(), "video")


def test_good_video_accepted_with_its_size():
    clip = DEMO_MEDIA / "videos" / "big-buck-bunny-5s-clip.mp4"
    info = check(clip.name, clip.read_bytes(), "video")
    assert info.mime == "video/mp4"
    assert info.width and info.height


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("plain-js.pdf", lambda: pdf_bytes(javascript="app.alert(1);")),
        ("openaction.pdf", lambda: pdf_with_object_stream(catalog=b"/OpenAction " + JS_ACTION)),
        (
            "openaction-ref.pdf",
            lambda: pdf_with_object_stream(catalog=b"/OpenAction 4 0 R", extra=[JS_ACTION]),
        ),
        (
            "names-js.pdf",
            lambda: pdf_with_object_stream(
                catalog=b"/Names << /JavaScript << /Names [(a) 4 0 R] >> >>", extra=[JS_ACTION]
            ),
        ),
        (
            "catalog-aa.pdf",
            lambda: pdf_with_object_stream(catalog=b"/AA << /WC " + JS_ACTION + b" >>"),
        ),
        ("page-aa.pdf", lambda: pdf_with_object_stream(page=b"/AA << /O " + JS_ACTION + b" >>")),
        (
            "link-js.pdf",
            lambda: pdf_with_object_stream(
                page=b"/Annots [4 0 R]",
                extra=[b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A " + JS_ACTION + b" >>"],
            ),
        ),
        (
            "launch.pdf",
            lambda: pdf_with_object_stream(catalog=b"/OpenAction << /S /Launch /F (calc.exe) >>"),
        ),
        (
            "xfa.pdf",
            lambda: pdf_with_object_stream(
                catalog=b"/AcroForm << /Fields [] /XFA 4 0 R >>", extra=[b"(x)"]
            ),
        ),
        (
            "attachment.pdf",
            lambda: pdf_with_object_stream(catalog=b"/Names << /EmbeddedFiles << /Names [] >> >>"),
        ),
    ],
)
def test_pdf_with_active_content_refused(name, make):
    assert "active content" in refusal(name, make(), "publication")


def test_pdf_active_content_refused_even_in_an_object_nothing_refers_to():
    """The byte scan catches what the structure walk cannot reach; a reader that
    repairs the file by scanning for objects could still find it."""
    orphan = b"\n99 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\n"
    assert "active content" in refusal("orphan.pdf", pdf_bytes() + orphan, "publication")


def test_object_stream_pdf_hides_its_script_from_a_byte_scan():
    """The generator is what the tests above rely on: no tell-tale name in the bytes."""
    data = pdf_with_object_stream(catalog=b"/OpenAction " + JS_ACTION)
    assert b"JavaScript" not in data and b"OpenAction" not in data
    assert check("clean.pdf", pdf_with_object_stream(), "publication").page_count == 1


def test_password_protected_pdf_refused():
    assert "password-protected" in refusal("locked.pdf", pdf_bytes(password="x"), "publication")


def test_pdf_without_pages_refused():
    assert "no pages" in refusal("blank.pdf", pdf_bytes(pages=0), "publication")


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n" + b"\x00" * 100,
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
    ],
)
def test_damaged_pdf_refused_not_a_crash(content):
    message = refusal("broken.pdf", content, "publication")
    assert "damaged" in message or "no pages" in message


def test_good_pdf_accepted_with_its_page_count():
    content = pdf_bytes(pages=2)
    info = check("cam-nang.pdf", content, "publication")
    assert (info.mime, info.page_count) == ("application/pdf", 2)


def test_demo_publications_accepted():
    for path in sorted((DEMO_MEDIA / "publications").glob("*.pdf")):
        assert check(path.name, path.read_bytes(), "publication").page_count >= 1
