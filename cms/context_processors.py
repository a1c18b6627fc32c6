from django.conf import settings
from django.utils import translation

from .languages import og_locale_for, public_languages, swap_prefix


def public_site(request):
    """Languages, hreflang alternates and the canonical URL of a public page. A view
    that knows better (an asset's URL differs per language by its slug) passes its
    own `alternates` and `canonical`."""
    prefixes = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)
    if not request.path.startswith(prefixes):
        return {}
    languages = public_languages(request)
    path = request.get_full_path()
    return {
        "public_languages": languages,
        "alternates": [
            (code, request.build_absolute_uri(swap_prefix(path, code))) for code, _n in languages
        ],
        "canonical": request.build_absolute_uri(path),
        "og_locale": og_locale_for(translation.get_language()),
        "menu_pages": _menu_pages(),
    }


def _menu_pages():
    """The site's top-level pages marked "show in menus" (one query, when used)."""
    from wagtail.models import Page

    return Page.objects.live().public().in_menu().filter(depth=3).order_by("path")
