"""The reviewers' queue (issue 4, item 3): what awaits review, per organisation, oldest
first, with bulk approval after the checklist; the dashboard panels for reviewers and
for contributors."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import TaskState, Workflow, WorkflowState, WorkflowTask

from assets import operations
from assets.models import Licence, Photo, Publication
from review.models import ReviewDecision, ReviewTask
from review.operations import approve_task_states
from review.queue import ReviewQueueView

from ..factories import PhotoFactory, SenImageFactory, contributor, make_organisation, role_user

pytestmark = pytest.mark.django_db

QUEUE = "/admin/review-queue/"
APPROVE = "/admin/review-queue/approve/"
CHECKLIST = {"accuracy_verified": "on", "sovereignty_shown": "on", "place_names_correct": "on"}
CLEAN_CHECKLIST = {
    "accuracy_verified": True,
    "sovereignty_shown": True,
    "place_names_correct": True,
    "comment": "",
}
# Measured: 19 queries for a page of 3 rows, of 30 and of 60 (two asset types, two
# organisations). The bound must not depend on the number of rows.
DASHBOARD_QUERY_BOUND = 45
QUEUE_QUERY_BOUND = 20
# Measured: 9 for the reviewer's dashboard panel rendered cold (7 warm), whatever the
# number waiting.
PANEL_QUERY_BOUND = 9


@pytest.fixture
def org_a():
    return make_organisation("UBND phường Ninh Kiều")


@pytest.fixture
def org_b():
    return make_organisation("Sở Văn hóa")


@pytest.fixture
def submitter(org_a):
    return contributor(org_a)


@pytest.fixture
def reviewer():
    return role_user(operations.REVIEWERS)


@pytest.fixture
def reviewer_client(reviewer):
    client = Client()
    client.force_login(reviewer)
    return client


@pytest.fixture
def image():
    return SenImageFactory()


def submit(asset, user, *, days_ago=None):
    """Submit `asset` for review as `user`, as the editor does; optionally backdate."""
    asset.save_revision(user=user)
    asset.get_workflow().start(asset, user)
    task_state = TaskState.objects.get(
        workflow_state__object_id=str(asset.pk),
        workflow_state__base_content_type=asset.get_base_content_type(),
        status=TaskState.STATUS_IN_PROGRESS,
    )
    if days_ago is not None:
        started = timezone.now() - datetime.timedelta(days=days_ago, minutes=5)
        TaskState.objects.filter(pk=task_state.pk).update(started_at=started)
        WorkflowState.objects.filter(pk=task_state.workflow_state_id).update(created_at=started)
        task_state.refresh_from_db()
    return task_state


def photo(organisation, title, image):
    return PhotoFactory(organisation=organisation, title_vi=title, image=image, live=False)


def publication(organisation, title):
    return Publication.objects.create(
        organisation=organisation,
        title_vi=title,
        title=title,
        licence=Licence.objects.get(code="cc-by-4.0"),
        live=False,
    )


def section(html, panel_id):
    """The dashboard panel `panel_id`, or "" when it is not there."""
    start = html.find(f'id="{panel_id}-section"')
    return html[start : html.index("</section>", start)] if start >= 0 else ""


def rows(response):
    return list(response.context["page_obj"].object_list)


# --- Who sees the queue ---------------------------------------------------------------


def test_reviewers_see_the_menu_item_and_the_queue(reviewer_client):
    home = reviewer_client.get("/admin/")
    assert QUEUE.encode() in home.content
    assert reviewer_client.get(QUEUE).status_code == 200


def test_contributors_get_neither(submitter):
    client = Client()
    client.force_login(submitter)
    home = client.get("/admin/")
    assert home.status_code == 200
    assert QUEUE.encode() not in home.content
    # Wagtail answers PermissionDenied in the admin with a redirect to the dashboard.
    for response in (client.get(QUEUE), client.post(APPROVE, {"task_state": "1"})):
        assert response.status_code == 302 and response.url == "/admin/"


def test_a_moderator_outside_the_reviewers_group_sees_what_is_theirs(org_a, submitter, image):
    """A province may give a step to another group (Settings → Workflows)."""
    leaders = Group.objects.create(name="Lãnh đạo đơn vị")
    leader = role_user(operations.CONTRIBUTORS)
    leader.groups.add(leaders)
    task = ReviewTask.objects.create(name="Lãnh đạo đơn vị duyệt")
    task.groups.add(leaders)
    workflow = Workflow.objects.create(name="Hai bước")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    item = photo(org_a, "Chợ nổi Cái Răng", image)
    item.save_revision(user=submitter)
    workflow.start(item, submitter)

    client = Client()
    client.force_login(leader)
    assert QUEUE.encode() in client.get("/admin/").content
    response = client.get(QUEUE)
    assert [row.asset for row in rows(response)] == [item]


# --- The listing ----------------------------------------------------------------------


def test_the_queue_lists_what_awaits_review_oldest_first(
    reviewer_client, org_a, org_b, submitter, image
):
    newer = submit(photo(org_a, "Bến Ninh Kiều", image), submitter, days_ago=1)
    oldest = submit(publication(org_b, "Cẩm nang du lịch"), submitter, days_ago=3)
    middle = submit(photo(org_b, "Cầu Cần Thơ", image), submitter, days_ago=2)
    decided = submit(photo(org_a, "Đã duyệt rồi", image), submitter, days_ago=10)
    TaskState.objects.filter(pk=decided.pk).update(status=TaskState.STATUS_APPROVED)

    response = reviewer_client.get(QUEUE)
    assert response.status_code == 200
    listed = rows(response)
    assert [row.pk for row in listed] == [oldest.pk, middle.pk, newer.pk]
    first = listed[0]
    assert first.asset_title == "Cẩm nang du lịch"
    assert first.asset.organisation == org_b
    assert first.age == "3\xa0ngày"
    html = response.content.decode()
    edit = reverse(Publication.snippet_viewset.get_url_name("edit"), args=[first.asset.pk])
    assert f'href="{edit}"' in html
    assert "3\xa0ngày" in html
    assert "Sở Văn hóa" in html and "UBND phường Ninh Kiều" in html
    assert submitter.get_username() in html
    assert first.task.name in html
    assert f'name="task_state" value="{oldest.pk}"' in html
    assert "Đã duyệt rồi" not in html


def test_the_queue_filters_by_organisation_and_type(
    reviewer_client, org_a, org_b, submitter, image
):
    a_photo = submit(photo(org_a, "Ảnh A", image), submitter, days_ago=3)
    a_publication = submit(publication(org_a, "Ấn phẩm A"), submitter, days_ago=2)
    b_photo = submit(photo(org_b, "Ảnh B", image), submitter, days_ago=1)

    by_org = rows(reviewer_client.get(QUEUE, {"organisation": org_a.pk}))
    assert [row.pk for row in by_org] == [a_photo.pk, a_publication.pk]
    by_type = rows(reviewer_client.get(QUEUE, {"type": "photo"}))
    assert [row.pk for row in by_type] == [a_photo.pk, b_photo.pk]
    both = rows(reviewer_client.get(QUEUE, {"organisation": org_b.pk, "type": "publication"}))
    assert both == []
    results = reviewer_client.get(QUEUE + "results/", {"organisation": org_b.pk})
    assert [row.pk for row in rows(results)] == [b_photo.pk]


def test_the_queue_is_paged(reviewer_client, org_a, submitter, image, monkeypatch):
    assert ReviewQueueView.paginate_by == 50
    states = [submit(photo(org_a, f"Ảnh {n}", image), submitter, days_ago=9 - n) for n in range(3)]
    monkeypatch.setattr(ReviewQueueView, "paginate_by", 2)
    first = reviewer_client.get(QUEUE)
    assert [row.pk for row in rows(first)] == [states[0].pk, states[1].pk]
    second = reviewer_client.get(QUEUE, {"p": 2})
    assert [row.pk for row in rows(second)] == [states[2].pk]


@pytest.mark.parametrize("count", [3, 30])
def test_the_queue_costs_the_same_for_3_or_30_rows(
    count, reviewer_client, org_a, org_b, submitter, image, django_assert_max_num_queries
):
    for n in range(count):
        organisation = org_a if n % 2 else org_b
        asset = (
            photo(organisation, f"Ảnh {n}", image)
            if n % 3
            else publication(organisation, f"Ấn phẩm {n}")
        )
        submit(asset, submitter, days_ago=n)
    reviewer_client.get(QUEUE)  # warm caches (content types, sessions) as in use
    with django_assert_max_num_queries(QUEUE_QUERY_BOUND):
        response = reviewer_client.get(QUEUE)
    assert len(rows(response)) == count
    assert response.content.decode().count('name="task_state"') == count


# --- Bulk approval --------------------------------------------------------------------


def test_bulk_approval_is_post_only(reviewer_client):
    assert reviewer_client.get(APPROVE).status_code == 405


def test_bulk_approval_needs_the_csrf_token(reviewer, org_a, submitter, image):
    state = submit(photo(org_a, "Ảnh", image), submitter)
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    response = client.post(APPROVE, {"task_state": state.pk, "confirm": "1", **CHECKLIST})
    assert response.status_code == 403
    assert TaskState.objects.get(pk=state.pk).status == TaskState.STATUS_IN_PROGRESS


def test_selecting_shows_the_checklist_first(reviewer_client, org_a, submitter, image):
    one = submit(photo(org_a, "Ảnh một", image), submitter)
    two = submit(publication(org_a, "Ấn phẩm hai"), submitter)
    response = reviewer_client.post(APPROVE, {"task_state": [one.pk, two.pk]})
    assert response.status_code == 200
    assert not response.context["form"].is_bound
    assert set(response.context["form"].fields) == {
        "accuracy_verified",
        "sovereignty_shown",
        "place_names_correct",
        "comment",
    }
    assert [item.pk for item in response.context["items"]] == [one.pk, two.pk]
    html = response.content.decode()
    assert "Ảnh một" in html and "Ấn phẩm hai" in html
    assert 'name="confirm"' in html and 'name="accuracy_verified"' in html
    assert not ReviewDecision.objects.exists()
    assert TaskState.objects.filter(status=TaskState.STATUS_IN_PROGRESS).count() == 2


def test_ticks_without_the_confirmation_step_approve_nothing(
    reviewer_client, org_a, submitter, image
):
    state = submit(photo(org_a, "Ảnh", image), submitter)
    response = reviewer_client.post(APPROVE, {"task_state": state.pk, **CHECKLIST})
    assert response.status_code == 200
    assert not ReviewDecision.objects.exists()
    assert TaskState.objects.get(pk=state.pk).status == TaskState.STATUS_IN_PROGRESS


def test_an_incomplete_checklist_approves_nothing(reviewer_client, org_a, submitter, image):
    state = submit(photo(org_a, "Ảnh", image), submitter)
    response = reviewer_client.post(
        APPROVE, {"task_state": state.pk, "confirm": "1", "accuracy_verified": "on"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"sovereignty_shown", "place_names_correct"}
    assert not ReviewDecision.objects.exists()
    assert TaskState.objects.get(pk=state.pk).status == TaskState.STATUS_IN_PROGRESS


def test_bulk_approval_approves_each_with_the_checklist(
    reviewer, reviewer_client, org_a, org_b, submitter, image
):
    one = submit(photo(org_a, "Ảnh một", image), submitter)
    two = submit(publication(org_b, "Ấn phẩm hai"), submitter)
    untouched = submit(photo(org_a, "Chưa chọn", image), submitter)
    response = reviewer_client.post(
        APPROVE,
        {
            "task_state": [one.pk, two.pk],
            "confirm": "1",
            "comment": "Đã đối chiếu.",
            "next": QUEUE + "?type=photo",
            **CHECKLIST,
        },
    )
    assert response.status_code == 302
    assert response.url == QUEUE + "?type=photo"
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]

    for state, model in ((one, Photo), (two, Publication)):
        state.refresh_from_db()
        assert state.status == TaskState.STATUS_APPROVED
        assert state.finished_by == reviewer
        asset = model.objects.get(pk=state.workflow_state.object_id)
        assert asset.live and not asset.workflow_in_progress
        decision = ReviewDecision.objects.get(task_state=state)
        assert decision.action == "approve" and decision.user == reviewer
        assert decision.revision_id == state.revision_id
        assert decision.comment == "Đã đối chiếu."
        assert decision.checklist == {
            "accuracy_verified": True,
            "sovereignty_shown": True,
            "place_names_correct": True,
        }
    assert TaskState.objects.get(pk=untouched.pk).status == TaskState.STATUS_IN_PROGRESS
    assert [row.pk for row in rows(reviewer_client.get(QUEUE))] == [untouched.pk]


def test_what_no_longer_awaits_the_reviewer_is_skipped_and_reported(
    reviewer, reviewer_client, org_a, submitter, image
):
    waiting = submit(photo(org_a, "Đang chờ", image), submitter)
    already = submit(photo(org_a, "Người khác đã duyệt", image), submitter)
    # A step of another group's: this reviewer may not moderate it.
    others = Group.objects.create(name="Nhóm khác")
    task = ReviewTask.objects.create(name="Nhóm khác duyệt")
    task.groups.add(others)
    workflow = Workflow.objects.create(name="Quy trình khác")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    foreign_asset = photo(org_a, "Không phải của mình", image)
    foreign_asset.save_revision(user=submitter)
    workflow.start(foreign_asset, submitter)
    foreign = TaskState.objects.get(task=task)

    # Between the confirmation and the approval, a colleague decides on one of them.
    already.task.specific.on_action(
        already, role_user(operations.REVIEWERS), "approve", **CHECKLIST
    )
    response = reviewer_client.post(
        APPROVE,
        {"task_state": [waiting.pk, already.pk, foreign.pk, "x"], "confirm": "1", **CHECKLIST},
    )
    assert response.status_code == 302
    levels = [m.level_tag for m in get_messages(response.wsgi_request)]
    assert levels == ["success", "warning"]
    warning = [str(m) for m in get_messages(response.wsgi_request)][-1]
    assert "2" in warning
    assert TaskState.objects.get(pk=waiting.pk).status == TaskState.STATUS_APPROVED
    assert TaskState.objects.get(pk=foreign.pk).status == TaskState.STATUS_IN_PROGRESS
    assert not Photo.objects.get(pk=foreign_asset.pk).live
    assert ReviewDecision.objects.filter(user=reviewer).count() == 1
    assert not ReviewDecision.objects.filter(task_state=foreign).exists()


def test_the_confirmation_lists_only_what_can_be_approved(
    reviewer, reviewer_client, org_a, submitter, image
):
    waiting = submit(photo(org_a, "Đang chờ", image), submitter)
    gone = submit(photo(org_a, "Đã xong", image), submitter)
    TaskState.objects.filter(pk=gone.pk).update(status=TaskState.STATUS_APPROVED)
    response = reviewer_client.post(APPROVE, {"task_state": [waiting.pk, gone.pk]})
    assert [item.pk for item in response.context["items"]] == [waiting.pk]
    assert response.context["skipped_count"] == 1

    only_gone = reviewer_client.post(APPROVE, {"task_state": [gone.pk]})
    assert only_gone.status_code == 302
    assert [m.level_tag for m in get_messages(only_gone.wsgi_request)] == ["warning"]


def test_the_operation_never_approves_for_someone_who_may_not(org_a, submitter, image):
    state = submit(photo(org_a, "Ảnh", image), submitter)
    approved, skipped = approve_task_states(submitter, [state], CLEAN_CHECKLIST)
    assert approved == [] and skipped == [state.pk]
    assert TaskState.objects.get(pk=state.pk).status == TaskState.STATUS_IN_PROGRESS
    assert not ReviewDecision.objects.exists()


def test_the_operation_asks_who_may_moderate_not_only_the_task(
    org_a, submitter, image, monkeypatch
):
    """Even a task that offered "approve" to anyone would not let a non-moderator
    approve: the task state must be one `reviewable_by` the user."""
    monkeypatch.setattr(
        ReviewTask, "get_actions", lambda self, obj, user: [("approve", "Approve", True)]
    )
    # An administrator may publish anything, but is not one of the step's reviewers.
    administrator = role_user(operations.ADMINISTRATORS)
    state = submit(photo(org_a, "Ảnh", image), submitter)
    approved, skipped = approve_task_states(administrator, [state.pk], CLEAN_CHECKLIST)
    assert approved == [] and skipped == [state.pk]
    assert TaskState.objects.get(pk=state.pk).status == TaskState.STATUS_IN_PROGRESS
    assert not ReviewDecision.objects.exists()


def test_the_operation_approves_only_what_the_task_offers(
    reviewer, org_a, submitter, image, monkeypatch
):
    monkeypatch.setattr(ReviewTask, "get_actions", lambda self, obj, user: [])
    state = submit(photo(org_a, "Ảnh", image), submitter)
    approved, skipped = approve_task_states(reviewer, [state.pk], CLEAN_CHECKLIST)
    assert approved == [] and skipped == [state.pk]
    assert not ReviewDecision.objects.exists()


def test_the_operation_approves_an_earlier_step_of_another_kind(org_a, submitter, image):
    """A step the province added with Wagtail's own group approval task gets the
    comment only: it has no checklist."""
    from wagtail.models import GroupApprovalTask

    leaders = Group.objects.create(name="Lãnh đạo")
    leader = role_user(operations.CONTRIBUTORS)
    leader.groups.add(leaders)
    task = GroupApprovalTask.objects.create(name="Lãnh đạo duyệt")
    task.groups.add(leaders)
    workflow = Workflow.objects.create(name="Có bước lãnh đạo")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowTask.objects.create(workflow=workflow, task=ReviewTask.objects.get(), sort_order=1)
    item = photo(org_a, "Ảnh", image)
    item.save_revision(user=submitter)
    workflow.start(item, submitter)
    state = TaskState.objects.get(task=task)

    approved, skipped = approve_task_states(leader, [state.pk], CLEAN_CHECKLIST)
    assert [s.pk for s in approved] == [state.pk] and skipped == []
    item.refresh_from_db()
    assert not item.live
    assert item.current_workflow_task.specific == ReviewTask.objects.get()


# --- Dashboard panels -----------------------------------------------------------------


def test_reviewers_dashboard_shows_the_count_and_the_five_oldest(
    reviewer_client, org_a, submitter, image
):
    states = [
        submit(photo(org_a, f"Ảnh chờ {n}", image), submitter, days_ago=5 - n) for n in range(6)
    ]
    panel = section(reviewer_client.get("/admin/").content.decode(), "review-queue")
    summary = panel[: panel.index("<table")]
    assert re.search(r"\b6\b", summary)
    for n in range(5):
        assert f"Ảnh chờ {n}" in panel
    assert "Ảnh chờ 5" not in panel
    assert "5\xa0ngày" in panel
    assert f'href="{QUEUE}"' in panel
    edit = reverse(
        Photo.snippet_viewset.get_url_name("edit"), args=[states[0].workflow_state.object_id]
    )
    assert f'href="{edit}"' in panel


@pytest.mark.parametrize("count", [2, 8])
def test_the_reviewers_panel_costs_the_same_however_many_wait(
    count, reviewer, org_a, org_b, submitter, image, django_assert_max_num_queries
):
    from django.test import RequestFactory

    from review.components import ReviewQueuePanel

    for n in range(count):
        asset = photo(org_a, f"Ảnh {n}", image) if n % 2 else publication(org_b, f"Ấn phẩm {n}")
        submit(asset, submitter, days_ago=n)
    request = RequestFactory().get("/admin/")
    request.user = reviewer
    with django_assert_max_num_queries(PANEL_QUERY_BOUND):
        html = ReviewQueuePanel().render_html({"request": request})
    assert html.count("<tr>") == 1 + min(count, 5)


def test_the_reviewers_panel_is_not_for_contributors(submitter):
    client = Client()
    client.force_login(submitter)
    assert section(client.get("/admin/").content.decode(), "review-queue") == ""


def test_contributors_see_their_submissions_and_the_reviewers_comment(
    reviewer, org_a, submitter, image
):
    sent_back = submit(photo(org_a, "Cần sửa", image), submitter, days_ago=2)
    sent_back.task.specific.on_action(sent_back, reviewer, "reject", comment="Sửa dòng ghi công.")
    waiting = submit(publication(org_a, "Đang chờ duyệt"), submitter, days_ago=1)
    someone_else = contributor(org_a)
    submit(photo(org_a, "Của người khác", image), someone_else)
    approved = submit(photo(org_a, "Đã xuất bản", image), submitter)
    approved.task.specific.on_action(approved, reviewer, "approve", **CHECKLIST)

    client = Client()
    client.force_login(submitter)
    html = client.get("/admin/").content.decode()
    panel = section(html, "review-submissions")
    assert "Cần sửa" in panel and "Sửa dòng ghi công." in panel
    assert "Đang chờ duyệt" in panel
    assert "Của người khác" not in panel
    assert "Đã xuất bản" not in panel
    assert waiting.task.name in panel
    edit = reverse(
        Photo.snippet_viewset.get_url_name("edit"), args=[sent_back.workflow_state.object_id]
    )
    assert f'href="{edit}"' in panel


def test_the_submissions_panel_costs_the_same_for_more_submissions(
    reviewer, org_a, submitter, image, django_assert_max_num_queries
):
    from review.components import submissions_of

    def measure():
        with django_assert_max_num_queries(6) as captured:
            rows_ = submissions_of(submitter)
        return len(rows_), len(captured.captured_queries)

    first = submit(photo(org_a, "Một", image), submitter)
    first.task.specific.on_action(first, reviewer, "reject", comment="Sửa.")
    small = measure()
    for n in range(8):
        state = submit(
            publication(org_a, f"Ấn phẩm {n}") if n % 2 else photo(org_a, f"Ảnh {n}", image),
            submitter,
        )
        if n % 3 == 0:
            state.task.specific.on_action(state, reviewer, "reject", comment=f"Sửa {n}.")
    large = measure()
    assert small[0] == 1 and large[0] == 9
    assert large[1] == small[1] + 1  # the second asset type


@pytest.mark.parametrize("count", [3, 20])
def test_the_reviewers_dashboard_costs_the_same_however_many_wait(
    count, reviewer_client, org_a, submitter, image, django_assert_max_num_queries
):
    """Wagtail's own "Awaiting your review" panel (2 queries per item) is replaced."""
    for n in range(count):
        submit(photo(org_a, f"Ảnh {n}", image), submitter, days_ago=n)
    reviewer_client.get("/admin/")  # warm caches
    with django_assert_max_num_queries(DASHBOARD_QUERY_BOUND):
        response = reviewer_client.get("/admin/")
    assert response.status_code == 200
    assert "Ảnh 1" in response.content.decode()
