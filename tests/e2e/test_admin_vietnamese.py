"""Issue 9, "Vietnamese all the way": no English on any admin screen on the daily paths.

A contributor, a reviewer and an administrator each sign in with the Vietnamese
locale (their browsers ask for English, as many editors' do) and walk the admin pages
of their work, including a workflow action, choosers and an error message. On every
page, the text a person can see or hear (visible text nodes, placeholders, titles,
aria-labels, alt texts, the labels of input buttons) is compared with the English
side of the catalogues Sen ships for Vietnamese: a text that *is* one of those
msgids is an untranslated interface string (a missing or wrong msgstr, or a string
that bypasses gettext). The catalogues, not a hand-made word list, decide what
English is, so a new Wagtail string that Sen's catalogue lacks is found as soon as a
screen shows it.

Everything the test creates carries Vietnamese text, so data can never look like a
msgid. A screenshot of every page goes to test-results/vi-<role>-<n>-<page>.png.
"""

import base64
import functools
import html
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect
from wagtail.models import Page

from assets import operations
from assets.models import Licence, Photo, Publication, PublicationEdition, SenDocument, Video
from feed.keys import issue
from feed.models import ApiKey, Consumer, WebhookEndpoint
from ingest.models import UploadBatch
from press.models import MediaKit, MediaKitDownload, MediaKitItem

from ..assets.test_uploads import pdf_bytes
from ..factories import (
    PhotoFactory,
    SenImageFactory,
    contributor,
    jpeg_bytes,
    make_organisation,
    make_video,
    role_user,
)
from .test_bulk_upload import DROP
from .test_review_path import action_menu, sign_in, vietnamese

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LOCALES = Path(settings.BASE_DIR) / "locales"

# --- The English to look for ----------------------------------------------------------

# A placeholder of any kind the catalogues use: printf (%(name)s, %s, %d), brace
# ({name}, {0}) and template ({{ name }}) forms. Each becomes a wildcard.
PLACEHOLDER = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{\{.*?\}\}|\{\w*\}"
)
TAG = re.compile(r"</?[a-zA-Z][^>]*>")
LETTERS = re.compile(r"[A-Za-z]")
# Fewer Latin letters than this outside the placeholders, and a msgid says too little
# to be told from data ("%(a)s / %(b)s", "ID").
MIN_LETTERS = 3
# English msgids that are also right on a Vietnamese screen. Keep it short: each
# entry is a string the Vietnamese admin legitimately shows as is.
NOT_ENGLISH = {
    # Language names in their own language (Wagtail's language preference lists
    # each language as its speakers write it, as every language switcher should).
    "English",
}
# English that reaches a page without passing through any catalogue: Python's own
# values printed with str() (a boolean, an empty field), and the names Wagtail's
# migrations store (assets/migrations/0007_wagtail_defaults_in_vietnamese.py renames
# them: the root collection and page, the page groups, their workflow and its task).
PYTHON_VALUES = {"True", "False", "None"}
WAGTAIL_DATA = {"Root", "Editors", "Moderators", "Moderators approval"}


def normalise(text):
    return " ".join(text.split())


def _pattern(msgid):
    """A regex for a msgid with placeholders, or None when too little of it is
    literal text to tell English from data."""
    literal = PLACEHOLDER.sub("", msgid)
    if len(LETTERS.findall(literal)) < MIN_LETTERS:
        return None
    parts = PLACEHOLDER.split(msgid)
    return ".+?".join(re.escape(part) for part in parts)


@functools.cache
def english_strings():
    """(plain msgids, one regex for the msgids with placeholders) of every .po file
    Sen ships for vi (its own and those in locales/vendor/), each msgid and
    msgid_plural whose Vietnamese differs from it, normalised as the page text is:
    tags stripped, entities decoded, whitespace collapsed."""
    catalogues = sorted(LOCALES.glob("vi/LC_MESSAGES/*.po"))
    catalogues += sorted(LOCALES.glob("vendor/*/vi/LC_MESSAGES/*.po"))
    assert catalogues, "no Vietnamese catalogue found"
    plain, patterns = set(), set()
    for path in catalogues:
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            translations = (
                list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
            )
            for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
                if msgid in translations:
                    continue  # the same in Vietnamese (a product name, an abbreviation)
                text = normalise(html.unescape(TAG.sub("", msgid.replace("%%", "%"))))
                if text in NOT_ENGLISH:
                    continue
                if PLACEHOLDER.search(text):
                    pattern = _pattern(text)
                    if pattern:
                        patterns.add(pattern)
                elif len(LETTERS.findall(text)) >= MIN_LETTERS:
                    plain.add(text)
    regex = re.compile("|".join(f"(?:{p})" for p in sorted(patterns)))
    return frozenset(plain | PYTHON_VALUES | WAGTAIL_DATA), regex


