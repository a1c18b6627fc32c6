"""Go-live and expiry: Wagtail's scheduled publishing, run by `publish_scheduled`
(every minute under `make run`; a timer in production, see the README)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from assets.models import Photo

from ..factories import PhotoFactory, make_organisation

pytestmark = pytest.mark.django_db


def test_an_expired_asset_leaves_the_public_and_its_files_go(media_dirs):
    photo = PhotoFactory(organisation=make_organisation(), live=True)
    rendition = photo.image.get_rendition("max-100x100")
    visitor = Client(raise_request_exception=False)
    assert visitor.get(rendition.url).status_code == 200

    # Its expiry passes: its files are gone at once, before the scheduler runs...
    photo.expire_at = timezone.now() - datetime.timedelta(minutes=1)
    photo.save()
    assert visitor.get(rendition.url).status_code == 404

    # ...and the scheduler unpublishes it.
    call_command("publish_scheduled", stdout=io.StringIO())
    photo = Photo.objects.get(pk=photo.pk)
    assert not photo.live and photo.expired
    assert visitor.get(rendition.url).status_code == 404


def test_an_approved_revision_goes_live_at_its_date(media_dirs):
    photo = PhotoFactory(organisation=make_organisation(), live=False)
    photo.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    revision = photo.save_revision()
    revision.publish()  # with a future go-live date, this schedules it
    photo = Photo.objects.get(pk=photo.pk)
    assert not photo.live

    # An hour passes: move the scheduled date into the past instead of waiting.
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save()
    call_command("publish_scheduled", stdout=io.StringIO())
    assert Photo.objects.get(pk=photo.pk).live


def test_the_edit_form_offers_the_scheduling_fields(client):
    from django.urls import reverse

    from ..factories import contributor

    organisation = make_organisation()
    client.force_login(contributor(organisation))
    html = client.get(reverse(Photo.snippet_viewset.get_url_name("add"))).content.decode()
    assert 'name="go_live_at"' in html and 'name="expire_at"' in html
