from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    """Review and publishing: the managing department's check before anything is
    public, on Wagtail's workflow (issue 4)."""

    name = "review"
    verbose_name = _("Review and publishing")
    default_auto_field = "django.db.models.BigAutoField"
