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
    if not obj.live:
        raise ValueError(f"{obj!r} is not published; there is nothing to withdraw.")
    from django.contrib.contenttypes.models import ContentType
    from wagtail.actions.unpublish import UnpublishAction
    from wagtail.log_actions import log

    UnpublishAction(obj, user=user).execute(skip_permission_checks=True)
    withdrawal = Withdrawal.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_title=str(obj)[:255],
        user=user,
        reason=reason,
    )
    log(instance=obj, action="sen.withdraw", user=user, data={"reason": reason})
    return withdrawal


def _task_state_pks(task_states):
    pks = []
    for item in task_states:
        try:
            pks.append(int(getattr(item, "pk", item)))
        except (TypeError, ValueError):
            continue
    return list(dict.fromkeys(pks))


def approve_task_states(user, task_states, checklist):
    """Approve several task states at once, each exactly as the reviewer would in the
    editor: through its task's `on_action`, so that ReviewTask records the checklist
    (ReviewDecision) and the workflow moves on or publishes.

    `task_states`: TaskState objects or primary keys; `checklist`: the cleaned data of
    ApprovalChecklistForm. A task state is approved only if `user` may moderate it
    (TaskState.objects.reviewable_by), it is still in progress and its task offers
    `user` the "approve" action; any other is skipped, never approved.

    Returns `(approved, skipped)`: the task states approved, and the primary keys of
    those skipped. Each approval is its own transaction."""
    from django.core.exceptions import PermissionDenied
    from wagtail.models import TaskState

    moderatable = TaskState.objects.reviewable_by(user).filter(status=TaskState.STATUS_IN_PROGRESS)
    approved, skipped = [], []
    for pk in _task_state_pks(task_states):
        try:
            with transaction.atomic():
                # Locked and read again: another reviewer may have decided meanwhile.
                task_state = moderatable.select_for_update().filter(pk=pk).first()
                if task_state is None or not _offers_approval(task_state, user):
                    skipped.append(pk)
                    continue
                task = task_state.task.specific
                form_class = task.get_form_for_action("approve")
                fields = getattr(form_class, "base_fields", {})
                data = {name: value for name, value in checklist.items() if name in fields}
                task.on_action(task_state, user, "approve", **data)
        except PermissionDenied:
            skipped.append(pk)
            continue
        approved.append(task_state)
    return approved, skipped


def _offers_approval(task_state, user):
    obj = task_state.revision.as_object()
    actions = task_state.task.specific.get_actions(obj, user)
    return any(action[0] == "approve" for action in actions)