def english_in(texts):
    plain, regex = english_strings()
    return sorted({t for t in texts if t in plain or regex.fullmatch(t)})


def test_the_english_side_of_the_catalogues_is_found():
    """The matcher itself: English msgids (with and without placeholders) are found;
    their Vietnamese and data are not."""
    assert english_in(["Save draft", "Lưu bản nháp", "Ảnh chợ nổi Cái Răng"]) == ["Save draft"]
    with translation.override("vi"):
        vietnamese = gettext("Dashboard")
    assert english_in(["Dashboard", vietnamese]) == ["Dashboard"]
    found = english_in(["Page 2 of 7", "Trang 2/7"])
    assert found == ["Page 2 of 7"], found


# --- What a person sees on the page ---------------------------------------------------

# Every visible text node, whitespace-normalised; the whole text of elements that
# mix text and inline children (a msgid with markup in it, "Hello <b>%(name)s</b>");
# placeholder, title, aria-label and alt of visible elements; the label of input
# buttons; the option texts of visible selects; the document's title. A <button>'s
# value attribute is not collected: it is never shown (Wagtail puts action names in it).
VISIBLE_TEXT = """
() => {
  const norm = (s) => (s || "").replace(/\\s+/g, " ").trim();
  const out = new Set();
  const add = (s) => { s = norm(s); if (s) out.add(s); };
  const skipped = (el) => el.closest("script, style, template, noscript");
  const shown = (el) => {
    const select = el.closest("select");
    if (select) el = select;  // options are shown through their select
    return el.checkVisibility({ checkVisibilityCSS: true });
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const mixed = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !norm(node.data) || skipped(parent) || !shown(parent)) continue;
    add(node.data);
    if (parent.children.length) mixed.add(parent);
  }
  for (const el of mixed) {
    const text = norm(el.innerText);
    if (text.length < 400) add(text);
  }
  const withAttributes = document.querySelectorAll(
    "[placeholder], [title], [aria-label], [alt], input[type=submit], input[type=button]"
  );
  for (const el of withAttributes) {
    if (skipped(el) || !shown(el)) continue;
    for (const name of ["placeholder", "title", "aria-label", "alt"]) add(el.getAttribute(name));
    if (el.matches("input[type=submit], input[type=button]")) add(el.value);
  }
  for (const group of document.querySelectorAll("optgroup[label]")) {
    if (shown(group)) add(group.label);
  }
  add(document.title);
  for (const part of document.title.split(" - ")) add(part);
  return [...out];
}
"""


class Walk:
    """One role's walk: each `look()` reads the page as it is, saves a screenshot and
    notes the English it shows; `assert_vietnamese()` fails with every page and string."""

    def __init__(self, page, role, results_dir):
        self.page, self.role, self.results_dir = page, role, results_dir
        self.count = 0
        self.found = {}

    def look(self, name):
        page = self.page
        page.wait_for_load_state()
        self.count += 1
        label = f"{self.count:02d}-{name}"
        page.screenshot(path=str(self.results_dir / f"vi-{self.role}-{label}.png"), full_page=True)
        english = english_in(page.evaluate(VISIBLE_TEXT))
        if english:
            self.found[f"{label} {page.url}"] = english

    def goto(self, url, name):
        response = self.page.goto(url)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        expect(self.page.locator("html")).to_have_attribute("lang", "vi")
        self.look(name)

    def assert_vietnamese(self):
        report = "\n".join(
            f"{where}:\n" + "\n".join(f"    {text!r}" for text in texts)
            for where, texts in self.found.items()
        )
        assert not self.found, f"English UI text on {len(self.found)} page(s):\n{report}"


# --- Data, all of it in Vietnamese ----------------------------------------------------


def person(user, first, last):
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


def image(organisation, title):
    return SenImageFactory(
        title=title,
        collection=organisation.collection,
        file=ContentFile(jpeg_bytes(320, 240), name="anh.jpg"),
    )


def photo(organisation, title, *, live=False):
    return PhotoFactory(
        organisation=organisation, title_vi=title, image=image(organisation, title), live=live
    )


def publication(organisation, title):
    document = SenDocument.objects.create(
        title=f"Tệp {title}",
        collection=organisation.collection,
        file=ContentFile(pdf_bytes(), name="an-pham.pdf"),
    )
    asset = Publication.objects.create(
        organisation=organisation,
        title_vi=title,
        title=title,
        licence=Licence.objects.get(code="cc-by-4.0"),
        live=False,
    )
    PublicationEdition.objects.create(publication=asset, language="vi", document=document)
    return asset


