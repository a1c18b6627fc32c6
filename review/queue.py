"""The reviewers' queue (issue 4): what awaits their review, oldest first, by
organisation and type, with bulk approval after the checklist.

The rows are Wagtail task states the user may moderate (`TaskState.objects.reviewable_by`),
so the queue follows the workflows configured in Settings → Workflows. Each row's asset
is resolved in bulk, one query per asset type, so a page of 50 costs what a page of 3
does.
"""

from django import forms
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View
from django_filters import ChoiceFilter, ModelChoiceFilter
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.tables import BaseColumn, Column, TitleColumn
from wagtail.admin.utils import get_user_display_name, get_valid_next_url_from_request
from wagtail.admin.views.generic.base import BaseListingView, WagtailAdminTemplateMixin
from wagtail.models import TaskState

from assets.models import ASSET_MODELS, Organisation
from assets.operations import REVIEWERS

from .forms import ApprovalChecklistForm
from .operations import approve_task_states

PER_PAGE = 50


# --- Who reviews, and what awaits them ------------------------------------------------


def asset_models_by_content_type():
    """{content type id: model} for the asset models (ContentType's cache: no query
    once warm)."""
    return {ct.pk: model for model, ct in ContentType.objects.get_for_models(*ASSET_MODELS).items()}


def can_review(user):
    """Reviewers group members, and anyone with a task to moderate now. Cached on the
    user object: the menu asks on every admin page."""
    cached = getattr(user, "_sen_can_review", None)
    if cached is None:
        cached = user.is_authenticated and (
            user.groups.filter(name=REVIEWERS).exists()
            or TaskState.objects.reviewable_by(user).exists()
        )
        user._sen_can_review = cached
    return cached


def awaiting_review(user):
    """The asset task states in progress that `user` may moderate, oldest first."""
    return (
        TaskState.objects.reviewable_by(user)
        .filter(
            status=TaskState.STATUS_IN_PROGRESS,
            revision__base_content_type__in=list(asset_models_by_content_type()),
        )
        .select_related("task", "revision", "revision__user")
        .defer("revision__content")
        .order_by("started_at", "pk")
    )


def edit_url(asset):
    return reverse(asset.snippet_viewset.get_url_name("edit"), args=[quote(asset.pk)])


def attach_assets(task_states, *, now=None):
    """Give each task state its asset and what the listing shows about it, with one
    query per asset type; task states whose asset is gone are dropped."""
    task_states = list(task_states)
    models = asset_models_by_content_type()
    wanted = {}
    for task_state in task_states:
        revision = task_state.revision
        wanted.setdefault(revision.base_content_type_id, set()).add(revision.object_id)
    found = {}
    for content_type_id, object_ids in wanted.items():
        model = models.get(content_type_id)
        if model is None:
            continue
        for asset in model._default_manager.filter(pk__in=object_ids).select_related(
            "organisation"
        ):
            found[(content_type_id, str(asset.pk))] = asset
    rows = []
    for task_state in task_states:
        revision = task_state.revision
        asset = found.get((revision.base_content_type_id, revision.object_id))
        if asset is None:
            continue
        task_state.asset = asset
        # The title as submitted: a draft's title lives in its revision, not the row.
        task_state.asset_title = revision.object_str or str(asset)
        task_state.asset_type = capfirst(asset._meta.verbose_name)
        task_state.edit_url = edit_url(asset)
        task_state.submitted_by = get_user_display_name(revision.user) if revision.user_id else ""
        task_state.age = timesince(task_state.started_at, now, depth=1)
        rows.append(task_state)
    return rows


# --- The listing ----------------------------------------------------------------------


def _type_choices():
    return [(model._meta.model_name, capfirst(model._meta.verbose_name)) for model in ASSET_MODELS]


class QueueFilterSet(WagtailFilterSet):
    organisation = ModelChoiceFilter(
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        method="filter_organisation",
    )
    type = ChoiceFilter(
        label=_("Type"),
        choices=_type_choices,
        method="filter_type",
        widget=forms.RadioSelect,
        empty_label=_("All"),
    )

    class Meta:
        model = TaskState
        fields = []

    def filter_organisation(self, queryset, name, value):
        if not value:
            return queryset
        condition = Q()
        for content_type_id, model in asset_models_by_content_type().items():
            ids = (
                model._default_manager.filter(organisation=value)
                .annotate(object_id=Cast("pk", CharField()))
                .values("object_id")
            )
            condition |= Q(
                revision__base_content_type_id=content_type_id, revision__object_id__in=ids
            )
        return queryset.filter(condition)

    def filter_type(self, queryset, name, value):
        for content_type_id, model in asset_models_by_content_type().items():
            if model._meta.model_name == value:
                return queryset.filter(revision__base_content_type_id=content_type_id)
        return queryset


class SelectColumn(BaseColumn):
    """A checkbox per row, named so that the form posts the selected task states."""

    header_template_name = "review/queue/select_header.html"
    cell_template_name = "review/queue/select_cell.html"


