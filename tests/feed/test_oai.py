"""OAI-PMH 2.0 at /oai/: every response validated against the official schema, every
record against its format's schema (tests/feed/oai_helpers.py)."""

import datetime
import hashlib
import time

import pytest
from django.core import signing
from django.utils import timezone

from assets.models import Place, Topic
from feed.models import FeedRecord
from feed.oai import tokens
from feed.oai.protocol import stamp
from review.operations import withdraw

from .oai_helpers import NS, XML_LANG, error_code, validate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _oai_settings(settings):
    settings.WAGTAILADMIN_BASE_URL = "https://anh.cantho.gov.vn"
    settings.SEN_OAI_REPOSITORY_ID = ""
    settings.SEN_OAI_ADMIN_EMAIL = "oai@cantho.gov.vn"


def oai(client, query="", method="get", **params):
    if method == "post":
        response = client.post("/oai/", params)
    else:
        response = client.get("/oai/" + (f"?{query}" if query else ""), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    content = b"".join(response.streaming_content)
    return validate(content)


def ids(root):
    return [e.text for e in root.iterfind(".//oai:header/oai:identifier", NS)]


def oai_id(asset):
    return f"oai:anh.cantho.gov.vn:{type(asset).__name__.lower()}/{asset.pk}"


def header_of(root, asset):
    for header in root.iterfind(".//oai:header", NS):
        if header.findtext("oai:identifier", namespaces=NS) == oai_id(asset):
            return header
    return None


# --- Identify, formats, sets -------------------------------------------------------


def test_identify(client, make_photo):
    first = make_photo()
    make_photo()
    root = oai(client, verb="Identify")
    identify = root.find("oai:Identify", NS)
    assert identify.findtext("oai:baseURL", namespaces=NS) == "https://anh.cantho.gov.vn/oai/"
    assert identify.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext("oai:adminEmail", namespaces=NS) == "oai@cantho.gov.vn"
    oldest = FeedRecord.objects.get(asset_id=first.pk).datestamp
    assert identify.findtext("oai:earliestDatestamp", namespaces=NS) == stamp(oldest)
    assert identify.findtext("oai:repositoryName", namespaces=NS)
    assert root.find("oai:request", NS).get("verb") == "Identify"


def test_list_metadata_formats(client, make_photo):
    photo = make_photo()
    root = oai(client, verb="ListMetadataFormats")
    prefixes = [e.text for e in root.iterfind(".//oai:metadataPrefix", NS)]
    assert prefixes == ["oai_dc", "sen"]
    schemas = [e.text for e in root.iterfind(".//oai:schema", NS)]
    assert schemas[1] == "https://anh.cantho.gov.vn/oai/schemas/sen.xsd"
    root = oai(client, verb="ListMetadataFormats", identifier=oai_id(photo))
    assert len(root.findall(".//oai:metadataFormat", NS)) == 2
    root = oai(client, verb="ListMetadataFormats", identifier="oai:anh.cantho.gov.vn:photo/999999")
    assert error_code(root) == "idDoesNotExist"


def test_the_sen_schema_is_served(client):
    response = client.get("/oai/schemas/sen.xsd")
    assert response.status_code == 200
    assert b"https://sen.gov.vn/ns/sen/1.0" in b"".join(response.streaming_content)


def test_list_sets_names_types_topics_and_organisations_in_vietnamese(
    client, make_photo, make_publication, organisation, publish
):
    topic = Topic.objects.first()
    draft_topic = Topic.objects.exclude(pk=topic.pk).first()
    draft = make_photo(live=False)
    draft.topics.add(draft_topic)  # never public: its topic is no set
    draft.save()
    photo = make_photo()
    photo.topics.add(topic)
    publish(photo)
    make_publication()
    root = oai(client, verb="ListSets")
    sets = {
        s.findtext("oai:setSpec", namespaces=NS): s.findtext("oai:setName", namespaces=NS)
        for s in root.iterfind(".//oai:set", NS)
    }
    assert sets["type:photo"] == "ảnh"
    assert sets["type:publication"] == "ấn phẩm"
    assert f"topic:{topic.slug}" in sets and sets[f"topic:{topic.slug}"] == topic.name_vi
    assert sets[f"organisation:{organisation.pk}"] == "Sở Văn hoá"
    assert {"type", "topic", "organisation"} <= set(sets)
    assert "type:video" not in sets  # no video was ever public
    assert f"topic:{draft_topic.slug}" not in sets


# --- Records and their formats -----------------------------------------------------


def test_oai_dc_record_says_every_language(client, make_photo, publish):
    place = Place.objects.create(name="Cái Răng", name_en="Cai Rang", kind=Place.Kind.WARD)
    photo = make_photo(
        title_vi="Chợ nổi Cái Răng",
        title_en="Cai Rang floating market",
        description_vi="Ghe thuyền họp chợ",
        description_en="Boats at the market",
        credit_line="Ảnh: Sở VHTTDL",
        place=place,
        date=datetime.date(2024, 5, 1),
    )
    topic = Topic.objects.first()
    photo.topics.add(topic)
    publish(photo)
    root = oai(client, verb="GetRecord", identifier=oai_id(photo), metadataPrefix="oai_dc")
    dc = root.find(".//oai_dc:dc", NS)

    def values(name):
        return [(e.get(XML_LANG), e.text) for e in dc.iterfind(f"dc:{name}", NS)]

    assert values("title") == [("vi", "Chợ nổi Cái Răng"), ("en", "Cai Rang floating market")]
    assert ("en", "Boats at the market") in values("description")
    assert ("vi", topic.name_vi) in values("subject")
    assert ("en", "Cai Rang") in values("coverage")
    rights = [text for _lang, text in values("rights")]
    assert rights[0].startswith("https://creativecommons.org/") and "Ảnh: Sở VHTTDL" in rights
    identifiers = dict(values("identifier"))
    assert identifiers["vi"] == f"https://anh.cantho.gov.vn/vi/photos/{photo.pk}/cho-noi-cai-rang/"
    assert values("type") == [(None, "StillImage")]
    assert values("date") == [(None, "2024-05-01")]
    assert (None, "image/jpeg") in values("format")
    assert values("publisher") == [(None, "Sở Văn hoá")]
    header = root.find(".//oai:header", NS)
    assert header.get("status") is None
    assert "type:photo" in [e.text for e in header.iterfind("oai:setSpec", NS)]


def test_sen_record_carries_the_whole_public_record(client, make_publication, publish):
    place = Place.objects.create(name="Ninh Kiều", kind=Place.Kind.WARD, code="31135")
    publication = make_publication(
        live=False, languages=("vi", "en"), place=place, content_languages=["vi", "en"]
    )
    for edition in publication.editions.all():
        # What the upload form records (assets.validators.sha256_of).
        document = edition.document
        document.sha256 = hashlib.sha256(document.file.read()).hexdigest()
        document.save()
    publish(publication)
    root = oai(client, verb="GetRecord", identifier=oai_id(publication), metadataPrefix="sen")
    record = root.find(".//sen:record", NS)
    assert record.get("id") == f"publication/{publication.pk}"
    editions = record.findall("sen:edition", NS)
    assert [e.get("language") for e in editions] == ["vi", "en"]
    assert all(len(e.get("sha256")) == 64 and int(e.get("bytes")) > 0 for e in editions)
    files = record.findall("sen:file", NS)
    assert {f.get("language") for f in files} == {"vi", "en"}
    place_element = record.find("sen:place", NS)
    assert place_element.get("code") == "31135" and place_element.get("id") == str(place.pk)
    assert record.find("sen:licence", NS).get("uri").startswith("https://creativecommons.org/")
    assert [e.text for e in record.findall("sen:language", NS)] == ["vi", "en"]
    # The oai_dc view of the same record names its languages.
    root = oai(client, verb="GetRecord", identifier=oai_id(publication), metadataPrefix="oai_dc")
    assert [e.text for e in root.iterfind(".//dc:language", NS)] == ["vi", "en"]
    assert [e.text for e in root.iterfind(".//dc:type", NS)] == ["Text"]


def test_video_in_both_formats(client, make_video):
    video = make_video(title_en="Can Tho film", content_languages=["vi"])
    for prefix in ("oai_dc", "sen"):
        root = oai(client, verb="ListRecords", metadataPrefix=prefix)
        assert ids(root) == [oai_id(video)]
    assert float(root.find(".//sen:duration", NS).text) == 75


# --- Only public records leave -----------------------------------------------------


def test_nothing_non_public_leaves(client, make_photo, reviewer, publish):
    public = make_photo(title_vi="Công khai")
    make_photo(live=False, title_vi="Bản nháp")
    in_review = make_photo(live=False, title_vi="Đang duyệt")
    in_review.save_revision(user=reviewer)
    in_review.get_workflow().start(in_review, reviewer)
    withdrawn = make_photo(title_vi="Đã rút")
    withdraw(withdrawn, user=reviewer, reason="Sai thông tin")
    expiring = make_photo(title_vi="Hết hạn")
    expiring.expire_at = timezone.now() + datetime.timedelta(seconds=1)
    publish(expiring)
    deleted = make_photo(title_vi="Đã xoá")
    deleted_id = oai_id(deleted)
    deleted.delete()
    # A published photo with an unpublished draft edit: the public version only.
    edited = make_photo(title_vi="Bản công khai")
    edited.title_vi = "Bản nháp bí mật"
    edited.save_revision(user=reviewer)
    time.sleep(1.1)  # `expiring` is now past its expiry; the scheduler has not run

    for prefix in ("oai_dc", "sen"):
        root = oai(client, verb="ListRecords", metadataPrefix=prefix)
        text = b"".join(e.text.encode() for e in root.iter() if isinstance(e.text, str))
        for secret in ("Bản nháp", "Đang duyệt", "Đã rút", "Hết hạn", "Đã xoá", "bí mật"):
            assert secret.encode() not in text, secret
        assert "Công khai".encode() in text
        listed = ids(root)
        assert oai_id(public) in listed and oai_id(edited) in listed
        assert not any(i.endswith(f"/{in_review.pk}") for i in listed)
        assert len(listed) == 5  # public, edited and three tombstones
        for gone in (oai_id(withdrawn), oai_id(expiring), deleted_id):
            header = [h for h in root.iterfind(".//oai:header", NS) if h.findtext("oai:identifier", namespaces=NS) == gone]  # fmt: skip
            assert header and header[0].get("status") == "deleted", gone
            assert header[0].getparent().find("oai:metadata", NS) is None
    root = oai(client, verb="GetRecord", identifier=oai_id(expiring), metadataPrefix="sen")
    assert root.find(".//oai:header", NS).get("status") == "deleted"
    assert root.find(".//oai:metadata", NS) is None
    root = oai(client, verb="GetRecord", identifier=oai_id(in_review), metadataPrefix="oai_dc")
    assert error_code(root) == "idDoesNotExist"


def test_an_expiry_before_the_scheduler_reaches_an_incremental_harvest(client, make_photo, publish):
    """Published long before `from`, expired after it: its stored datestamp is older
    than `from`, yet the harvest must learn that it left."""
    photo = make_photo()
    FeedRecord.objects.filter(asset_id=photo.pk).update(
        datestamp=timezone.now() - datetime.timedelta(days=3)
    )
    make_photo()  # a record that stays
    since = stamp(timezone.now() - datetime.timedelta(days=1))
    FeedRecord.objects.filter(asset_id=photo.pk).update(
        expires_at=timezone.now() - datetime.timedelta(hours=1)
    )
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": since})
    header = header_of(root, photo)
    assert header is not None and header.get("status") == "deleted"
    # Until before the expiry: not in that range.
    until = stamp(timezone.now() - datetime.timedelta(hours=2))
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until=until)
    assert header_of(root, photo) is None


