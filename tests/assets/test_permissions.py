"""Collection scoping of the asset admin, proven through the real admin views.

Organisation A's contributor must not reach anything of organisation B's: not in the
listing, search, chooser or bulk actions, and not at any URL that names an object
(those answer 404, so that B's assets are not even shown to exist). The URL coverage
test is generated from the viewsets' own URL patterns, so a view that a later Wagtail
release adds is covered without this file changing.
"""

import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from wagtail.models import (
    GroupApprovalTask,
    Revision,
    Workflow,
    WorkflowContentType,
    WorkflowTask,
)

from assets import operations
from assets.models import (
    Licence,
    Photo,
    Publication,
    PublicationEdition,
    SenDocument,
    SenMedia,
    Video,
)

from ..factories import PhotoFactory, jpeg_bytes, role_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_dirs")]

MODELS = [Photo, Video, Publication]
MODEL_IDS = [model.__name__ for model in MODELS]

# Titles share a search word, so that an unscoped search would find B's too; B's title
# carries an ASCII marker that survives any escaping of the response.
TITLE_A = "Quokka Ninh Kiều {model}"
TITLE_B = "Quokka Cái Răng wombat {model}"
SEARCH_WORD = "Quokka"

MISSING_PK = 987654  # no asset has it: B's answer must look the same

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


# --- Building assets ---------------------------------------------------------------


def make_asset(model, organisation, title, *, live=True):
    """An asset of `model` in `organisation` (live unless told), with small generated
    files."""
    if model is Photo:
        return PhotoFactory(organisation=organisation, title_vi=title, title=title, live=live)
    licence = Licence.objects.get(code="cc-by-4.0")
    fields = {
        "title": title,
        "title_vi": title,
        "organisation": organisation,
        "licence": licence,
        "live": live,
    }
    if model is Video:
        media = SenMedia.objects.create(
            title=title,
            file=ContentFile(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64, name="clip.mp4"),
            type="video",
            duration=1,
            collection=organisation.collection,
        )
        return Video.objects.create(media=media, **fields)
    publication = Publication.objects.create(**fields)
    document = SenDocument.objects.create(
        title=title,
        file=ContentFile(PDF_BYTES, name="edition.pdf"),
        collection=organisation.collection,
    )
    PublicationEdition.objects.create(publication=publication, language="vi", document=document)
    return publication


def title_a(model):
    return TITLE_A.format(model=model.__name__)


def title_b(model):
    return TITLE_B.format(model=model.__name__)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def url(model, name, *args):
    return reverse(model.snippet_viewset.get_url_name(name), args=args)


def chooser_url(model, name, *args):
    return reverse(model.snippet_viewset.chooser_viewset.get_url_name(name), args=args)


def bulk_delete_url(model, *ids):
    base = reverse(
        "wagtail_bulk_action",
        args=(model._meta.app_label, model._meta.model_name, "delete"),
    )
    return base + "?" + "&".join(f"id={pk}" for pk in ids)


def text_of(response):
    """The response as text a person would read: JSON (the chooser's modal
    responses) decoded, HTML entities unescaped."""
    body = response.content.decode()
    if response.get("Content-Type", "").startswith("application/json"):
        body = json.dumps(json.loads(body), ensure_ascii=False)
    return html.unescape(body)


def is_not_found(response):
    """A 404, or the redirect Django's LocaleMiddleware makes of an admin 404 (the
    site's i18n_patterns catch every path under /<language>/), which then 404s."""
    if response.status_code == 404:
        return True
    if response.status_code != 302:
        return False
    path = response.request["PATH_INFO"]
    location = urlsplit(response.url).path
    if not re.fullmatch(r"/[a-z]{2}(-[a-z]+)?" + re.escape(path), location):
        return False
    followed = response.client.get(response.url)
    assert "wombat" not in text_of(followed)
    return followed.status_code == 404


