"""Rules of review and publishing; hooks and views call these."""

from django.db import transaction

from .models import SubmissionAttestation, Withdrawal


def record_attestation(obj, user):
    """Record the contributor's attestations against the revision just submitted."""
    return SubmissionAttestation.objects.create(
        revision=obj.latest_revision,
        user=user,
        no_state_secret=True,
        rights_correct=True,
    )


@transaction.atomic
def withdraw(obj, *, user, reason):
    """Take a published asset off the public record, with the reason on file."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.actions.unpublish import UnpublishAction
    from wagtail.log_actions import log

    UnpublishAction(obj, user=user).execute(skip_permission_checks=True)
    withdrawal = Withdrawal.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        user=user,
        reason=reason,
    )
    log(instance=obj, action="sen.withdraw", user=user, data={"reason": reason})
    return withdrawal
