"""Dashboard panels of review (issue 4): the reviewers' queue at a glance, and the
contributor's own submissions with the reviewer's latest comment."""

from django.utils.text import capfirst
from django.utils.timesince import timesince
from wagtail.admin.ui.components import Component
from wagtail.models import WorkflowState

from .models import ReviewDecision
from .queue import asset_models_by_content_type, attach_assets, awaiting_review, edit_url

OLDEST_SHOWN = 5


class ReviewQueuePanel(Component):
    """How many items await the reviewer, and the oldest few."""

    name = "review_queue"
    template_name = "review/panels/queue.html"
    order = 210  # above Wagtail's "Awaiting your review" (220)

    def get_context_data(self, parent_context):
        user = parent_context["request"].user
        queue = awaiting_review(user)
        return {
            "count": queue.count(),
            "oldest": attach_assets(queue[:OLDEST_SHOWN]),
        }


def submissions_of(user):
    """The user's assets in a workflow or sent back for changes, newest first, each
    with its asset, state and the reviewer's latest request for changes. A fixed
    number of queries, however many there are."""
    models = asset_models_by_content_type()
    states = list(
        WorkflowState.objects.filter(
            requested_by=user,
            status__in=[WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES],
            base_content_type__in=list(models),
        )
        .select_related("current_task_state__task", "current_task_state__revision")
        .defer("current_task_state__revision__content")
        .order_by("-created_at", "-pk")
    )
    wanted = {}
    for state in states:
        wanted.setdefault(state.base_content_type_id, set()).add(state.object_id)
    found = {}
    for content_type_id, object_ids in wanted.items():
        for asset in models[content_type_id]._default_manager.filter(pk__in=object_ids):
            found[(content_type_id, str(asset.pk))] = asset
    comments = {}
    decisions = (
        ReviewDecision.objects.filter(task_state__workflow_state__in=states, action="reject")
        .select_related("task_state", "user")
        .order_by("-created_at", "-pk")
    )
    for decision in decisions:
        comments.setdefault(decision.task_state.workflow_state_id, decision)
    rows = []
    for state in states:
        asset = found.get((state.base_content_type_id, state.object_id))
        if asset is None:
            continue
        task_state = state.current_task_state
        revision = task_state.revision if task_state else None
        rows.append(
            {
                "asset": asset,
                "title": (revision.object_str if revision else "") or str(asset),
                "type": capfirst(asset._meta.verbose_name),
                "edit_url": edit_url(asset),
                "state": state,
                "needs_changes": state.status == WorkflowState.STATUS_NEEDS_CHANGES,
                "task": task_state.task if task_state else None,
                "age": timesince(state.created_at, depth=1),
                "decision": comments.get(state.pk),
            }
        )
    return rows


class SubmissionsPanel(Component):
    """The contributor's submissions: where each one is, and what the reviewer asked."""

    name = "review_submissions"
    template_name = "review/panels/submissions.html"
    order = 205

    def __init__(self, rows):
        self.rows = rows

    def get_context_data(self, parent_context):
        return {"rows": self.rows}
