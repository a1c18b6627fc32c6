"""The files behind assets: Wagtail's image, document and media models, swapped in.

An asset record (Photo, Video, Publication) holds the editorial data and the review
state; the file models below hold only the bytes and what Wagtail needs to render
them. They live in the same collection as their asset so that collection permissions
cover both.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.documents.models import AbstractDocument
from wagtail.images.models import AbstractImage, AbstractRendition
from wagtailmedia.models import AbstractMedia


class SenImage(AbstractImage):
    """The original photo file. Stored in private storage; only renditions are public."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)

    admin_form_fields = (
        "title",
        "file",
        "collection",
        "focal_point_x",
        "focal_point_y",
        "focal_point_width",
        "focal_point_height",
    )

    class Meta(AbstractImage.Meta):
        verbose_name = _("image file")
        verbose_name_plural = _("image files")


class SenRendition(AbstractRendition):
    image = models.ForeignKey(SenImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)


class SenDocument(AbstractDocument):
    """One PDF file: a language edition of a publication."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    page_count = models.PositiveIntegerField(_("page count"), null=True, blank=True)

    admin_form_fields = ("title", "file", "collection", "tags")

    class Meta(AbstractDocument.Meta):
        verbose_name = _("document file")
        verbose_name_plural = _("document files")


class SenMedia(AbstractMedia):
    """A video file (wagtailmedia's model, swapped in so that we can extend it)."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)

    admin_form_fields = (
        "title",
        "file",
        "collection",
        "duration",
        "width",
        "height",
        "thumbnail",
        "tags",
    )

    class Meta(AbstractMedia.Meta):
        verbose_name = _("video file")
        verbose_name_plural = _("video files")
