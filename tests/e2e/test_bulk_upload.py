"""A contributor drops 20 files at once on the upload page, in a real browser.

The files are dispatched as a real drop event (a DataTransfer built in the page from
the bytes), so the drop zone's own handler runs. Each file gets its progress bar and
its result; the hostile one among them gets one clear Vietnamese error naming it, and
the other nineteen become drafts.
"""

import base64

import pytest
from playwright.sync_api import expect

from assets.models import Photo

from ..factories import PASSWORD, contributor, jpeg_bytes, make_organisation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DROP = """
async ([files]) => {
  const transfer = new DataTransfer();
  for (const [name, type, data] of files) {
    const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
    transfer.items.add(new File([bytes], name, { type }));
  }
  const zone = document.getElementById("sen-dropzone");
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }
}
"""


def test_twenty_files_dropped_at_once(page, admin_login, results_dir):
    organisation = make_organisation("Phường Ninh Kiều")
    contributor(organisation, username="lan")
    admin_login("lan", PASSWORD)

    page.get_by_role("link", name="Tải tệp lên").first.click()
    expect(page.get_by_role("heading", name="Tải tệp lên")).to_be_visible()
    page.get_by_label("Tác giả hoặc người chụp").fill("Trần Thị Bích")

    files = [
        (
            f"anh-{n:02d}.jpg",
            "image/jpeg",
            jpeg_bytes(240 + n, 160, color=(10 * n, 90, 200 - 5 * n)),
        )
        for n in range(19)
    ]
    files.insert(
        7, ("trang-web.jpg", "image/jpeg", b"<!DOCTYPE html><html><script>1</script></html>")
    )
    payload = [(name, kind, base64.b64encode(data).decode()) for name, kind, data in files]
    page.evaluate(DROP, [payload])

    rows = page.locator("#sen-upload-list li")
    expect(rows).to_have_count(20)
    # Every bar reaches 100%, the bad file's included.
    for index in range(20):
        expect(rows.nth(index).locator("progress")).to_have_attribute(
            "value", "100", timeout=30_000
        )
    errors = page.locator("#sen-upload-list .sen-error")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("trang-web.jpg")
    expect(errors.first).to_contain_text("không được chấp nhận")
    expect(page.locator("#sen-summary")).to_contain_text("20")
    expect(page.locator("#sen-upload-list li[data-status=accepted]")).to_have_count(19)
    page.screenshot(path=str(results_dir / "bulk-upload.png"), full_page=True)

    assert Photo.objects.count() == 19
    assert set(Photo.objects.values_list("author", flat=True)) == {"Trần Thị Bích"}
    assert not Photo.objects.filter(live=True).exists()
