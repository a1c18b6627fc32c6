"""Media kits: a reviewer shares published assets with a journalist by a link that
expires, in the journalist's language; each download through it is logged."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from lxml import html

from assets import operations
from press.models import MediaKit, MediaKitDownload, MediaKitItem

from ..factories import contributor, role_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.SEN_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def kit(make_photo):
    public = make_photo(title_vi="Chợ nổi", title_en="Floating market", credit_line="Ảnh: Sở")
    draft = make_photo(live=False, title_vi="Bản nháp")
    kit = MediaKit.objects.create(title="Press kit", language="en", recipient="AFP")
    MediaKitItem.objects.create(kit=kit, photo=public, sort_order=0)
    MediaKitItem.objects.create(kit=kit, photo=draft, sort_order=1)
    return kit, public, draft


def test_the_kit_page_in_the_journalists_language_lists_public_items(visitor, kit):
    kit, public, draft = kit
    url = kit.get_public_url()
    assert url.startswith("/en/press/kits/")
    response = visitor.get(url)
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    page = html.fromstring(response.content)
    assert page.xpath("string(/html/@lang)") == "en"
    assert page.xpath("//li[@class='kit__item']//h2/a/text()") == ["Floating market"]
    assert "Bản nháp" not in response.content.decode()
    links = page.xpath("//ul[@class='kit__files']//a/@href")
    assert links, "the licence's download sizes are offered"


def test_a_download_through_the_kit_is_logged(visitor, kit):
    kit, public, _draft = kit
    page = html.fromstring(visitor.get(kit.get_public_url()).content)
    link = page.xpath("//ul[@class='kit__files']//a/@href")[0]
    response = visitor.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    [log] = MediaKitDownload.objects.all()
    assert (log.kit, log.kind, log.asset_id) == (kit, "photos", public.pk)


def test_items_not_in_the_kit_or_not_public_are_404(visitor, kit):
    kit, public, draft = kit
    for kind, pk, size in (
        ("photos", draft.pk, "web"),
        ("photos", 999999, "web"),
        ("videos", public.pk, "video"),
        ("photos", public.pk, "huge"),
    ):
        url = reverse(
            "press_kit_download", kwargs={"token": kit.token, "kind": kind, "pk": pk, "size": size}
        )
        assert visitor.get(url).status_code == 404, (kind, pk, size)
    assert not MediaKitDownload.objects.exists()


def test_an_expired_or_unknown_link_says_so_and_serves_nothing(visitor, kit):
    kit, public, _draft = kit
    link = html.fromstring(visitor.get(kit.get_public_url()).content).xpath(
        "//ul[@class='kit__files']//a/@href"
    )[0]
    MediaKit.objects.filter(pk=kit.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = visitor.get(kit.get_public_url())
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert visitor.get(link).status_code == 404
    assert visitor.get("/en/press/kits/not-a-token/").status_code == 404
    assert (
        visitor.get(kit.get_public_url().replace(kit.token, kit.token[:-1] + "x")).status_code
        == 404
    )


def test_a_withdrawn_item_leaves_the_kit(visitor, kit, reviewer):
    from review.operations import withdraw

    kit, public, _draft = kit
    withdraw(public, user=reviewer, reason="Sai chú thích")
    page = html.fromstring(visitor.get(kit.get_public_url()).content)
    assert page.xpath("//li[@class='kit__item']") == []


def test_reviewers_make_kits_contributors_cannot(make_photo, organisation):
    photo = make_photo(title_vi="Ảnh")
    reviewer_client = Client()
    user = role_user(operations.REVIEWERS)
    reviewer_client.force_login(user)
    add_url = reverse(MediaKit.snippet_viewset.get_url_name("add"))
    assert reviewer_client.get(add_url).status_code == 200
    data = kit_form(photo, title="Kit", recipient="Reuters")
    response = reviewer_client.post(add_url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    kit = MediaKit.objects.get()
    assert kit.created_by == user and kit.get_public_url().startswith("/fr/")

    outsider = Client()
    outsider.force_login(contributor(organisation))
    assert outsider.get(add_url).status_code in (302, 403)
    listing = outsider.get(reverse(MediaKit.snippet_viewset.get_url_name("list")))
    assert listing.status_code != 200


def test_a_draft_cannot_be_put_in_a_kit(make_photo):
    from django.core.exceptions import ValidationError

    draft = make_photo(live=False)
    with pytest.raises(ValidationError):
        MediaKitItem(kit=MediaKit(title="x"), photo=draft).clean()


def kit_form(photo, **fields):
    data = {
        "title": "Cần Thơ 2026",
        "recipient": "Le Monde",
        "email": "",
        "language": "fr",
        "message": "",
        "expires_at": (timezone.localtime() + datetime.timedelta(days=3)).strftime(
            "%Y-%m-%d %H:%M"
        ),
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-photo": str(photo.pk),
        "items-0-video": "",
        "items-0-publication": "",
        "items-0-ORDER": "1",
        "items-0-id": "",
        "items-0-DELETE": "",
    }
    data.update(fields)
    return data


def test_the_link_is_mailed_in_the_journalists_language_once(
    make_photo, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAILADMIN_BASE_URL = "https://anh.cantho.gov.vn"
    photo = make_photo(title_vi="Chợ nổi Cái Răng", title_fr="Marché flottant de Cai Rang")
    client = Client()
    client.force_login(role_user(operations.REVIEWERS))
    add_url = reverse(MediaKit.snippet_viewset.get_url_name("add"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(add_url, kit_form(photo, email="redaction@example.fr"))
    assert response.status_code == 302
    kit = MediaKit.objects.get()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["redaction@example.fr"]
    assert message.subject == "Dossier de presse : Cần Thơ 2026"
    assert "Marché flottant de Cai Rang" in message.body
    assert f"https://anh.cantho.gov.vn/fr/press/kits/{kit.token}/" in message.body
    assert "Préparé pour Le Monde." in message.body
    html_part, mime = message.alternatives[0]
    assert mime == "text/html" and f"/fr/press/kits/{kit.token}/" in html_part
    assert kit.sent_to == "redaction@example.fr" and kit.sent_at is not None

    # Saving again does not send again; a new address does.
    edit_url = reverse(MediaKit.snippet_viewset.get_url_name("edit"), args=[kit.pk])
    item = kit.items.get()
    again = kit_form(
        photo,
        email="redaction@example.fr",
        **{"items-INITIAL_FORMS": "1", "items-0-id": str(item.pk)},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(edit_url, again).status_code == 302
    assert len(mailoutbox) == 1
    again["email"] = "desk@example.fr"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(edit_url, again).status_code == 302
    assert [m.to for m in mailoutbox] == [["redaction@example.fr"], ["desk@example.fr"]]


def test_a_mail_server_failure_keeps_the_kit_and_says_so(
    make_photo, settings, django_capture_on_commit_callbacks
):
    # A real SMTP connection to a closed loopback port: refused.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    photo = make_photo()
    client = Client()
    client.force_login(role_user(operations.REVIEWERS))
    add_url = reverse(MediaKit.snippet_viewset.get_url_name("add"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(add_url, kit_form(photo, email="x@example.org"), follow=True)
    assert response.status_code == 200
    kit = MediaKit.objects.get()
    assert kit.sent_to == "" and kit.sent_at is None
    shown = [str(m) for m in response.context["messages"]]
    assert any("x@example.org" in text and "không gửi được" in text for text in shown), shown