# --- Selective harvest ------------------------------------------------------------


def test_from_and_until_are_inclusive_at_seconds(client, make_photo):
    photos = [make_photo() for _ in range(3)]
    base = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=1)
    for i, photo in enumerate(photos):
        FeedRecord.objects.filter(asset_id=photo.pk).update(
            datestamp=base + datetime.timedelta(seconds=10 * i, microseconds=500_000)
        )
    middle = stamp(base + datetime.timedelta(seconds=10))
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": middle, "until": middle})  # fmt: skip
    assert ids(root) == [oai_id(photos[1])]
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": middle})
    assert ids(root) == [oai_id(photos[1]), oai_id(photos[2])]
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until=middle)
    assert ids(root) == [oai_id(photos[0]), oai_id(photos[1])]
    day = base.date().isoformat()
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": day, "until": day})  # fmt: skip
    assert len(ids(root)) == 3
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2999-01-01"})
    assert error_code(root) == "noRecordsMatch"


def test_sets_select(client, make_photo, make_video, publish):
    photo = make_photo()
    video = make_video()
    topic = Topic.objects.first()
    photo.topics.add(topic)
    publish(photo)
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="type:video")
    assert ids(root) == [oai_id(video)]
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=f"topic:{topic.slug}")
    assert ids(root) == [oai_id(photo)]
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="type")
    assert set(ids(root)) == {oai_id(photo), oai_id(video)}
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="topic:none")
    assert error_code(root) == "noRecordsMatch"