def submit(asset, user):
    """Submit for review as the editor does (review/operations records attestations)."""
    from review.operations import record_attestation

    asset.save_revision(user=user)
    asset.get_workflow().start(asset, user)
    record_attestation(asset, user)


def url(model, action, *args):
    return reverse(model.snippet_viewset.get_url_name(action), args=args)


def each_tab(walk, name):
    """Look at the other tabs of an edit form: a hidden tab's text is not visible."""
    tabs = walk.page.locator("[role=tablist] [role=tab]")
    for index in range(1, tabs.count()):
        if tabs.nth(index).is_visible():
            tabs.nth(index).click()
            walk.look(f"{name}-tab{index + 1}")
    if tabs.count():
        tabs.first.click()


MODAL = ".modal[role=dialog]"


def wait_for_modal(page):
    """Wagtail's modal, once its fade-in is over (for the screenshot)."""
    expect(page.locator(f"{MODAL} .modal-content")).to_be_visible()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.modal.in, .modal-backdrop.in')]"
        ".every(m => getComputedStyle(m).opacity === '1')"
    )
    return page.locator(f"{MODAL} .modal-content")


def close_modal(page):
    page.locator(f"{MODAL} button.close, {MODAL} [data-bs-dismiss]").first.click()
    expect(page.locator(MODAL)).to_have_count(0)


# --- The walks ------------------------------------------------------------------------


def test_contributor_sees_only_vietnamese(page, results_dir, media_dirs):
    organisation = make_organisation("UBND phường Ninh Kiều")
    lan = person(contributor(organisation, username="lan"), "Lan", "Nguyễn Thị")
    draft = photo(organisation, "Bến Ninh Kiều về đêm")
    photo(organisation, "Chợ nổi Cái Răng lúc bình minh", live=True)
    make_video(organisation, title_vi="Đờn ca tài tử bên sông Hậu", title="Đờn ca tài tử")
    publication(organisation, "Cẩm nang du lịch Ninh Kiều")
    walk = Walk(page, "bien-tap-vien", results_dir)

    sign_in(page, lan.username)
    walk.look("bang-dieu-khien")

    # Library listings: each type, its filters, a filtered and a searched list.
    for model, slug in ((Photo, "anh"), (Video, "video"), (Publication, "an-pham")):
        listing = url(model, "list")
        walk.goto(listing, f"{slug}-danh-sach")
        if model is Photo:
            page.locator("#filters-drilldown button").first.click()
            walk.look("anh-bo-loc")
            page.locator("#filters-drilldown .w-drilldown__toggle").first.click()
            walk.look("anh-bo-loc-chon")
        walk.goto(f"{listing}?live=false&organisation={organisation.pk}", f"{slug}-loc")
        walk.goto(f"{listing}?q=Ninh+Ki%E1%BB%81u", f"{slug}-tim-kiem")
    walk.goto(f"{url(Photo, 'list')}?q=kh%C3%B4ng+c%C3%B3+g%C3%AC", "anh-tim-khong-thay")

    # The add form, every tab, then saved with its required fields empty.
    walk.goto(url(Photo, "add"), "anh-them")
    each_tab(walk, "anh-them")
    page.locator("footer button.action-save").click()
    expect(page.locator(".messages .error").first).to_be_visible()
    walk.look("anh-them-loi")

    # Choosers: the document chooser of a publication's edition (both its tabs), and
    # the asset chooser, opened as a chooser widget opens it.
    walk.goto(url(Publication, "add"), "an-pham-them")
    page.locator("[data-chooser-action-choose]").first.click()
    modal = wait_for_modal(page)
    walk.look("bo-chon-tai-lieu")
    modal.locator("[role=tab]").nth(1).click()
    walk.look("bo-chon-tai-lieu-tai-len")
    close_modal(page)
    page.evaluate(
        "url => ModalWorkflow({url, onload: {}})",
        reverse(Photo.snippet_viewset.chooser_viewset.get_url_name("choose")),
    )
    wait_for_modal(page)
    walk.look("bo-chon-tu-lieu")
    close_modal(page)

    # The edit form, then submitted for review (the workflow action) and its result.
    walk.goto(url(Photo, "edit", draft.pk), "anh-sua")
    each_tab(walk, "anh-sua")
    for name in ("attest_no_state_secret", "attest_rights_correct"):
        page.locator(f"#id_{name}").check()
    footer = action_menu(page)
    walk.look("anh-sua-thao-tac")
    footer.locator('button[name="action-submit"]').click()
    expect(page.locator(".messages li.success")).to_be_visible()
    walk.look("anh-da-gui-duyet")
    walk.goto(url(Photo, "edit", draft.pk), "anh-dang-cho-duyet")
    walk.goto(url(Photo, "history", draft.pk), "anh-lich-su")
    walk.goto(url(Photo, "inspect", draft.pk), "anh-chi-tiet")

    # Bulk upload: the page, two files dropped, and the batch's own page.
    walk.goto(reverse("ingest:upload"), "tai-len")
    page.get_by_label(vietnamese("Author or photographer")).fill("Trần Thị Bích")
    files = [
        (f"anh-{n}.jpg", "image/jpeg", base64.b64encode(jpeg_bytes(200 + n, 150)).decode())
        for n in range(2)
    ]
    page.evaluate(DROP, [files])
    expect(page.locator("#sen-upload-list li[data-status=accepted]")).to_have_count(2)
    walk.look("tai-len-xong")
    walk.goto(reverse("ingest:batch", args=[UploadBatch.objects.get().pk]), "lo-tai-len")

    # Jobs are administrators' (Settings → Jobs): a contributor has no menu item.
    expect(page.locator(f'a[href="{reverse("ingest_job:index")}"]')).to_have_count(0)
    walk.goto(reverse("wagtailadmin_account"), "tai-khoan")
    walk.assert_vietnamese()


