"""The six verbs, answered as a stream of XML.

`answer(params)` does all the database work of a response before it returns (one
query for a page of records, plus the first page's count), so that every error is
known before the first byte is sent and is answered as an OAI error, never a 500
half-way through a document. What it returns is a generator of byte chunks: lxml's
incremental writer (`etree.xmlfile`) serialises one <record> at a time and the
chunk is handed to the server, so a page of 200 records never exists as one tree.
"""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from lxml import etree

from ..models import FeedRecord
from . import harvest, tokens
from .formats import FORMATS
from .protocol import (
    GRANULARITY,
    NS_OAI,
    NS_XSI,
    OAI_SCHEMA_URL,
    OAIError,
    Request,
    date_range,
    identifier,
    local_id,
    parse,
    stamp,
)


def _oai(name):
    return f"{{{NS_OAI}}}{name}"


def base_url():
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("sen_oai")


class _Sink:
    """A file for `etree.xmlfile` that keeps what was written until it is taken."""

    def __init__(self):
        self.parts = []

    def write(self, data):
        self.parts.append(data)

    def take(self):
        data = b"".join(self.parts)
        self.parts.clear()
        return data


# Elements written one by one into the stream are serialised on their own: with OAI's
# namespace as their default, they carry one `xmlns` each instead of a prefix on
# every descendant (the stream's root declares the same default).
OAI_NSMAP = {None: NS_OAI}


def _element(tag, text=None, **attributes):
    element = etree.Element(
        _oai(tag), {k: v for k, v in attributes.items() if v is not None}, nsmap=OAI_NSMAP
    )
    element.text = text
    return element


def _document(request, body, now):
    """The OAI-PMH envelope around `body` (a generator writing into `xf`)."""
    sink = _Sink()
    with etree.xmlfile(sink, encoding="utf-8") as xf:
        xf.write_declaration()
        attributes = {f"{{{NS_XSI}}}schemaLocation": f"{NS_OAI} {OAI_SCHEMA_URL}"}
        with xf.element(_oai("OAI-PMH"), attributes, nsmap={None: NS_OAI, "xsi": NS_XSI}):
            xf.write(_element("responseDate", stamp(now)))
            echoed = {}
            if request is not None:
                echoed = {"verb": request.verb, **request.arguments}
            xf.write(_element("request", base_url(), **echoed))
            for _done in body(xf):
                yield sink.take()
    yield sink.take()


def _error_body(error):
    def body(xf):
        xf.write(_element("error", error.message, code=error.code))
        yield

    return body


HEADER, IDENTIFIER, DATESTAMP, SET_SPEC = (_oai(t) for t in ("header", "identifier", "datestamp", "setSpec"))  # fmt: skip
RECORD, METADATA = _oai("record"), _oai("metadata")
DELETED = {"status": "deleted"}


def _header(row, parent=None, prefix=None):
    prefix = prefix or identifier("")
    if parent is None:
        header = etree.Element(HEADER, DELETED if row.gone else None, nsmap=OAI_NSMAP)
    else:
        header = etree.SubElement(parent, HEADER, DELETED if row.gone else None)
    etree.SubElement(header, IDENTIFIER).text = prefix + row.local_id
    etree.SubElement(header, DATESTAMP).text = stamp(row.datestamp)
    for spec in row.specs:
        etree.SubElement(header, SET_SPEC).text = spec
    return header


def _record(row, metadata_format, prefix=None):
    record = etree.Element(RECORD, nsmap=OAI_NSMAP)
    _header(row, record, prefix)
    if not row.gone:
        etree.SubElement(record, METADATA).append(metadata_format.write(row.record))
    return record


def _format(prefix):
    metadata_format = FORMATS.get(prefix)
    if metadata_format is None:
        raise OAIError(
            "cannotDisseminateFormat",
            _("The metadata format %(prefix)s is not disseminated here: use oai_dc or sen.")
            % {"prefix": prefix[:50]},
        )
    return metadata_format


def _find(oai_identifier, now, with_metadata=True):
    parsed = local_id(oai_identifier)
    row = harvest.one(*parsed, now, with_metadata) if parsed else None
    if row is None:
        raise OAIError(
            "idDoesNotExist",
            _("No record has the identifier %(id)s.") % {"id": oai_identifier[:200]},
        )
    return row


# --- The verbs ----------------------------------------------------------------------


def identify(request, now):
    from cms.models import ProvinceSettings

    with translation.override(settings.LANGUAGE_CODE):
        name = ProvinceSettings.load().province_name or settings.WAGTAIL_SITE_NAME
    earliest = harvest.earliest_datestamp() or now

    def body(xf):
        element = _element("Identify")
        for tag, text in (
            ("repositoryName", name),
            ("baseURL", base_url()),
            ("protocolVersion", "2.0"),
            ("adminEmail", settings.SEN_OAI_ADMIN_EMAIL),
            ("earliestDatestamp", stamp(earliest)),
            ("deletedRecord", "persistent"),
            ("granularity", GRANULARITY),
        ):
            etree.SubElement(element, _oai(tag)).text = text
        xf.write(element)
        yield

    return body


