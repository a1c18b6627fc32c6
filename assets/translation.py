"""Which fields exist once per configured language (django-modeltranslation).

One asset row carries title_vi, title_en, ...: the file, owner and review state are
shared by every language. Vietnamese is required; the others are optional.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import (
    Event,
    Licence,
    Organisation,
    OrganisationFormerName,
    Photo,
    Place,
    Publication,
    Topic,
    Video,
)


class AssetTranslation(TranslationOptions):
    fields = ("title", "description")
    required_languages = {"vi": ("title",), "default": ()}


@register(Photo)
class PhotoTranslation(AssetTranslation):
    fields = ("title", "description", "alt_text")


@register(Video)
class VideoTranslation(AssetTranslation):
    pass


@register(Publication)
class PublicationTranslation(AssetTranslation):
    pass


class NameTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = {"vi": ("name",), "default": ()}


for model in (Organisation, OrganisationFormerName, Place, Topic, Event, Licence):
    register(model)(type(f"{model.__name__}Translation", (NameTranslation,), {}))
