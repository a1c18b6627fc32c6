"""The OAI-PMH endpoint: GET or POST (application/x-www-form-urlencoded, section
3.1.1.2), always HTTP 200 with an XML document, errors included."""

from pathlib import Path

from django.http import FileResponse, HttpResponseNotAllowed, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt

from .responses import answer

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


@csrf_exempt  # harvesters are not browsers: no session, no cookie, nothing to forge
def endpoint(request):
    if request.method in ("GET", "HEAD"):
        params = request.GET
    elif request.method == "POST":
        params = request.POST
    else:
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    response = StreamingHttpResponse(answer(params), content_type="text/xml; charset=utf-8")
    # The answer changes with every publication; shared caches must not keep it.
    response["Cache-Control"] = "no-cache"
    return response


def sen_schema(request):
    """The XSD of the `sen` format, which its records name in xsi:schemaLocation."""
    return FileResponse(
        (SCHEMAS / "sen.xsd").open("rb"), content_type="application/xml; charset=utf-8"
    )
