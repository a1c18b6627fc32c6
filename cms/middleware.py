from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

# Paths outside the language-prefixed public site.
UNPREFIXED_PATHS = (
    "/admin/",
    "/documents/",
    "/files/",
    "/media/",
    "/static/",
    "/i18n/",
    "/download/",
    "/press/",
    "/sitemap",
    "/oai/",
    "/api/",
    "/iiif/",
)


class SenLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, minus one redirect.

    The public site's page route (i18n_patterns + Wagtail's catch-all) makes every
    path valid under a language prefix, so Django would answer any 404 outside the
    public site with a redirect to /vi/<path>. Admin, document and media 404s stay
    404s.
    """

    def process_response(self, request, response):
        if response.status_code == 404 and request.path_info.startswith(UNPREFIXED_PATHS):
            return response
        return super().process_response(request, response)


class AdminInVietnameseMiddleware:
    """The admin speaks Vietnamese unless the user chose another language in their
    account settings; the browser's Accept-Language does not decide it.

    Sen's editors often use browsers set to English; Django's LocaleMiddleware would
    then switch the admin, and the translated field values it shows, to English.
    Wagtail applies an explicit account preference itself, after this runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = "/admin/"

    def __call__(self, request):
        if request.path_info.startswith(self.prefix):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.get_response(request)