def assert_hidden(response, asset, statuses=(404,)):
    """Refused without a trace of `asset`: 404 (or one of `statuses`)."""
    __tracebackhide__ = True
    status = 404 if is_not_found(response) else response.status_code
    assert status in statuses, (
        f"{response.request['REQUEST_METHOD']} {response.request['PATH_INFO']}: "
        f"expected {statuses}, got {response.status_code} {response.get('Location', '')}"
    )
    assert asset.title_vi not in text_of(response)
    assert "wombat" not in text_of(response)


def assert_refused(response):
    """Refused in any of the ways the admin refuses: 404 (scoping), 403 (XHR) or
    Wagtail's redirect to the dashboard with "no permission"."""
    __tracebackhide__ = True
    assert (
        is_not_found(response)
        or response.status_code == 403
        or (response.status_code == 302 and response.url == reverse("wagtailadmin_home"))
    ), f"{response.request['PATH_INFO']}: {response.status_code} {response.get('Location', '')}"


def assert_untouched(asset):
    """B's asset is still there, unchanged, unlocked and with no new revision."""
    __tracebackhide__ = True
    model = type(asset)
    fresh = model.objects.filter(pk=asset.pk).first()
    assert fresh is not None, "the asset was deleted"
    assert fresh.title_vi == asset.title_vi
    assert fresh.live == asset.live
    assert not fresh.locked
    assert fresh.latest_revision_id == asset.latest_revision_id
    content_type = ContentType.objects.get_for_model(model)
    assert Revision.objects.filter(
        base_content_type=content_type, object_id=str(asset.pk)
    ).count() == getattr(asset, "_revision_count", 0)


# --- Reading and posting the rendered edit form -------------------------------------


class _FormFields(HTMLParser):
    """The values a browser would submit from the form with id `form_id`."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.fields = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id") == self.form_id
            return
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("file", "submit", "button", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, value = self._textarea
            self.fields.append((name, value[1:] if value.startswith("\n") else value))
            self._textarea = None


def form_data(response, form_id="w-editor-form", **overrides):
    """What the editor form would POST, with `overrides` applied."""
    parser = _FormFields(form_id)
    parser.feed(response.content.decode())
    data = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    for name, value in overrides.items():
        data[name] = value if isinstance(value, list) else [value]
    return data


# --- 1. Listing and search ---------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_contributor_lists_own_assets_only(model, org_a, org_b, contributor_a):
    mine = make_asset(model, org_a, title_a(model))
    theirs = make_asset(model, org_b, title_b(model))
    client = client_for(contributor_a)

    for listing in (url(model, "list"), url(model, "list_results")):
        response = client.get(listing)
        assert response.status_code == 200
        assert mine.title_vi in text_of(response)
        assert_hidden(response, theirs, statuses=(200,))

    # Filtering by B's organisation does not open the door either.
    response = client.get(url(model, "list"), {"organisation": org_b.pk})
    assert_hidden(response, theirs, statuses=(200,))


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_contributor_searches_own_assets_only(model, org_a, org_b, contributor_a):
    mine = make_asset(model, org_a, title_a(model))
    theirs = make_asset(model, org_b, title_b(model))
    client = client_for(contributor_a)

    for listing in (url(model, "list"), url(model, "list_results")):
        response = client.get(listing, {"q": SEARCH_WORD})
        assert response.status_code == 200
        assert mine.title_vi in text_of(response)
        assert_hidden(response, theirs, statuses=(200,))
        # B's own word finds nothing (the query itself is echoed in the search box).
        response = client.get(listing, {"q": "wombat"})
        assert response.status_code == 200
        assert theirs.title_vi not in text_of(response)


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_search_finds_other_organisations_assets_for_a_reviewer(model, org_a, org_b):
    """The control for the search test above: the search does find B's asset."""
    make_asset(model, org_a, title_a(model))
    theirs = make_asset(model, org_b, title_b(model))
    response = client_for(role_user(operations.REVIEWERS)).get(
        url(model, "list"), {"q": SEARCH_WORD}
    )
    assert theirs.title_vi in text_of(response)


