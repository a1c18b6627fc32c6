from wagtail import hooks

from .forms import SUBMIT_ACTIONS
from .operations import record_attestation


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def record_submission_attestation(request, instance):
    """The asset form refused the submission unless both attestations were ticked
    (SubmissionAttestationMixin); once it went through, keep them with the revision."""
    submitted = any(request.POST.get(action) for action in SUBMIT_ACTIONS)
    if submitted and getattr(instance, "workflow_in_progress", False):
        record_attestation(instance, request.user)


@hooks.register("construct_snippet_action_menu")
def publish_only_through_review(menu_items, request, context):
    """No "Publish" button on an asset: every publication is a reviewer's approval
    with the checklist (review.models.ReviewTask). The form refuses the action too
    (review.forms.SubmissionAttestationMixin), for a request made without the menu."""
    from assets.models import Photo, Publication, Video

    if context.get("model") in (Photo, Video, Publication):
        menu_items[:] = [item for item in menu_items if item.name != "action-publish"]


@hooks.register("register_log_actions")
def register_review_log_actions(actions):
    from django.utils.translation import gettext_lazy as _
    from wagtail.log_actions import LogFormatter

    @actions.register_action("sen.withdraw")
    class WithdrawalFormatter(LogFormatter):
        label = _("Withdrawal with reason")

        def format_message(self, log_entry):
            return _("Withdrawn: %(reason)s") % {"reason": log_entry.data.get("reason", "")}


# --- The review queue and the dashboard panels (review/queue.py, review/components.py)


@hooks.register("register_admin_urls")
def register_review_queue_urls():
    from .queue import urlpatterns

    return urlpatterns()


@hooks.register("register_admin_menu_item")
def register_review_queue_menu_item():
    from .queue import menu_item

    return menu_item()


@hooks.register("construct_homepage_panels")
def add_review_panels(request, panels):
    from .components import ReviewQueuePanel, SubmissionsPanel, submissions_of
    from .queue import can_review

    # Sen's queue panel replaces Wagtail's "Awaiting your review", whose queries grow
    # with every waiting item (2 per row, measured: 13 at 3 waiting, 67 at 30).
    panels[:] = [panel for panel in panels if panel.name != "workflow_objects_to_moderate"]
    if can_review(request.user):
        panels.append(ReviewQueuePanel())
    rows = submissions_of(request.user)
    if rows:
        panels.append(SubmissionsPanel(rows))


# --- Reports → Review record (review/reports.py)


@hooks.register("register_admin_urls")
def register_review_record_urls():
    from .reports import urlpatterns

    return urlpatterns()


@hooks.register("register_reports_menu_item")
def register_review_record_menu_item():
    from .reports import menu_item

    return menu_item()
