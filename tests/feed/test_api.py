"""The JSON API (/api/v1/): what it lists, how it pages and syncs, how it answers
bad input, and that nothing non-public leaves through it."""

import datetime
import gzip

import pytest
from django.core.cache import cache
from django.utils import timezone

from assets.models import Place, Topic
from feed import keys
from feed.models import Consumer, FeedRecord
from review.operations import withdraw

pytestmark = pytest.mark.django_db

RECORDS = "/api/v1/records/"


@pytest.fixture(autouse=True)
def _api_settings(settings):
    settings.SEN_API_SETTLE_SECONDS = 0
    settings.SEN_API_RATE_ANONYMOUS = "1000/min"
    settings.SEN_API_RATE_KEY = "2000/min"
    cache.clear()


def get(client, path, **params):
    headers = params.pop("headers", {})
    return client.get(path, params, headers=headers)


def listed(client, **params):
    response = get(client, RECORDS, **params)
    assert response.status_code == 200, response.content
    return response.json()


def ids(data):
    return [item["id"] for item in data["items"]]


def test_the_list_has_every_public_record_with_every_language(
    visitor, make_photo, make_video, make_publication
):
    photo = make_photo(title_vi="Chợ nổi", title_en="Floating market", description_vi="Sáng sớm")
    video = make_video()
    publication = make_publication()
    data = listed(visitor)
    assert ids(data) == [f"photo/{photo.pk}", f"video/{video.pk}", f"publication/{publication.pk}"]
    first = data["items"][0]
    assert first["status"] == "active"
    assert first["title"] == {"vi": "Chợ nổi", "en": "Floating market"}
    stored = FeedRecord.objects.get(kind="photo", asset_id=photo.pk)
    assert first["datestamp"] == stored.datestamp.isoformat()
    assert {k: v for k, v in first.items() if k not in ("datestamp", "status")} == stored.record
    assert data["next"] is None
    assert [e["language"] for e in data["items"][2]["editions"]] == ["vi", "en"]


def test_the_detail_answers_one_record_and_410_once_it_left(visitor, make_photo, reviewer):
    photo = make_photo(title_vi="Bến Ninh Kiều", title_en="Ninh Kieu wharf")
    url = f"/api/v1/records/photo/{photo.pk}/"
    response = get(visitor, url)
    assert response.status_code == 200
    assert response.json()["title"] == {"vi": "Bến Ninh Kiều", "en": "Ninh Kieu wharf"}
    withdraw(photo, user=reviewer, reason="Sai thông tin")
    response = get(visitor, url)
    assert response.status_code == 410
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["id"] == f"photo/{photo.pk}" and body["status"] == 410
    assert "Bến" not in response.content.decode()


def test_unknown_records_and_paths_answer_json_404(visitor, make_photo):
    draft = make_photo(live=False)
    for path in (
        f"/api/v1/records/photo/{draft.pk}/",
        "/api/v1/records/photo/999999/",
        "/api/v1/records/album/1/",
        "/api/v1/records/photo/99999999999999999999/",
        "/api/v1/nothing-here",
    ):
        response = get(visitor, path)
        assert response.status_code == 404, path
        assert response.json()["status"] == 404


