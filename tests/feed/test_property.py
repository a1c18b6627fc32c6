"""Whatever happens to assets, what leaves Sen equals the public record (issue 8).

Hypothesis draws random sequences of what people and the clock do to a few assets
(submit, approve, request changes, reject, edit and republish, withdraw, let the
expiry pass, run the minute tick, delete). After every step the records every export
reads must equal the public assets, computed independently from the asset tables
(`AssetQuerySet.public()`), and the deletions must be exactly the assets that were
public once and are not any more. Each export (OAI-PMH, the JSON API, the bag) is
checked against the same expectation at the end of each sequence.
"""

import datetime
import io
import json
import time
import uuid

import bagit
import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from wagtail.models import TaskState, WorkflowState

from assets.models import Photo
from feed.bags import export_bag
from feed.models import FeedRecord
from review.operations import record_attestation, withdraw

from ..factories import PhotoFactory, contributor

pytestmark = pytest.mark.django_db

CHECKLIST = {"accuracy_verified": "on", "sovereignty_shown": "on", "place_names_correct": "on"}
ASSETS = 3
ACTIONS = (
    "submit",
    "approve",
    "request_changes",
    "reject",
    "withdraw",
    "expire",
    "tick",
    "delete",
)


def task_state_of(asset):
    return TaskState.objects.filter(
        workflow_state__object_id=str(asset.pk),
        workflow_state__base_content_type=asset.get_base_content_type(),
        status=TaskState.STATUS_IN_PROGRESS,
    ).first()


class World:
    """The assets, the people, and what the test remembers independently."""

    def __init__(self, organisation, reviewer):
        self.editor = contributor(organisation)
        self.reviewer = reviewer
        self.photos = [
            PhotoFactory(organisation=organisation, title_vi=f"Ảnh {n}", live=False)
            for n in range(ASSETS)
        ]
        self.deleted = set()
        self.ever_public = set()
        self.step = 0

    def photo(self, index):
        pk = self.photos[index].pk
        if pk in self.deleted:
            return None
        return Photo.objects.get(pk=pk)

    def do(self, action, index):
        self.step += 1
        photo = self.photo(index)
        if photo is None:
            return
        task_state = task_state_of(photo)
        if action == "submit" and task_state is None:
            photo.title_vi = f"Ảnh {index} · bản {self.step}"
            photo.save_revision(user=self.editor)
            state = photo.current_workflow_state
            if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
                state.resume(self.editor)  # as "Resubmit" does after changes were asked
            else:
                photo.get_workflow().start(photo, self.editor)
            record_attestation(photo, self.editor)
        elif action == "approve" and task_state is not None:
            task_state.task.specific.on_action(
                task_state, self.reviewer, "approve", **CHECKLIST, comment=""
            )
        elif action == "request_changes" and task_state is not None:
            task_state.task.specific.on_action(
                task_state, self.reviewer, "reject", comment="Sửa chú thích."
            )
        elif action == "reject" and task_state is not None:
            task_state.task.specific.on_action(
                task_state, self.reviewer, "decline", comment="Không phù hợp."
            )
        elif action == "withdraw" and photo.live:
            withdraw(photo, user=self.reviewer, reason="Rút theo yêu cầu.")
        elif action == "expire" and photo.live:
            # The reviewer gives it an expiry moments away, and the moment passes;
            # nothing else runs (the minute tick is a step of its own).
            # (Far enough ahead that the publication itself finishes first.)
            photo.expire_at = timezone.now() + datetime.timedelta(milliseconds=600)
            photo.save_revision(user=self.reviewer).publish(
                user=self.reviewer, skip_permission_checks=True
            )
            time.sleep(max(0, (photo.expire_at - timezone.now()).total_seconds()) + 0.01)
        elif action == "tick":
            call_command("sen_tick", stdout=io.StringIO())
        elif action == "delete":
            self.deleted.add(photo.pk)  # delete() sets pk to None
            photo.delete()
        self.ever_public |= {
            f"photo/{pk}" for pk in Photo.objects.public().values_list("pk", flat=True)
        }

    def expected(self):
        public = {f"photo/{pk}" for pk in Photo.objects.public().values_list("pk", flat=True)}
        return public, self.ever_public - public


