"""The gazetteer: the province's administrative units, past and present.

Units were merged on 2025-07-01 (communes and provinces alike) and old names stay in
documents, captions and people's heads, so a unit that no longer exists is kept with
its validity dates and a link to the unit that replaced it; `current()` follows it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..text import NFCTextMixin


class Place(NFCTextMixin, models.Model):
    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province or city")
        COMMUNE = "commune", _("Commune")
        WARD = "ward", _("Ward")
        SPECIAL_ZONE = "special_zone", _("Special zone")
        DISTRICT = "district", _("District (before 2025-07-01)")
        LANDMARK = "landmark", _("Landmark or site")

    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(
        _("official code"),
        max_length=20,
        blank=True,
        help_text=_("Code in the national list of administrative units, if any."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("Last day the unit existed; empty while it exists."),
    )
    replaced_by = models.ForeignKey(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~models.Q(code=""), name="unique_place_code"
            )
        ]

    def __str__(self):
        if self.valid_until:
            return _("%(name)s (until %(date)s)") % {
                "name": self.name,
                "date": self.valid_until.strftime("%d/%m/%Y"),
            }
        return self.name or ""

    def current(self):
        """The unit that carries this place today (follows `replaced_by`)."""
        place, seen = self, {self.pk}
        while place.replaced_by_id and place.replaced_by_id not in seen:
            seen.add(place.replaced_by_id)
            place = place.replaced_by
        return place