# --- 1. Object views, by name -------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
@pytest.mark.parametrize(
    "name",
    [
        "edit",
        "inspect",
        "history",
        "history_results",
        "usage",
        "delete",
        "copy",
        "unpublish",
        "lock",
        "unlock",
        "workflow_history",
        "preview_on_edit",
    ],
)
def test_contributor_cannot_open_other_organisations_asset(model, name, org_b, contributor_a):
    theirs = make_asset(model, org_b, title_b(model))
    client = client_for(contributor_a)
    target = url(model, name, theirs.pk)

    assert_hidden(client.get(target), theirs)
    assert_hidden(client.post(target, {"title_vi": "hijacked"}), theirs)
    assert_untouched(theirs)


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_contributor_cannot_edit_or_delete_by_post(model, org_a, org_b, contributor_a):
    mine = make_asset(model, org_a, title_a(model))
    theirs = make_asset(model, org_b, title_b(model))
    client = client_for(contributor_a)
    # A form that would be valid: the contributor's own, pointed at B's asset.
    data = form_data(client.get(url(model, "edit", mine.pk)), title_vi="hijacked")

    assert_hidden(client.post(url(model, "edit", theirs.pk), data), theirs)
    assert_hidden(
        client.post(url(model, "edit", theirs.pk), {**data, "action-publish": "1"}), theirs
    )
    assert_hidden(client.post(url(model, "delete", theirs.pk)), theirs)
    assert_hidden(client.post(url(model, "lock", theirs.pk)), theirs)
    assert_hidden(client.post(url(model, "unpublish", theirs.pk)), theirs)
    assert_untouched(theirs)


def _with_revisions(asset, user):
    """Two revisions, so that compare, view and revert have something to name."""
    first = asset.save_revision(user=user)
    asset.title_vi = asset.title_vi + " (2)"
    second = asset.save_revision(user=user)
    asset.refresh_from_db()
    asset._revision_count = 2
    return first, second


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_contributor_cannot_reach_other_organisations_revisions(model, org_b, contributor_a):
    theirs = make_asset(model, org_b, title_b(model))
    first, second = _with_revisions(theirs, role_user(operations.REVIEWERS))
    client = client_for(contributor_a)

    targets = [
        url(model, "revisions_compare", theirs.pk, first.pk, second.pk),
        url(model, "revisions_compare", theirs.pk, "earliest", "latest"),
        url(model, "revisions_view", theirs.pk, first.pk),
        url(model, "revisions_revert", theirs.pk, first.pk),
        url(model, "revisions_unschedule", theirs.pk, second.pk),
    ]
    for target in targets:
        assert_hidden(client.get(target), theirs)
        assert_hidden(client.post(target), theirs)
    assert_untouched(theirs)


def test_contributor_cannot_ping_an_editing_session_on_other_organisations_asset(
    org_b, contributor_a
):
    theirs = make_asset(Photo, org_b, title_b(Photo))
    response = client_for(contributor_a).post(
        reverse("wagtailadmin_editing_sessions:ping", args=("assets", "photo", theirs.pk, 0)),
        {"is_editing": "1"},
    )
    assert_hidden(response, theirs)


