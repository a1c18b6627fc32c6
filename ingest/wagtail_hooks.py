from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views, urls


@hooks.register("register_admin_urls")
def register_ingest_urls():
    return [
        path("upload/", include(urls, namespace="ingest")),
        path("pipeline/jobs/<int:job_id>/retry/", admin_views.retry_job, name="ingest_retry_job"),
        path(
            "pipeline/checks/<int:check_id>/release/",
            admin_views.release_check,
            name="ingest_release_check",
        ),
    ]


class UploadMenuItem(MenuItem):
    def is_shown(self, request):
        from assets.models import Photo
        from assets.permissions import policy_for

        return policy_for(Photo).collections_user_has_permission_for(request.user, "add").exists()


@hooks.register("register_admin_menu_item")
def register_upload_menu_item():
    return UploadMenuItem(
        _("Upload files"), reverse("ingest:upload"), name="upload", icon_name="upload", order=145
    )


@hooks.register("register_admin_viewset")
def register_pipeline_viewsets():
    return [
        admin_views.JobViewSet("ingest_job", url_prefix="pipeline/jobs"),
        admin_views.ContentCheckViewSet("ingest_contentcheck", url_prefix="pipeline/checks"),
    ]


@hooks.register("register_log_actions")
def register_ingest_log_actions(actions):
    actions.register_action(
        "sen.quarantine", _("Quarantine"), _("Quarantined for a state-secret marking")
    )
    actions.register_action(
        "sen.quarantine_release", _("Release"), _("Released from quarantine as a false positive")
    )
