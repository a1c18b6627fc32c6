"""Reports → Review record (issue 4, item 5): every submission, decision and withdrawal
with its comment or reason, attestations and checklist, exportable to CSV and XLSX by
administrators and auditors, in a constant number of queries."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.text import capfirst
from wagtail.models import TaskState

from assets import operations
from assets.models import Licence, Organisation, Photo, Publication
from review.forms import ApprovalChecklistForm
from review.models import ReviewDecision, SubmissionAttestation, Withdrawal
from review.operations import record_attestation, withdraw
from review.reports import EVENT_CHOICES, ReviewRecordView

from ..factories import PhotoFactory, contributor, make_organisation, role_user

pytestmark = pytest.mark.django_db

URL = "/admin/reports/review-record/"
CHECKLIST = {"accuracy_verified": "on", "sovereignty_shown": "on", "place_names_correct": "on"}
# Measured: 23 queries for the page and 11 for the CSV export at 3 events (one asset),
# 24 and 12 at 30 (ten assets: the one more is the second asset type). The bound must
# not depend on the number of rows.
PAGE_QUERY_BOUND = 25
EXPORT_QUERY_BOUND = 13


def submit(asset, user):
    """As the asset form does: a revision, the workflow, the attestations."""
    asset.save_revision(user=user)
    asset.get_workflow().start(asset, user)
    record_attestation(asset, user)
    return asset


def decide(asset, reviewer, action, **data):
    task_state = TaskState.objects.get(
        workflow_state__object_id=str(asset.pk),
        workflow_state__base_content_type=asset.get_base_content_type(),
        status=TaskState.STATUS_IN_PROGRESS,
    )
    task_state.task.specific.on_action(task_state, reviewer, action, **data)


def publication(organisation, title):
    return Publication.objects.create(
        organisation=organisation,
        title_vi=title,
        title=title,
        licence=Licence.objects.get(code="cc-by-4.0"),
        live=False,
    )


def vi(text):
    """`text` (a msgid or a lazy string) as the admin shows it."""
    with translation.override("vi"):
        return str(translation.gettext(text) if isinstance(text, str) else text)


EVENTS = dict(EVENT_CHOICES)


@pytest.fixture
def org_a():
    return make_organisation("UBND phường Ninh Kiều")


@pytest.fixture
def org_b():
    return make_organisation("UBND phường Cái Răng")


@pytest.fixture
def editor(org_a):
    return contributor(org_a, first_name="Lan", last_name="Nguyễn")


@pytest.fixture
def reviewer():
    return role_user(operations.REVIEWERS, first_name="Minh", last_name="Trần")


@pytest.fixture
def record(media_dirs, org_a, org_b, editor, reviewer):
    """Each kind of event once: an approval then a withdrawal, a request for changes,
    a rejection (of a publication from another organisation)."""
    approved = submit(
        PhotoFactory(organisation=org_a, title_vi="Bến Ninh Kiều", live=False), editor
    )
    decide(approved, reviewer, "approve", **CHECKLIST, comment="Đã đối chiếu nguồn.")
    returned = submit(PhotoFactory(organisation=org_a, title_vi="Chợ nổi", live=False), editor)
    decide(returned, reviewer, "reject", comment="Sửa dòng ghi công.")
    declined = submit(publication(org_b, "Cẩm nang du lịch"), contributor(org_b))
    decide(declined, reviewer, "decline", comment="Không thuộc địa bàn.")
    approved.refresh_from_db()
    withdraw(approved, user=reviewer, reason="Hết hạn thỏa thuận với tác giả")
    return {"approved": approved, "returned": returned, "declined": declined}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def auditor_client():
    return client_for(role_user(operations.AUDITORS))


@pytest.fixture
def admin_client_():
    # Not a superuser: the right comes from the Administrators group.
    return client_for(role_user(operations.ADMINISTRATORS))


def export(client, fmt, **params):
    response = client.get(URL, {**params, "export": fmt})
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(client, **params):
    rows = list(csv.reader(io.StringIO(export(client, "csv", **params).decode("utf-8"))))
    return [dict(zip(ReviewRecordView.list_export, row, strict=True)) for row in rows[1:]]


def events(rows):
    return [(row["event_label"], row["asset_title"]) for row in rows]


# --- What the record holds ------------------------------------------------------------


def test_the_csv_has_every_event_with_what_was_recorded(admin_client_, record):
    approved, returned, declined = record["approved"], record["returned"], record["declined"]
    rows = csv_rows(admin_client_)
    yes = vi("Yes")
    checklist = "; ".join(vi(ApprovalChecklistForm.base_fields[name].label) for name in CHECKLIST)
    photo, pub = (vi(capfirst(model._meta.verbose_name)) for model in (Photo, Publication))

    def revision(asset, index):
        return str(asset.revisions.order_by("pk")[index].pk)

    # Newest first. Columns: event, type, id, title, organisation, revision, comment
    # or reason, the two attestations, the checklist.
    expected = [
        (vi(EVENTS["withdrawn"]), photo, str(approved.pk), "Bến Ninh Kiều",
         "UBND phường Ninh Kiều", "", "Hết hạn thỏa thuận với tác giả", "", "", ""),
        (vi(EVENTS["rejected"]), pub, str(declined.pk), "Cẩm nang du lịch",
         "UBND phường Cái Răng", revision(declined, 0), "Không thuộc địa bàn.", "", "", ""),
        (vi(EVENTS["submitted"]), pub, str(declined.pk), "Cẩm nang du lịch",
         "UBND phường Cái Răng", revision(declined, 0), "", yes, yes, ""),
        (vi(EVENTS["changes_requested"]), photo, str(returned.pk), "Chợ nổi",
         "UBND phường Ninh Kiều", revision(returned, 0), "Sửa dòng ghi công.", "", "", ""),
        (vi(EVENTS["submitted"]), photo, str(returned.pk), "Chợ nổi",
         "UBND phường Ninh Kiều", revision(returned, 0), "", yes, yes, ""),
        (vi(EVENTS["approved"]), photo, str(approved.pk), "Bến Ninh Kiều",
         "UBND phường Ninh Kiều", revision(approved, 0), "Đã đối chiếu nguồn.", "", "",
         checklist),
        (vi(EVENTS["submitted"]), photo, str(approved.pk), "Bến Ninh Kiều",
         "UBND phường Ninh Kiều", revision(approved, 0), "", yes, yes, ""),
    ]  # fmt: skip
    columns = ReviewRecordView.list_export[2:]
    assert [tuple(row[name] for name in columns) for row in rows] == expected
    assert {row["user_name"] for row in rows[:2]} == {"Minh Trần"}
    assert rows[-1]["user_name"] == "Lan Nguyễn"
    # Local time (Asia/Ho_Chi_Minh), with its offset.
    when = datetime.datetime.fromisoformat(rows[0]["created_at"])
    assert when.utcoffset() == datetime.timedelta(hours=7)
    assert abs(when - Withdrawal.objects.get().created_at) < datetime.timedelta(seconds=1)


def test_the_organisation_is_named_as_it_was_on_the_day(auditor_client, record, org_a):
    earlier = timezone.now() - datetime.timedelta(days=30)
    SubmissionAttestation.objects.update(created_at=earlier)
    operations.rename_organisation(
        Organisation.objects.get(pk=org_a.pk),  # its collection as stored now
        names={"vi": "Phường Ninh Kiều", "en": ""},
        effective=timezone.localdate(),
    )
    names = {
        (row["event_label"], row["asset_title"]): row["organisation"]
        for row in csv_rows(auditor_client, organisation=org_a.pk)
    }
    assert names[vi(EVENTS["submitted"]), "Chợ nổi"] == "UBND phường Ninh Kiều"
    assert names[vi(EVENTS["changes_requested"]), "Chợ nổi"] == "Phường Ninh Kiều"


def test_the_xlsx_has_the_same_rows(admin_client_, record):
    rows = csv_rows(admin_client_)
    workbook = openpyxl.load_workbook(io.BytesIO(export(admin_client_, "xlsx")))
    sheet = list(workbook.active.iter_rows(values_only=True))
    assert len(sheet) == len(rows) + 1
    for line, row in zip(sheet[1:], rows, strict=True):
        cells = dict(zip(ReviewRecordView.list_export, line, strict=True))
        when = cells.pop("created_at")
        assert isinstance(when, datetime.datetime)
        assert when.replace(microsecond=0) == datetime.datetime.fromisoformat(
            row.pop("created_at")
        ).replace(tzinfo=None)
        assert {name: "" if value is None else str(value) for name, value in cells.items()} == row
    assert sheet[0] == tuple(
        next(csv.reader(io.StringIO(export(admin_client_, "csv").decode("utf-8"))))
    )


def test_the_page_shows_the_record(auditor_client, record):
    response = auditor_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hết hạn thỏa thuận với tác giả" in html
    assert vi(ApprovalChecklistForm.base_fields["sovereignty_shown"].label) in html
    assert len(response.context["object_list"]) == 7


# --- Who may read it ------------------------------------------------------------------


def test_administrators_and_auditors_get_it_and_its_menu_item(record):
    for role in (operations.ADMINISTRATORS, operations.AUDITORS):
        client = client_for(role_user(role))
        assert client.get(URL).status_code == 200
        assert len(csv_rows(client)) == 7
        assert URL.encode() in client.get("/admin/").content


def test_contributors_and_reviewers_do_not(record, editor, reviewer):
    for user in (editor, reviewer):
        client = client_for(user)
        home = client.get("/admin/")
        assert home.status_code == 200 and URL.encode() not in home.content
        # Wagtail answers PermissionDenied in the admin with a redirect to the dashboard.
        for response in (client.get(URL), client.get(URL, {"export": "csv"})):
            assert response.status_code == 302 and response.url == "/admin/"
    anonymous = Client().get(URL, {"export": "csv"})
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous.url


# --- Filters --------------------------------------------------------------------------


def test_filter_by_organisation(auditor_client, record, org_b):
    rows = csv_rows(auditor_client, organisation=org_b.pk)
    assert {row["asset_title"] for row in rows} == {"Cẩm nang du lịch"}
    assert len(rows) == 2


def test_filter_by_event(auditor_client, record):
    rows = csv_rows(auditor_client, event=["approved", "withdrawn"])
    assert events(rows) == [
        (vi(EVENTS["withdrawn"]), "Bến Ninh Kiều"),
        (vi(EVENTS["approved"]), "Bến Ninh Kiều"),
    ]
    rows = csv_rows(auditor_client, event="submitted")
    assert len(rows) == 3 and {row["no_state_secret"] for row in rows} == {vi("Yes")}


def test_filter_by_user(auditor_client, record, editor, reviewer):
    assert len(csv_rows(auditor_client, user=reviewer.pk)) == 4
    assert {row["user_name"] for row in csv_rows(auditor_client, user=editor.pk)} == {"Lan Nguyễn"}
    assert len(csv_rows(auditor_client, user=[editor.pk, reviewer.pk])) == 6


def test_filter_by_date(auditor_client, record):
    """One event of each record model is moved back a month."""
    earlier = timezone.now() - datetime.timedelta(days=30)
    SubmissionAttestation.objects.filter(
        pk=SubmissionAttestation.objects.order_by("pk").first().pk
    ).update(created_at=earlier)
    ReviewDecision.objects.filter(action="approve").update(created_at=earlier)
    Withdrawal.objects.update(created_at=earlier)
    today = timezone.localdate().isoformat()
    before = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    recent = csv_rows(auditor_client, created_at_from=today)
    assert len(recent) == 4 and vi(EVENTS["withdrawn"]) not in dict(events(recent))
    old = csv_rows(auditor_client, created_at_to=before)
    assert [row["event_label"] for row in old] == [
        vi(EVENTS["withdrawn"]),
        vi(EVENTS["approved"]),
        vi(EVENTS["submitted"]),
    ]
    page = auditor_client.get(URL, {"created_at_from": today})
    assert len(page.context["object_list"]) == 4


# --- Cost -----------------------------------------------------------------------------


def make_events(count, organisations, editor, reviewer):
    """`count` events (a multiple of 3), on count/3 assets of two types spread over the
    organisations: a submission, a decision and a withdrawal each, recorded directly."""
    for index in range(count // 3):
        organisation = organisations[index % len(organisations)]
        if index % 2:
            asset = publication(organisation, f"Ấn phẩm {index}")
        else:
            asset = PhotoFactory(organisation=organisation, title_vi=f"Ảnh {index}", live=False)
        submit(asset, editor)
        task_state = TaskState.objects.get(
            workflow_state__object_id=str(asset.pk),
            workflow_state__base_content_type=asset.get_base_content_type(),
        )
        ReviewDecision.objects.create(
            task_state=task_state,
            revision=task_state.revision,
            user=reviewer,
            action="approve",
            comment=f"Duyệt {index}",
            checklist={"accuracy_verified": True, "sovereignty_shown": True},
        )
        Withdrawal.objects.create(
            content_type=asset.get_base_content_type(),
            object_id=str(asset.pk),
            user=reviewer,
            reason=f"Lý do {index}",
        )


@pytest.mark.parametrize("count", [3, 30])
def test_queries_do_not_grow_with_the_record(
    count, media_dirs, editor, reviewer, django_assert_max_num_queries
):
    organisations = [make_organisation(f"Phường {n}") for n in range(3)]
    make_events(count, organisations, editor, reviewer)
    client = client_for(role_user(operations.AUDITORS))
    client.get("/admin/")  # warm the caches a first request fills
    with django_assert_max_num_queries(PAGE_QUERY_BOUND):
        response = client.get(URL)
    assert len(response.context["object_list"]) == count
    with django_assert_max_num_queries(EXPORT_QUERY_BOUND):
        rows = csv_rows(client)
    assert len(rows) == count
    assert {row["event_label"] for row in rows} == {
        vi(EVENTS[code]) for code in ("submitted", "approved", "withdrawn")
    }


def test_the_record_outlives_a_deleted_asset(record, auditor_client):
    """Deleting an asset deletes its revisions and workflow states; the attestation
    and the decisions about it stay in the record, with the title they were about."""
    returned, declined = record["returned"], record["declined"]
    about = {
        name: {"content_type": asset.get_base_content_type(), "object_id": str(asset.pk)}
        for name, asset in record.items()
    }
    returned.delete()
    declined.delete()
    assert SubmissionAttestation.objects.filter(**about["returned"]).count() == 1
    decision = ReviewDecision.objects.get(**about["declined"])
    assert decision.revision_id is None and decision.task_state_id is None
    assert decision.object_title == "Cẩm nang du lịch"
    rows = events(csv_rows(auditor_client))
    assert (vi(EVENTS["submitted"]), "Chợ nổi") in rows
    assert (vi(EVENTS["changes_requested"]), "Chợ nổi") in rows
    assert (vi(EVENTS["rejected"]), "Cẩm nang du lịch") in rows
    assert (vi(EVENTS["submitted"]), "Cẩm nang du lịch") in rows
    page = auditor_client.get(URL)
    assert page.status_code == 200
    assert "Cẩm nang du lịch" in page.content.decode()