# --- 1. Chooser --------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_chooser_offers_own_assets_only(model, org_a, org_b, contributor_a):
    mine = make_asset(model, org_a, title_a(model))
    theirs = make_asset(model, org_b, title_b(model))
    client = client_for(contributor_a)

    for target, params in [
        (chooser_url(model, "choose"), {}),
        (chooser_url(model, "choose_results"), {}),
        (chooser_url(model, "choose"), {"q": SEARCH_WORD}),
        (chooser_url(model, "choose_results"), {"q": SEARCH_WORD}),
        (chooser_url(model, "choose"), {"multiple": "1"}),
    ]:
        response = client.get(target, params)
        assert response.status_code == 200
        assert mine.title_vi in text_of(response), target
        assert_hidden(response, theirs, statuses=(200,))


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_contributor_chooses_own_asset_but_not_others(model, org_a, org_b, contributor_a):
    mine = make_asset(model, org_a, title_a(model))
    theirs = make_asset(model, org_b, title_b(model))
    client = client_for(contributor_a)

    response = client.get(chooser_url(model, "chosen", mine.pk))
    assert response.status_code == 200
    assert json.loads(response.content)["result"]["id"] == str(mine.pk)

    assert_hidden(client.get(chooser_url(model, "chosen", theirs.pk)), theirs)
    assert_hidden(client.get(chooser_url(model, "chosen", theirs.pk), {"multiple": "1"}), theirs)

    response = client.get(chooser_url(model, "chosen_multiple"), {"id": [mine.pk, theirs.pk]})
    assert response.status_code == 200
    assert [item["id"] for item in json.loads(response.content)["result"]] == [str(mine.pk)]
    assert_hidden(response, theirs, statuses=(200,))


# --- 1. Bulk delete ----------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_contributor_cannot_bulk_delete_other_organisations_asset(
    model, org_a, org_b, contributor_a
):
    mine = make_asset(model, org_a, title_a(model))
    model.objects.filter(pk=mine.pk).update(live=False)  # a live one needs "publish"
    theirs = make_asset(model, org_b, title_b(model))
    client = client_for(contributor_a)

    for ids in [(theirs.pk,), (mine.pk, theirs.pk)]:
        assert_hidden(client.get(bulk_delete_url(model, *ids)), theirs)
        assert_hidden(client.post(bulk_delete_url(model, *ids)), theirs)
    assert_untouched(theirs)
    assert model.objects.filter(pk=mine.pk).exists()

    # "Select all" means all the contributor may see: B's asset survives it.
    response = client.get(bulk_delete_url(model, "all"))
    assert response.status_code == 200
    assert mine.title_vi in text_of(response)
    assert_hidden(response, theirs, statuses=(200,))
    client.post(bulk_delete_url(model, "all"))
    assert not model.objects.filter(pk=mine.pk).exists()
    assert_untouched(theirs)


def test_contributor_bulk_deletes_own_draft(org_a, contributor_a):
    mine = make_asset(Photo, org_a, title_a(Photo))
    Photo.objects.filter(pk=mine.pk).update(live=False)
    client = client_for(contributor_a)
    response = client.get(bulk_delete_url(Photo, mine.pk))
    assert response.status_code == 200
    assert mine.title_vi in text_of(response)
    response = client.post(bulk_delete_url(Photo, mine.pk))
    assert response.status_code == 302
    assert not Photo.objects.filter(pk=mine.pk).exists()


