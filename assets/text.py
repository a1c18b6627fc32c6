"""Text rules shared by every Sen model: Vietnamese is stored NFC-normalised.

Vietnamese can be typed precomposed (NFC, "ầ" as one code point) or decomposed
(NFD, "a" + two combining marks: macOS file names, some IMEs). Both look identical but
compare, sort and search differently, so everything is stored as NFC.
"""

import unicodedata

from django.db import models


def nfc(value):
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    return value


def language_map(obj, field):
    """{language: value} of a translated field (modeltranslation's `<field>_<code>`
    columns) in the configured languages' order, Vietnamese first, empty ones left
    out: the one reading of "this field in every language" for the export feed, the
    search index and the credit embedded in downloads."""
    from django.conf import settings
    from modeltranslation.utils import build_localized_fieldname

    values = {}
    for code, _name in settings.LANGUAGES:
        value = getattr(obj, build_localized_fieldname(field, code), "") or ""
        if value:
            values[code] = value
    return values


def normalise_text_fields(instance):
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(instance, field.attname, None)
            if isinstance(value, str):
                setattr(instance, field.attname, nfc(value))


class NFCTextMixin:
    """Normalise every char/text column to NFC on save and in revisions."""

    def save(self, *args, **kwargs):
        normalise_text_fields(self)
        return super().save(*args, **kwargs)

    def serializable_data(self):
        normalise_text_fields(self)
        return super().serializable_data()


def fold(value):
    """Lower case without diacritics: "Cần Thơ" -> "can tho". Visitors and foreign
    press often type Vietnamese without its marks; search compares folded text."""
    value = unicodedata.normalize("NFD", (value or "").replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in value if not unicodedata.combining(c)).lower()
