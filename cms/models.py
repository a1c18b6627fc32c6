"""The public site's pages and the province's own configuration."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page

from assets.models import OneAssetItem

from .forms import ProvinceSettingsForm


class SenPage(Page):
    """What every page of the public site shares: hreflang alternates and the
    canonical URL from the page's own URL in each language (its slug may be
    translated, so swapping the language prefix is not enough)."""

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        from .languages import public_languages

        context = super().get_context(request, *args, **kwargs)
        alternates = []
        for code, _name in public_languages(request):
            with translation.override(code):
                alternates.append((code, request.build_absolute_uri(self.get_url(request))))
        context["alternates"] = alternates
        context["canonical"] = request.build_absolute_uri(self.get_url(request))
        return context


class HomePage(SenPage):
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
    subpage_types = ["cms.SectionPage", "cms.ArticlePage", "cms.AlbumPage"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from . import published
        from .views import home_sections

        context = super().get_context(request, *args, **kwargs)
        context.update(home_sections())
        context["featured_albums"] = (
            AlbumPage.objects.live()
            .public()
            .filter(featured=True)
            .order_by("-first_published_at")[:4]
        )
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


class SectionPage(SenPage):
    """A section of the site that lists its pages, newest first: the press room,
    "clarifying information", albums."""

    introduction = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    subpage_types = ["cms.ArticlePage", "cms.AlbumPage", "cms.SectionPage"]

    class Meta:
        verbose_name = _("section")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        children = self.get_children().live().public().specific().order_by("-first_published_at")
        context["children"] = Paginator(children, 20).get_page(request.GET.get("page"))
        return context


class ArticleKind(models.TextChoices):
    PRESS_RELEASE = "press_release", _("Press release")
    CLARIFYING = "clarifying", _("Clarifying information")
    NEWS = "news", _("News")
    ABOUT = "about", _("About")
    CONTACT = "contact", _("Contacts")


class ArticlePage(SenPage):
    """A text page: a press release ("thông cáo báo chí"), clarifying information
    ("thông tin giải thích, làm rõ"), about, contacts of the spokesperson."""

    kind = models.CharField(_("kind"), max_length=20, choices=ArticleKind.choices)
    date = models.DateField(_("date"), default=timezone.localdate)
    introduction = models.TextField(_("introduction"), blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("kind"),
        FieldPanel("date"),
        FieldPanel("introduction"),
        FieldPanel("body"),
    ]
    subpage_types = []

    class Meta:
        verbose_name = _("article")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["jsonld"] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle" if self.kind == ArticleKind.PRESS_RELEASE else "Article",
            "headline": self.title,
            "description": self.introduction or None,
            "datePublished": self.date.isoformat(),
            "inLanguage": translation.get_language(),
            "url": context["canonical"],
        }
        return context


class AlbumPage(SenPage):
    """A curated, ordered set of published assets with a translated introduction.
    An item whose asset is not public is left out, never shown."""

    introduction = RichTextField(_("introduction"), blank=True)
    featured = models.BooleanField(_("featured on the home page"), default=False)

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        FieldPanel("featured"),
        InlinePanel("items", label=_("assets"), heading=_("Assets, in order")),
    ]
    subpage_types = []

    class Meta:
        verbose_name = _("album")

    def public_assets(self):
        """The album's public assets in the editor's order."""
        from . import published

        return published.public_assets_of(self.items.all())

    def get_context(self, request, *args, **kwargs):
        from . import published

        context = super().get_context(request, *args, **kwargs)
        context["assets"] = self.public_assets()
        context["expires"] = published.earliest_expiry(context["assets"])
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        response.sen_expires = response.context_data.get("expires")
        return response


class AlbumItem(OneAssetItem):
    """One asset of an album: a photo, a video or a publication."""

    page = ParentalKey(AlbumPage, on_delete=models.CASCADE, related_name="items")

    class Meta(OneAssetItem.Meta):
        verbose_name = _("album item")
        verbose_name_plural = _("album items")


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
