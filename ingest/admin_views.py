"""The admin's view of the pipeline: jobs (queued, running, done, failed with the
error) and content checks (what was quarantined, released or removed). Both are
read-only listings; an administrator may run a job again or release a quarantined
file as a false positive, each with its own permission."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from . import operations
from .models import ContentCheck, Job


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Rows the pipeline writes: nobody adds, edits or deletes them by hand."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(Job, ReadOnlyPolicy(Job))
register_permission_policy(ContentCheck, ReadOnlyPolicy(ContentCheck))


class JobViewSet(ModelViewSet):
    model = Job
    icon = "cogs"
    menu_label = gettext_lazy("Jobs")
    menu_order = 900
    add_to_settings_menu = True
    list_display = [
        "__str__",
        "kind",
        "status",
        "attempts",
        "created_at",
        "finished_at",
        "last_error",
    ]
    list_filter = ["status", "kind"]
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = []


class ContentCheckViewSet(ModelViewSet):
    model = ContentCheck
    icon = "warning"
    menu_label = gettext_lazy("Content checks")
    menu_order = 901
    add_to_settings_menu = True
    list_display = [
        "file_name",
        "status",
        "level",
        "matched_text",
        "page",
        "uploaded_by",
        "checked_at",
        "purge_after",
    ]
    list_filter = ["status", "level"]
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = []


@require_POST
def retry_job(request, job_id):
    if not request.user.has_perm("ingest.change_job"):
        raise PermissionDenied
    job = get_object_or_404(Job, pk=job_id)
    operations.retry_job(job)
    messages.success(request, _("The job will run again."))
    return redirect("ingest_job:index")


class ReleaseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is this a false positive?"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def release_check(request, check_id):
    if not request.user.has_perm("ingest.change_contentcheck"):
        raise PermissionDenied
    check = get_object_or_404(ContentCheck, pk=check_id, status=ContentCheck.Status.QUARANTINED)
    form = ReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        operations.release(check, request.user, form.cleaned_data["reason"])
        messages.success(request, _("The file was released; it can now be submitted for review."))
        return redirect("ingest_contentcheck:index")
    return TemplateResponse(request, "ingest/release.html", {"check": check, "form": form})
