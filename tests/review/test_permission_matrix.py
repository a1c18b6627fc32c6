"""The permission matrix (issue 4): who may do what with an asset, in every state.

Roles × actions × states. The requests are not listed by hand: every URL of every asset
viewset and of its chooser is found by walking the viewsets' own URL patterns (as
tests/assets/test_permissions.py does for one role), and each must be classified in
`URL_ACTIONS`, so a view that a later Wagtail release adds fails here until someone says
which action it performs. What each role should get is one table, `EXPECTED`, read a row
at a time. Outcomes:

    OK     allowed: the page or modal answers (a listing shows the asset), or the
           action was done: a change is read back from the database, not guessed from
           the status code;
    NO     denied: 403, or Wagtail's redirect to the dashboard with "no permission";
    404    not found: 404 (Sen's scoping, assets/permissions.py), and listings leave the
           asset out, so that its existence is not revealed;
    LOGIN  the admin's redirect to its login page;
    NOOP   answered (the form again with an error, or a redirect with a message) and
           nothing done: Wagtail's rule for that state, e.g. the editor is locked while
           a review is in progress, or nothing awaits approval.

A URL that names something the state does not have (the task state of a draft that never
went to review) is not sent; the action's other URLs still answer for the cell.

Each test builds one asset in one state and sends every request of every role. A request
that changes something runs in a savepoint rolled back afterwards, so the next one sees
the same state. The failure lists every wrong cell at once.
"""

import datetime
import html
import io
import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import TaskState, WorkflowState

from assets import operations
from assets.models import (
    Photo,
    Publication,
    Video,
)
from ingest.models import ContentCheck
from ingest.operations import make_downloads
from review.models import SubmissionAttestation, Withdrawal
from review.operations import withdraw

from ..assets.test_permissions import MODELS, form_data, make_asset, text_of
from ..factories import contributor, make_organisation, role_user

# The content check and the derivatives are the worker's: here the check is declared
# clear (a file still being checked may not be approved) and the downloads of a photo
# are made when it is published, as the worker would.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("media_dirs"),
    pytest.mark.pipeline_deferred,
]

# --- The matrix ----------------------------------------------------------------------

ANONYMOUS = "anonymous"
OWNER = "contributor of the owning organisation"
OTHER = "contributor of another organisation"
REVIEWER = "reviewer"
ADMINISTRATOR = "administrator"
ROLES = [ANONYMOUS, OWNER, OTHER, REVIEWER, ADMINISTRATOR]

STATES = [
    "draft",  # saved by its contributor, never submitted
    "in review",  # submitted with the attestations: the review task is in progress
    "changes requested",  # sent back by the reviewer with a comment
    "rejected",  # rejected for good with a reason (the review is cancelled)
    "published",  # approved with the checklist: live
    "published, newer draft",  # live, with a later draft not yet approved
    "withdrawn",  # published, then withdrawn with a reason
    "expired",  # published; its expiry passed and publish_scheduled unpublished it
]
LIVE_STATES = ("published", "published, newer draft")

OK, NO, NF, LOGIN, NOOP = "OK", "NO", "404", "LOGIN", "NOOP"


def row(*outcomes):
    """One outcome per state, in the order of STATES (the column headings below)."""
    assert len(outcomes) == len(STATES), outcomes
    return dict(zip(STATES, outcomes, strict=True))


def every(outcome):
    return row(*[outcome] * len(STATES))


@dataclass(frozen=True)
class ByModel:
    """A cell whose outcome depends on the asset type."""

    photo: str
    video: str
    publication: str


# Videos and publication PDFs of a live asset are public; an original photo is not (the
# public downloads it by licence, through the download view).
PUBLIC = ByModel(photo=NF, video=OK, publication=OK)

