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


@hooks.register("register_log_actions")
def register_review_log_actions(actions):
    from django.utils.translation import gettext_lazy as _
    from wagtail.log_actions import LogFormatter

    @actions.register_action("sen.withdraw")
    class WithdrawalFormatter(LogFormatter):
        label = _("Withdraw")

        def format_message(self, log_entry):
            return _("Withdrawn: %(reason)s") % {"reason": log_entry.data.get("reason", "")}
