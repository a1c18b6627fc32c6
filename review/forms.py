"""What contributors and reviewers confirm: the attestations on submission and the
reviewer's checklist on approval. The wording is the province's rule, so it is here,
translated, and recorded with the revision it applies to."""

from django import forms
from django.utils.translation import gettext_lazy as _

SUBMIT_ACTIONS = ("action-submit", "action-restart-workflow")


class SubmissionAttestationMixin(forms.Form):
    """Mixed into the asset forms: ticking both is required to submit for review,
    not to save a draft."""

    attest_no_state_secret = forms.BooleanField(
        label=_(
            "I confirm that this contains no state secret and no information that "
            "may not be made public."
        ),
        required=False,
    )
    attest_rights_correct = forms.BooleanField(
        label=_("I confirm that the author, credit line and licence are correct."),
        required=False,
    )
    attestation_fields = ("attest_no_state_secret", "attest_rights_correct")

    @property
    def is_submission(self):
        # Wagtail acts on a button whose value is non-empty (views.generic.models).
        return self.is_bound and any(self.data.get(action) for action in SUBMIT_ACTIONS)

    def clean(self):
        cleaned = super().clean()
        # Only "needs changes" may be submitted again (Wagtail resumes it); a second
        # start of a review in progress is refused by Wagtail with a 500 (an editor
        # left open in another tab).
        state = getattr(self.instance, "current_workflow_state", None)
        submitting = self.is_bound and self.data.get("action-submit")
        if submitting and state is not None and state.status == state.STATUS_IN_PROGRESS:
            raise forms.ValidationError(
                _("This is already in review; it cannot be submitted again.")
            )
        if self.is_bound and self.data.get("action-publish"):
            # Administrators and reviewers hold the publish right (Wagtail needs it to
            # publish an approved revision), but an approval is the only way in.
            raise forms.ValidationError(
                _(
                    "Assets are published by approving their review with the reviewer's "
                    "checklist. Submit it for review instead."
                )
            )
        if self.is_submission:
            for name in self.attestation_fields:
                if not cleaned.get(name):
                    self.add_error(name, _("Tick this to submit for review."))
        return cleaned


class ApprovalChecklistForm(forms.Form):
    """The reviewer's checklist (the regulations: accuracy, the country's full
    sovereignty on maps, correct Vietnamese place names)."""

    accuracy_verified = forms.BooleanField(
        label=_("The content has been checked for accuracy against its source."),
        required=True,
    )
    sovereignty_shown = forms.BooleanField(
        label=_(
            "It shows no map of Vietnam, or the map shows the country's full "
            "sovereignty, including the Hoàng Sa and Trường Sa archipelagos."
        ),
        required=True,
    )
    place_names_correct = forms.BooleanField(
        label=_("Vietnamese place names are correct."), required=True
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea({"rows": 3}), required=False
    )

    checklist_fields = ("accuracy_verified", "sovereignty_shown", "place_names_correct")


class ChangesRequestedForm(forms.Form):
    comment = forms.CharField(
        label=_("What needs to change"),
        widget=forms.Textarea({"rows": 4}),
        required=True,
    )


class RejectionForm(forms.Form):
    comment = forms.CharField(
        label=_("Reason for rejection"),
        help_text=_("The contributor sees it. The asset will not be published."),
        widget=forms.Textarea({"rows": 4}),
        required=True,
    )


class WithdrawalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        help_text=_("Kept in the asset's history; the public sees nothing of it."),
        widget=forms.Textarea({"rows": 3}),
        max_length=2000,
    )
