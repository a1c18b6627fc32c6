"""Reuse terms. Shared by many assets so that a corrected licence changes in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..text import NFCTextMixin


class Licence(NFCTextMixin, models.Model):
    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    uri = models.URLField(_("URI"), blank=True)
    requires_credit = models.BooleanField(_("requires credit"), default=True)
    allows_reuse = models.BooleanField(
        _("allows reuse"),
        default=True,
        help_text=_("Untick for 'all rights reserved': the public may view but not reuse."),
    )

    download_sizes = models.JSONField(
        _("download sizes"),
        default=list,
        blank=True,
        help_text=_(
            "What the public may download under this licence: web, press, print, original."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")

    def __str__(self):
        return self.name or self.code