def test_reviewer_sees_only_vietnamese(page, results_dir, media_dirs):
    organisation = make_organisation("UBND phường Cái Răng")
    lan = person(contributor(organisation, username="lan"), "Lan", "Nguyễn Thị")
    minh = person(role_user(operations.REVIEWERS, username="minh"), "Minh", "Trần Văn")
    waiting = photo(organisation, "Vườn trái cây Phong Điền")
    submit(waiting, lan)
    published = photo(organisation, "Chùa Ông bên bến Ninh Kiều", live=True)
    kit = MediaKit.objects.create(
        title="Tư liệu Lễ hội bánh dân gian Nam Bộ",
        recipient="Báo Cần Thơ",
        email="phong-vien@example.org",
        message="Kính gửi quý báo bộ tư liệu.",
        created_by=minh,
    )
    MediaKitItem.objects.create(kit=kit, photo=published)
    walk = Walk(page, "nguoi-duyet", results_dir)

    sign_in(page, minh.username)
    walk.look("bang-dieu-khien")
    walk.goto(reverse("review_queue"), "hang-cho-duyet")

    # The asset in review: its actions, the approval dialog refused without the
    # checklist (an error), and a request for changes sent.
    edit = url(Photo, "edit", waiting.pk)
    walk.goto(edit, "anh-dang-duyet")
    footer = action_menu(page)
    walk.look("anh-dang-duyet-thao-tac")
    footer.locator('button[data-workflow-action-name="approve"]').click()
    modal = wait_for_modal(page)
    walk.look("hop-thoai-phe-duyet")
    modal.locator("button[type=submit]").click()
    expect(modal.locator(".error-message, .w-field__errors").first).to_be_visible()
    wait_for_modal(page)
    walk.look("hop-thoai-phe-duyet-loi")
    close_modal(page)
    footer = action_menu(page)
    footer.locator('button[data-workflow-action-name="reject"]').click()
    modal = wait_for_modal(page)
    walk.look("hop-thoai-yeu-cau-chinh-sua")
    modal.locator("textarea[name=comment]").fill("Xin bổ sung tên tác giả.")
    modal.locator("button[type=submit]").click()
    expect(page.locator(".messages li.success")).to_be_visible()
    walk.look("da-yeu-cau-chinh-sua")
    walk.goto(url(Photo, "workflow_history", waiting.pk), "lich-su-quy-trinh")

    # Withdrawal of a published asset: the form, then refused without a reason.
    walk.goto(url(Photo, "unpublish", published.pk), "rut-xuat-ban")
    page.locator("#id_reason").fill("   ")  # blank once stripped: refused by the server
    page.get_by_role("button", name=vietnamese("Yes, unpublish it")).click()
    expect(page.locator(".error-message").first).to_be_visible()
    walk.look("rut-xuat-ban-loi")

    # Press room: media kits, one open, a new one with its asset chooser; the
    # download log.
    walk.goto(url(MediaKit, "list"), "bo-tu-lieu-bao-chi")
    walk.goto(url(MediaKit, "edit", kit.pk), "bo-tu-lieu-sua")
    walk.goto(url(MediaKit, "add"), "bo-tu-lieu-them")
    page.locator("[data-chooser-action-choose]:visible").first.click()
    wait_for_modal(page)
    walk.look("bo-chon-tu-lieu")
    close_modal(page)
    walk.goto(url(MediaKitDownload, "list"), "luot-tai-bo-tu-lieu")

    # What the menu offers a reviewer beyond this (workflows, reports): walk it too.
    for href, name in (
        (reverse("wagtailadmin_workflows:index"), "quy-trinh-duyet"),
        (reverse("wagtailadmin_workflows:task_index"), "buoc-duyet"),
        (reverse("review_record"), "ho-so-duyet"),
        (reverse("wagtailsnippets_feed_consumer:list"), "he-thong-nhan"),
    ):
        if page.locator(f'a[href="{href}"]').count():
            walk.goto(href, name)
    walk.goto(reverse("wagtailadmin_account"), "tai-khoan")
    walk.assert_vietnamese()


