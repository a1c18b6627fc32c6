from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IngestConfig(AppConfig):
    """Getting files in: bulk upload, what the files say about themselves, the checks
    that run on their content (state-secret markings, duplicates) and the derivatives
    made off the request path."""

    name = "ingest"
    verbose_name = _("Ingest")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
