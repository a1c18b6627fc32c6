from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core import checks

        from .checks import search_index_ready
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
        # Deploy-only: search/checks.py says why.
        checks.register(search_index_ready, "search", deploy=True)
