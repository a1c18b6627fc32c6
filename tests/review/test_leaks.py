"""Nothing non-public leaks: an asset in any non-public state has every file URL
answer 404 to an anonymous visitor (and to another organisation's contributor);
published, they answer; expired or withdrawn, they are gone again.

The public site (issue 6) is crawled too: each asset's page in two languages and
its licence download are 404 while it is not public, and the home page, listings,
search, Atom feeds and sitemaps do not name it. So is the export feed (issue 8): its
per-asset URLs (API record, IIIF manifests) answer 404, or 410 once the asset was
public, and OAI-PMH and the API's lists do not carry its content.
(`tests/feed/test_property.py` checks the exports' record sets after random review
sequences.)"""

import datetime
import io
import time

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assets import operations
from assets.models import Licence, Publication, PublicationEdition, SenDocument, SenMedia, Video
from review.operations import withdraw

from ..factories import PhotoFactory, contributor, jpeg_bytes, make_organisation, role_user

pytestmark = pytest.mark.django_db

NON_PUBLIC_STATES = ["draft", "in_review", "changes_requested", "rejected", "withdrawn", "expired"]


def make_assets(organisation):
    licence = Licence.objects.get(code="cc-by-4.0")
    photo = PhotoFactory(organisation=organisation, live=False)
    media = SenMedia.objects.create(
        title="Clip",
        collection=organisation.collection,
        type="video",
        duration=1,
        file=ContentFile(b"\x00\x00\x00\x18ftypmp42", name="clip.mp4"),
        thumbnail=ContentFile(jpeg_bytes(), name="poster.jpg"),
    )
    video = Video.objects.create(
        title="Clip",
        title_vi="Clip",
        organisation=organisation,
        media=media,
        licence=licence,
        live=False,
    )
    document = SenDocument.objects.create(
        title="Ấn phẩm",
        collection=organisation.collection,
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="an-pham.pdf"),
    )
    publication = Publication.objects.create(
        title="Ấn phẩm", title_vi="Ấn phẩm", organisation=organisation, licence=licence, live=False
    )
    PublicationEdition.objects.create(publication=publication, language="vi", document=document)
    return [photo, video, publication]


def public_urls(assets):
    """Every URL through which an asset's content could reach the public."""
    photo, video, publication = assets
    rendition = photo.image.get_rendition("max-400x400")
    document = publication.editions.get().document
    return {
        "rendition": rendition.url,
        "original": photo.image.file.url,
        "video file": video.media.file.url,
        "video poster": video.media.thumbnail.url,
        "document (Wagtail view)": document.url,
        "document file": document.file.url,
    }


def page_urls(assets):
    """The public pages of each asset and the licence download of the photo."""
    from cms import published

    photo = assets[0]
    size = (photo.licence.download_sizes or ["web"])[0]
    urls = {
        f"{type(asset).__name__} page [{language}]": published.public_url(asset, language)
        for asset in assets
        for language in ("vi", "en")
    }
    urls["download by licence"] = reverse("sen_download_photo", args=(photo.pk, size))
    return urls


def export_urls(assets):
    """The export feed's URLs of each asset (issue 8)."""
    urls = {}
    for asset in assets:
        kind = type(asset).__name__.lower()
        urls[f"API record {kind}"] = f"/api/v1/records/{kind}/{asset.pk}/"
        if kind != "video":
            urls[f"IIIF manifest {kind}"] = f"/iiif/{kind}/{asset.pk}/manifest.json"
    return urls


def listing_urls(assets):
    """Every public listing that could name an asset."""
    urls = {"home": "/vi/", "home [en]": "/en/", "feed": "/vi/feed.atom", "sitemap": "/sitemap.xml"}
    # The export feed: a public record carries the asset's public URLs.
    urls["OAI-PMH sen"] = "/oai/?verb=ListRecords&metadataPrefix=sen"
    urls["OAI-PMH oai_dc"] = "/oai/?verb=ListRecords&metadataPrefix=oai_dc"
    urls["API list"] = "/api/v1/records/?include_deleted=true"
    for kind in ("photos", "videos", "publications"):
        urls[f"browse {kind}"] = f"/vi/browse/?type={kind}"
        urls[f"sitemap {kind}"] = f"/sitemap-{kind}.xml"
        for asset in assets:
            urls[f"search {kind}: {asset.title_vi}"] = f"/vi/search/?type={kind}&q={asset.title_vi}"
    return urls


def named(client, urls, assets):
    """The listings (name -> [asset paths]) that mention one of the assets."""
    from cms import published

    paths = [published.public_url(asset, "vi").rsplit("/", 2)[0] + "/" for asset in assets]
    found = {}
    for name, url in urls.items():
        response = client.get(url)
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode()
        hits = [path for path in paths if path in body]
        if hits:
            found[name] = hits
    return found