def list_metadata_formats(request, now):
    if request.get("identifier") is not None:
        _find(request.get("identifier"), now, with_metadata=False)

    def body(xf):
        element = _element("ListMetadataFormats")
        for metadata_format in FORMATS.values():
            entry = etree.SubElement(element, _oai("metadataFormat"))
            etree.SubElement(entry, _oai("metadataPrefix")).text = metadata_format.prefix
            etree.SubElement(entry, _oai("schema")).text = metadata_format.schema
            etree.SubElement(entry, _oai("metadataNamespace")).text = metadata_format.namespace
        xf.write(element)
        yield

    return body


def list_sets(request, now):
    if request.get("resumptionToken") is not None:
        # Sets come in one list; no token of ours ever continues it.
        raise OAIError("badResumptionToken", _("The list of sets has no further part."))
    names = set_names(harvest.set_specs())

    def body(xf):
        element = _element("ListSets")
        for spec, name in names:
            entry = etree.SubElement(element, _oai("set"))
            etree.SubElement(entry, _oai("setSpec")).text = spec
            etree.SubElement(entry, _oai("setName")).text = name
        xf.write(element)
        yield

    return body


def set_names(specs):
    """(spec, Vietnamese name) of each set: types, topics, organisations."""
    from assets.models import Organisation, Topic

    topics = {s.partition(":")[2] for s in specs if s.startswith("topic:")}
    organisations = {s.partition(":")[2] for s in specs if s.startswith("organisation:")}
    with translation.override(settings.LANGUAGE_CODE):
        parents = {
            "type": _("Type of asset"),
            "topic": _("Topic"),
            "organisation": _("Organisation"),
        }
        kinds = {kind: str(label) for kind, label in FeedRecord.Kind.choices}
        topic_names = {t.slug: t.name for t in Topic.objects.filter(slug__in=topics)}
        ids = [int(i) for i in organisations if i.isdigit()]
        organisation_names = {str(o.pk): o.name for o in Organisation.objects.filter(pk__in=ids)}
    names = []
    for spec in specs:
        group, _sep, value = spec.partition(":")
        if not value:
            name = parents.get(group, group)
        elif group == "type":
            name = kinds.get(value, value)
        elif group == "topic":
            name = topic_names.get(value, value)
        else:
            name = organisation_names.get(value, value)
        names.append((spec, name))
    return names


def get_record(request, now):
    metadata_format = _format(request.get("metadataPrefix"))
    row = _find(request.get("identifier"), now)

    def body(xf):
        element = _element("GetRecord")
        element.append(_record(row, metadata_format))
        xf.write(element)
        yield

    return body


def _iso(moment):
    return moment.isoformat() if moment is not None else None


def _moment(text):
    return datetime.datetime.fromisoformat(text) if text else None


def list_records(request, now, *, with_metadata=True):
    verb = request.verb
    token = request.get("resumptionToken")
    if token is not None:
        state = tokens.read(verb, token)
        try:
            metadata_format = FORMATS[state["p"]]
            selection = harvest.Selection(state["s"], _moment(state["f"]), _moment(state["u"]))
            after = (_moment(state["d"]), int(state["i"]))
            total, cursor = int(state["n"]), int(state["c"])
        except (KeyError, TypeError, ValueError):
            raise OAIError("badResumptionToken", _("This resumption token is not one of ours.")) from None  # fmt: skip
    else:
        metadata_format = _format(request.get("metadataPrefix"))
        start, end = date_range(request.get("from"), request.get("until"))
        selection = harvest.Selection(request.get("set"), start, end)
        after, total, cursor = None, None, 0
    size = settings.SEN_OAI_PAGE_SIZE
    rows, last = harvest.page(
        selection, after=after, size=size, now=now, with_metadata=with_metadata
    )
    if not rows and after is None:
        raise OAIError("noRecordsMatch", _("No record matches these arguments."))
    if total is None:
        # Counted once, on the first page, and carried in the token.
        total = len(rows) if last is None else harvest.count(selection, now)
    next_token = expires = None
    if last is not None:
        next_token, expires = tokens.issue(
            verb,
            {
                "p": metadata_format.prefix,
                "s": selection.set_spec,
                "f": _iso(selection.start),
                "u": _iso(selection.end),
                "d": last[0].isoformat(),
                "i": last[1],
                "n": total,
                "c": cursor + len(rows),
            },
        )

    prefix = identifier("")

    def body(xf):
        with xf.element(_oai(verb)):
            for row in rows:
                if with_metadata:
                    xf.write(_record(row, metadata_format, prefix))
                else:
                    xf.write(_header(row, prefix=prefix))
                yield
            if after is not None or next_token is not None:
                # On the last page of a resumed list, an empty token says "complete".
                resumption = _element(
                    "resumptionToken",
                    next_token,
                    completeListSize=str(max(total, cursor + len(rows))),
                    cursor=str(cursor),
                    expirationDate=stamp(expires) if expires else None,
                )
                xf.write(resumption)
        yield

    return body


def list_identifiers(request, now):
    return list_records(request, now, with_metadata=False)


VERB_HANDLERS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
}


def answer(params):
    """The response to an OAI-PMH request, as an iterator of byte chunks."""
    now = timezone.now()
    request = None
    try:
        request = parse(params)
        body = VERB_HANDLERS[request.verb](request, now)
    except OAIError as error:
        echoed = request if request is not None and error.echoes_arguments else None
        return _document(echoed, _error_body(error), now)
    return _document(request, body, now)


__all__ = ["Request", "answer"]