# --- 2. What the contributor may do with their own ----------------------------------


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_contributor_edits_own_asset(model, org_a, contributor_a):
    mine = make_asset(model, org_a, title_a(model))
    client = client_for(contributor_a)

    response = client.get(url(model, "edit", mine.pk))
    assert response.status_code == 200
    assert mine.title_vi in text_of(response)

    data = form_data(response, title_vi="Tiêu đề mới", title_en="New title")
    response = client.post(url(model, "edit", mine.pk), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    mine.refresh_from_db()
    draft = mine.get_latest_revision_as_object()
    assert draft.title_vi == "Tiêu đề mới"
    assert draft.title_en == "New title"
    assert draft.organisation_id == org_a.pk
    # Saving is a draft: the live title stays until the asset is published.
    assert mine.title_vi == title_a(model)
    assert mine.has_unpublished_changes


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_contributor_cannot_move_own_asset_to_other_organisation(
    model, org_a, org_b, contributor_a
):
    mine = make_asset(model, org_a, title_a(model))
    client = client_for(contributor_a)
    data = form_data(client.get(url(model, "edit", mine.pk)), organisation=str(org_b.pk))

    for extra in ({}, {"action-publish": "1"}):
        response = client.post(url(model, "edit", mine.pk), {**data, **extra})
        assert response.status_code == 200
        assert "organisation" in response.context["form"].errors
    mine.refresh_from_db()
    assert mine.organisation == org_a
    assert mine.collection == org_a.collection
    assert mine.latest_revision_id is None


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
@pytest.mark.parametrize("name", ["inspect", "history", "usage", "workflow_history"])
def test_contributor_opens_own_asset_views(model, name, org_a, contributor_a):
    mine = make_asset(model, org_a, title_a(model))
    response = client_for(contributor_a).get(url(model, name, mine.pk))
    assert response.status_code == 200


# --- 3. No creating in another organisation -----------------------------------------


def _add_form(client, model, **overrides):
    response = client.get(url(model, "add"))
    assert response.status_code == 200
    return form_data(response, **overrides)


def _publication_extras(organisation):
    document = SenDocument.objects.create(
        title="edition",
        file=ContentFile(PDF_BYTES, name="new.pdf"),
        collection=organisation.collection,
    )
    return {
        "editions-TOTAL_FORMS": "1",
        "editions-INITIAL_FORMS": "0",
        "editions-MIN_NUM_FORMS": "1",
        "editions-MAX_NUM_FORMS": "1000",
        "editions-0-language": "vi",
        "editions-0-document": str(document.pk),
        "editions-0-ORDER": "1",
        "editions-0-id": "",
        "editions-0-DELETE": "",
    }


def _mp4_bytes(tmp_path):
    """A tiny real MP4 (the add form checks the upload with libmagic and ffprobe)."""
    ffmpeg = shutil.which("ffmpeg")  # installed by `make test`
    assert ffmpeg, "ffmpeg is needed to make a video to upload"
    target = tmp_path / "clip.mp4"
    subprocess.run(
        [
            ffmpeg,
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=red:s=32x32:d=0.2",
            "-pix_fmt",
            "yuv420p",
            str(target),
        ],
        check=True,
        timeout=60,
    )
    return target.read_bytes()


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_contributor_cannot_create_in_other_organisation(
    model, org_a, org_b, contributor_a, tmp_path
):
    client = client_for(contributor_a)
    before = model.objects.count()
    video = _mp4_bytes(tmp_path) if model is Video else None

    def post(organisation, title):
        data = _add_form(client, model, organisation=str(organisation.pk), title_vi=title)
        if model is Photo:
            data["file"] = SimpleUploadedFile("new.jpg", jpeg_bytes(), content_type="image/jpeg")
        elif model is Video:
            data["file"] = SimpleUploadedFile("new.mp4", video, content_type="video/mp4")
        else:
            data.update(_publication_extras(org_a))
        return client.post(url(model, "add"), data)

    response = post(org_b, "Lén vào B")
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert model.objects.count() == before
    assert not model.objects.filter(title_vi="Lén vào B").exists()

    # The control: the same form, with the contributor's own organisation, is valid.
    response = post(org_a, "Của A")
    assert response.status_code == 302, response.context and response.context["form"].errors
    created = model.objects.get(title_vi="Của A")
    assert created.organisation == org_a
    assert created.collection == org_a.collection


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_add_form_offers_only_own_organisation(model, org_a, org_b, contributor_a):
    response = client_for(contributor_a).get(url(model, "add"))
    field = response.context["form"].fields["organisation"]
    assert list(field.queryset) == [org_a]


# --- 4. Reviewers and auditors -----------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_reviewer_sees_and_edits_every_organisations_assets(model, org_a, org_b):
    mine = make_asset(model, org_a, title_a(model))
    theirs = make_asset(model, org_b, title_b(model))
    client = client_for(role_user(operations.REVIEWERS))

    response = client.get(url(model, "list"))
    assert mine.title_vi in text_of(response)
    assert theirs.title_vi in text_of(response)

    for asset in (mine, theirs):
        response = client.get(url(model, "edit", asset.pk))
        assert response.status_code == 200
        data = form_data(response, title_vi=f"{asset.title_vi} đã sửa")
        response = client.post(url(model, "edit", asset.pk), data)
        assert response.status_code == 302, response.context and response.context["form"].errors
        asset.refresh_from_db()
        # A draft of the live asset: published only by approving its review
        # (tests/review/test_direct_publish.py).
        assert asset.latest_revision.as_object().title_vi.endswith("đã sửa")
        assert asset.live

    response = client.get(chooser_url(model, "chosen", theirs.pk))
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_auditor_sees_but_cannot_change(model, org_a, org_b):
    mine = make_asset(model, org_a, title_a(model))
    theirs = make_asset(model, org_b, title_b(model))
    client = client_for(role_user(operations.AUDITORS))

    response = client.get(url(model, "list"))
    assert response.status_code == 200
    assert mine.title_vi in text_of(response)
    assert theirs.title_vi in text_of(response)

    for name in ("inspect", "history"):
        response = client.get(url(model, name, theirs.pk))
        assert response.status_code == 200, name
        assert theirs.title_vi in text_of(response)

    for name in ("edit", "delete", "lock", "unpublish"):
        for method in (client.get, client.post):
            assert_refused(method(url(model, name, theirs.pk)))
    client.post(bulk_delete_url(model, theirs.pk))
    assert_untouched(theirs)


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_moderator_from_another_organisation_reviews_but_cannot_delete(
    model, org_a, org_b, contributor_a
):
    """A task's moderators may open the asset under review whatever their collection
    rights (the design's unit-leader step). That opens the editor, not the rest: a
    contributor of A moderating B's asset may not delete or choose it, although A's
    editors group gives them "delete" and "choose" on A's collection."""
    theirs = make_asset(model, org_b, title_b(model))
    leaders = Group.objects.create(name="Trưởng đơn vị")
    contributor_a.groups.add(leaders)
    workflow_state, task = _start_review(theirs, role_user(operations.REVIEWERS), group=leaders)
    client = client_for(contributor_a)

    response = client.get(url(model, "edit", theirs.pk))
    assert response.status_code == 200
    assert theirs.title_vi in text_of(response)
    assert client.get(url(model, "history", theirs.pk)).status_code == 200

    for target in (url(model, "delete", theirs.pk), bulk_delete_url(model, theirs.pk)):
        assert_refused(client.get(target))
        assert_refused(client.post(target))
    assert_hidden(client.get(chooser_url(model, "chosen", theirs.pk)), theirs)
    assert_hidden(client.get(chooser_url(model, "choose")), theirs, statuses=(200,))
    assert_untouched(theirs)


# --- 5. Every object URL, generated from the viewsets --------------------------------


def object_url_patterns(model):
    """(namespace, pattern) for every URL of the model's viewset and chooser that
    names an object: the same test as scope_urlpatterns()'s, independently."""
    viewset = model.snippet_viewset
    for sub in (viewset, viewset.chooser_viewset):
        for pattern in sub.get_urlpatterns():
            converters = getattr(pattern.pattern, "converters", {})
            if "pk" in converters or "(?P<pk>" in str(pattern.pattern):
                yield sub.url_namespace, pattern


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_every_url_that_takes_an_argument_names_the_object_as_pk(model):
    """scope_urlpatterns() (and the test below) find object URLs by their `pk`: a
    view that named its object otherwise would escape both, so none may."""
    viewset = model.snippet_viewset
    for sub in (viewset, viewset.chooser_viewset):
        for pattern in sub.get_urlpatterns():
            arguments = set(pattern.pattern.regex.groupindex)
            assert not arguments or "pk" in arguments, (
                f"{sub.url_namespace}:{pattern.name} takes {sorted(arguments)} but no pk"
            )


def _start_review(asset, user, group=None):
    """Put `asset` in a one-step review by `group` (the Reviewers), so that the
    workflow URLs have a workflow state, a task and a task state to name."""
    task = GroupApprovalTask.objects.create(name="Duyệt")
    task.groups.set([group or Group.objects.get(name=operations.REVIEWERS)])
    workflow = Workflow.objects.create(name="Duyệt tư liệu")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    # Replaces the default workflow (review migration 0002) for this asset type.
    WorkflowContentType.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(type(asset)),
        defaults={"workflow": workflow},
    )
    if asset.latest_revision_id is None:
        asset.save_revision(user=user)
    workflow_state = workflow.start(asset, user)
    asset.refresh_from_db()
    asset._revision_count = Revision.objects.filter(
        base_content_type=ContentType.objects.get_for_model(type(asset)), object_id=str(asset.pk)
    ).count()
    return workflow_state, task


