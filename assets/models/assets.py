"""The three kinds of asset: photos, videos and publications.

Each is a Wagtail snippet that carries the editorial record (titles and captions in
every configured language, place, topics, rights, the contributing organisation) and
Wagtail's draft, revision, workflow, locking and preview machinery, so that review
and publishing (issue 4) use Wagtail's own workflow rather than a state field of ours.
The bytes live in the file models (files.py), in the same collection.

The collection is not chosen by the editor: it is always the owning organisation's
collection, set in `save()`, so that "who may see this" has one source of truth.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from modeltranslation.utils import build_localized_fieldname
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel
from wagtail.models import (
    CollectionMember,
    DraftStateMixin,
    LockableMixin,
    Orderable,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)

from ..text import NFCTextMixin
from .taxonomy import InformationClass

CONTENT_LANGUAGE_CHOICES = [(code, name) for code, name in settings.LANGUAGE_NAMES.items()]


class AssetQuerySet(models.QuerySet):
    def public(self, now=None):
        """What the public may see: published and not past its expiry. The expiry is
        checked here too, so an asset leaves the public site the moment it expires,
        not when the scheduler next runs `publish_scheduled`."""
        now = now or timezone.now()
        return self.filter(live=True).filter(
            models.Q(expire_at__isnull=True) | models.Q(expire_at__gt=now)
        )


def public_newest_index(name):
    """The public site's listings (home, browse, topic and place pages, the Atom feed)
    ask for public assets newest first, a page at a time, and count them:
    `public()` ordered by ("-first_published_at", "-pk"). Partial on `live`, holding
    `expire_at`, this index answers both without reading an asset row: the count of
    100,000 public photos reads the index alone (~15 ms on SQLite instead of ~125 ms
    for the table), and a large topic's page is found by walking it newest first
    (cms.published.of_topic). Wagtail's own index on first_published_at alone gives
    no order among equal dates on PostgreSQL and holds neither `live` nor
    `expire_at`."""
    return models.Index(
        fields=["first_published_at", "id", "expire_at"],
        condition=models.Q(live=True),
        name=name,
    )


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class Asset(
    NFCTextMixin,
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    CollectionMember,
    ClusterableModel,
):
    """Not in Wagtail's search index (`index.Indexed`): assets are searched in Sen's
    own (search/, one row per asset, written after each commit), by the public site,
    the admin's listings and choosers and the API alike. A second index written on
    every save would cost each save its writes (and their lock on PostgreSQL,
    search/backends.py) for nothing that reads it."""

    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)

    date = models.DateField(
        _("date"),
        null=True,
        blank=True,
        help_text=_(
            "When it was taken or produced. For a year or a month only, "
            "enter its first day and set the precision."
        ),
    )
    date_precision = models.CharField(
        _("date precision"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    place = models.ForeignKey(
        "assets.Place",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    topics = ParentalManyToManyField(
        "assets.Topic", verbose_name=_("topics"), blank=True, related_name="%(class)ss"
    )
    author = models.CharField(_("author or photographer"), max_length=255, blank=True)
    credit_line = models.CharField(_("credit line"), max_length=255, blank=True)
    copyright_holder = models.CharField(_("copyright holder"), max_length=255, blank=True)
    licence = models.ForeignKey(
        "assets.Licence",
        verbose_name=_("licence"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(
        _("source"),
        max_length=500,
        blank=True,
        help_text=_("Where the original comes from: a URL, an archive, a publication."),
    )
    organisation = models.ForeignKey(
        "assets.Organisation",
        verbose_name=_("contributing organisation"),
        on_delete=models.PROTECT,
        related_name="%(class)ss",
    )
    attributed_organisation = models.ForeignKey(
        "assets.Organisation",
        verbose_name=_("organisation when published"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    information_class = models.CharField(
        _("information class"),
        max_length=20,
        choices=InformationClass.choices,
        default=InformationClass.PROMOTION,
    )
    event = models.ForeignKey(
        "assets.Event",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="%(class)ss",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AssetQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return self.title_vi or self.title or ""

    def save(self, *args, **kwargs):
        if self.organisation_id:
            from .organisations import Organisation

            self.collection_id = (
                Organisation.objects.filter(pk=self.organisation_id)
                .values_list("collection_id", flat=True)
                .get()
            )
        # The organisation a published asset is credited to does not change when
        # organisations are later merged or renamed (see Organisation.name_on).
        if self.live and not self.attributed_organisation_id:
            self.attributed_organisation_id = self.organisation_id
        return super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        event = self.event if self.event_id else None
        if (
            event
            and self.date
            and event.ends_on
            and not (event.starts_on <= self.date <= event.ends_on)
        ):
            raise ValidationError({"date": _("The date is outside the dates of the chosen event.")})

    @property
    def is_public(self):
        """The one test of "may the public see this" (see AssetQuerySet.public)."""
        return self.live and not (self.expire_at and self.expire_at <= timezone.now())

    @cached_property
    def scheduled_revision(self):
        # Listings prefetch it (AssetViewSet.get_queryset) instead of one query a row.
        if hasattr(self, "_scheduled_revisions"):
            return self._scheduled_revisions[0] if self._scheduled_revisions else None
        return self.revisions.filter(approved_go_live_at__isnull=False).first()

    @property
    def organisation_name_when_published(self):
        org = self.attributed_organisation or self.organisation
        day = self.first_published_at.date() if self.first_published_at else None
        return org.name_on(day)

    def missing_languages(self):
        """Configured languages with no title yet: the admin shows them."""
        return [
            code
            for code, _name in settings.LANGUAGES
            if not getattr(self, build_localized_fieldname("title", code), None)
        ]

    # Contributors and reviewers see the asset as the public will, in each language.
    @property
    def preview_modes(self):
        return list(settings.LANGUAGES)

    @property
    def default_preview_mode(self):
        return "vi"

    def serve_preview(self, request, mode_name):
        language = mode_name if mode_name in dict(settings.LANGUAGES) else "vi"
        with translation.override(language):
            response = super().serve_preview(request, language)
            if hasattr(response, "render"):
                response.render()  # inside the override, not later in the admin's language
            return response

    def get_preview_template(self, request, mode_name):
        return "assets/preview.html"

    def get_preview_context(self, request, mode_name):
        context = super().get_preview_context(request, mode_name)
        context["asset"] = self
        context["language_name"] = dict(settings.LANGUAGES).get(mode_name, mode_name)
        # The public site falls back to Vietnamese where a field is not translated.
        context["untranslated"] = mode_name != "vi" and not getattr(
            self, build_localized_fieldname("title", mode_name), None
        )
        return context


KEYWORDS_HELP = _("Words people would search for, separated by commas.")


class PhotoTag(TaggedItemBase):
    content_object = ParentalKey(
        "assets.Photo", on_delete=models.CASCADE, related_name="tagged_items"
    )


class VideoTag(TaggedItemBase):
    content_object = ParentalKey(
        "assets.Video", on_delete=models.CASCADE, related_name="tagged_items"
    )


class PublicationTag(TaggedItemBase):
    content_object = ParentalKey(
        "assets.Publication", on_delete=models.CASCADE, related_name="tagged_items"
    )


class Photo(Asset):
    image = models.ForeignKey(
        "assets.SenImage",
        verbose_name=_("image file"),
        on_delete=models.PROTECT,
        related_name="photos",
        editable=False,
    )
    alt_text = models.CharField(
        _("alt text"),
        max_length=255,
        blank=True,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    keywords = ClusterTaggableManager(
        verbose_name=_("keywords"), through=PhotoTag, blank=True, help_text=KEYWORDS_HELP
    )

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        permissions = [("choose_photo", "Can choose photo")]
        indexes = [public_newest_index("photo_public_newest")]


class Video(Asset):
    media = models.ForeignKey(
        "assets.SenMedia",
        verbose_name=_("video file"),
        on_delete=models.PROTECT,
        related_name="videos",
        editable=False,
    )
    content_languages = models.JSONField(_("languages spoken or written"), default=list, blank=True)
    keywords = ClusterTaggableManager(
        verbose_name=_("keywords"), through=VideoTag, blank=True, help_text=KEYWORDS_HELP
    )

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        permissions = [("choose_video", "Can choose video")]
        indexes = [public_newest_index("video_public_newest")]


def validate_webvtt(uploaded):
    """A subtitle track is text the public player shows: WebVTT in UTF-8, small."""
    name = getattr(uploaded, "name", "")
    if uploaded.size > 2 * 1024 * 1024:
        raise ValidationError(
            _("The subtitle file “%(name)s” is larger than 2 MB."), params={"name": name}
        )
    uploaded.seek(0)
    head = uploaded.read()
    uploaded.seek(0)
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = ""
    if not text.startswith("WEBVTT") or "-->" not in text:
        raise ValidationError(
            _("The subtitle file “%(name)s” is not a WebVTT file in UTF-8."),
            params={"name": name},
        )


class VideoSubtitle(Orderable):
    """A WebVTT subtitle track in one language, attached by the editor."""

    class Kind(models.TextChoices):
        SUBTITLES = "subtitles", _("Subtitles (what is said, translated)")
        # WCAG 1.2.2: captions also describe sounds, for viewers who cannot hear.
        CAPTIONS = "captions", _("Captions (speech and sounds, for viewers who cannot hear)")

    video = ParentalKey(Video, on_delete=models.CASCADE, related_name="subtitles")
    language = models.CharField(_("language"), max_length=10, choices=CONTENT_LANGUAGE_CHOICES)
    kind = models.CharField(
        _("kind of track"), max_length=10, choices=Kind.choices, default=Kind.SUBTITLES
    )
    file = models.FileField(
        _("WebVTT file"), upload_to="subtitles/", validators=[validate_webvtt], max_length=255
    )

    class Meta(Orderable.Meta):
        verbose_name = _("subtitle track")
        verbose_name_plural = _("subtitle tracks")
        constraints = [
            models.UniqueConstraint(fields=["video", "language"], name="one_subtitle_per_language")
        ]

    def __str__(self):
        return f"{self.video} [{self.language}]"


class Publication(Asset):
    """One work (a brochure, a book, a flyer) with one PDF per language edition."""

    content_languages = models.JSONField(_("languages of the content"), default=list, blank=True)
    keywords = ClusterTaggableManager(
        verbose_name=_("keywords"), through=PublicationTag, blank=True, help_text=KEYWORDS_HELP
    )

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        permissions = [("choose_publication", "Can choose publication")]
        indexes = [public_newest_index("publication_public_newest")]


class PublicationEdition(Orderable):
    """The same publication in one language: its own PDF."""

    publication = ParentalKey(Publication, on_delete=models.CASCADE, related_name="editions")
    language = models.CharField(_("language"), max_length=10, choices=CONTENT_LANGUAGE_CHOICES)
    document = models.ForeignKey(
        "assets.SenDocument",
        verbose_name=_("PDF file"),
        on_delete=models.PROTECT,
        related_name="editions",
    )

    class Meta(Orderable.Meta):
        verbose_name = _("language edition")
        verbose_name_plural = _("language editions")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "language"], name="one_edition_per_language"
            )
        ]

    def __str__(self):
        return f"{self.publication} [{self.language}]"


class OneAssetItem(Orderable):
    """One photo, video or publication in an ordered, curated set (an album's items,
    a media kit's): three nullable keys, exactly one chosen, so that each kind keeps
    its own chooser and its own foreign key (deleting the asset removes the item)."""

    photo = models.ForeignKey(
        "assets.Photo",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    video = models.ForeignKey(
        "assets.Video",
        verbose_name=_("video"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    publication = models.ForeignKey(
        "assets.Publication",
        verbose_name=_("publication"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [FieldPanel("photo"), FieldPanel("video"), FieldPanel("publication")]

    class Meta(Orderable.Meta):
        abstract = True

    def chosen(self):
        """The names of the keys that are set."""
        return [name for name in ("photo", "video", "publication") if getattr(self, f"{name}_id")]

    def clean(self):
        if len(self.chosen()) != 1:
            raise ValidationError(_("Choose exactly one photo, video or publication."))
