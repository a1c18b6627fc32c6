"""The request side of OAI-PMH 2.0: verbs, their arguments, dates and identifiers.

Everything a harvester can get wrong is caught here and turned into the error code
the specification gives it (section 3.6), so the rest of the package only ever sees
a well-formed request. http://www.openarchives.org/OAI/openarchivesprotocol.html
"""

import datetime
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

NS_OAI = "http://www.openarchives.org/OAI/2.0/"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA_URL = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"

# verb -> (required, optional); "resumptionToken" is exclusive wherever it is allowed.
VERBS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
}
# Longest value of any argument we read; a longer one is malformed whatever it says.
MAX_ARGUMENT_LENGTH = 2000


class OAIError(Exception):
    """An OAI-PMH error condition: answered with HTTP 200 and <error code=...>."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def echoes_arguments(self):
        # Section 3.2: after badVerb or badArgument, <request> carries no attributes.
        return self.code not in ("badVerb", "badArgument")


@dataclass(frozen=True)
class Request:
    verb: str
    arguments: dict  # as received, echoed in <request>

    def get(self, name, default=None):
        return self.arguments.get(name, default)


def parse(params):
    """Check a request's arguments (a QueryDict of GET or POST) against section 3."""
    verbs = params.getlist("verb")
    if len(verbs) != 1 or verbs[0] not in VERBS:
        if not verbs:
            raise OAIError("badVerb", _("The verb argument is missing."))
        if len(verbs) > 1:
            raise OAIError("badVerb", _("The verb argument is repeated."))
        raise OAIError("badVerb", _("This is not an OAI-PMH verb."))
    verb = verbs[0]
    required, optional = VERBS[verb]
    arguments = {}
    for name in params:
        if name == "verb":
            continue
        values = params.getlist(name)
        if name not in required | optional:
            raise OAIError("badArgument", _("%(verb)s does not take the argument %(name)s.") % {"verb": verb, "name": name[:50]})  # fmt: skip
        if len(values) > 1:
            raise OAIError("badArgument", _("The argument %(name)s is repeated.") % {"name": name})
        if len(values[0]) > MAX_ARGUMENT_LENGTH and name != "resumptionToken":
            raise OAIError("badArgument", _("The argument %(name)s is too long.") % {"name": name})
        arguments[name] = values[0]
    if "resumptionToken" in arguments:
        if len(arguments) > 1:
            raise OAIError(
                "badArgument", _("resumptionToken is an exclusive argument: send it alone.")
            )
    else:
        missing = sorted(required - set(arguments))
        if missing:
            raise OAIError(
                "badArgument", _("Missing argument: %(names)s.") % {"names": ", ".join(missing)}
            )
    if verb in ("ListIdentifiers", "ListRecords") and "resumptionToken" not in arguments:
        date_range(arguments.get("from"), arguments.get("until"))
    return Request(verb, arguments)


DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def _moment(value, name):
    """(datetime at the start of `value`, its granularity as a timedelta)."""
    try:
        if DAY.match(value):
            day = datetime.date.fromisoformat(value)
            return datetime.datetime.combine(day, datetime.time(), datetime.UTC), datetime.timedelta(days=1)  # fmt: skip
        if SECOND.match(value):
            moment = datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
            return moment.replace(tzinfo=datetime.UTC), datetime.timedelta(seconds=1)
    except ValueError:
        pass
    raise OAIError(
        "badArgument",
        _("%(name)s is not a date of the form YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ.")
        % {"name": name},
    )


def date_range(since, until):
    """The half-open interval [start, end) of datestamps that `from` and `until`
    select, both inclusive at their own granularity: until=2025-01-01T10:00:05Z takes
    10:00:05.999; until=2025-01-01 takes the whole day. None for an open end."""
    start = end = None
    grains = set()
    if since is not None:
        start, grain = _moment(since, "from")
        grains.add(grain)
    if until is not None:
        moment, grain = _moment(until, "until")
        grains.add(grain)
        try:
            end = moment + grain
        except OverflowError:
            end = None  # 9999-12-31: no upper bound
    if len(grains) > 1:
        raise OAIError("badArgument", _("from and until must have the same granularity."))
    if start is not None and until is not None and start > moment:
        raise OAIError("badArgument", _("from is later than until."))
    return start, end


def stamp(moment):
    """A datestamp at the repository's granularity (UTC, seconds, Z)."""
    if moment.tzinfo is not datetime.UTC:
        moment = moment.astimezone(datetime.UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}Z"


def repository_id():
    """The namespace part of every identifier: SEN_OAI_REPOSITORY_ID, by default the
    host of SEN_BASE_URL (a domain name, as the oai-identifier scheme asks)."""
    return settings.SEN_OAI_REPOSITORY_ID or urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname


def identifier(local_id):
    return f"oai:{repository_id()}:{local_id}"


def local_id(oai_identifier):
    """("photo", 12) for "oai:<repository>:photo/12"; None for anything else."""
    prefix = f"oai:{repository_id()}:"
    if not oai_identifier.startswith(prefix):
        return None
    kind, _sep, number = oai_identifier[len(prefix) :].partition("/")
    if kind not in ("photo", "video", "publication") or not number.isdigit() or len(number) > 18:
        return None
    return kind, int(number)