def test_nothing_non_public_leaves(visitor, make_photo, reviewer, publish):
    """Draft, in review, withdrawn, expired, deleted: none is listed with content; the
    ones that were public appear only as tombstones in incremental sync."""
    draft = make_photo(live=False, title_vi="Bản nháp bí mật")
    in_review = make_photo(live=False, title_vi="Đang duyệt bí mật")
    in_review.save_revision(user=reviewer)
    in_review.get_workflow().start(in_review, reviewer)
    withdrawn = make_photo(title_vi="Rút bí mật")
    withdraw(withdrawn, user=reviewer, reason="Rút")
    expired = make_photo(title_vi="Hết hạn bí mật")
    expired.expire_at = timezone.now() + datetime.timedelta(hours=1)
    publish(expired)
    # Its expiry passes; the scheduler (expire_due) has not run yet.
    FeedRecord.objects.filter(kind="photo", asset_id=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    deleted = make_photo(title_vi="Xoá bí mật")
    deleted_pk = deleted.pk
    deleted.delete()
    kept = make_photo(title_vi="Công khai")

    full = get(visitor, RECORDS)
    assert ids(full.json()) == [f"photo/{kept.pk}"]
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    sync = listed(visitor, updated_since=since)
    by_id = {item["id"]: item for item in sync["items"]}
    gone = {f"photo/{withdrawn.pk}", f"photo/{expired.pk}", f"photo/{deleted_pk}"}
    assert set(by_id) == gone | {f"photo/{kept.pk}"}
    for local_id in gone:
        assert set(by_id[local_id]) == {"id", "datestamp", "status"}
        assert by_id[local_id]["status"] == "deleted"
    for response in (full, get(visitor, RECORDS, updated_since=since)):
        assert "bí mật" not in response.content.decode()
    for asset in (draft, in_review):
        assert get(visitor, f"/api/v1/records/photo/{asset.pk}/").status_code == 404
    for pk in (withdrawn.pk, expired.pk, deleted_pk):
        assert get(visitor, f"/api/v1/records/photo/{pk}/").status_code == 410


def test_filters(visitor, make_photo, make_video, make_publication, organisation, publish):
    from tests.factories import make_organisation

    topic = Topic.objects.create(name="Chủ đề thử", slug="api-test-topic")
    place = Place.objects.create(name="Cái Răng", kind=Place.Kind.WARD)
    other_org = make_organisation("Sở Du lịch")
    tagged = make_photo(live=False, place=place, title_en="Market")
    tagged.topics.add(topic)
    publish(tagged)
    plain = make_photo(organisation=other_org)
    video = make_video()
    publication = make_publication()
    assert ids(listed(visitor, type="video")) == [f"video/{video.pk}"]
    assert ids(listed(visitor, topic="api-test-topic")) == [f"photo/{tagged.pk}"]
    assert ids(listed(visitor, topic="no-such-topic")) == []
    assert ids(listed(visitor, organisation=other_org.pk)) == [f"photo/{plain.pk}"]
    assert ids(listed(visitor, place=place.pk)) == [f"photo/{tagged.pk}"]
    assert ids(listed(visitor, language="en")) == [f"photo/{tagged.pk}"]
    assert f"publication/{publication.pk}" in ids(listed(visitor, language="vi"))
    assert ids(listed(visitor, type="photo", organisation=organisation.pk)) == [
        f"photo/{tagged.pk}"
    ]


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"type": "album"}, "type"),
        ({"organisation": "abc"}, "organisation"),
        ({"place": "0"}, "place"),
        ({"place": "9" * 5000}, "place"),
        ({"language": "xx"}, "language"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "2025-02-30"}, "updated_since"),
        ({"include_deleted": "yes"}, "include_deleted"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "100000"}, "page_size"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "x" * 600}, "cursor"),
        ({"colour": "red"}, "colour"),
        ({"topic": "t" * 101}, "topic"),
    ],
)
def test_bad_parameters_get_a_clear_400(visitor, params, parameter):
    response = get(visitor, RECORDS, **params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["parameter"] == parameter and body["detail"]


@pytest.mark.parametrize(
    ("accept", "detail"),
    [
        ("", "'page_size' phải là số nguyên dương."),  # the province's language by default
        ("vi", "'page_size' phải là số nguyên dương."),
        ("en-GB,en;q=0.8", "'page_size' must be a positive integer."),
    ],
)
def test_errors_speak_the_clients_language(visitor, accept, detail):
    headers = {"accept-language": accept} if accept else {}
    response = get(visitor, RECORDS, page_size="many", headers=headers)
    assert response.status_code == 400 and response.json()["detail"] == detail
    gone = get(visitor, "/api/v1/nowhere/", headers=headers)
    assert gone.status_code == 404 and "/api/v1/" in gone.json()["detail"]


def test_a_parameter_given_twice_is_refused(visitor):
    response = visitor.get(RECORDS + "?type=photo&type=video")
    assert response.status_code == 400 and response.json()["parameter"] == "type"


def walk(client, url):
    """Every item from `url` on, following `next`."""
    items = []
    while url:
        data = client.get(url).json()
        items += data["items"]
        url = data["next"]
    return items


def test_cursor_paging_walks_everything_once_then_resumes_exactly(
    visitor, make_photo, publish, reviewer
):
    photos = [make_photo(title_vi=f"Ảnh {n}") for n in range(5)]
    seen, data = [], listed(visitor, page_size=2)
    pages = 1
    while True:
        seen += ids(data)
        if data["next"] is None:
            break
        data = visitor.get(data["next"]).json()
        pages += 1
    assert seen == [f"photo/{p.pk}" for p in photos] and pages == 3
    resume = data["resume"]
    assert visitor.get(resume).json()["items"] == []
    # Later: one changes publicly, one is withdrawn, one is new.
    photos[0].title_vi = "Ảnh sửa"
    publish(photos[0])
    withdraw(photos[1], user=reviewer, reason="Rút")
    new = make_photo()
    later = walk(visitor, resume)
    assert [(i["id"], i["status"]) for i in later] == [
        (f"photo/{photos[0].pk}", "active"),
        (f"photo/{photos[1].pk}", "deleted"),
        (f"photo/{new.pk}", "active"),
    ]


def test_a_tampered_cursor_or_one_of_other_filters_is_refused(visitor, make_photo):
    make_photo(), make_photo()
    token = listed(visitor, page_size=1)["next"].split("cursor=")[1]
    from urllib.parse import unquote

    token = unquote(token)
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    response = get(visitor, RECORDS, page_size=1, cursor=tampered)
    assert response.status_code == 400 and response.json()["parameter"] == "cursor"
    response = get(visitor, RECORDS, page_size=1, cursor=token, type="video")
    assert response.status_code == 400 and "bộ lọc khác" in response.json()["detail"]
    assert get(visitor, RECORDS, page_size=1, cursor=token).status_code == 200


def test_the_settle_time_holds_back_fresh_records(visitor, make_photo, settings):
    settings.SEN_API_SETTLE_SECONDS = 60
    photo = make_photo()
    assert listed(visitor)["items"] == []
    assert get(visitor, f"/api/v1/records/photo/{photo.pk}/").status_code == 200


def test_etag_and_if_none_match(visitor, make_photo, publish):
    photo = make_photo(title_vi="Trước")
    url = f"/api/v1/records/photo/{photo.pk}/"
    first = get(visitor, url)
    etag = first["ETag"]
    assert etag.startswith('"') and first["Cache-Control"] == "public, no-cache"
    again = get(visitor, url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert (
        get(visitor, RECORDS, headers={"If-None-Match": get(visitor, RECORDS)["ETag"]}).status_code
        == 304
    )
    photo.title_vi = "Sau"
    publish(photo)
    changed = get(visitor, url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_gzip(visitor, make_photo):
    make_photo()
    response = get(visitor, RECORDS, headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert gzip.decompress(response.content).startswith(b'{"items":[{')
    assert response["ETag"].startswith('W/"')  # a compressed variant has its own weak tag
    plain = get(visitor, RECORDS)
    assert "Content-Encoding" not in plain


def test_index_openapi_and_docs(visitor):
    index = get(visitor, "/api/v1/").json()
    assert index["links"]["records"].endswith("/api/v1/records/")
    document = get(visitor, "/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert "/api/v1/records/{type}/{id}/" in document["paths"]
    assert b"/api/v1/records/" in get(visitor, "/api/v1/docs/").content


def test_the_api_is_read_only_and_not_language_redirected(visitor):
    assert visitor.post(RECORDS).status_code == 405
    assert visitor.get(RECORDS)["Access-Control-Allow-Origin"] == "*"
    assert visitor.get("/api/v1/records/photo/1/").status_code == 404  # not 302 to /vi/…


# --- Keys and rate limits -------------------------------------------------------------


@pytest.fixture
def consumer(db):
    return Consumer.objects.create(name="CSDL quốc gia về thông tin đối ngoại")


def test_a_key_raises_the_limit(visitor, consumer, settings):
    settings.SEN_API_RATE_ANONYMOUS = "2/min"
    settings.SEN_API_RATE_KEY = "5/min"
    _row, key = keys.issue(consumer, label="sync")
    statuses = [get(visitor, RECORDS).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = get(visitor, RECORDS)
    assert int(refused["Retry-After"]) >= 1 and refused.json()["status"] == 429
    bearer = {"Authorization": f"Bearer {key}"}
    statuses = [get(visitor, RECORDS, headers=bearer).status_code for _ in range(5)]
    assert statuses == [200] * 5
    assert get(visitor, RECORDS, headers={"X-API-Key": key}).status_code == 429
    assert get(visitor, RECORDS, headers=bearer)["RateLimit-Limit"] == "5"


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer sen_deadbeef_nope"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
        {"X-API-Key": "x" * 5000},
    ],
)
def test_a_bad_key_is_refused_not_served_as_anonymous(visitor, headers):
    response = get(visitor, RECORDS, headers=headers)
    assert response.status_code == 401
    assert "invalid_token" in response["WWW-Authenticate"]
    assert response.json()["detail"]


def test_a_revoked_key_or_inactive_consumer_is_refused(visitor, consumer):
    row, key = keys.issue(consumer)
    headers = {"X-API-Key": key}
    assert get(visitor, RECORDS, headers=headers).status_code == 200
    keys.revoke(row)
    assert get(visitor, RECORDS, headers=headers).status_code == 401
    _row, other = keys.issue(consumer)
    Consumer.objects.filter(pk=consumer.pk).update(active=False)
    assert get(visitor, RECORDS, headers={"X-API-Key": other}).status_code == 401


def test_list_query_count_does_not_grow_with_the_page(
    visitor, make_photo, django_assert_max_num_queries
):
    for _ in range(3):
        make_photo()
    with django_assert_max_num_queries(3):
        get(visitor, RECORDS, page_size=3)


def test_q_searches_as_the_site_does(visitor, make_photo, reviewer):
    """`q` goes through the search layer: folded, any language, ranked matches kept in
    (datestamp, id) order; a withdrawn asset never matches; a query the search
    refuses is a 400 naming `q`."""
    market = make_photo(title_vi="Chợ nổi Cái Răng", title_en="Cai Rang floating market")
    wharf = make_photo(title_vi="Bến Ninh Kiều", title_en="Ninh Kieu wharf")
    for text in ("cho noi", "Chợ nổi", "FLOATING market"):
        assert ids(listed(visitor, q=text)) == [f"photo/{market.pk}"], text
    assert ids(listed(visitor, q="không có gì")) == []
    withdraw(wharf, user=reviewer, reason="Sai thông tin")
    assert ids(listed(visitor, q="ninh kieu", include_deleted="true")) == []
    refused = get(visitor, RECORDS, q="x " * 30)
    assert refused.status_code == 400 and refused.json()["parameter"] == "q"
