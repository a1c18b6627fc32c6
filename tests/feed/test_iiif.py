"""IIIF Presentation 3 manifests: their shape (checked against the rules of
https://iiif.io/api/presentation/3.0/ below, since iiif-prezi3 cannot be installed
beside Sen's Pillow), their content, and that only public photos and publications
have one."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from assets.models import Licence, Publication, PublicationEdition, SenDocument
from feed.models import FeedRecord
from review.operations import withdraw

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits(settings):
    settings.SEN_API_RATE_ANONYMOUS = "1000/min"
    cache.clear()


def is_language_map(value):
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(k, str) and isinstance(v, list) and v for k, v in value.items())
        and all(isinstance(text, str) for texts in value.values() for text in texts)
    )


def check_presentation_3(manifest):
    """The MUSTs of Presentation 3 that Sen's manifests use; returns the problems."""
    problems = []
    if manifest.get("@context") != "http://iiif.io/api/presentation/3/context.json":
        problems.append("@context")
    if manifest.get("type") != "Manifest" or not str(manifest.get("id", "")).startswith("http"):
        problems.append("type/id")
    for name in ("label", "summary"):
        if name in manifest and not is_language_map(manifest[name]):
            problems.append(name)
    for entry in manifest.get("metadata", []):
        if not (is_language_map(entry.get("label")) and is_language_map(entry.get("value"))):
            problems.append(f"metadata {entry}")
    statement = manifest.get("requiredStatement")
    if statement and not (
        is_language_map(statement["label"]) and is_language_map(statement["value"])
    ):
        problems.append("requiredStatement")
    rights = manifest.get("rights")
    if rights and not rights.startswith(
        ("http://creativecommons.org/", "http://rightsstatements.org/")
    ):
        problems.append("rights")
    for thumb in manifest.get("thumbnail", []):
        if thumb.get("type") != "Image" or not thumb.get("id", "").startswith("http"):
            problems.append("thumbnail")
    for link in manifest.get("homepage", []) + manifest.get("seeAlso", []):
        if not (
            link.get("id", "").startswith("http")
            and link.get("type")
            and is_language_map(link.get("label"))
        ):
            problems.append(f"link {link}")
    ids = [manifest["id"]]
    canvases = manifest.get("items") or []
    if not canvases:
        problems.append("items")
    for canvas in canvases:
        ids.append(canvas["id"])
        if canvas.get("type") != "Canvas" or not all(
            isinstance(canvas.get(d), int) and canvas[d] > 0 for d in ("width", "height")
        ):
            problems.append(f"canvas {canvas['id']}")
        for page in canvas.get("items", []):
            ids.append(page["id"])
            if page.get("type") != "AnnotationPage":
                problems.append("annotation page")
            for annotation in page["items"]:
                ids.append(annotation["id"])
                body = annotation["body"]
                if (
                    annotation.get("type") != "Annotation"
                    or annotation.get("motivation") != "painting"
                    or annotation.get("target") != canvas["id"]
                    or body.get("type") != "Image"
                    or not body.get("format")
                    or not body.get("id", "").startswith("http")
                ):
                    problems.append(f"annotation {annotation['id']}")
    if len(ids) != len(set(ids)):
        problems.append("ids not unique")
    return problems


def manifest_of(visitor, kind, pk):
    return visitor.get(f"/iiif/{kind}/{pk}/manifest.json")


