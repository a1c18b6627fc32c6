"""Admin view classes for assets: Wagtail's, scoped by the collection permission
policy (permissions.py). Each class here only narrows what Wagtail's does."""

import mimetypes

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.views.decorators.http import require_safe
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
)
from wagtail.snippets.views.snippets import HistoryView

from search.forms import AssetChooserSearchForm

from .permissions import (
    SEE_ACTIONS,
    file_access,
    scope_urlpatterns,
    user_can_access,
    visible_assets,
)


class ScopedChooseMixin:
    """What the user may choose, searched in Sen's index (search.forms): the last
    word as a prefix, best matches first; a refused query shows its message."""

    filter_form_class = AssetChooserSearchForm
    results_template_name = "assets/chooser_results.html"

    def get_object_list(self):
        return visible_assets(self.request.user, self.model_class, ["choose"])

    def get_filter_form(self):
        return self.filter_form_class(
            self.request.GET, user=self.request.user, model=self.model_class
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["search_error"] = self.filter_form.search_error
        return context


class ScopedChooseView(ScopedChooseMixin, ChooseView):
    pass


class ScopedChooseResultsView(ScopedChooseMixin, ChooseResultsView):
    pass


class ScopedChosenView(SnippetChosenView):
    def get_object(self, pk):
        obj = super().get_object(pk)
        if not user_can_access(self.request.user, obj, ["choose"]):
            raise Http404
        return obj


class ScopedChosenMultipleView(SnippetChosenMultipleView):
    def get_objects(self, pks):
        return visible_assets(self.request.user, self.model_class, ["choose"]).filter(pk__in=pks)


class AssetChooserViewSet(SnippetChooserViewSet):
    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView
    chosen_view_class = ScopedChosenView
    chosen_multiple_view_class = ScopedChosenMultipleView

    def get_urlpatterns(self):
        # Like the asset viewset's: any chooser URL that names an object (today
        # "chosen", whatever the method) answers 404 outside the user's scope.
        return scope_urlpatterns(super().get_urlpatterns(), self.model)


class AssetHistoryView(HistoryView):
    """Auditors hold only "view": they read history but change nothing."""

    any_permission_required = list(SEE_ACTIONS) + ["add"]


class MissingLanguagesColumn(Column):
    cell_template_name = "assets/columns/missing_languages.html"

    def get_value(self, instance):
        return ", ".join(code for code in instance.missing_languages() if code != "vi")


@require_safe
def serve_file(request, path):
    """Every stored file of the embedded default, after `file_access()` said yes.

    Answers 404, never 403, so that a guessed name reveals nothing. Behind nginx,
    SEN_X_ACCEL_REDIRECT_PREFIX hands the bytes to nginx's internal location."""
    allowed, public = file_access(request.user, path)
    if not allowed or not default_storage.exists(path):
        raise Http404
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    if settings.SEN_X_ACCEL_REDIRECT_PREFIX:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.SEN_X_ACCEL_REDIRECT_PREFIX + path
    else:
        response = FileResponse(default_storage.open(path, "rb"), content_type=content_type)
    # Public files may be cached anywhere; the rest only by the user's own browser,
    # and not kept: a withdrawn asset must not linger in a shared cache.
    response["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    # Nothing in a stored file may run in Sen's origin. A PDF is the exception that
    # proves it: browsers show it in their own viewer, which `sandbox` and
    # `object-src 'none'` would block (the viewer does not run in the origin).
    if content_type == "application/pdf":
        response["Content-Security-Policy"] = "frame-ancestors 'self'"
    else:
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_safe
def download_photo(request, pk, size):
    """A published photo at a named size its licence allows (web, press, print,
    original), as a JPEG carrying its credit, copyright and licence (made by the
    worker at publication: ingest.operations.make_downloads).

    404 for anything not public, not allowed or not made yet. The bytes come from
    nginx (X-Accel-Redirect), from the bucket (a short-lived presigned URL) or, on
    the embedded default, streamed by Django."""
    from ingest.models import Derivative

    from .models import Photo

    # Not public (draft, withdrawn, expired even before the scheduler ran): 404.
    photo = get_object_or_404(Photo.objects.public().select_related("licence", "image"), pk=pk)
    if size not in ((photo.licence.download_sizes or []) if photo.licence else []):
        raise Http404
    derivative = Derivative.objects.filter(image=photo.image_id, name=f"download-{size}").first()
    if derivative is None:
        raise Http404
    filename = f"{slugify(photo.title_en or photo.title_vi) or 'photo'}-{photo.pk}-{size}.jpg"
    return send_download(derivative.file, filename, "image/jpeg")


def send_download(file, filename, content_type):
    """A stored file as an attachment: from nginx (X-Accel-Redirect), from the bucket
    (a short-lived presigned URL) or, on the embedded default, streamed by Django.
    The caller has checked that the public may have it."""
    storage = file.storage
    if hasattr(storage, "bucket_name"):
        return HttpResponseRedirect(
            storage.url(
                file.name,
                parameters={"ResponseContentDisposition": f'attachment; filename="{filename}"'},
            )
        )
    if settings.SEN_X_ACCEL_REDIRECT_PREFIX:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.SEN_X_ACCEL_REDIRECT_PREFIX + file.name
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response = FileResponse(
            storage.open(file.name, "rb"),
            content_type=content_type,
            as_attachment=True,
            filename=filename,
        )
    response["Cache-Control"] = "private, no-store"
    return response
