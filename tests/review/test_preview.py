"""Contributors and reviewers preview the asset as the public will see it, in each
configured language, before it is published."""

import pytest
from django.urls import reverse

from assets.models import Photo

from ..factories import PhotoFactory, contributor, make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_and_client(client):
    organisation = make_organisation()
    photo = PhotoFactory(
        organisation=organisation,
        live=False,
        title_vi="Chợ nổi Cái Răng",
        title_en="Cai Rang floating market",
    )
    client.force_login(contributor(organisation))
    return photo, client


def preview(client, photo, mode):
    url = reverse(Photo.snippet_viewset.get_url_name("preview_on_edit"), args=[photo.pk])
    edit = client.get(reverse(Photo.snippet_viewset.get_url_name("edit"), args=[photo.pk]))
    form = edit.context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list | tuple)
    }
    data.update({"organisation": photo.organisation_id, "licence": photo.licence_id})
    assert client.post(url, data).json()["is_valid"]
    return client.get(url, {"mode": mode})


def test_every_configured_language_is_a_preview_mode():
    from django.conf import settings

    assert [code for code, _name in PhotoFactory.build().preview_modes] == [
        code for code, _name in settings.LANGUAGES
    ]


def test_preview_in_english_shows_the_english_title(draft_and_client):
    photo, client = draft_and_client
    response = preview(client, photo, "en")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Cai Rang floating market</h1>" in html
    assert "Not yet translated" not in html


def test_preview_in_an_untranslated_language_falls_back_with_a_note(draft_and_client):
    photo, client = draft_and_client
    html = preview(client, photo, "ja").content.decode()
    assert "<h1>Chợ nổi Cái Răng</h1>" in html
    assert 'class="note"' in html and html.count('class="note"') == 2