def _kwargs_for(pattern, asset, first, second, workflow_state, task):
    values = {
        "pk": asset.pk,
        "revision_id": second.pk,
        "revision_id_a": first.pk,
        "revision_id_b": second.pk,
        "action_name": "approve",
        "task_state_id": workflow_state.current_task_state.pk,
        "workflow_state_id": workflow_state.pk,
        "task_id": task.pk,
    }
    names = set(pattern.pattern.regex.groupindex)
    unknown = names - set(values)
    assert not unknown, (
        f"URL {pattern.name!r} takes {sorted(unknown)}: give them plausible values in "
        "_kwargs_for() so that the scoping test can reach it"
    )
    return {name: values[name] for name in names}


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_every_object_url_is_scoped(model, org_b, contributor_a):
    reviewer = role_user(operations.REVIEWERS)
    theirs = make_asset(model, org_b, title_b(model))
    first, second = _with_revisions(theirs, reviewer)
    workflow_state, task = _start_review(theirs, reviewer)
    client = client_for(contributor_a)
    reviewer_client = client_for(reviewer)

    covered = []
    for namespace, pattern in object_url_patterns(model):
        kwargs = _kwargs_for(pattern, theirs, first, second, workflow_state, task)
        target = reverse(f"{namespace}:{pattern.name}", kwargs=kwargs)
        missing = reverse(f"{namespace}:{pattern.name}", kwargs={**kwargs, "pk": MISSING_PK})
        covered.append(pattern.name)
        # B's asset answers exactly as an asset that does not exist.
        assert_hidden(client.get(missing), theirs)
        assert_hidden(client.get(target), theirs)
        assert_hidden(client.post(target, {"title_vi": "hijacked"}), theirs)
        assert_hidden(client.get(target, HTTP_X_REQUESTED_WITH="XMLHttpRequest"), theirs)
        # The control: the URL is well-formed and names a real object, so the 404
        # above is the scoping's, not the view's own.
        control = reviewer_client.get(target)
        assert not is_not_found(control), pattern.name
    assert_untouched(theirs)
    workflow_state.refresh_from_db()
    assert workflow_state.status == workflow_state.STATUS_IN_PROGRESS

    # The generator is not vacuous: it found the views named in the design.
    assert {
        "edit",
        "delete",
        "usage",
        "history",
        "history_results",
        "copy",
        "inspect",
        "preview_on_edit",
        "revisions_view",
        "revisions_revert",
        "revisions_compare",
        "revisions_unschedule",
        "unpublish",
        "lock",
        "unlock",
        "workflow_action",
        "collect_workflow_action_data",
        "confirm_workflow_cancellation",
        "workflow_history",
        "workflow_history_detail",
        "workflow_preview",
        "chosen",
    } <= set(covered)
