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
    # A 64-bit perceptual hash (hex) and its four 16-bit bands: two photos within
    # 3 bits share a band, so near duplicates are found by index, not by a scan.
    phash = models.CharField(_("perceptual hash"), max_length=16, blank=True)
    phash_band0 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    phash_band1 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    phash_band2 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    phash_band3 = models.PositiveIntegerField(null=True, blank=True, db_index=True)

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

    def generate_rendition_file(self, filter, *, source=None):
        """Wagtail calls this for a rendition it has not got: use shrink-on-load
        (ingest/renditions.py) whenever the filter is one it understands."""
        from ingest.renditions import is_fast_path, render

        if not is_fast_path(filter):
            return super().generate_rendition_file(filter, source=source)
        if source is not None:
            source.seek(0)
            return render(self, [filter], source)[0].content
        with self.open_file() as opened:
            return render(self, [filter], opened)[0].content


class SenRendition(AbstractRendition):
    image = models.ForeignKey(SenImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)

    def get_upload_to(self, filename):
        """One folder per image: what a killed job half-wrote is found by listing it
        (ingest.operations.remove_orphan_renditions)."""
        filename = self.file.field.storage.get_valid_name(filename)
        return f"renditions/{self.image_id}/{filename}"


class SenDocument(AbstractDocument):
    """One PDF file: a language edition of a publication."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    page_count = models.PositiveIntegerField(_("page count"), null=True, blank=True)
    # What the PDF says of itself (ingest.metadata), kept for search.
    language = models.CharField(_("language"), max_length=20, blank=True)
    text = models.TextField(_("full text"), blank=True, editable=False)

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
