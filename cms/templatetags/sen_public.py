"""Template helpers of the public site. None of them makes a rendition or runs a
query: they present what cms.published fetched."""

import json
import unicodedata

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

# As django.utils.html.json_script: nothing in the data can close the <script>.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def jsonld(data):
    """Serialise JSON-LD for <script type="application/ld+json">."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, default=str)
    # Safe as json_script() is: <, > and & are escaped, so no tag can close early.
    return mark_safe(text.translate(_JSON_ESCAPES))  # noqa: S308


@register.inclusion_tag("cms/includes/picture.html")
def picture(
    picture, alt, sizes="(min-width: 70rem) 22rem, (min-width: 40rem) 45vw, 100vw", eager=False
):
    return {"picture": picture, "alt": alt, "sizes": sizes, "eager": eager}


@register.filter
def file_url(name):
    """The permission-checked URL of a stored file (cms.published.file_url)."""
    from ..published import file_url as url

    return url(name)


@register.filter
def nfc(value):
    """NFC text: Django's own name for Vietnamese ("Tiếng Việt") is decomposed."""
    return unicodedata.normalize("NFC", str(value))
