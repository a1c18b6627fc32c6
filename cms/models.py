"""The public site's pages and the province's own configuration."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page

from .forms import ProvinceSettingsForm


class HomePage(Page):
    """The site's root. Its sections (featured albums, latest assets) arrive with the
    public-site issue; for now it introduces the province."""

    introduction = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from assets.models import Photo

        context = super().get_context(request, *args, **kwargs)
        context["latest_photos"] = (
            Photo.objects.filter(live=True)
            .select_related("image")
            .order_by("-first_published_at")[:12]
        )
        return context


def default_public_languages():
    return [code for code, _name in settings.LANGUAGES]


@register_setting(icon="globe")
class ProvinceSettings(BaseGenericSetting):
    """Who runs this database: the province, its managing department, the legal
    basis the site cites, and the languages it publishes in."""

    province_name = models.CharField(_("province name"), max_length=255)
    managing_department = models.ForeignKey(
        "assets.Organisation",
        verbose_name=_("managing department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    legal_basis = models.TextField(
        _("legal basis"),
        blank=True,
        help_text=_(
            "Cited on the site, e.g. Circular 22/2016/TT-BTTTT and the "
            "province's regulation on foreign-information work."
        ),
    )
    public_languages = models.JSONField(
        _("published languages"),
        default=default_public_languages,
        help_text=_("Languages the public site offers, out of the configured ones."),
    )

    panels = [
        *[FieldPanel(f"province_name_{code.replace('-', '_')}") for code, _n in settings.LANGUAGES],
        FieldPanel("managing_department"),
        *[FieldPanel(f"legal_basis_{code.replace('-', '_')}") for code, _n in settings.LANGUAGES],
        FieldPanel("public_languages"),
    ]

    base_form_class = ProvinceSettingsForm

    class Meta:
        verbose_name = _("province")

    def __str__(self):
        return self.province_name or ""
