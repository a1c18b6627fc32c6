"""A contributor adds a photo through the admin, in a real browser.

Library → Photos → add: upload a JPEG, give the Vietnamese title on the first tab
and the English one on the Translations tab, save a draft, find it in the listing.
"""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from assets.models import Photo
from assets.wagtail_hooks import LibraryGroup, PhotoViewSet

from ..factories import PASSWORD, contributor, jpeg_bytes, make_organisation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE_VI = "Chợ nổi Cái Răng lúc bình minh"
TITLE_EN = "Cai Rang floating market at dawn"


def vietnamese(label):
    """A label as the Vietnamese admin shows it (the same whether or not Sen's
    catalogue translates it yet)."""
    with translation.override("vi"):
        return str(label)


def open_tab_holding(page, field_selector):
    """Click the edit-form tab whose panel contains the field (tab ids follow the
    headings, which are translated)."""
    panel = page.locator("[role=tabpanel]").filter(has=page.locator(field_selector))
    page.locator(f'[role=tab][aria-controls="{panel.get_attribute("id")}"]').click()
    expect(page.locator(field_selector)).to_be_visible()


def show_language_fields(page, code):
    """wagtail-modeltranslation's "View / edit fields for" bar hides the fields of
    the languages not ticked there; tick `code` unless it already is."""
    toggle = page.locator("button.locale-toggle", has_text=re.compile(f"^{re.escape(code)}$"))
    if toggle.count() and "showing-locale" not in (toggle.get_attribute("class") or ""):
        toggle.click()


def test_contributor_adds_a_photo_draft(page, admin_login, results_dir):
    organisation = make_organisation("Phường Ninh Kiều")
    contributor(organisation, username="lan")

    admin_login("lan", PASSWORD)

    # The admin speaks Vietnamese, although the browser asks for English.
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(
        page.get_by_role("link", name="Tài khoản", exact=True)
    ).to_be_visible()  # Wagtail's "Account"

    # Library → Photos → add.
    page.locator(".sidebar-menu-item__link", has_text=vietnamese(LibraryGroup.menu_label)).click()
    submenu = page.locator(".sidebar-sub-menu-item--open .sidebar-sub-menu-panel")
    submenu.get_by_role("link", name=vietnamese(PhotoViewSet.menu_label), exact=True).click()
    page.wait_for_url("**/admin/snippets/assets/photo/")
    page.locator('a[href$="/admin/snippets/assets/photo/add/"]').first.click()
    page.wait_for_url("**/admin/snippets/assets/photo/add/")

    page.locator("#id_file").set_input_files(
        files=[{"name": "cho-noi.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(320, 240)}]
    )
    page.locator("#id_title_vi").fill(TITLE_VI)
    show_language_fields(page, "en")
    open_tab_holding(page, "#id_title_en")
    page.locator("#id_title_en").fill(TITLE_EN)

    page.locator("footer button.action-save").click()
    # A saved draft reopens in the editor, with Wagtail's success message.
    page.wait_for_url(re.compile(r"/admin/snippets/assets/photo/edit/\d+/$"))
    expect(page.locator(".messages li.success")).to_be_visible()

    photo = Photo.objects.get(title_vi=TITLE_VI)
    assert photo.title_en == TITLE_EN
    assert photo.organisation == organisation
    assert not photo.live  # a draft
    assert photo.image.file.name and (photo.image.width, photo.image.height) == (320, 240)

    # The listing shows it, under its Vietnamese title.
    page.goto("/admin/snippets/assets/photo/")
    row = page.locator("table tbody tr", has_text=TITLE_VI)
    expect(row).to_have_count(1)
    expect(row).to_be_visible()
    page.screenshot(path=str(results_dir / "admin-photo-listing.png"), full_page=True)


def test_choosing_a_file_fills_the_empty_fields_from_it(page, admin_login, tmp_path):
    """Before saving: the title, caption source and credit the file carries appear
    in the form; what the contributor typed first stays."""
    from ..ingest.test_metadata import make_jpeg

    organisation = make_organisation("Phường Hải Châu")
    contributor(organisation, username="mai")
    path = make_jpeg(
        tmp_path,
        xmp={
            "Xmp.dc.title": {'lang="x-default"': "Cầu Rồng phun lửa"},
            "Xmp.photoshop.Credit": "Ảnh: Sở Văn hoá",
            "Xmp.dc.creator": ["Trần Thị Mai"],
        },
    )
    admin_login("mai", PASSWORD)
    page.goto("/admin/snippets/assets/photo/add/")
    open_tab_holding(page, "#id_author")
    page.locator("#id_author").fill("Tác giả đã gõ")
    open_tab_holding(page, "#id_file")

    page.locator("#id_file").set_input_files(str(path))

    expect(page.locator("#id_title_vi")).to_have_value("Cầu Rồng phun lửa")
    expect(page.locator("#id_credit_line")).to_have_value("Ảnh: Sở Văn hoá")
    expect(page.locator("#id_author")).to_have_value("Tác giả đã gõ")
    expect(page.locator(".sen-prefill-status")).to_contain_text("Đã điền từ tệp")
