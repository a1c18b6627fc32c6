from modeltranslation.translator import TranslationOptions, register

from .models import AlbumPage, ArticlePage, HomePage, ProvinceSettings, SectionPage


@register(HomePage)
class HomePageTranslation(TranslationOptions):
    fields = ("introduction",)


@register(ProvinceSettings)
class ProvinceSettingsTranslation(TranslationOptions):
    fields = ("province_name", "legal_basis")


@register(SectionPage)
class SectionPageTranslation(TranslationOptions):
    fields = ("introduction",)


@register(ArticlePage)
class ArticlePageTranslation(TranslationOptions):
    fields = ("introduction", "body")


@register(AlbumPage)
class AlbumPageTranslation(TranslationOptions):
    fields = ("introduction",)