# fmt: off
#                          draft  review changes rejected published +draft withdrawn expired
EXPECTED = {
    # The listing and its results ("404": the asset is left out).
    "list": {
        ANONYMOUS:     every(LOGIN),
        OWNER:         every(OK),
        OTHER:         every(NF),
        REVIEWER:      every(OK),
        ADMINISTRATOR: every(OK),
    },
    # The add form, its preview and the chooser's create form. They name no asset:
    # sent once per asset type (see FIRST_STATE_OF).
    "add": {
        ANONYMOUS:     every(LOGIN),
        OWNER:         every(OK),
        OTHER:         every(OK),
        REVIEWER:      every(OK),
        ADMINISTRATOR: every(OK),
    },
    # The editor (GET), inspect, usage, copy and the workflow-cancellation modal.
    "view": {
        ANONYMOUS:     every(LOGIN),
        OWNER:         every(OK),
        OTHER:         every(NF),
        REVIEWER:      every(OK),
        ADMINISTRATOR: every(OK),
    },
    # Wagtail preview from the editor: the form posted, then the page as the public
    # would see it, with the posted title.
    "preview": {
        ANONYMOUS:     every(LOGIN),
        OWNER:         every(OK),
        OTHER:         every(NF),
        REVIEWER:      every(OK),
        ADMINISTRATOR: every(OK),
    },
    # The chooser, its results, "chosen" and "chosen multiple".
    "choose": {
        ANONYMOUS:     every(LOGIN),
        OWNER:         every(OK),
        OTHER:         every(NF),
        REVIEWER:      every(OK),
        ADMINISTRATOR: every(OK),
    },
    # Saving a draft from the editor, and reverting to the first revision. While a
    # review is in progress Wagtail locks the editor for all but the task's group
    # (administrators are not in it).
    "edit": {
        ANONYMOUS:     every(LOGIN),
        OWNER:         row(OK,    NOOP,  OK,     OK,      OK,       OK,    OK,       OK),
        OTHER:         every(NF),
        REVIEWER:      every(OK),
        ADMINISTRATOR: row(OK,    NOOP,  OK,     OK,      OK,       OK,    OK,       OK),
    },
    # "Submit for review" in the editor, both attestations ticked.
    "submit": {
        ANONYMOUS:     every(LOGIN),
        OWNER:         row(OK,    NOOP,  OK,     OK,      OK,       OK,    OK,       OK),
        OTHER:         every(NF),
        # In review, a second submit (a stale editor in another tab) is refused with
        # a message (review.forms.SubmissionAttestationMixin), not Wagtail's 500.
        REVIEWER:      row(OK,    NOOP,  OK,     OK,      OK,       OK,    OK,       OK),
        ADMINISTRATOR: row(OK,    NOOP,  OK,     OK,      OK,       OK,    OK,       OK),
    },
    # The review task's approval with the checklist, its modal, and the preview of the
    # revision under review: the task's group (the Reviewers), while in review.
    "approve": {
        ANONYMOUS:     every(LOGIN),
        OWNER:         row(NOOP,  NO,    NOOP,   NOOP,    NOOP,     NOOP,  NOOP,     NOOP),
        OTHER:         every(NF),
        REVIEWER:      row(NOOP,  OK,    NOOP,   NOOP,    NOOP,     NOOP,  NOOP,     NOOP),
        ADMINISTRATOR: row(NOOP,  NO,    NOOP,   NOOP,    NOOP,     NOOP,  NOOP,     NOOP),
    },
    # "Publish" posted to the editor (it shows no such button): refused with a message
    # for everyone, since publishing is approving the review with the checklist.
    "publish": {
        ANONYMOUS:     every(LOGIN),
        OWNER:         every(NOOP),
        OTHER:         every(NF),
        REVIEWER:      every(NOOP),
        ADMINISTRATOR: every(NOOP),
    },
    # Cancelling a scheduled publication: needs the publish right on the asset.
    "unschedule": {
        ANONYMOUS:     every(LOGIN),
        OWNER:         every(NF),
        OTHER:         every(NF),
        REVIEWER:      every(OK),
        ADMINISTRATOR: every(OK),
    },
    # Withdrawal with a reason (review.views.WithdrawView, Wagtail's unpublish URL):
    # its confirmation, then the withdrawal.
    # What is not live has nothing to withdraw: refused with a message (NOOP), no
    # Withdrawal recorded (the feed would report it as deleted).
    "unpublish": {
        ANONYMOUS:     every(LOGIN),
        OWNER:         every(NF),
        OTHER:         every(NF),
        REVIEWER:      row(NOOP,  NOOP,  NOOP,   NOOP,    OK,       OK,    NOOP,     NOOP),
        ADMINISTRATOR: row(NOOP,  NOOP,  NOOP,   NOOP,    OK,       OK,    NOOP,     NOOP),
    },
    # The delete confirmation and deletion, one by one, then as the bulk action.
    # Deleting a live asset takes it off the public record: it needs the publish
    # right too (assets.permissions.AssetPermissionPolicy), so the owning contributor
    # gets 404 on the live asset's delete URL, and the bulk action deletes nothing.
    "delete": {
        ANONYMOUS:     every(LOGIN),
        OWNER:         row(OK,    OK,    OK,     OK,      NF,       NF,    OK,       OK),
        OTHER:         every(NF),
        REVIEWER:      every(OK),
        ADMINISTRATOR: every(OK),
    },
    # Wagtail's bulk confirmation lists the selection, saying which may not be deleted.
    "bulk delete: confirm": {
        ANONYMOUS:     every(LOGIN),
        OWNER:         every(OK),
        OTHER:         every(NF),
        REVIEWER:      every(OK),
        ADMINISTRATOR: every(OK),
    },
    "bulk delete": {
        ANONYMOUS:     every(LOGIN),
        OWNER:         row(OK,    OK,    OK,     OK,      NOOP,     NOOP,  OK,       OK),
        OTHER:         every(NF),
        REVIEWER:      every(OK),
        ADMINISTRATOR: every(OK),
    },
    # Locking: the lock right; in review, the task's group only.
    "lock": {
        ANONYMOUS:     every(LOGIN),
        OWNER:         every(NO),
        OTHER:         every(NF),
        REVIEWER:      every(OK),
        ADMINISTRATOR: row(OK,    NO,    OK,     OK,      OK,       OK,    OK,       OK),
    },
    # Unlocking what another reviewer locked: the unlock right; in review, nobody but
    # the one who locked it (Wagtail's group approval task).
    "unlock": {
        ANONYMOUS:     every(LOGIN),
        OWNER:         every(NO),
        OTHER:         every(NF),
        REVIEWER:      row(OK,    NO,    OK,     OK,      OK,       OK,    OK,       OK),
        ADMINISTRATOR: row(OK,    NO,    OK,     OK,      OK,       OK,    OK,       OK),
    },
    # History, its results, a revision, the comparison, the workflow history, its detail.
    "history": {
        ANONYMOUS:     every(LOGIN),
        OWNER:         every(OK),
        OTHER:         every(NF),
        REVIEWER:      every(OK),
        ADMINISTRATOR: every(OK),
    },
    # The stored original: /files/… (and Wagtail's document view for a PDF). Not admin
    # URLs: a visitor gets 404, not a login page.
    "download original": {
        ANONYMOUS:     row(NF,    NF,    NF,     NF,      PUBLIC,   PUBLIC, NF,       NF),
        OWNER:         every(OK),
        OTHER:         row(NF,    NF,    NF,     NF,      PUBLIC,   PUBLIC, NF,       NF),
        REVIEWER:      every(OK),
        ADMINISTRATOR: every(OK),
    },
    # The licence download of a photo, /download/photo/<id>/original/ (photos only):
    # published photos, for everyone.
    "download by licence": {
        role:          row(NF,    NF,    NF,     NF,      OK,       OK,    NF,       NF)
        for role in ROLES
    },
}
# fmt: on

