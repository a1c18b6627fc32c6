"""The languages the public site offers: the configured ones (settings.LANGUAGES)
that the province chose to publish (ProvinceSettings.public_languages)."""

from django.conf import settings

# Open Graph wants a territory; these are the usual ones for each language.
OG_LOCALES = {
    "vi": "vi_VN",
    "en": "en_US",
    "zh-hans": "zh_CN",
    "ja": "ja_JP",
    "ko": "ko_KR",
    "fr": "fr_FR",
    "de": "de_DE",
    "ru": "ru_RU",
    "es": "es_ES",
    "lo": "lo_LA",
    "km": "km_KH",
    "th": "th_TH",
}


def public_languages(request=None):
    """[(code, name)] in the configured order; Vietnamese always first."""
    from .models import ProvinceSettings

    chosen = set(ProvinceSettings.load(request_or_site=request).public_languages or [])
    return [(code, name) for code, name in settings.LANGUAGES if code in chosen or code == "vi"]


def swap_prefix(path, language):
    """The same public path under another language prefix."""
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if path.startswith(prefix):
            return f"/{language}/" + path[len(prefix) :]
    return path


def og_locale_for(code):
    return OG_LOCALES.get(code or "vi", (code or "vi").replace("-", "_"))
