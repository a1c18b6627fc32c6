from django.conf import settings
from django.utils import translation


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