# --- Which URL is which action ---------------------------------------------------------

# How each request is made.
GET, LISTING, PREVIEW = "GET", "GET a listing", "POST the form, then GET the preview"
SAVE, SUBMIT, PUBLISH = "POST the form", "POST the form + submit", "POST the form + publish"
REVERT, APPROVE, WITHDRAW = (
    "POST the old revision's form",
    "POST the checklist",
    "GET, POST a reason",
)
DELETE, LOCK, UNLOCK = "GET, then POST", "POST", "POST, locked by another reviewer"

# Every URL name of an asset viewset: the actions it serves, and how each is requested.
URL_ACTIONS = {
    "list": {"list": LISTING},
    "list_results": {"list": LISTING},
    "add": {"add": GET},
    "preview_on_add": {"add": GET},
    "edit": {"view": GET, "edit": SAVE, "submit": SUBMIT, "publish": PUBLISH},
    "inspect": {"view": GET},
    "usage": {"view": GET},
    "copy": {"view": GET},
    "confirm_workflow_cancellation": {"view": GET},
    "preview_on_edit": {"preview": PREVIEW},
    "revisions_revert": {"edit": REVERT},
    "workflow_action": {"approve": APPROVE},
    "collect_workflow_action_data": {"approve": GET},
    "workflow_preview": {"approve": GET},
    "revisions_unschedule": {"unschedule": GET},
    "unpublish": {"unpublish": WITHDRAW},
    "delete": {"delete": DELETE},
    "lock": {"lock": LOCK},
    "unlock": {"unlock": UNLOCK},
    "history": {"history": GET},
    "history_results": {"history": GET},
    "revisions_view": {"history": GET},
    "revisions_compare": {"history": GET},
    "workflow_history": {"history": GET},
    "workflow_history_detail": {"history": GET},
}
# The same for the asset chooser's URLs.
CHOOSER_URL_ACTIONS = {
    "choose": {"choose": LISTING},
    "choose_results": {"choose": LISTING},
    "chosen": {"choose": GET},
    "chosen_multiple": {"choose": LISTING},
    "create": {"add": GET},
}
# And outside the viewsets (extra_probes()): the bulk delete (delete), the stored
# originals (download original) and the licence download (download by licence).

