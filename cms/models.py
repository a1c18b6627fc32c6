"""The public site's pages and the province's own configuration."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page

from .forms import ProvinceSettingsForm


class HomePage(Page):
    """The site's root: a hero photo, the province's introduction, then the latest
    published photos, videos and publications, the topics and the places."""

    introduction = RichTextField(_("introduction"), blank=True)
    hero_photo = models.ForeignKey(
        "assets.Photo",
        verbose_name=_("hero photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown large at the top while it is published."),
    )

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("hero_photo")]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from . import published
        from .views import home_sections

        context = super().get_context(request, *args, **kwargs)
        context.update(home_sections())
        hero = (
            published.photos().filter(pk=self.hero_photo_id).first() if self.hero_photo_id else None
        )
        context["hero"] = published.prepare([hero])[0] if hero else None
        context["website_jsonld"] = {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "url": request.build_absolute_uri(f"/{request.LANGUAGE_CODE}/"),
            "name": ProvinceSettings.load(request_or_site=request).province_name or "Sen",
            "inLanguage": request.LANGUAGE_CODE,
            "potentialAction": {
                "@type": "SearchAction",
                "target": request.build_absolute_uri(reverse("public_search")) + "?q={query}",
                "query-input": "required name=query",
            },
        }
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        response.sen_expires = response.context_data.get("expires")
        return response


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
