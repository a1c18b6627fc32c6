"""Notification e-mails in Vietnamese on submit, request for changes and approval
(the console backend by default, SMTP by settings)."""

import pytest
from django.core import mail
from django.test import Client

from assets import operations

from ..factories import role_user
from .test_workflow import CHECKLIST, action_url, submitted_photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer():
    return role_user(operations.REVIEWERS, email="nguoiduyet@example.org")


def test_submission_tells_the_reviewers_in_vietnamese(editor_client, organisation, reviewer):
    mail.outbox.clear()
    submitted_photo(editor_client, organisation)
    to_reviewer = [m for m in mail.outbox if reviewer.email in m.to]
    assert to_reviewer, [m.to for m in mail.outbox]
    message = to_reviewer[0]
    assert "Bến Ninh Kiều" in message.subject
    assert "duyệt" in (message.subject + message.body).lower()
    assert "submitted" not in message.subject.lower()


def editor_with_email(photo):
    editor = photo.latest_revision.user
    editor.email = "bientap@example.org"
    editor.save()
    return editor


def reviewer_client_for(reviewer):
    client = Client()
    client.force_login(reviewer)
    return client


def test_the_contributor_hears_of_changes_requested(editor_client, organisation, reviewer):
    photo = submitted_photo(editor_client, organisation)
    editor = editor_with_email(photo)
    mail.outbox.clear()
    reviewer_client_for(reviewer).post(
        action_url(photo, "reject"), {"comment": "Sửa lại dòng ghi công."}
    )
    to_editor = [m for m in mail.outbox if editor.email in m.to]
    assert to_editor
    assert "Sửa lại dòng ghi công." in to_editor[0].body
    assert "rejected" not in to_editor[0].subject.lower()


def test_the_contributor_hears_of_approval(editor_client, organisation, reviewer):
    photo = submitted_photo(editor_client, organisation)
    editor = editor_with_email(photo)
    mail.outbox.clear()
    reviewer_client_for(reviewer).post(action_url(photo, "approve"), CHECKLIST)
    to_editor = [m for m in mail.outbox if editor.email in m.to]
    assert to_editor
    assert "Bến Ninh Kiều" in to_editor[0].subject
    assert "approved" not in to_editor[0].subject.lower()