# --- Paging and resumption tokens --------------------------------------------------


def _walk(client, settings, verb="ListRecords", **params):
    pages, token = [], None
    while True:
        root = oai(client, verb=verb, **({"resumptionToken": token} if token else params))
        pages.append(root)
        element = root.find(f"oai:{verb}/oai:resumptionToken", NS)
        if element is None or not element.text:
            return pages
        token = element.text


def test_paging_walks_every_record_once(client, settings, make_photo):
    settings.SEN_OAI_PAGE_SIZE = 2
    photos = [make_photo() for _ in range(5)]
    pages = _walk(client, settings, metadataPrefix="oai_dc")
    assert len(pages) == 3
    listed = [i for page in pages for i in ids(page)]
    assert listed == [oai_id(p) for p in photos]
    tokens_ = [page.find(".//oai:resumptionToken", NS) for page in pages]
    assert [t.get("cursor") for t in tokens_] == ["0", "2", "4"]
    assert {t.get("completeListSize") for t in tokens_} == {"5"}
    assert tokens_[0].get("expirationDate") and tokens_[-1].text is None
    assert len(pages[-1].findall(".//oai:record", NS)) == 1


def test_a_list_that_fits_in_one_page_has_no_token(client, make_photo):
    make_photo()
    root = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert root.find(".//oai:resumptionToken", NS) is None