CHECKLIST = {"accuracy_verified": "on", "sovereignty_shown": "on", "place_names_correct": "on"}
ATTESTATIONS = {"attest_no_state_secret": "on", "attest_rights_correct": "on"}

# --- Which asset type in which state -----------------------------------------------------

# Each state is built with one asset type, in turn, so that every type meets a review
# state, a live one and one after publication, and the file runs in about a minute
# (every role × every URL of a state is ~190 requests). The three viewsets share one
# class (assets/wagtail_hooks.py AssetViewSet); by type differ the forms and the files.
# SEN_FULL_MATRIX=1 builds every type in every state (24 cases, ~3 minutes).
ROTATION = {
    "draft": Photo,
    "in review": Video,
    "changes requested": Publication,
    "rejected": Video,
    "published": Photo,
    "published, newer draft": Publication,
    "withdrawn": Photo,
    "expired": Video,
}
if os.environ.get("SEN_FULL_MATRIX"):
    CASES = [(model, state) for model in MODELS for state in STATES]
else:
    CASES = [(ROTATION[state], state) for state in STATES]
# "add" names no asset: sent in the first state of each type.
FIRST_STATE_OF = {}
for _model, _state in CASES:
    FIRST_STATE_OF.setdefault(_model, _state)


# --- Building an asset in a state -------------------------------------------------------


@dataclass
class Case:
    model: type
    state: str
    asset: object
    users: dict
    locker: object  # another reviewer, who locked the asset before an unlock
    form: dict  # what the editor posts, with a new title
    first_revision_id: int
    workflow_state: WorkflowState | None
    task_state: TaskState | None
    task_id: int
    originals: list

    @property
    def listed_title(self):
        """What its listing row shows: the title of the asset row (the live one)."""
        return self.asset.title_vi

    @property
    def edited_title(self):
        return self.form["title_vi"][0]


def _make_asset(model, organisation, title):
    return make_asset(model, organisation, title, live=False)


def _decide(task_state, user, action, **data):
    """As the reviewer's modal does (ReviewTask checks the checklist or comment)."""
    task_state.task.specific.on_action(task_state, user, action, **data)


