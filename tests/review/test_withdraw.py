"""A withdrawal needs a reason; the asset, its files and its pages leave the public."""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from assets import operations
from assets.models import Photo
from review.models import Withdrawal

from ..factories import PhotoFactory, make_organisation, role_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(media_dirs):
    return PhotoFactory(organisation=make_organisation(), live=True)


@pytest.fixture
def reviewer_client():
    client = Client()
    client.force_login(role_user(operations.REVIEWERS))
    return client


def unpublish_url(photo):
    return reverse(Photo.snippet_viewset.get_url_name("unpublish"), args=[photo.pk])


def test_withdrawal_without_a_reason_is_refused(reviewer_client, published):
    assert 'name="reason"' in reviewer_client.get(unpublish_url(published)).content.decode()
    response = reviewer_client.post(unpublish_url(published), {"reason": "  "})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert Photo.objects.get(pk=published.pk).live
    assert not Withdrawal.objects.exists()


def test_withdrawal_records_the_reason_and_closes_the_files(reviewer_client, published):
    rendition = published.image.get_rendition("max-100x100")
    visitor = Client(raise_request_exception=False)
    assert visitor.get(rendition.url).status_code == 200

    reason = "Ảnh đã hết thời hạn sử dụng theo thỏa thuận với tác giả."
    response = reviewer_client.post(unpublish_url(published), {"reason": reason})
    assert response.status_code == 302
    assert not Photo.objects.get(pk=published.pk).live
    withdrawal = Withdrawal.objects.get()
    assert (withdrawal.object_id, withdrawal.reason) == (str(published.pk), reason)
    entry = ModelLogEntry.objects.get(action="sen.withdraw")
    assert entry.data["reason"] == reason
    assert reason in str(entry.message)
    assert visitor.get(rendition.url).status_code == 404
