"""Anonymous pages are cached whole; anything that changes what the public sees
purges them once committed; logged-in users and other languages never share."""

import datetime
import time

import pytest
from django.core.cache import caches
from django.utils import timezone

from cms import published
from review.operations import withdraw

pytestmark = pytest.mark.django_db


def get(client, url):
    response = client.get(url)
    return response.status_code, response.get("X-Sen-Cache")


def test_a_published_page_is_cached_and_a_withdrawal_purges_it(
    visitor, make_photo, reviewer, django_capture_on_commit_callbacks
):
    photo = make_photo(title_vi="Bến Ninh Kiều")
    url = published.public_url(photo, "vi")
    assert get(visitor, url) == (200, "miss")
    assert get(visitor, url) == (200, "hit")
    assert get(visitor, "/vi/") == (200, "miss")
    assert get(visitor, "/vi/") == (200, "hit")
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(photo, user=reviewer, reason="Sai thông tin")
    assert get(visitor, url) == (404, "pass")
    home = visitor.get("/vi/")
    assert home["X-Sen-Cache"] == "miss" and "Bến Ninh Kiều" not in home.content.decode()


def test_a_cached_page_does_not_outlive_the_assets_expiry(visitor, make_photo, settings):
    photo = make_photo(title_vi="Lễ hội")
    type(photo).objects.filter(pk=photo.pk).update(
        expire_at=timezone.now() + datetime.timedelta(seconds=1)
    )
    url = published.public_url(photo, "vi")
    # Expiring in under a second: not worth storing at all.
    assert get(visitor, url) == (200, "pass")
    assert get(visitor, url) == (200, "pass")
    type(photo).objects.filter(pk=photo.pk).update(
        expire_at=timezone.now() + datetime.timedelta(seconds=3)
    )
    # Stored, for at most the 3 seconds left.
    assert get(visitor, url) == (200, "miss")
    assert get(visitor, url) == (200, "hit")
    type(photo).objects.filter(pk=photo.pk).update(
        expire_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    cache_timeouts = [
        expiry - time.time()
        for key, expiry in caches["default"]._expire_info.items()
        if "sen:page:" in key
    ]
    assert cache_timeouts and max(cache_timeouts) <= 3


def test_languages_never_answer_for_each_other(visitor, make_photo):
    make_photo(title_vi="Ảnh", title_en="Photo")
    assert get(visitor, "/vi/") == (200, "miss")
    response = visitor.get("/en/")
    assert response["X-Sen-Cache"] == "miss"
    assert response.content.decode().count('<html lang="en">') == 1


def test_logged_in_users_are_neither_served_nor_stored(client, make_photo, reviewer, visitor):
    photo = make_photo(title_vi="Ảnh")
    url = published.public_url(photo, "vi")
    client.force_login(reviewer)
    assert get(client, url) == (200, None)
    assert get(visitor, url) == (200, "miss")
    assert get(client, url) == (200, None)


def test_error_and_bad_request_pages_are_not_cached(visitor):
    assert get(visitor, "/vi/browse/?year=abc") == (400, "pass")
    assert get(visitor, "/vi/photos/999999/x/") == (404, "pass")


def test_any_public_change_starts_a_new_generation(make_photo, django_capture_on_commit_callbacks):
    from assets.models import Topic
    from cms.cache import generation

    before = generation()
    with django_capture_on_commit_callbacks(execute=True):
        Topic.objects.create(name="Ẩm thực", name_vi="Ẩm thực", slug="am-thuc")
    assert generation() != before