def _put_in_state(asset, state, owner, reviewer):
    asset.save_revision(user=owner)
    if state == "draft":
        return
    task_state = asset.get_workflow().start(asset, owner).current_task_state
    if state == "in review":
        return
    if state == "changes requested":
        return _decide(task_state, reviewer, "reject", comment="Sửa dòng ghi công.")
    if state == "rejected":
        return _decide(task_state, reviewer, "decline", comment="Không thuộc địa bàn.")
    _decide(task_state, reviewer, "approve", **dict.fromkeys(CHECKLIST, True))
    asset.refresh_from_db()
    assert asset.live
    if isinstance(asset, Photo):
        make_downloads(asset.image)
    if state == "published, newer draft":
        draft = asset.get_latest_revision_as_object()
        draft.title_vi += " (bản nháp)"
        draft.save_revision(user=owner)
    elif state == "withdrawn":
        withdraw(asset, user=reviewer, reason="Hết hạn thỏa thuận với tác giả.")
    elif state == "expired":
        type(asset).objects.filter(pk=asset.pk).update(
            expire_at=timezone.now() - datetime.timedelta(minutes=1)
        )
        call_command("publish_scheduled", stdout=io.StringIO())


def _originals(asset):
    """Where the stored original of `asset` could be fetched."""
    if isinstance(asset, Photo):
        return [asset.image.file.url]
    if isinstance(asset, Video):
        return [asset.media.file.url]
    document = asset.editions.get().document
    return [document.file.url, document.url]


def build_case(model, state):
    operations.ensure_role_groups()
    organisation = make_organisation("Phường Ninh Kiều")
    users = {
        ANONYMOUS: None,
        OWNER: contributor(organisation),
        OTHER: contributor(make_organisation("Phường Cái Răng")),
        REVIEWER: role_user(operations.REVIEWERS),
        ADMINISTRATOR: role_user(operations.ADMINISTRATORS),
    }
    asset = _make_asset(model, organisation, f"Quokka {model.__name__} {state}")
    ContentCheck.objects.update(status=ContentCheck.Status.CLEAR)
    _put_in_state(asset, state, users[OWNER], users[REVIEWER])
    asset = model.objects.get(pk=asset.pk)
    assert asset.live == (state in LIVE_STATES), state

    workflow_state = WorkflowState.objects.for_instance(asset).order_by("pk").last()
    reviewer = Client()
    reviewer.force_login(users[REVIEWER])
    editor = reviewer.get(url_of(model, "edit", pk=asset.pk))
    assert editor.status_code == 200
    form = form_data(editor, title_vi=f"Quokka đã sửa {model.__name__}")
    if state == "expired":
        form["expire_at"] = [""]  # the past expiry would fail validation: editors clear it
    return Case(
        model=model,
        state=state,
        asset=asset,
        users=users,
        locker=role_user(operations.REVIEWERS),
        form=form,
        first_revision_id=asset.revisions.order_by("pk").first().pk,
        workflow_state=workflow_state,
        task_state=workflow_state and workflow_state.task_states.order_by("pk").last(),
        task_id=asset.get_workflow().tasks.get().pk,
        originals=_originals(asset),
    )


def url_of(model, name, **kwargs):
    return reverse(model.snippet_viewset.get_url_name(name), kwargs=kwargs)


# --- What changed -----------------------------------------------------------------------
# Each takes the case, what _before() read, and the user who sent the request.


def _fresh(case):
    return case.model.objects.get(pk=case.asset.pk)


def _before(case):
    fresh = _fresh(case)
    return {
        "revision": fresh.latest_revision_id,
        "live_revision": fresh.live_revision_id,
        "attestations": SubmissionAttestation.objects.count(),
        "withdrawals": Withdrawal.objects.count(),
        "task_finished_at": case.task_state
        and TaskState.objects.get(pk=case.task_state.pk).finished_at,
    }


def _saved(case, before, user):
    fresh = _fresh(case)
    return (
        fresh.latest_revision_id != before["revision"] and fresh.latest_revision.user_id == user.pk
    )


def _submitted(case, before, user):
    attestation = SubmissionAttestation.objects.order_by("pk").last()
    return (
        _fresh(case).workflow_in_progress
        and SubmissionAttestation.objects.count() > before["attestations"]
        and attestation.user_id == user.pk
    )


def _published(case, before, user):
    fresh = _fresh(case)
    return (
        fresh.live
        and fresh.live_revision_id != before["live_revision"]
        and fresh.live_revision.user_id == user.pk
    )