def put_in_state(asset, state, reviewer):
    asset.save_revision(user=reviewer)
    if state == "in_review":
        asset.get_workflow().start(asset, reviewer)
    elif state == "changes_requested":
        workflow_state = asset.get_workflow().start(asset, reviewer)
        workflow_state.current_task_state.reject(user=reviewer, comment="Sửa")
    elif state == "rejected":
        workflow_state = asset.get_workflow().start(asset, reviewer)
        task_state = workflow_state.current_task_state
        task_state.task.specific.on_action(task_state, reviewer, "decline", comment="Không đạt")
    elif state == "withdrawn":
        asset.latest_revision.publish(user=reviewer, skip_permission_checks=True)
        asset.refresh_from_db()
        withdraw(asset, user=reviewer, reason="Thử")
    elif state == "expired":
        asset.latest_revision.publish(user=reviewer, skip_permission_checks=True)
        type(asset).objects.filter(pk=asset.pk).update(
            expire_at=timezone.now() - datetime.timedelta(minutes=1)
        )
        call_command("publish_scheduled", stdout=io.StringIO())
    asset.refresh_from_db()
    assert not asset.live


def answers(client, urls):
    return {name: client.get(url).status_code for name, url in urls.items()}


@pytest.mark.parametrize("state", NON_PUBLIC_STATES)
def test_no_file_of_a_non_public_asset_is_reachable(state, media_dirs, settings):
    settings.SEN_PAGE_CACHE_SECONDS = 0
    settings.SEN_API_SETTLE_SECONDS = 0  # the API would hold back fresh records anyway
    organisation = make_organisation()
    reviewer = role_user(operations.REVIEWERS)
    assets = make_assets(organisation)
    for asset in assets:
        put_in_state(asset, state, reviewer)
    urls = public_urls(assets)

    visitor = Client(raise_request_exception=False)
    outsider = Client(raise_request_exception=False)
    outsider.force_login(contributor(make_organisation("Phường khác")))
    assert set(answers(visitor, urls).values()) == {404}, answers(visitor, urls)
    assert set(answers(outsider, urls).values()) == {404}, answers(outsider, urls)

    owner = Client()
    owner.force_login(contributor(organisation))
    assert set(answers(owner, urls).values()) == {200}, answers(owner, urls)

    # The public site and the export feed: no page, no download, no mention, for anyone.
    once_public = state in ("withdrawn", "expired")
    for client in (visitor, outsider, owner):
        assert set(answers(client, page_urls(assets)).values()) == {404}
        assert named(client, listing_urls(assets), assets) == {}
        exports = answers(client, export_urls(assets))
        # The API says a record it once served is gone (410); IIIF and the rest: 404.
        expected = {
            name: 410 if once_public and name.startswith("API") else 404 for name in exports
        }
        assert exports == expected


def test_files_open_when_published_and_close_on_expiry(media_dirs, settings):
    # The page cache is purged when a change commits; these tests never commit.
    settings.SEN_PAGE_CACHE_SECONDS = 0
    settings.SEN_API_SETTLE_SECONDS = 0
    organisation = make_organisation()
    reviewer = role_user(operations.REVIEWERS)
    assets = make_assets(organisation)
    urls = public_urls(assets)
    visitor = Client(raise_request_exception=False)
    assert set(answers(visitor, urls).values()) == {404}

    for asset in assets:
        asset.save_revision(user=reviewer).publish(user=reviewer, skip_permission_checks=True)
    opened = answers(visitor, urls)
    assert opened.pop("original") == 404  # originals: downloads by licence only
    assert set(opened.values()) == {200}, opened
    assert set(answers(visitor, page_urls(assets)).values()) == {200}
    listings = named(visitor, listing_urls(assets), assets)
    for name in ("home", "feed", "browse photos", "browse videos", "browse publications"):
        assert name in listings, listings
    assert len(listings["home"]) == 3  # the latest photos, videos and publications

    assert set(answers(visitor, export_urls(assets)).values()) == {200}
    for name in ("OAI-PMH sen", "OAI-PMH oai_dc", "API list"):
        assert len(listings[name]) == 3, (name, listings)

    # An expiry set by the reviewer (a published revision), then the moment passes.
    expiry = timezone.now() + datetime.timedelta(seconds=1)
    for asset in assets:
        asset.expire_at = expiry
        asset.save_revision(user=reviewer).publish(user=reviewer, skip_permission_checks=True)
    time.sleep(max(0, (expiry - timezone.now()).total_seconds()) + 0.05)
    # Gone at once, and still gone once the scheduler has unpublished them.
    assert set(answers(visitor, urls).values()) == {404}
    assert set(answers(visitor, page_urls(assets)).values()) == {404}
    assert named(visitor, listing_urls(assets), assets) == {}
    assert answers(visitor, export_urls(assets)) == {
        name: 410 if name.startswith("API") else 404 for name in export_urls(assets)
    }
    call_command("publish_scheduled", stdout=io.StringIO())
    assert set(answers(visitor, urls).values()) == {404}
    assert set(answers(visitor, page_urls(assets)).values()) == {404}
    assert named(visitor, listing_urls(assets), assets) == {}
