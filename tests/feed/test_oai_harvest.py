"""A real harvester (Sickle, from PyPI) harvests Sen over HTTP from a live server:
the whole repository through resumption tokens, then incrementally from the previous
harvest's responseDate after a publication, a withdrawal and an expiry. Every page
Sickle receives is also validated against the OAI-PMH schema."""

import datetime
import time

import pytest
from django.utils import timezone
from sickle import Sickle
from sickle.oaiexceptions import NoRecordsMatch

from review.operations import withdraw

from .oai_helpers import NS, validate

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class CheckedSickle(Sickle):
    """Sickle, checking every response against the schemas before parsing it."""

    pages = 0

    def harvest(self, **kwargs):
        response = super().harvest(**kwargs)
        validate(response.raw.encode("utf-8"))
        self.pages += 1
        return response


def oai_id(asset):
    return f"oai:anh.cantho.gov.vn:{type(asset).__name__.lower()}/{asset.pk}"


def test_a_harvester_gets_everything_then_the_changes(
    live_server, settings, make_photo, make_video, make_publication, reviewer, publish
):
    settings.WAGTAILADMIN_BASE_URL = "https://anh.cantho.gov.vn"
    settings.SEN_OAI_PAGE_SIZE = 2
    photos = [make_photo(title_vi=f"Ảnh {i}", title_en=f"Photo {i}") for i in range(4)]
    video = make_video()
    publication = make_publication()
    make_photo(live=False, title_vi="Bản nháp")
    everything = {oai_id(a) for a in (*photos, video, publication)}

    # The first harvest's responseDate must be past every datestamp above (seconds
    # granularity, `from` inclusive): else a record stamped in that very second is
    # rightly sent again by the incremental harvest, and the test would count it.
    time.sleep(1.1)
    sickle = CheckedSickle(live_server.url + "/oai/", max_retries=0)
    assert sickle.Identify().repositoryName
    harvest = sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False)
    records = list(harvest)
    assert {r.header.identifier for r in records} == everything
    assert len(records) == len(everything)  # each once
    assert sickle.pages >= 4  # 6 records at 2 a page: tokens were followed
    assert all(not r.header.deleted for r in records)
    by_id = {r.header.identifier: r for r in records}
    assert "Photo 0" in by_id[oai_id(photos[0])].metadata["title"]
    responded = harvest.oai_response.xml.findtext("oai:responseDate", namespaces=NS)

    sen = list(sickle.ListRecords(metadataPrefix="sen"))
    assert {r.header.identifier for r in sen} == everything

    # Changes after the harvest.
    time.sleep(1.1)  # datestamps have seconds granularity: be past `responded`
    new = make_photo(title_vi="Ảnh mới")
    withdraw(photos[1], user=reviewer, reason="Sai thông tin")
    photos[2].expire_at = timezone.now() + datetime.timedelta(seconds=1)
    publish(photos[2])
    time.sleep(1.1)  # past its expiry; the scheduler has not run

    changes = list(
        sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False, **{"from": responded})
    )
    by_id = {r.header.identifier: r for r in changes}
    assert set(by_id) == {oai_id(new), oai_id(photos[1]), oai_id(photos[2])}
    assert not by_id[oai_id(new)].header.deleted
    assert by_id[oai_id(photos[1])].header.deleted
    assert by_id[oai_id(photos[2])].header.deleted
    for gone in (photos[1], photos[2]):  # no metadata for a deleted record
        assert by_id[oai_id(gone)].xml.find("oai:metadata", NS) is None

    # Identifiers only, and a selective harvest by set, from the same moment.
    headers = list(
        sickle.ListIdentifiers(
            metadataPrefix="sen", ignore_deleted=True, set="type:photo", **{"from": responded}
        )
    )
    assert [h.identifier for h in headers] == [oai_id(new)]
    with pytest.raises(NoRecordsMatch):
        list(sickle.ListRecords(metadataPrefix="oai_dc", set="type:video", **{"from": responded}))