def feed_sets():
    public = {record.local_id for record in FeedRecord.objects.public()}
    gone = {record.local_id for record in FeedRecord.objects.gone()}
    return public, gone


def oai_sets(client):
    """(active, deleted) local ids of a full OAI-PMH ListIdentifiers harvest."""
    ns = {"oai": "http://www.openarchives.org/OAI/2.0/"}
    active, deleted = set(), set()
    params = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
    while True:
        response = client.get("/oai/", params)
        root = etree.fromstring(b"".join(response.streaming_content))
        error = root.find("oai:error", ns)
        if error is not None:
            assert error.get("code") == "noRecordsMatch"
            return active, deleted
        for header in root.iterfind(".//oai:header", ns):
            local = header.findtext("oai:identifier", namespaces=ns).split(":", 2)[2]
            (deleted if header.get("status") == "deleted" else active).add(local)
        token = root.findtext(".//oai:resumptionToken", namespaces=ns)
        if not token:
            return active, deleted
        params = {"verb": "ListIdentifiers", "resumptionToken": token}


def api_sets(client):
    """(active, deleted) ids of a full JSON API list, tombstones included."""
    active, deleted = set(), set()
    url = "/api/v1/records/?include_deleted=true&page_size=200"
    while url:
        data = client.get(url).json()
        for item in data["items"]:
            (deleted if item["status"] == "deleted" else active).add(item["id"])
        url = data["next"]
    return active, deleted


def bag_sets(folder):
    """(active, deleted) ids of an offline bag of everything, validated by bagit."""
    export_bag(folder, since=datetime.date(2000, 1, 1), include_deleted=True)
    bagit.Bag(str(folder)).validate()
    lines = (folder / "data" / "records.jsonl").read_text().splitlines()
    active = {json.loads(line)["id"] for line in lines if line.strip()}
    deleted_file = folder / "data" / "deleted.json"
    deleted = set()
    if deleted_file.exists():
        deleted = {entry["id"] for entry in json.loads(deleted_file.read_text())}
    return active, deleted


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Every way of leaving is always tried, whatever the random draws find.
@example(steps=[("submit", 0), ("approve", 0), ("withdraw", 0), ("submit", 0), ("approve", 0)])
@example(steps=[("submit", 0), ("approve", 0), ("expire", 0), ("tick", 0)])
@example(steps=[("submit", 0), ("approve", 0), ("submit", 1), ("approve", 1), ("expire", 1)])
@example(steps=[("submit", 1), ("approve", 1), ("delete", 1), ("submit", 0), ("reject", 0)])
@example(steps=[("submit", 2), ("request_changes", 2), ("submit", 2), ("approve", 2)])
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.integers(0, ASSETS - 1)), min_size=1, max_size=14
    )
)
def test_what_leaves_equals_the_public_record(
    steps, media_dirs, organisation, reviewer, client, settings, tmp_path
):
    settings.SEN_API_SETTLE_SECONDS = 0  # the API holds back the last seconds' changes
    settings.SEN_OAI_PAGE_SIZE = 2  # and the harvest follows resumption tokens
    savepoint = transaction.savepoint()
    try:
        world = World(organisation, reviewer)
        for action, index in steps:
            world.do(action, index)
            public, left = world.expected()
            assert feed_sets() == (public, left), (action, index)
            # Tombstones carry nothing of the asset (a record past its expiry keeps its
            # content until the tick tombstones it; every reader hides it meanwhile).
            assert all(not r.record for r in FeedRecord.objects.filter(deleted=True))
        # What each export says, read the way its consumers read it.
        assert oai_sets(client) == (public, left)
        assert api_sets(client) == (public, left)
        assert bag_sets(tmp_path / f"bag-{uuid.uuid4().hex}") == (public, left)
    finally:
        transaction.savepoint_rollback(savepoint)
