from modeltranslation.translator import TranslationOptions, register

from .models import HomePage, ProvinceSettings


@register(HomePage)
class HomePageTranslation(TranslationOptions):
    fields = ("introduction",)


@register(ProvinceSettings)
class ProvinceSettingsTranslation(TranslationOptions):
    fields = ("province_name", "legal_basis")