def test_photo_manifest(visitor, make_photo, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://anh.cantho.gov.vn"
    photo = make_photo(
        title_vi="Chợ nổi Cái Răng", title_en="Cai Rang floating market",
        description_vi="Ghe thuyền buổi sáng", credit_line="Ảnh: Sở VHTTDL", author="Nguyễn Văn A",
    )  # fmt: skip
    response = manifest_of(visitor, "photo", photo.pk)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    manifest = response.json()
    assert check_presentation_3(manifest) == []
    assert manifest["id"] == f"https://anh.cantho.gov.vn/iiif/photo/{photo.pk}/manifest.json"
    assert manifest["label"] == {"vi": ["Chợ nổi Cái Răng"], "en": ["Cai Rang floating market"]}
    assert manifest["summary"] == {"vi": ["Ghe thuyền buổi sáng"]}
    assert manifest["rights"] == "http://creativecommons.org/licenses/by/4.0/"
    assert manifest["requiredStatement"]["value"] == {"none": ["Ảnh: Sở VHTTDL"]}
    assert manifest["requiredStatement"]["label"]["vi"] == ["Nguồn"]
    author = next(m for m in manifest["metadata"] if m["value"] == {"none": ["Nguyễn Văn A"]})
    assert author["label"]["en"] == ["Author"]
    (canvas,) = manifest["items"]
    assert (canvas["width"], canvas["height"]) == (photo.image.width, photo.image.height)
    image_url = canvas["items"][0]["items"][0]["body"]["id"]
    assert image_url.startswith("https://anh.cantho.gov.vn/files/renditions/")
    assert {h["language"][0] for h in manifest["homepage"]} == {
        "vi",
        "en",
        "zh-hans",
        "ja",
        "ko",
        "fr",
    }


def pages_pdf(count):
    pages = []
    for number in range(count):
        page = Image.new("RGB", (620, 877), "white")
        ImageDraw.Draw(page).text((40, 80), f"Trang {number + 1}", fill="black")
        pages.append(page)
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", resolution=72, save_all=True, append_images=pages[1:])
    return buffer.getvalue()


@pytest.fixture
def brochure(media_dirs, organisation, publish, settings):
    """A publication whose Vietnamese edition has 4 pages, of which the pipeline
    draws previews of the first 2."""
    settings.SEN_PDF_PREVIEW_PAGES = 2
    publication = Publication.objects.create(
        title_vi="Cẩm nang", title="Cẩm nang", organisation=organisation,
        licence=Licence.objects.get(code="cc-by-4.0"), live=False,
    )  # fmt: skip
    for language, count in (("vi", 4), ("en", 1)):
        document = SenDocument.objects.create(
            title=f"Cẩm nang {language}", collection=organisation.collection,
            file=ContentFile(pages_pdf(count), name=f"guide-{language}.pdf"),
        )  # fmt: skip
        PublicationEdition.objects.create(
            publication=publication, language=language, document=document
        )
    return publish(publication)


def test_publication_manifest_has_a_canvas_per_page(visitor, brochure):
    response = manifest_of(visitor, "publication", brochure.pk)
    assert response.status_code == 200
    manifest = response.json()
    assert check_presentation_3(manifest) == []
    assert manifest["behavior"] == ["paged"]
    assert len(manifest["items"]) == 4
    painted = [c for c in manifest["items"] if c["items"]]
    assert len(painted) == 2  # the pages with a preview
    assert {r["language"][0] for r in manifest["rendering"]} == {"vi", "en"}
    # The previews are files the public can fetch.
    for canvas in painted:
        url = canvas["items"][0]["items"][0]["body"]["id"]
        path = url.split("://", 1)[1].split("/", 1)[1]
        assert visitor.get("/" + path).status_code == 200


def test_only_public_photos_and_publications_have_a_manifest(
    visitor, make_photo, make_video, reviewer, publish
):
    draft = make_photo(live=False)
    in_review = make_photo(live=False)
    in_review.save_revision(user=reviewer)
    in_review.get_workflow().start(in_review, reviewer)
    withdrawn = make_photo()
    withdraw(withdrawn, user=reviewer, reason="Rút")
    expired = make_photo()
    expired.expire_at = timezone.now() + datetime.timedelta(hours=1)
    publish(expired)
    FeedRecord.objects.filter(kind="photo", asset_id=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    deleted = make_photo()
    deleted_pk = deleted.pk
    deleted.delete()
    video = make_video()
    for kind, pk in [
        ("photo", draft.pk), ("photo", in_review.pk), ("photo", withdrawn.pk),
        ("photo", expired.pk), ("photo", deleted_pk), ("video", video.pk), ("photo", 99999),
    ]:  # fmt: skip
        response = manifest_of(visitor, kind, pk)
        assert response.status_code == 404, (kind, pk)
        assert response["Content-Type"] == "application/problem+json"
    assert visitor.get("/iiif/photo/x/manifest.json").status_code == 404
