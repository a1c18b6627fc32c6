"""The review step and what is recorded with it.

`ReviewTask` is a Wagtail workflow task (the workflow stays configurable in Settings →
Workflows: a province may add a step before it). Its approval needs the reviewer's
checklist and its request for changes needs a comment; both are recorded with the
revision they were about, next to the contributor's attestations.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from wagtail.models import AbstractGroupApprovalTask, Revision, TaskState

from .forms import ApprovalChecklistForm, ChangesRequestedForm, RejectionForm


class ReviewTask(AbstractGroupApprovalTask):
    """Approval by a group (the managing department's reviewers), with a checklist."""

    def get_actions(self, obj, user):
        if user.is_superuser or self._user_in_groups(user):
            # Both need data, so both open Wagtail's modal with the form below. The
            # approval keeps Wagtail's own label ("Approve"): on the workflow's last
            # task Wagtail's action menu adds "and publish" to it (our own "Approve and
            # publish" read "... and publish and publish"), on an earlier one it does not.
            approve = next(
                label for name, label, _modal in super().get_actions(obj, user) if name == "approve"
            )
            actions = [("reject", _("Request changes"), True), ("decline", _("Reject"), True)]
            from ingest.operations import submission_blockers

            # A file still being checked, or quarantined, cannot be approved.
            if not submission_blockers(obj, for_approval=True):
                actions.append(("approve", approve, True))
            return actions
        return []

    def get_form_for_action(self, action):
        return {
            "approve": ApprovalChecklistForm,
            "decline": RejectionForm,
        }.get(action, ChangesRequestedForm)

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        # The edit view passes the data the browser sent back as JSON: validate it
        # again here rather than trust it.
        form = self.get_form_for_action(action_name)(data=kwargs)
        if not form.is_valid():
            raise PermissionDenied(_("The review form is incomplete."))
        data = form.cleaned_data
        if action_name == "approve":
            from ingest.operations import submission_blockers

            blockers = submission_blockers(task_state.revision.as_object(), for_approval=True)
            if blockers:
                raise PermissionDenied(" ".join(blockers))
        ReviewDecision.objects.create(
            task_state=task_state,
            revision=task_state.revision,
            user=user,
            action=action_name,
            comment=data.get("comment", ""),
            checklist={name: data[name] for name in getattr(form, "checklist_fields", ())},
        )
        if action_name == "approve":
            task_state.approve(user=user, comment=data.get("comment", ""))
        elif action_name == "reject":
            task_state.reject(user=user, comment=data["comment"])
        elif action_name == "decline":
            # Rejected for good: the review ends here, the asset stays unpublished,
            # and a later submission starts a new review.
            task_state.reject(user=user, comment=data["comment"])
            task_state.workflow_state.refresh_from_db()
            task_state.workflow_state.cancel(user=user)

    @classmethod
    def get_description(cls):
        return _(
            "Members of the chosen groups review it: they request changes with a "
            "comment, reject it with a reason, or approve it after the checklist."
        )

    class Meta:
        verbose_name = _("review with checklist")
        verbose_name_plural = _("reviews with checklist")


class Record(models.Model):
    """Who did it, when, and to which asset: what every review record carries.

    The asset is named by its type, id and title as they were, not only through the
    revision: deleting an asset deletes its revisions and workflow states (Wagtail's
    generic relations cascade), and the record of who attested and who decided must
    outlive it (state-secret accountability)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", null=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.CharField(max_length=255, db_index=True, blank=True)
    object_title = models.CharField(_("title at the time"), max_length=255, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def save(self, *args, **kwargs):
        revision = getattr(self, "revision", None)
        if revision is not None and not self.object_id:
            self.content_type_id = revision.base_content_type_id
            self.object_id = str(revision.object_id)
            self.object_title = (revision.object_str or "")[:255]
        return super().save(*args, **kwargs)


class SubmissionAttestation(Record):
    """The contributor's confirmations when submitting a revision for review."""

    revision = models.ForeignKey(
        Revision, verbose_name=_("revision"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    no_state_secret = models.BooleanField(_("no state secret or non-public information"))
    rights_correct = models.BooleanField(_("credit and rights correct"))

    class Meta(Record.Meta):
        verbose_name = _("submission attestation")
        verbose_name_plural = _("submission attestations")

    def __str__(self):
        return f"{self.user} · {self.revision_id} · {self.created_at:%d/%m/%Y %H:%M}"


class ReviewDecision(Record):
    """What a reviewer decided on a revision, with the checklist they ticked."""

    task_state = models.ForeignKey(
        TaskState,
        verbose_name=_("task state"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revision = models.ForeignKey(
        Revision,
        verbose_name=_("revision"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("decision"), max_length=20)
    comment = models.TextField(_("comment"), blank=True)
    checklist = models.JSONField(_("checklist"), default=dict, blank=True)

    class Meta(Record.Meta):
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")

    def __str__(self):
        return f"{self.action} · {self.user} · {self.revision_id}"


class Withdrawal(Record):
    """An asset taken off the public record, and why (issue 4: a withdrawal needs a
    reason). The feed reports the asset as deleted from then on."""

    reason = models.TextField(_("reason"))

    class Meta(Record.Meta):
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")

    def __str__(self):
        return f"{self.content_type.model} {self.object_id} · {self.created_at:%d/%m/%Y}"
