"""The whole review path of issue 4, in a real browser and in Vietnamese.

A contributor submits a photo with both attestations; a reviewer, in another
browser, requests changes with a comment; the contributor reads it on the
dashboard, fixes the title and resubmits; the reviewer approves after the
checklist; an anonymous visitor sees the photo and its image on the public home
page; when the photo expires (`publish_scheduled`), it leaves the page and its
image URL answers 404.

Each step waits on Wagtail's own signals (the success message, the workflow modal),
never on a fixed delay. Screenshots of the key steps go to test-results/.
"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from playwright.sync_api import expect
from wagtail.models import WorkflowState

from assets.models import Licence, Photo
from assets.operations import REVIEWERS
from review.forms import ApprovalChecklistForm
from review.models import ReviewDecision, SubmissionAttestation

from ..factories import PASSWORD, contributor, jpeg_bytes, make_organisation, role_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE_DRAFT = "Bến Ninh Kiều ban đêm"  # the mistake the reviewer sends back
TITLE_FIXED = "Bến Ninh Kiều về đêm"
COMMENT = "Tiêu đề chưa đúng: xin sửa “ban đêm” thành “về đêm”."
REQUEST_CHANGES = "Yêu cầu chỉnh sửa"
APPROVE = "Phê duyệt và xuất bản"
SUBMISSIONS_PANEL = "Tư liệu đã gửi duyệt"
NEEDS_CHANGES = "Cần chỉnh sửa"


def vietnamese(message, **values):
    """A message as the Vietnamese catalogues translate it (values too, e.g. a
    model's verbose name)."""
    with translation.override("vi"):
        text = gettext(message)
        return text % {key: str(value) for key, value in values.items()} if values else text


def sign_in(page, username):
    page.goto("/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/admin/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")


def action_menu(page):
    """Opens the footer's action menu (the arrow next to the main button) and
    returns its footer."""
    footer = page.locator("footer")
    footer.get_by_role("button", name=vietnamese("More actions")).click()
    return footer


def expect_success(page, text):
    """Wagtail's success message, shown once the action is done."""
    message = page.locator(".messages li.success")
    expect(message).to_be_visible()
    expect(message).to_contain_text(text)


def tick_attestations(page):
    for name in ("attest_no_state_secret", "attest_rights_correct"):
        page.locator(f"#id_{name}").check()


def open_tab_holding(page, field_selector):
    """Clicks the edit-form tab whose panel holds the field."""
    panel = page.locator("[role=tabpanel]").filter(has=page.locator(field_selector))
    page.locator(f'[role=tab][aria-controls="{panel.get_attribute("id")}"]').click()
    expect(page.locator(field_selector)).to_be_visible()


def workflow_modal(page, footer, action, label):
    """Clicks the workflow action `action` (labelled `label`) in the action menu: it
    needs data, so Wagtail loads the task's form into its modal."""
    button = footer.locator(f'button[data-workflow-action-name="{action}"]')
    expect(button).to_have_text(label)
    button.click()
    modal = page.locator(".modal[role=dialog] .modal-content").filter(has=page.locator("form"))
    expect(modal).to_be_visible()
    return modal


def test_a_photo_goes_through_review_to_the_public_and_out_at_expiry(page, new_page, results_dir):
    def shot(target, name):
        target.screenshot(path=str(results_dir / f"review-path-{name}.png"), full_page=True)

    organisation = make_organisation("Phường Ninh Kiều")
    contributor(organisation, username="lan")
    role_user(REVIEWERS, username="minh")
    workflow = Photo.get_default_workflow()

    # 1. The contributor adds a photo and submits it for review.
    sign_in(page, "lan")
    page.goto(reverse(Photo.snippet_viewset.get_url_name("add")))
    page.locator("#id_file").set_input_files(
        files=[
            {"name": "ben-ninh-kieu.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(320, 240)}
        ]
    )
    page.locator("#id_title_vi").fill(TITLE_DRAFT)
    tick_attestations(page)
    # A draft may leave the licence empty; a submission may not.
    open_tab_holding(page, "#id_licence")
    page.locator("#id_licence").select_option(str(Licence.objects.get(code="cc-by-4.0").pk))
    footer = action_menu(page)
    submit = footer.locator('button[name="action-submit"]')
    expect(submit).to_have_text(
        vietnamese("Submit to %(workflow_name)s", workflow_name=workflow.name)
    )
    submit.click()
    expect_success(
        page,
        vietnamese(
            "%(model_name)s '%(object)s' created and submitted for moderation.",
            model_name=capfirst(Photo._meta.verbose_name),
            object=TITLE_DRAFT,
        ),
    )
    shot(page, "1-submitted")

    photo = Photo.objects.get(title_vi=TITLE_DRAFT)
    assert photo.organisation == organisation and not photo.live
    assert photo.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    assert SubmissionAttestation.objects.filter(revision=photo.latest_revision).exists()
    edit_url = reverse(Photo.snippet_viewset.get_url_name("edit"), args=[photo.pk])

    # 2. The reviewer, in another browser, requests changes with a comment.
    reviewer = new_page()
    sign_in(reviewer, "minh")
    reviewer.goto(edit_url)
    modal = workflow_modal(reviewer, action_menu(reviewer), "reject", REQUEST_CHANGES)
    expect(modal.locator("h1")).to_have_text(REQUEST_CHANGES)
    modal.locator("textarea[name=comment]").fill(COMMENT)
    shot(reviewer, "2-request-changes")
    modal.locator("button[type=submit]").click()
    expect_success(reviewer, TITLE_DRAFT)
    photo = Photo.objects.get(pk=photo.pk)
    assert photo.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert not photo.live
    assert ReviewDecision.objects.get().comment == COMMENT

    # 3. The contributor reads the comment on the dashboard, fixes the title and
    # resubmits.
    page.goto("/admin/")
    panel = page.locator("section", has=page.get_by_role("heading", name=SUBMISSIONS_PANEL))
    row = panel.locator("tbody tr", has_text=TITLE_DRAFT)
    expect(row).to_contain_text(NEEDS_CHANGES)
    expect(row).to_contain_text(COMMENT)
    shot(page, "3-comment-on-dashboard")
    row.get_by_role("link", name=TITLE_DRAFT).click()
    page.wait_for_url(f"**{edit_url}")
    page.locator("#id_title_vi").fill(TITLE_FIXED)
    tick_attestations(page)
    footer = action_menu(page)
    resubmit = footer.locator('button[name="action-submit"]')
    task = photo.current_workflow_state.current_task_state.task
    expect(resubmit).to_have_text(vietnamese("Resubmit to %(task_name)s", task_name=task.name))
    resubmit.click()
    expect_success(
        page,
        vietnamese(
            "%(model_name)s '%(object)s' has been submitted for moderation.",
            model_name=capfirst(Photo._meta.verbose_name),
            object=TITLE_FIXED,
        ),
    )
    photo = Photo.objects.get(pk=photo.pk)
    assert photo.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    assert photo.get_latest_revision_as_object().title_vi == TITLE_FIXED

    # 4. The reviewer approves after ticking the checklist.
    reviewer.goto(edit_url)
    expect(reviewer.locator("#id_title_vi")).to_have_value(TITLE_FIXED)
    modal = workflow_modal(reviewer, action_menu(reviewer), "approve", APPROVE)
    expect(modal.locator("input[type=checkbox]")).to_have_count(3)
    for name in ApprovalChecklistForm.checklist_fields:
        modal.get_by_label(vietnamese(ApprovalChecklistForm.base_fields[name].label)).check()
    shot(reviewer, "4-approve-checklist")
    modal.locator("button[type=submit]").click()
    expect_success(reviewer, TITLE_FIXED)
    photo = Photo.objects.get(pk=photo.pk)
    assert photo.live and not photo.workflow_in_progress
    assert photo.title_vi == TITLE_FIXED
    assert list(ReviewDecision.objects.order_by("created_at").values_list("action", flat=True)) == [
        "reject",
        "approve",
    ]

    # 5. An anonymous visitor sees it, with its image, on the public home page.
    visitor = new_page()
    visitor.goto("/vi/")
    item = visitor.locator("ul.grid li", has_text=TITLE_FIXED)
    expect(item).to_be_visible()
    image = item.locator("img")
    expect(image).to_be_visible()
    visitor.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    image_url = image.get_attribute("src")
    assert image_url.startswith("/files/")  # served by Sen, asking file_access() each time
    assert visitor.request.get(image_url).status == 200
    shot(visitor, "5-public-home")

    # 6. Its expiry passes: the scheduled job unpublishes it, and the public loses
    # the photo and its image.
    Photo.objects.filter(pk=photo.pk).update(
        expire_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    call_command("publish_scheduled", stdout=io.StringIO())
    photo = Photo.objects.get(pk=photo.pk)
    assert not photo.live and photo.expired
    visitor.reload()
    expect(visitor.get_by_text(vietnamese("Nothing has been published yet."))).to_be_visible()
    expect(visitor.get_by_text(TITLE_FIXED)).to_have_count(0)
    shot(visitor, "6-after-expiry")
    assert visitor.request.get(image_url).status == 404