def _approved(case, before, user):
    task_state = TaskState.objects.get(pk=case.task_state.pk)
    return (
        task_state.status == TaskState.STATUS_APPROVED
        and task_state.finished_at != before["task_finished_at"]
        and task_state.finished_by_id == user.pk
    )


def _withdrawn(case, before, user):
    return not _fresh(case).live and Withdrawal.objects.count() > before["withdrawals"]


def _deleted(case, before, user):
    return not case.model.objects.filter(pk=case.asset.pk).exists()


def _locked(case, before, user):
    fresh = _fresh(case)
    return fresh.locked and fresh.locked_by_id == user.pk


def _unlocked(case, before, user):
    return not _fresh(case).locked


def _post_the_form(case, client, probe):
    """The preview shows what the editor last posted (Wagtail keeps it per user)."""
    client.post(probe.path, case.form)


def _lock_by_another_reviewer(case, client, probe):
    case.model.objects.filter(pk=case.asset.pk).update(
        locked=True, locked_by=case.locker, locked_at=timezone.now()
    )


# --- Requests ------------------------------------------------------------------------


@dataclass
class Probe:
    action: str
    name: str  # the URL's name, for the failure message
    method: str
    path: str
    data: dict | None = None
    shows: str = ""  # what an OK answer contains
    absent: str = NOOP  # the outcome when it does not
    changes: object = None  # did the change happen? (see "What changed")
    setup: object = None  # f(case, client, probe) before the request, in its savepoint


def url_patterns(model):
    """(namespace, pattern, its classification table) of every URL of the model's
    viewset and of its chooser."""
    viewset = model.snippet_viewset
    for sub, table in ((viewset, URL_ACTIONS), (viewset.chooser_viewset, CHOOSER_URL_ACTIONS)):
        for pattern in sub.get_urlpatterns():
            yield sub.url_namespace, pattern, table


def unclassified_message(namespace, pattern):
    return (
        f"The URL {namespace}:{pattern.name} ({pattern.pattern}) is not in the permission "
        "matrix: add it to URL_ACTIONS (or CHOOSER_URL_ACTIONS) in "
        "tests/review/test_permission_matrix.py with the action it performs, and give "
        "EXPECTED a row for that action if it is a new one."
    )


def _kwargs_for(case, pattern):
    """Values for what the URL names; None when the state has none (no task state in
    a draft that never went to review)."""
    values = {
        "pk": case.asset.pk,
        "revision_id": (
            case.first_revision_id
            if pattern.name == "revisions_revert"
            else case.asset.latest_revision_id
        ),
        "revision_id_a": "earliest",
        "revision_id_b": "latest",
        "action_name": "approve",
        "task_state_id": case.task_state and case.task_state.pk,
        "workflow_state_id": case.workflow_state and case.workflow_state.pk,
        "task_id": case.task_id,
    }
    names = set(pattern.pattern.regex.groupindex)
    unknown = names - set(values)
    assert not unknown, (
        f"The URL {pattern.name!r} takes {sorted(unknown)}: give them values in "
        "_kwargs_for() of tests/review/test_permission_matrix.py"
    )
    kwargs = {name: values[name] for name in names}
    return None if None in kwargs.values() else kwargs