def test_a_change_during_a_harvest_neither_crashes_nor_loops(client, settings, make_photo, publish):
    settings.SEN_OAI_PAGE_SIZE = 2
    photos = [make_photo(title_vi=f"Ảnh {i}") for i in range(4)]
    first = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    token = first.find(".//oai:resumptionToken", NS).text
    photos[0].title_vi = "Ảnh 0, sửa"
    publish(photos[0])  # already sent: moves ahead of the cursor
    listed = ids(first)
    while token:
        root = oai(client, verb="ListRecords", resumptionToken=token)
        listed += ids(root)
        element = root.find(".//oai:resumptionToken", NS)
        token = element.text if element is not None else None
    assert listed == [oai_id(p) for p in photos] + [oai_id(photos[0])]


def test_pages_cost_the_same_queries_at_any_depth(
    client, settings, make_photo, django_assert_num_queries
):
    settings.SEN_OAI_PAGE_SIZE = 2
    for _ in range(7):
        make_photo()
    root = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    token = root.find(".//oai:resumptionToken", NS).text
    with django_assert_num_queries(1):
        second = oai(client, verb="ListRecords", resumptionToken=token)
    token = second.find(".//oai:resumptionToken", NS).text
    with django_assert_num_queries(1):
        oai(client, verb="ListRecords", resumptionToken=token)


def _token(client, settings, make_photo, verb="ListRecords"):
    settings.SEN_OAI_PAGE_SIZE = 1
    make_photo()
    make_photo()
    root = oai(client, verb=verb, metadataPrefix="oai_dc")
    return root.find(".//oai:resumptionToken", NS).text


class _Yesterday(signing.TimestampSigner):
    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 25 * 3600)


