"""IIIF Presentation 3 manifests of public photos and publications.

Built from the stored public record (`FeedRecord.record`), so a manifest says what
the API and OAI-PMH say; only the page previews of a publication, which the record
does not list, come from the ingest pipeline's derivatives of the live asset
(`feed.operations.asset_of`, None once it is not public). Spec:
https://iiif.io/api/presentation/3.0/.

Publications: one canvas per page of the main edition (Vietnamese, else the first);
the pipeline draws previews of the first `SEN_PDF_PREVIEW_PAGES` pages only, so the
later canvases have the page's size but no image, and every edition's PDF is offered
as a `rendering` of the manifest. Other language editions are not canvases: they are
the same pages in another language, and a viewer shows one sequence.
"""

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from assets.models import Publication
from cms import published
from ingest.models import Derivative

from .records import absolute, in_order

CONTEXT = "http://iiif.io/api/presentation/3/context.json"
LABEL_LANGUAGES = ("vi", "en")
# IIIF `rights` takes only Creative Commons or RightsStatements.org URIs, in their
# canonical http form.
RIGHTS_HOSTS = ("creativecommons.org/", "rightsstatements.org/")
DEFAULT_PAGE = (800, 1131)  # A4 at the previews' width, for pages without a preview
MANIFEST_KINDS = ("photo", "publication")


def _values(language_map):
    return {code: [text] for code, text in in_order(language_map) if text}


def _label(text):
    """A language map of an interface label, in the languages Sen translates."""
    result = {}
    for code in LABEL_LANGUAGES:
        with translation.override(code):
            result[code] = [str(text)]
    return result


def _none(*texts):
    texts = [t for t in texts if t]
    return {"none": texts} if texts else None


def rights_uri(licence):
    uri = (licence or {}).get("uri") or ""
    bare = uri.removeprefix("https://").removeprefix("http://")
    if not bare.startswith(RIGHTS_HOSTS):
        return None
    return "http://" + bare


def _metadata(data):
    entries = [
        (_("Author"), _none(data.get("author"))),
        (_("Date"), _none(data.get("date"))),
        (_("Place"), _values((data.get("place") or {}).get("name"))),
        (_("Organisation"), _none((data.get("organisation") or {}).get("name"))),
        (_("Copyright holder"), _none(data.get("copyright_holder"))),
        (_("Licence"), _values((data.get("licence") or {}).get("name"))),
        (_("Keywords"), _none(", ".join(data.get("keywords") or []))),
    ]
    topics = data.get("topics") or []
    if topics:
        names = {}
        for topic in topics:
            for code, text in in_order(topic["name"]):
                names.setdefault(code, []).append(text)
        entries.append((_("Topics"), {code: [", ".join(v)] for code, v in names.items()}))
    return [{"label": _label(label), "value": value} for label, value in entries if value]


def _image(url, mime_type="image/jpeg", width=None, height=None):
    body = {"id": url, "type": "Image", "format": mime_type}
    if width and height:
        body["width"], body["height"] = width, height
    return body


def _canvas(base, number, width, height, image=None, label=None):
    canvas_id = f"{base}/canvas/{number}"
    canvas = {"id": canvas_id, "type": "Canvas", "width": width, "height": height}
    if label:
        canvas["label"] = label
    if image is not None:
        canvas["thumbnail"] = [image]
        canvas["items"] = [
            {
                "id": f"{canvas_id}/page",
                "type": "AnnotationPage",
                "items": [
                    {
                        "id": f"{canvas_id}/painting",
                        "type": "Annotation",
                        "motivation": "painting",
                        "body": image,
                        "target": canvas_id,
                    }
                ],
            }
        ]
    else:
        canvas["items"] = []
    return canvas


def manifest_url(record):
    return absolute(
        reverse("feed_iiif_manifest", kwargs={"kind": record.kind, "asset_id": record.asset_id})
    )


def manifest(record, asset):
    """The manifest of a public record and its live asset, or None when there is
    nothing to show (no image yet)."""
    data = record.record
    url = manifest_url(record)
    base = url.removesuffix("/manifest.json")
    result = {
        "@context": CONTEXT,
        "id": url,
        "type": "Manifest",
        "label": _values(data.get("title")) or {"none": [record.local_id]},
    }
    summary = _values(data.get("description"))
    if summary:
        result["summary"] = summary
    result["metadata"] = _metadata(data)
    rights = rights_uri(data.get("licence"))
    if rights:
        result["rights"] = rights
    if data.get("credit"):
        result["requiredStatement"] = {"label": _label(_("Credit")), "value": _none(data["credit"])}
    preview = data.get("preview")
    if preview:
        result["thumbnail"] = [
            _image(preview["url"], preview.get("mime_type", "image/jpeg"),
                   preview.get("width"), preview.get("height"))
        ]  # fmt: skip
    result["homepage"] = [
        {"id": link, "type": "Text", "label": result["label"], "format": "text/html",
         "language": [code]}
        for code, link in in_order(data.get("url"))
    ]  # fmt: skip
    result["seeAlso"] = [
        {
            "id": absolute(
                reverse(
                    "feed_api_record", kwargs={"kind": record.kind, "asset_id": record.asset_id}
                )
            ),
            "type": "Dataset",
            "format": "application/json",
            "label": _label(_("Public record (Sen API)")),
        }
    ]
    if record.kind == "photo":
        items = _photo_canvases(base, data)
    else:
        items = _publication_canvases(base, data, asset, result)
    if not items:
        return None
    result["items"] = items
    return result


def _photo_canvases(base, data):
    image = data.get("image")
    width, height = data.get("width"), data.get("height")
    if not image or not width or not height:
        return []
    return [
        _canvas(base, 1, width, height, _image(image["url"], image.get("mime_type", "image/jpeg")))
    ]


def _publication_canvases(base, data, asset, result):
    editions = data.get("editions") or []
    if not editions or not isinstance(asset, Publication):
        return []
    main = next((e for e in editions if e["language"] == "vi"), editions[0])
    result["behavior"] = ["paged"]
    result["rendering"] = [
        {"id": e["url"], "type": "Text", "format": "application/pdf", "language": [e["language"]],
         "label": _label(_("PDF edition"))}
        for e in editions
    ]  # fmt: skip
    edition = asset.editions.filter(language=main["language"]).first()
    if edition is None:
        return []
    previews = {}
    for derivative in Derivative.objects.filter(
        document_id=edition.document_id, name__startswith="page-"
    ):
        number = derivative.name.removeprefix("page-")
        if number.isdigit():
            previews[int(number)] = derivative
    pages = main.get("pages") or max(previews, default=0) or 1
    first = previews.get(min(previews)) if previews else None
    size = (first.width, first.height) if first and first.width else DEFAULT_PAGE
    canvases = []
    for number in range(1, pages + 1):
        derivative = previews.get(number)
        image = None
        width, height = size
        if derivative is not None and derivative.width:
            width, height = derivative.width, derivative.height
            image = _image(
                absolute(published.file_url(derivative.file.name)),
                derivative.mime_type or "image/jpeg", width, height,
            )  # fmt: skip
        label = {"none": [f"{number}"]}
        canvases.append(_canvas(base, number, width, height, image, label))
    return canvases