def probes_for(case, namespace, pattern, table):
    assert pattern.name in table, unclassified_message(namespace, pattern)
    kwargs = _kwargs_for(case, pattern)
    if kwargs is None:
        return []
    path = reverse(f"{namespace}:{pattern.name}", kwargs=kwargs)
    form = case.form
    probes = []
    for action, how in table[pattern.name].items():
        probe = {"action": action, "name": pattern.name, "path": path}
        if how == GET:
            probes.append(Probe(**probe, method="get"))
        elif how == LISTING:
            query = {"id": case.asset.pk} if pattern.name == "chosen_multiple" else None
            probes.append(
                Probe(**probe, method="get", data=query, shows=case.listed_title, absent=NF)
            )
        elif how == PREVIEW:
            probes.append(Probe(**probe, method="post", data=form))
            probes.append(
                Probe(**probe, method="get", shows=case.edited_title, setup=_post_the_form)
            )
        elif how in (SAVE, REVERT):
            probes.append(Probe(**probe, method="post", data=form, changes=_saved))
        elif how == SUBMIT:
            data = {**form, "action-submit": "submit", **ATTESTATIONS}
            probes.append(Probe(**probe, method="post", data=data, changes=_submitted))
        elif how == PUBLISH:
            data = {**form, "action-publish": "publish"}
            probes.append(Probe(**probe, method="post", data=data, changes=_published))
        elif how == APPROVE:
            probes.append(Probe(**probe, method="post", data=CHECKLIST, changes=_approved))
        elif how == WITHDRAW:
            data = {"reason": "Thông tin đã cũ."}
            probes.append(Probe(**probe, method="get"))
            probes.append(Probe(**probe, method="post", data=data, changes=_withdrawn))
        elif how == DELETE:
            probes.append(Probe(**probe, method="get"))
            probes.append(Probe(**probe, method="post", data={}, changes=_deleted))
        elif how == LOCK:
            probes.append(Probe(**probe, method="post", data={}, changes=_locked))
        elif how == UNLOCK:
            probes.append(
                Probe(
                    **probe,
                    method="post",
                    data={},
                    changes=_unlocked,
                    setup=_lock_by_another_reviewer,
                )
            )
        else:  # pragma: no cover - a typo in URL_ACTIONS
            raise AssertionError(f"{pattern.name}: no way to request {how!r}")
    return probes


def extra_probes(case):
    """What reaches the asset from outside its viewset: the bulk delete, and files."""
    model = case.model
    bulk = reverse(
        "wagtail_bulk_action", args=(model._meta.app_label, model._meta.model_name, "delete")
    )
    bulk += f"?id={case.asset.pk}"
    probes = [
        Probe("bulk delete: confirm", "bulk delete", "get", bulk),
        Probe("bulk delete", "bulk delete", "post", bulk, data={}, changes=_deleted),
    ]
    probes += [Probe("download original", "file", "get", path) for path in case.originals]
    if model is Photo:
        path = reverse("sen_download_photo", args=(case.asset.pk, "original"))
        probes.append(Probe("download by licence", "sen_download_photo", "get", path))
    return probes


# --- Reading the answer --------------------------------------------------------------


def _permission_messages():
    """Wagtail's "no permission" message, in each admin language."""
    messages = set()
    for code, _name in settings.WAGTAILADMIN_PERMITTED_LANGUAGES:
        with translation.override(code):
            messages.add(
                translation.gettext("Sorry, you do not have permission to access this area.")
            )
    return messages


PERMISSION_MESSAGES = _permission_messages()


def messages_of(response):
    return [
        (message.level_tag, html.unescape(str(message)).strip())
        for message in get_messages(response.wsgi_request)
    ]


def is_not_found(response):
    """404, or the redirect that LocaleMiddleware makes of a 404 and only of a 404
    (the site's i18n_patterns match every path under /<language>/). Its target is not
    followed here: tests/assets/test_permissions.py does that for every object URL."""
    if response.status_code == 404:
        return True
    location = urlsplit(response.get("Location", "")).path
    path = re.escape(response.request["PATH_INFO"])
    return response.status_code == 302 and bool(
        re.fullmatch(rf"/[a-z]{{2}}(-\w+)?{path}", location)
    )


def observe(probe, response, changed):
    """The outcome `response` shows, in the words of EXPECTED."""
    if changed:
        return OK
    location = urlsplit(response.get("Location", "")).path
    if response.status_code == 302 and location == reverse("wagtailadmin_login"):
        return LOGIN
    if is_not_found(response):
        return NF
    messages = messages_of(response)
    if response.status_code == 403 or (
        response.status_code == 302
        and location == reverse("wagtailadmin_home")
        and PERMISSION_MESSAGES & {text for _level, text in messages}
    ):
        return NO
    if response.status_code >= 400:
        return f"HTTP {response.status_code}"
    if probe.changes is not None:
        return NOOP  # answered, and nothing changed
    if response.status_code == 302 and any(level == "error" for level, _text in messages):
        return NOOP
    if probe.shows and probe.shows not in text_of(response):
        return probe.absent
    return OK


