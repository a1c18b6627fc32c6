from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AssetsConfig(AppConfig):
    default = True  # this module also holds SenUsersConfig
    name = "assets"
    verbose_name = _("Asset library")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401 - registers the start-up checks
        from .permissions import register_policies
        from .signal_handlers import register_signal_handlers

        register_policies()
        register_signal_handlers()


class SenUsersConfig(WagtailUsersAppConfig):
    """Wagtail's users app with Sen's user forms: a user belongs to an organisation."""

    user_viewset = "assets.users.SenUserViewSet"
