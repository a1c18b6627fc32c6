"""What an asset is about: topics, events and the regulations' information classes."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..text import NFCTextMixin


class InformationClass(models.TextChoices):
    """The classes of foreign information the provincial regulations name
    (e.g. Hải Phòng's regulation art. 3.1: official, image-promotion, clarifying)."""

    OFFICIAL = "official", _("Official information about the province")
    PROMOTION = "promotion", _("Image-promotion information")
    CLARIFYING = "clarifying", _("Clarifying information")


class Topic(NFCTextMixin, models.Model):
    """A field the regulations ask the province to introduce (land, people, ...)."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "slug"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name or self.slug


class Event(NFCTextMixin, models.Model):
    """A foreign-information event: a fair, an investment promotion, a festival, a
    delegation. Assets made there point at it."""

    name = models.CharField(_("name"), max_length=255)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    place = models.ForeignKey(
        "assets.Place",
        verbose_name=_("place in the province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    held_abroad = models.BooleanField(_("held abroad"), default=False)
    location_abroad = models.CharField(
        _("location abroad"),
        max_length=255,
        blank=True,
        help_text=_("City and country, when the event is held abroad."),
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self):
        return f"{self.name} ({self.starts_on:%d/%m/%Y})"

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end date is before the start date.")
        if self.held_abroad and not self.location_abroad:
            errors["location_abroad"] = _("Say where abroad the event is held.")
        if not self.held_abroad and self.location_abroad:
            errors["held_abroad"] = _("Tick this when the event is held abroad.")
        if errors:
            raise ValidationError(errors)
