"""Validating OAI-PMH answers offline against the schemas shipped in feed/schemas:
the envelope against the official OAI-PMH 2.0 XSD, each record's metadata against
the schema of its format."""

from pathlib import Path

from lxml import etree

import feed

SCHEMAS = Path(feed.__file__).resolve().parent / "schemas"
NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "sen": "https://sen.gov.vn/ns/sen/1.0",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _schema(name):
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


OAI_SCHEMA = _schema("OAI-PMH.xsd")
METADATA_SCHEMAS = {NS["oai_dc"]: _schema("oai_dc.xsd"), NS["sen"]: _schema("sen.xsd")}


def validate(content):
    """The parsed document, after checking it and every record's metadata."""
    root = etree.fromstring(content)
    OAI_SCHEMA.assertValid(root)
    for metadata in root.iterfind(".//oai:metadata", NS):
        (child,) = list(metadata)
        METADATA_SCHEMAS[etree.QName(child).namespace].assertValid(child)
    return root


def error_code(root):
    errors = root.findall("oai:error", NS)
    return errors[0].get("code") if errors else None
