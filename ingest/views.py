"""Bulk upload views: thin; the rules are in batches.py and operations.py.

The page posts the shared metadata once (a batch), then each file on its own request
(so one failure cannot affect another and the browser shows per-file progress), then
polls the batch for the content checks and duplicate findings that the worker adds.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from assets.models import Photo
from assets.permissions import policy_for
from assets.validators import validate_upload

from . import batches
from .forms import BatchForm, SheetForm, SubmitBatchForm
from .models import BatchItem, UploadBatch


def _require_contributor(user):
    if not policy_for(Photo).collections_user_has_permission_for(user, "add").exists():
        raise PermissionDenied


def _own_batch(request, batch_id):
    """A batch is its uploader's (and the superuser's): 404 for anyone else."""
    batch = get_object_or_404(UploadBatch.objects.select_related("organisation"), pk=batch_id)
    if batch.created_by_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    return batch


def upload(request):
    _require_contributor(request.user)
    return TemplateResponse(
        request,
        "ingest/upload.html",
        {"form": BatchForm(user=request.user), "recent": _recent(request.user)},
    )


def _recent(user):
    return UploadBatch.objects.filter(created_by=user).select_related("organisation")[:5]


@require_POST
def create_batch(request):
    _require_contributor(request.user)
    form = BatchForm(request.POST, user=request.user)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    batch = batches.create_batch(
        organisation=form.cleaned_data["organisation"], user=request.user, defaults=form.defaults()
    )
    return JsonResponse(
        {
            "batch": batch.pk,
            "upload_url": reverse("ingest:upload_file", args=[batch.pk]),
            "status_url": reverse("ingest:batch_status", args=[batch.pk]),
            "page_url": reverse("ingest:batch", args=[batch.pk]),
        }
    )


@require_POST
def file_metadata(request):
    """What a chosen file says of itself, for the add form to fill its empty fields
    before anything is saved. The file is checked like any upload and read from a
    temporary copy; nothing is stored."""
    uploaded = request.FILES.get("file")
    if uploaded is None:
        return JsonResponse({"message": _("No file was received.")}, status=400)
    try:
        validate_upload(uploaded, "photo")
    except ValidationError as error:
        return JsonResponse({"message": " ".join(error.messages)}, status=400)
    meta = batches.read_metadata(uploaded, "photo")
    return JsonResponse({"fields": batches.form_values(meta)})


@require_POST
def upload_file(request, batch_id):
    batch = _own_batch(request, batch_id)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        return JsonResponse(
            {"status": "refused", "message": _("No file was received.")}, status=400
        )
    item = batches.ingest_file(batch, uploaded, request.user)
    return JsonResponse(batches.item_status(item))


def batch_status(request, batch_id):
    batch = _own_batch(request, batch_id)
    items = batch.items.select_related("content_type")
    return JsonResponse({"items": batches.items_status(items)})


@require_POST
def drop_item(request, item_id):
    item = get_object_or_404(BatchItem.objects.select_related("batch"), pk=item_id)
    _own_batch(request, item.batch_id)
    if not batches.drop_item(item, request.user):
        return JsonResponse({"message": _("This file can no longer be dropped.")}, status=400)
    return JsonResponse(batches.item_status(item))


def batch(request, batch_id):
    batch = _own_batch(request, batch_id)
    return _batch_page(request, batch)


def _batch_page(request, batch, **context):
    items = batches.items_status(batch.items.select_related("content_type"))
    context.setdefault("sheet_form", SheetForm())
    context.setdefault("submit_form", SubmitBatchForm())
    return TemplateResponse(
        request, "ingest/batch.html", {"batch": batch, "items": items, **context}
    )


@require_POST
def apply_sheet(request, batch_id):
    batch = _own_batch(request, batch_id)
    form = SheetForm(request.POST, request.FILES)
    if not form.is_valid():
        return _batch_page(request, batch, sheet_form=form)
    try:
        rows = batches.read_sheet(form.cleaned_data["sheet"])
    except ValidationError as error:
        form.add_error("sheet", error)
        return _batch_page(request, batch, sheet_form=form)
    report = batches.apply_sheet(batch, rows, request.user)
    return _batch_page(request, batch, report=report)


@require_POST
def submit_batch(request, batch_id):
    batch = _own_batch(request, batch_id)
    form = SubmitBatchForm(request.POST)
    if not form.is_valid():
        return _batch_page(request, batch, submit_form=form)
    submitted, skipped = batches.submit_batch(batch, request.user)
    messages.success(
        request,
        ngettext(
            "%(count)s draft was submitted for review.",
            "%(count)s drafts were submitted for review.",
            submitted,
        )
        % {"count": submitted},
    )
    for asset, reason in skipped:
        messages.warning(request, f"{asset}: {reason}")
    return redirect("ingest:batch", batch.pk)