def expected(case, role, action):
    cell = EXPECTED[action][role][case.state]
    return getattr(cell, case.model.__name__.lower()) if isinstance(cell, ByModel) else cell


def run_probe(case, client, user, probe):
    """(outcome, response) of one request; what it changed is rolled back."""
    with transaction.atomic():
        if probe.setup:
            probe.setup(case, client, probe)
        # Wagtail's messages wait in a cookie until a page shows them: read only this
        # request's.
        client.cookies.pop("messages", None)
        before = _before(case) if probe.changes else None
        send = getattr(client, probe.method)
        response = send(probe.path, probe.data) if probe.data is not None else send(probe.path)
        changed = bool(probe.changes and user and probe.changes(case, before, user))
        outcome = observe(probe, response, changed)
        transaction.set_rollback(True)
    return outcome, response


def describe(response):
    """Status, redirect, messages and exception, for the failure message."""
    parts = [str(response.status_code)]
    if response.get("Location"):
        parts.append(f"→ {response['Location']}")
    parts += [text.splitlines()[0] for _level, text in messages_of(response) if text]
    if getattr(response, "exc_info", None):
        parts.append(f"{response.exc_info[0].__name__}: {response.exc_info[1]}")
    return "[" + " · ".join(parts) + "]"


def applicable_actions(model, state):
    actions = set(EXPECTED)
    if state != FIRST_STATE_OF[model]:
        actions.discard("add")
    if model is not Photo:
        actions.discard("download by licence")
    return actions


# --- The tests ------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_url_of_the_asset_viewsets_is_classified(model):
    """A URL that a later Wagtail release (or Sen) adds must be put in the matrix; an
    entry for a URL that no longer exists is stale."""
    found = {id(URL_ACTIONS): set(), id(CHOOSER_URL_ACTIONS): set()}
    for namespace, pattern, table in url_patterns(model):
        assert pattern.name in table, unclassified_message(namespace, pattern)
        found[id(table)].add(pattern.name)
    assert found[id(URL_ACTIONS)] == set(URL_ACTIONS), "stale entries in URL_ACTIONS"
    assert found[id(CHOOSER_URL_ACTIONS)] == set(CHOOSER_URL_ACTIONS)


def test_the_table_has_a_cell_for_every_role_action_and_state():
    classified = {
        action
        for table in (URL_ACTIONS, CHOOSER_URL_ACTIONS)
        for by in table.values()
        for action in by
    }
    assert classified | {
        "download original",
        "download by licence",
        "bulk delete",
        "bulk delete: confirm",
    } == set(EXPECTED)
    for action, by_role in EXPECTED.items():
        assert list(by_role) == ROLES, action
    assert {model for model, _state in CASES} == set(MODELS)
    assert {state for _model, state in CASES} == set(STATES)


@pytest.mark.parametrize(
    ("model", "state"), CASES, ids=[f"{model.__name__}-{state}" for model, state in CASES]
)
def test_permission_matrix(model, state):
    case = build_case(model, state)
    clients = {}
    for role, user in case.users.items():
        clients[role] = Client(raise_request_exception=False)
        if user is not None:
            clients[role].force_login(user)
    probes = [
        probe
        for namespace, pattern, table in url_patterns(model)
        for probe in probes_for(case, namespace, pattern, table)
    ]
    probes += extra_probes(case)
    actions = applicable_actions(model, state)

    wrong, asserted = [], set()
    for probe in (probe for probe in probes if probe.action in actions):
        for role in ROLES:
            want = expected(case, role, probe.action)
            got, response = run_probe(case, clients[role], case.users[role], probe)
            asserted.add((role, probe.action))
            if got != want:
                wrong.append(
                    f"{role} · {probe.action} · {probe.method.upper()} {probe.path} "
                    f"({probe.name}): expected {want}, got {got} {describe(response)}"
                )
    assert not wrong, f"{model.__name__}, {state}: {len(wrong)} wrong\n" + "\n".join(wrong)
    # Every cell of this state was asserted by at least one request.
    assert asserted == {(role, action) for role in ROLES for action in actions}
