"""Review on Wagtail's workflow: contributors attest when submitting, reviewers
request changes with a comment or approve after the checklist; all recorded."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import TaskState, WorkflowContentType, WorkflowState

from assets import operations
from assets.models import ASSET_MODELS, Licence, Photo
from review.models import ReviewDecision, ReviewTask, SubmissionAttestation

from ..factories import jpeg_bytes, role_user

pytestmark = pytest.mark.django_db

CHECKLIST = {"accuracy_verified": "on", "sovereignty_shown": "on", "place_names_correct": "on"}


def photo_data(organisation, **extra):
    return {
        "file": SimpleUploadedFile("ben-ninh-kieu.jpg", jpeg_bytes(), "image/jpeg"),
        "organisation": organisation.pk,
        "title_vi": "Bến Ninh Kiều",
        "information_class": "promotion",
        "date_precision": "day",
        "licence": Licence.objects.get(code="cc-by-4.0").pk,
        **extra,
    }


def submit(client, organisation, **extra):
    url = reverse(Photo.snippet_viewset.get_url_name("add"))
    return client.post(url, photo_data(organisation, **{"action-submit": "submit", **extra}))


def test_every_asset_type_has_the_default_review_workflow():
    for model in ASSET_MODELS:
        workflow = WorkflowContentType.objects.get(
            content_type=ContentType.objects.get_for_model(model)
        ).workflow
        task = workflow.tasks.get().specific
        assert isinstance(task, ReviewTask)
        assert list(task.groups.values_list("name", flat=True)) == [operations.REVIEWERS]


def test_submitting_without_attestations_is_refused(editor_client, organisation):
    response = submit(editor_client, organisation)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"attest_no_state_secret", "attest_rights_correct"}
    assert "Cần đánh dấu mục này để gửi duyệt." in errors["attest_rights_correct"]
    assert not Photo.objects.exists()
    assert not WorkflowState.objects.exists()


def test_a_draft_needs_no_attestation(editor_client, organisation):
    url = reverse(Photo.snippet_viewset.get_url_name("add"))
    response = editor_client.post(url, photo_data(organisation))
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert not photo.workflow_in_progress


def submitted_photo(client, organisation):
    response = submit(client, organisation, attest_no_state_secret="on", attest_rights_correct="on")
    assert response.status_code == 302, response.context and response.context["form"].errors
    return Photo.objects.get()


def test_submission_records_the_attestations_with_the_revision(editor_client, organisation):
    photo = submitted_photo(editor_client, organisation)
    assert photo.workflow_in_progress and not photo.live
    attestation = SubmissionAttestation.objects.get()
    assert attestation.revision == photo.latest_revision
    assert attestation.no_state_secret and attestation.rights_correct
    assert attestation.user.membership.organisation == organisation


def action_url(photo, action):
    task_state = photo.current_workflow_task_state
    return reverse(
        Photo.snippet_viewset.get_url_name("workflow_action"),
        args=[photo.pk, action, task_state.pk],
    )


@pytest.fixture
def reviewer_client(client):
    from django.test import Client

    reviewer = Client()
    reviewer.force_login(role_user(operations.REVIEWERS))
    return reviewer


def test_approval_needs_the_checklist(editor_client, reviewer_client, organisation):
    photo = submitted_photo(editor_client, organisation)
    response = reviewer_client.post(action_url(photo, "approve"), {"accuracy_verified": "on"})
    assert response.status_code == 302
    photo.refresh_from_db()
    assert not photo.live and photo.workflow_in_progress
    assert not ReviewDecision.objects.exists()


def test_approval_with_the_checklist_publishes_and_is_recorded(
    editor_client, reviewer_client, organisation
):
    photo = submitted_photo(editor_client, organisation)
    revision = photo.latest_revision
    response = reviewer_client.post(
        action_url(photo, "approve"), {**CHECKLIST, "comment": "Đã đối chiếu."}
    )
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.live and not photo.workflow_in_progress
    decision = ReviewDecision.objects.get()
    assert decision.action == "approve" and decision.revision == revision
    assert decision.checklist == {
        "accuracy_verified": True,
        "sovereignty_shown": True,
        "place_names_correct": True,
    }
    assert decision.comment == "Đã đối chiếu."


def test_request_for_changes_needs_a_comment(editor_client, reviewer_client, organisation):
    photo = submitted_photo(editor_client, organisation)
    reviewer_client.post(action_url(photo, "reject"), {"comment": ""})
    assert TaskState.objects.get().status == TaskState.STATUS_IN_PROGRESS

    reviewer_client.post(action_url(photo, "reject"), {"comment": "Sửa lại dòng ghi công."})
    photo.refresh_from_db()
    assert photo.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    decision = ReviewDecision.objects.get()
    assert decision.action == "reject" and decision.comment == "Sửa lại dòng ghi công."


def test_a_tampered_approval_through_the_edit_view_is_refused(
    editor_client, reviewer_client, organisation
):
    """The edit view passes the browser's JSON straight to the task: an empty one
    must not publish."""
    photo = submitted_photo(editor_client, organisation)
    url = reverse(Photo.snippet_viewset.get_url_name("edit"), args=[photo.pk])
    data = {
        "organisation": organisation.pk,
        "title_vi": "Bến Ninh Kiều",
        "information_class": "promotion",
        "date_precision": "day",
        "licence": photo.licence_id,
        "action-workflow-action": "true",
        "workflow-action-name": "approve",
        "workflow-action-extra-data": "{}",
    }
    reviewer_client.post(url, data)
    photo.refresh_from_db()
    assert not photo.live
    assert not ReviewDecision.objects.exists()


def test_rejection_needs_a_reason_and_ends_the_review(editor_client, reviewer_client, organisation):
    photo = submitted_photo(editor_client, organisation)
    reviewer_client.post(action_url(photo, "decline"), {"comment": ""})
    assert TaskState.objects.get().status == TaskState.STATUS_IN_PROGRESS

    reviewer_client.post(action_url(photo, "decline"), {"comment": "Ảnh không thuộc địa bàn."})
    photo.refresh_from_db()
    assert not photo.live and not photo.workflow_in_progress
    assert WorkflowState.objects.get().status == WorkflowState.STATUS_CANCELLED
    decision = ReviewDecision.objects.get()
    assert (decision.action, decision.comment) == ("decline", "Ảnh không thuộc địa bàn.")
