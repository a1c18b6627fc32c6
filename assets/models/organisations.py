"""Who contributes: organisations "theo phân cấp" and their members.

Each organisation owns one Wagtail collection (nested like the organisations) and one
editors group whose collection permissions make its members contributors to exactly
that collection. Renames and mergers happen (the 2025 reform renamed departments and
merged communes), so names are kept with the date until which they were valid.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Collection

from ..text import NFCTextMixin


class Organisation(NFCTextMixin, models.Model):
    class Kind(models.TextChoices):
        MANAGING = "managing", _("Managing department")
        DEPARTMENT = "department", _("Department or agency")
        COMMUNE = "commune", _("Commune or ward")
        PRESS = "press", _("Press agency")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    collection = models.OneToOneField(
        Collection,
        verbose_name=_("collection"),
        on_delete=models.PROTECT,
        related_name="organisation",
        editable=False,
    )
    editors_group = models.OneToOneField(
        "auth.Group",
        verbose_name=_("editors group"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="organisation",
        editable=False,
    )
    is_active = models.BooleanField(_("active"), default=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        editable=False,
    )
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name or ""

    def name_on(self, day):
        """The name this organisation had on `day`: published assets cite it."""
        if day is None:
            return self.name
        # Read through .all() so that a batch that prefetched `former_names` (the
        # export feed's records) asks nothing more per asset.
        later = [former for former in self.former_names.all() if former.valid_until > day]
        earlier = min(later, key=lambda former: former.valid_until, default=None)
        return earlier.name if earlier else self.name


class OrganisationFormerName(NFCTextMixin, models.Model):
    """A name an organisation carried until `valid_until` (exclusive)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="former_names"
    )
    name = models.CharField(_("name"), max_length=255)
    valid_until = models.DateField(_("valid until"))

    class Meta:
        ordering = ["organisation", "valid_until"]
        verbose_name = _("former name")
        verbose_name_plural = _("former names")

    def __str__(self):
        return self.name or ""


class Membership(models.Model):
    """A user belongs to one organisation; its editors group gives the rights."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="membership",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} – {self.organisation}"
