"""Every publication is a reviewer's approval with the checklist: the editor offers no
"Publish" button on an asset, and a hand-made "publish" request is refused with a
message, saving nothing."""

import pytest

from assets import operations

from ..assets.test_permissions import (
    MODEL_IDS,
    MODELS,
    client_for,
    form_data,
    make_asset,
    url,
)
from ..factories import make_organisation, role_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_dirs")]


@pytest.mark.parametrize("role", [operations.REVIEWERS, operations.ADMINISTRATORS])
@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_the_editor_cannot_publish_an_asset_directly(model, role):
    asset = make_asset(model, make_organisation(), "Ảnh chưa duyệt", live=False)
    client = client_for(role_user(role))
    editor = client.get(url(model, "edit", asset.pk))
    assert editor.status_code == 200
    assert 'name="action-publish"' not in editor.content.decode()

    data = form_data(editor, title_vi="Ảnh chưa duyệt, đã sửa")
    data["action-publish"] = "1"
    response = client.post(url(model, "edit", asset.pk), data)
    assert response.status_code == 200
    # The admin speaks Vietnamese.
    assert "Tư liệu chỉ được công bố khi người duyệt phê duyệt" in response.content.decode()
    asset.refresh_from_db()
    assert not asset.live
    assert asset.title_vi == "Ảnh chưa duyệt"
    assert asset.revisions.count() == 0


def test_submitting_is_still_offered(media_dirs):
    from assets.models import Photo

    asset = make_asset(Photo, make_organisation(), "Ảnh", live=False)
    client = client_for(role_user(operations.REVIEWERS))
    assert 'name="action-submit"' in client.get(url(Photo, "edit", asset.pk)).content.decode()
