"""Media kits for the foreign press: a reviewer picks published assets and shares
them by a link that expires, in the journalist's language; every download through
the link is logged."""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel

from assets.models import OneAssetItem
from assets.text import NFCTextMixin


def new_token():
    # 32 bytes from the OS: the link is the only key to the kit.
    return secrets.token_urlsafe(32)


def default_expiry():
    return timezone.now() + datetime.timedelta(days=settings.SEN_MEDIA_KIT_DAYS)


class MediaKit(NFCTextMixin, ClusterableModel):
    title = models.CharField(_("title"), max_length=255)
    recipient = models.CharField(
        _("for"), max_length=255, blank=True, help_text=_("The journalist or the newsroom.")
    )
    email = models.EmailField(
        _("journalist's e-mail"),
        blank=True,
        help_text=_(
            "If filled in, Sen sends the link there, in the language of the link, when "
            "the kit is saved (again if the address changes)."
        ),
    )
    sent_to = models.EmailField(_("link sent to"), blank=True, editable=False)
    sent_at = models.DateTimeField(_("link sent at"), null=True, blank=True, editable=False)
    language = models.CharField(
        _("language of the link"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The kit's page opens in this language."),
    )
    message = models.TextField(_("message to the journalist"), blank=True)
    expires_at = models.DateTimeField(_("link expires at"), default=default_expiry)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("recipient"),
        FieldPanel("email"),
        FieldPanel("language"),
        FieldPanel("message"),
        FieldPanel("expires_at"),
        InlinePanel("items", label=_("assets"), heading=_("Assets, in order"), min_num=1),
    ]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("media kit")
        verbose_name_plural = _("media kits")

    def __str__(self):
        return self.title

    @property
    def expired(self):
        return self.expires_at <= timezone.now()

    def get_public_url(self):
        from django.urls import reverse
        from django.utils import translation

        with translation.override(self.language):
            return reverse("press_kit", kwargs={"token": self.token})


class MediaKitItem(OneAssetItem):
    kit = ParentalKey(MediaKit, on_delete=models.CASCADE, related_name="items")

    class Meta(OneAssetItem.Meta):
        verbose_name = _("media kit item")
        verbose_name_plural = _("media kit items")

    def clean(self):
        super().clean()
        asset = getattr(self, self.chosen()[0])
        if not asset.is_public:
            raise ValidationError(_("Only published assets can go into a media kit."))


class MediaKitDownload(models.Model):
    """One file downloaded through a kit's link."""

    kit = models.ForeignKey(
        MediaKit, verbose_name=_("media kit"), on_delete=models.CASCADE, related_name="downloads"
    )
    kind = models.CharField(_("type"), max_length=20)
    asset_id = models.PositiveBigIntegerField(_("asset"))
    asset_title = models.CharField(_("title"), max_length=255)
    size = models.CharField(_("size"), max_length=20)
    downloaded_at = models.DateTimeField(_("downloaded at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-downloaded_at"]
        verbose_name = _("media kit download")
        verbose_name_plural = _("media kit downloads")

    def __str__(self):
        return f"{self.kit} · {self.asset_title} ({self.size})"
