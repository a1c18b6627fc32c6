import pytest
from django.urls import reverse

from ..factories import contributor, make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    organisation = make_organisation("UBND phường Ninh Kiều", en="Ninh Kieu Ward")
    user = contributor(organisation)
    client.force_login(user)
    return user


def test_admin_is_vietnamese_even_for_an_english_browser(client, editor):
    response = client.get(reverse("wagtailadmin_home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert '<html lang="vi"' in response.content.decode()


def test_translated_values_in_the_admin_follow_the_admin_language(client, editor):
    from assets.models import Photo

    url = reverse(Photo.snippet_viewset.get_url_name("add"))
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "UBND phường Ninh Kiều" in html
    assert "Ninh Kieu Ward" not in html


def test_an_explicit_account_preference_wins(client, editor):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(editor)
    profile.preferred_language = "en"
    profile.save()
    response = client.get(reverse("wagtailadmin_home"))
    assert '<html lang="en"' in response.content.decode()


def test_public_site_still_follows_the_url_language(client):
    response = client.get("/en/")
    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()


def test_admin_not_found_is_a_404_not_a_redirect_to_the_public_site(client, editor):
    from assets.models import Photo

    url = reverse(Photo.snippet_viewset.get_url_name("edit"), args=[999999])
    assert client.get(url).status_code == 404
    assert client.get("/admin/no-such-page/").status_code == 404
    assert client.get("/documents/999999/x.pdf").status_code == 404


def test_public_paths_without_language_still_redirect(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/vi/"