class SubmittedColumn(Column):
    """When the task started for this revision, and how long it has waited."""

    cell_template_name = "review/queue/submitted_cell.html"


class QueuePaginator(WagtailPaginator):
    # "12 items awaiting review" under the table, not the model's "task states".
    verbose_name = _("item awaiting review")
    verbose_name_plural = _("items awaiting review")


class ReviewQueueView(BaseListingView):
    page_title = _("Review queue")
    header_icon = "tasks"
    results_template_name = "review/queue_results.html"
    index_url_name = "review_queue"
    index_results_url_name = "review_queue_results"
    filterset_class = QueueFilterSet
    paginate_by = PER_PAGE
    paginator_class = QueuePaginator
    default_ordering = "started_at"
    verbose_name = QueuePaginator.verbose_name
    verbose_name_plural = QueuePaginator.verbose_name_plural

    columns = [
        SelectColumn("select", label=_("Select")),
        TitleColumn(
            "title",
            label=_("Title"),
            accessor="asset_title",
            get_url=lambda task_state: task_state.edit_url,
            get_title_id=lambda task_state: f"task_state_{task_state.pk}_title",
        ),
        Column("type", label=_("Type"), accessor="asset_type"),
        Column("organisation", label=_("Organisation"), accessor="asset.organisation"),
        Column("submitted_by", label=_("Submitted by"), accessor="submitted_by"),
        SubmittedColumn("started_at", label=_("Submitted at"), sort_key="started_at"),
        Column("task", label=_("Current step"), accessor="task.name"),
    ]

    def dispatch(self, request, *args, **kwargs):
        if not can_review(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return awaiting_review(self.request.user)

    def order_queryset(self, queryset):
        return queryset.order_by(self.ordering, "pk")

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = attach_assets(object_list)
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("_w_filter_fragment", None)
        context["next_url"] = f"{self.index_url}?{query.urlencode()}" if query else self.index_url
        return context


# --- Bulk approval --------------------------------------------------------------------


class ApproveSelectedView(WagtailAdminTemplateMixin, View):
    """POST only (there is no `get`: Django answers 405). The selected task states
    come first to the checklist, then (with `confirm`) to the approvals; each one is
    checked again in operations.approve_task_states."""

    page_title = _("Approve selected")
    header_icon = "tasks"
    template_name = "review/queue_confirm.html"

    def dispatch(self, request, *args, **kwargs):
        if not can_review(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("review_queue"), "label": _("Review queue")},
            {"url": "", "label": self.get_page_title()},
        ]

    @cached_property
    def selected_ids(self):
        ids = []
        for value in self.request.POST.getlist("task_state"):
            if value.isdigit() and value not in ids:
                ids.append(value)
        return ids

    @cached_property
    def next_url(self):
        return get_valid_next_url_from_request(self.request) or reverse("review_queue")

    def post(self, request):
        if not self.selected_ids:
            messages.warning(request, _("Select at least one item to approve."))
            return redirect(self.next_url)
        if "confirm" not in request.POST:
            return self.confirmation(ApprovalChecklistForm())
        form = ApprovalChecklistForm(request.POST)
        if not form.is_valid():
            return self.confirmation(form)
        approved, skipped = approve_task_states(request.user, self.selected_ids, form.cleaned_data)
        if approved:
            messages.success(
                request,
                ngettext(
                    "%(count)d item approved.",
                    "%(count)d items approved.",
                    len(approved),
                )
                % {"count": len(approved)},
            )
        if skipped:
            messages.warning(request, skipped_message(len(skipped)))
        return redirect(self.next_url)

    def confirmation(self, form):
        items = attach_assets(awaiting_review(self.request.user).filter(pk__in=self.selected_ids))
        if not items:
            messages.warning(self.request, skipped_message(len(self.selected_ids)))
            return redirect(self.next_url)
        context = self.get_context_data(
            form=form,
            items=items,
            selected_ids=self.selected_ids,
            skipped_count=len(self.selected_ids) - len(items),
            next_url=self.next_url,
        )
        return self.render_to_response(context)


def skipped_message(count):
    return ngettext(
        "%(count)d selected item was not approved: it no longer awaits your review.",
        "%(count)d selected items were not approved: they no longer await your review.",
        count,
    ) % {"count": count}


# --- Registration (review/wagtail_hooks.py) -------------------------------------------


class ReviewQueueMenuItem(MenuItem):
    def is_shown(self, request):
        return can_review(request.user)


def menu_item():
    return ReviewQueueMenuItem(
        _("Review queue"),
        reverse("review_queue"),
        name="review-queue",
        icon_name="tasks",
        order=140,
    )


def urlpatterns():
    return [
        path("review-queue/", ReviewQueueView.as_view(), name="review_queue"),
        path(
            "review-queue/results/",
            ReviewQueueView.as_view(results_only=True),
            name="review_queue_results",
        ),
        path("review-queue/approve/", ApproveSelectedView.as_view(), name="review_queue_approve"),
    ]
