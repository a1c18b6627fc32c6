from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "assets"
    verbose_name = _("Asset library")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .permissions import register_policies
        from .signal_handlers import register_signal_handlers

        register_policies()
        register_signal_handlers()
