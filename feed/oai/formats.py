"""The two metadata formats, each a function from the stored public record
(`FeedRecord.record`, shaped by `feed.records`) to one lxml element.

`oai_dc` is what every harvester reads; Dublin Core is flat, so it keeps the
multilingual texts (xml:lang on each) and names the rest. `sen` keeps the whole
record (schema and meaning in `feed/schemas/sen.xsd`). Neither reads anything but
the record, so neither can say more than the public site shows.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from lxml import etree

from ..records import in_order
from .protocol import NS_XSI

NS_OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_SEN = "https://sen.gov.vn/ns/sen/1.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA_LOCATION = f"{{{NS_XSI}}}schemaLocation"

# DCMI Type Vocabulary (https://www.dublincore.org/specifications/dublin-core/dcmi-type-vocabulary/).
DCMI_TYPE = {"photo": "StillImage", "video": "MovingImage", "publication": "Text"}


def _dc(name):
    return f"{{{NS_DC}}}{name}"


DC = {name: _dc(name) for name in (
    "title", "creator", "subject", "description", "publisher", "date", "type", "format",
    "identifier", "language", "coverage", "rights",
)}  # fmt: skip


_SubElement = etree.SubElement


def _add(parent, tag, text, lang=None):
    # One call per element: a harvest writes some twenty per record.
    element = _SubElement(parent, tag, {XML_LANG: lang}) if lang else _SubElement(parent, tag)
    element.text = text
    return element


def oai_dc(record):
    root = etree.Element(
        f"{{{NS_OAI_DC}}}dc",
        nsmap={"oai_dc": NS_OAI_DC, "dc": NS_DC, "xsi": NS_XSI},
    )
    root.set(SCHEMA_LOCATION, f"{NS_OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd")
    for lang, text in in_order(record.get("title")):
        _add(root, DC["title"], text, lang)
    if record.get("author"):
        _add(root, DC["creator"], record["author"])
    for topic in record.get("topics", ()):
        for lang, text in in_order(topic["name"]):
            _add(root, DC["subject"], text, lang)
    for keyword in record.get("keywords", ()):
        _add(root, DC["subject"], keyword)
    for lang, text in in_order(record.get("description")):
        _add(root, DC["description"], text, lang)
    organisation = record.get("organisation")
    if organisation:
        _add(root, DC["publisher"], organisation["name"])
    date = record.get("date") or (record.get("first_published") or "")[:10]
    if date:
        _add(root, DC["date"], date)
    _add(root, DC["type"], DCMI_TYPE[record["type"]])
    formats = []
    for entry in record.get("files", ()):
        if entry["mime_type"] not in formats:
            formats.append(entry["mime_type"])
    if not formats and record.get("preview"):
        formats.append(record["preview"]["mime_type"])
    for mime_type in formats:
        _add(root, DC["format"], mime_type)
    for lang, url in in_order(record.get("url")):
        _add(root, DC["identifier"], url, lang)
    for lang in record.get("languages", ()):
        _add(root, DC["language"], lang)
    place = record.get("place")
    if place:
        for lang, text in in_order(place["name"]):
            _add(root, DC["coverage"], text, lang)
    licence = record.get("licence")
    if licence and licence.get("uri"):
        _add(root, DC["rights"], licence["uri"])
    if record.get("credit"):
        _add(root, DC["rights"], record["credit"])
    return root


def _sen(name):
    return f"{{{NS_SEN}}}{name}"


def _texts(parent, name, values):
    for lang, text in in_order(values):
        _add(parent, _sen(name), text, lang)


def _attributes(element, data, names):
    """Copy record keys to attributes (snake_case -> camelCase), skipping empties."""
    for key, attribute in names:
        value = data.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        element.set(attribute, str(value))
    return element


FILE_ATTRIBUTES = (
    ("role", "role"), ("url", "url"), ("mime_type", "mimeType"), ("bytes", "bytes"),
    ("sha256", "sha256"), ("width", "width"), ("height", "height"), ("language", "language"),
)  # fmt: skip
EDITION_ATTRIBUTES = (
    ("language", "language"), ("url", "url"), ("mime_type", "mimeType"), ("bytes", "bytes"),
    ("sha256", "sha256"), ("pages", "pages"), ("cover", "cover"),
)  # fmt: skip
IMAGE_ATTRIBUTES = (
    ("url", "url"), ("mime_type", "mimeType"), ("width", "width"), ("height", "height"),
)  # fmt: skip


def sen_schema_url():
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("sen_oai_sen_schema")


def sen(record):
    root = etree.Element(_sen("record"), nsmap={"sen": NS_SEN, "xsi": NS_XSI})
    root.set(SCHEMA_LOCATION, f"{NS_SEN} {sen_schema_url()}")
    root.set("id", record["id"])
    root.set("type", record["type"])
    for lang, url in in_order(record.get("url")):
        _add(root, _sen("url"), url, lang)
    _texts(root, "title", record.get("title", {}))
    _texts(root, "description", record.get("description", {}))
    _texts(root, "altText", record.get("alt_text", {}))
    for keyword in record.get("keywords", ()):
        _add(root, _sen("keyword"), keyword)
    for topic in record.get("topics", ()):
        element = etree.SubElement(root, _sen("topic"), id=str(topic["id"]))
        _texts(element, "name", topic["name"])
    place = record.get("place")
    if place:
        element = _attributes(
            etree.SubElement(root, _sen("place"), id=str(place["id"])),
            place,
            (
                ("code", "code"),
                ("kind", "kind"),
                ("latitude", "latitude"),
                ("longitude", "longitude"),
            ),  # fmt: skip
        )
        _texts(element, "name", place["name"])
        current = place.get("current")
        if current:
            inner = _attributes(
                etree.SubElement(element, _sen("current"), id=str(current["id"])),
                current,
                (("code", "code"),),
            )
            _texts(inner, "name", current["name"])
    organisation = record.get("organisation")
    if organisation:
        _add(root, _sen("organisation"), organisation["name"]).set("id", str(organisation["id"]))
    for key, name in (("author", "author"), ("credit", "credit"), ("copyright_holder", "copyrightHolder")):  # fmt: skip
        if record.get(key):
            _add(root, _sen(name), record[key])
    licence = record.get("licence")
    if licence:
        element = _attributes(
            etree.SubElement(root, _sen("licence")),
            licence,
            (
                ("code", "code"),
                ("uri", "uri"),
                ("requires_credit", "requiresCredit"),
                ("allows_reuse", "allowsReuse"),
            ),  # fmt: skip
        )
        _texts(element, "name", licence.get("name", {}))
    if record.get("date"):
        element = _add(root, _sen("date"), record["date"])
        if record.get("date_precision"):
            element.set("precision", record["date_precision"])
    if record.get("source"):
        _add(root, _sen("source"), record["source"])
    for lang in record.get("languages", ()):
        _add(root, _sen("language"), lang)
    for key in ("duration", "width", "height"):
        if record.get(key):
            _add(root, _sen(key), str(record[key]))
    for key in ("preview", "image"):
        if record.get(key):
            _attributes(etree.SubElement(root, _sen(key)), record[key], IMAGE_ATTRIBUTES)
    for entry in record.get("files", ()):
        _attributes(etree.SubElement(root, _sen("file")), entry, FILE_ATTRIBUTES)
    for entry in record.get("editions", ()):
        _attributes(etree.SubElement(root, _sen("edition")), entry, EDITION_ATTRIBUTES)
    for entry in record.get("subtitles", ()):
        _attributes(
            etree.SubElement(root, _sen("subtitle")),
            entry,
            (("language", "language"), ("kind", "kind"), ("url", "url")),
        )
    for key, name in (("first_published", "firstPublished"), ("last_published", "lastPublished")):  # fmt: skip
        if record.get(key):
            _add(root, _sen(name), record[key])
    return root


@dataclass(frozen=True)
class Format:
    prefix: str
    namespace: str
    write: object

    @property
    def schema(self):
        if self.prefix == "oai_dc":
            return "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
        return sen_schema_url()


FORMATS = {
    "oai_dc": Format("oai_dc", NS_OAI_DC, oai_dc),
    "sen": Format("sen", NS_SEN, sen),
}