def test_administrator_sees_only_vietnamese(page, results_dir, media_dirs):
    organisation = make_organisation("Sở Văn hóa, Thể thao và Du lịch")
    lan = person(
        contributor(make_organisation("UBND phường An Bình"), username="lan"), "Lan", "Nguyễn Thị"
    )
    admin = role_user(operations.ADMINISTRATORS, username="quantri", is_superuser=True)
    person(admin, "Hùng", "Lê Văn")
    photo(organisation, "Cầu Cần Thơ lúc hoàng hôn", live=True)
    consumer = Consumer.objects.create(
        name="Cơ sở dữ liệu thông tin đối ngoại", contact="Phòng Thông tin"
    )
    key, _secret = issue(consumer, label="Máy chủ thu thập")
    endpoint = WebhookEndpoint.objects.create(consumer=consumer, url="https://nhan.example.org/sen")
    walk = Walk(page, "quan-tri-vien", results_dir)

    sign_in(page, admin.username)
    walk.look("bang-dieu-khien")
    walk.goto(reverse("review_record"), "ho-so-duyet")

    # Export feed.
    walk.goto(url(Consumer, "list"), "he-thong-nhan")
    walk.goto(url(Consumer, "add"), "he-thong-nhan-them")
    walk.goto(url(Consumer, "inspect", consumer.pk), "he-thong-nhan-chi-tiet")
    walk.goto(url(ApiKey, "list"), "khoa-api")
    walk.goto(url(ApiKey, "add"), "khoa-api-them")
    walk.goto(reverse("feed_webhookendpoint:index"), "webhook")
    walk.goto(reverse("feed_webhookendpoint:edit", args=[endpoint.pk]), "webhook-sua")
    walk.goto(reverse("feed_webhookdelivery:index"), "webhook-lan-gui")

    # Users, groups, settings, workflows, the pipeline.
    walk.goto(reverse("wagtailusers_users:index"), "nguoi-dung")
    walk.goto(reverse("wagtailusers_users:edit", args=[lan.pk]), "nguoi-dung-sua")
    walk.goto(reverse("wagtailusers_groups:index"), "nhom")
    walk.goto(reverse("wagtailusers_groups:edit", args=[organisation.editors_group_id]), "nhom-sua")
    walk.goto(reverse("wagtailadmin_collections:index"), "bo-suu-tap")
    walk.goto(reverse("wagtailadmin_collections:add"), "bo-suu-tap-them")
    walk.goto(reverse("wagtailsettings:edit", args=["cms", "provincesettings"]), "cai-dat-tinh")
    walk.goto(reverse("wagtailadmin_workflows:index"), "quy-trinh-duyet")
    walk.goto(reverse("wagtailadmin_workflows:task_index"), "buoc-duyet")
    walk.goto(reverse("ingest_job:index"), "tac-vu")
    walk.goto(reverse("ingest_contentcheck:index"), "kiem-tra-noi-dung")

    # The image and page choosers, as the rich text of the home page's editor opens
    # them (the page chooser lists the root page, and has a search form).
    home = Page.objects.get(depth=2).specific
    walk.goto(reverse("wagtailadmin_pages:edit", args=[home.pk]), "trang-chu-sua")
    for chooser, name in (
        ("wagtailimages_chooser:choose", "bo-chon-anh"),
        ("wagtailadmin_choose_page", "bo-chon-trang"),
    ):
        page.evaluate("url => ModalWorkflow({url, onload: {}})", reverse(chooser))
        wait_for_modal(page)
        walk.look(name)
        close_modal(page)
    # Moving a page: its destinations start at the root page.
    walk.goto(reverse("wagtailadmin_pages:move", args=[home.pk]), "trang-chu-di-chuyen")
    walk.assert_vietnamese()