def test_bad_resumption_tokens(client, settings, make_photo):
    token = _token(client, settings, make_photo)
    state = signing.loads(token, salt=tokens.SALT)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    # A cursor moved by hand, re-encoded without the key.
    forged = signing.dumps({**state, "i": 0}, salt=tokens.SALT, key="not-our-secret", compress=True)
    expired = _Yesterday(salt=tokens.SALT).sign_object(state, compress=True)
    other_salt = signing.dumps(state, compress=True)
    cases = {
        "tampered": tampered,
        "forged": forged,
        "expired": expired,
        "other salt": other_salt,
        "malformed": "not a token at all",
        "empty": "",
        "huge": "x" * 100_000,
        "unicode": "đ" * 20,
    }
    for name, bad in cases.items():
        root = oai(client, verb="ListRecords", resumptionToken=bad)
        assert error_code(root) == "badResumptionToken", name
    # The same token still works: nothing was lost.
    root = oai(client, verb="ListRecords", resumptionToken=token)
    assert len(root.findall(".//oai:record", NS)) == 1
    # A token of one list does not continue another.
    root = oai(client, verb="ListIdentifiers", resumptionToken=token)
    assert error_code(root) == "badResumptionToken"
    root = oai(client, verb="ListSets", resumptionToken=token)
    assert error_code(root) == "badResumptionToken"


def test_expired_tokens_by_setting(client, settings, make_photo):
    token = _token(client, settings, make_photo)
    settings.SEN_OAI_TOKEN_SECONDS = -1
    root = oai(client, verb="ListRecords", resumptionToken=token)
    assert error_code(root) == "badResumptionToken"
    # The message is in the harvester's language (Accept-Language), Vietnamese by default.
    assert "hết hạn" in root.findtext("oai:error", namespaces=NS)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    root = oai(client, verb="ListRecords", resumptionToken=token)
    assert "expired" in root.findtext("oai:error", namespaces=NS)


# --- Errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "badVerb"),
        ("verb=Dance", "badVerb"),
        ("verb=Identify&verb=Identify", "badVerb"),
        ("verb=Identify&set=x", "badArgument"),
        ("verb=ListRecords", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=sen", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=yesterday", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2024-02-30", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01T00:00:00", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01T00:00:00.5Z", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-02&until=2024-01-01", "badArgument"),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01&until=2024-01-02T00:00:00Z",
            "badArgument",
        ),
        ("verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=abc", "badArgument"),
        ("verb=ListIdentifiers&metadataPrefix=marc21", "cannotDisseminateFormat"),
        ("verb=ListRecords&metadataPrefix=oai_dc&until=1990-01-01", "noRecordsMatch"),
        ("verb=GetRecord&identifier=oai:anh.cantho.gov.vn:photo/1", "badArgument"),
        ("verb=GetRecord&identifier=oai:x:photo/1&metadataPrefix=oai_dc", "idDoesNotExist"),
        (
            "verb=GetRecord&identifier=oai:anh.cantho.gov.vn:photo/99999999&metadataPrefix=oai_dc",
            "idDoesNotExist",
        ),  # fmt: skip
        (
            "verb=GetRecord&identifier=oai:anh.cantho.gov.vn:photo/1"
            + "9" * 40
            + "&metadataPrefix=oai_dc",
            "idDoesNotExist",
        ),  # fmt: skip
        (
            "verb=GetRecord&identifier=oai:anh.cantho.gov.vn:photo/1&metadataPrefix=sen2",
            "cannotDisseminateFormat",
        ),  # fmt: skip
        ("verb=ListSets&resumptionToken=abc", "badResumptionToken"),
        ("verb=ListMetadataFormats&identifier=" + "x" * 5000, "badArgument"),
    ],
)
def test_errors_answer_their_codes(client, make_photo, query, code):
    make_photo()
    root = oai(client, query)
    assert error_code(root) == code
    request = root.find("oai:request", NS)
    if code in ("badVerb", "badArgument"):
        assert request.attrib == {}  # section 3.2: no attributes after these errors
    else:
        assert request.get("verb")


def test_post_is_answered_like_get(client, make_photo):
    photo = make_photo()
    root = oai(client, method="post", verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert ids(root) == [oai_id(photo)]


def test_a_change_is_seen_at_once_through_the_page_cache(client, settings, make_photo, publish):
    settings.SEN_PAGE_CACHE_SECONDS = 300
    photo = make_photo(title_vi="Trước")
    query = "verb=GetRecord&metadataPrefix=oai_dc&identifier=" + oai_id(photo)
    assert b"Tr\xc6\xb0\xe1\xbb\x9bc" in b"".join(client.get("/oai/?" + query).streaming_content)
    photo.title_vi = "Sau"
    publish(photo)
    root = oai(client, query)
    assert root.findtext(".//dc:title", namespaces=NS) == "Sau"
