"""The asset choosers search Sen's index (search.forms.AssetChooserSearchForm), not
Wagtail's: as the editor types (the last word a prefix), folded, best matches first,
within what the user may choose, and a refused query is a message, not an error."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import translation
from wagtail.models import GroupCollectionPermission

from assets.models import Photo, Publication, Video
from search.query import MAX_QUERY_LENGTH

from ..factories import UserFactory
from .test_permissions import chooser_url, client_for, make_asset, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_dirs")]

MODELS = [Photo, Video, Publication]


def chosen_titles(client, model, query):
    response = client.get(chooser_url(model, "choose_results"), {"q": query})
    assert response.status_code == 200
    return [asset.title_vi for asset in response.context["results"].object_list]


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_contributor_finds_own_asset_as_typed_and_not_another_organisations(
    model, org_a, org_b, contributor_a
):
    make_asset(model, org_a, "Bến Cần Thơ", live=False)
    make_asset(model, org_b, "Cần Thơ wombat")
    client = client_for(contributor_a)
    assert chosen_titles(client, model, "can th") == ["Bến Cần Thơ"]
    assert chosen_titles(client, model, "bến cầ") == ["Bến Cần Thơ"]
    assert chosen_titles(client, model, "can tho xa") == []
    # The modal's first answer (JSON) too.
    response = client.get(chooser_url(model, "choose"), {"q": "can th"})
    assert response.status_code == 200
    assert "Bến Cần Thơ" in text_of(response)
    assert "wombat" not in text_of(response)


def test_best_matches_first_exact_diacritics_before_folded(org_a, contributor_a):
    make_asset(Photo, org_a, "Cần Thơ về đêm")
    make_asset(Photo, org_a, "Can Tho by night")
    make_asset(Photo, org_a, "Chợ nổi")
    client = client_for(contributor_a)
    assert chosen_titles(client, Photo, "cần th") == ["Cần Thơ về đêm", "Can Tho by night"]
    assert chosen_titles(client, Photo, "can th") == ["Can Tho by night", "Cần Thơ về đêm"]
    # Without a query, every asset the user may choose.
    assert len(chosen_titles(client, Photo, "")) == 3


def test_a_refused_query_shows_its_message_and_no_results(org_a, contributor_a):
    make_asset(Photo, org_a, "Cần Thơ về đêm")
    client = client_for(contributor_a)
    with translation.override("vi"):
        message = str(
            translation.gettext("The search is too long: at most %(max)d characters.")
            % {"max": MAX_QUERY_LENGTH}
        )
    for name in ("choose_results", "choose"):
        response = client.get(chooser_url(Photo, name), {"q": "can " * 60})
        assert response.status_code == 200
        assert message in text_of(response)
        assert "Cần Thơ về đêm" not in text_of(response)


def test_a_user_who_may_only_choose_finds_by_search(org_a):
    """The "choose" permission alone (e.g. a page editor's group) is enough: the
    index is asked with the chooser's scope, not the listing's."""
    make_asset(Photo, org_a, "Cần Thơ về đêm")
    group = Group.objects.create(name="Chọn ảnh")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupCollectionPermission.objects.create(
        group=group,
        collection=org_a.collection,
        permission=Permission.objects.get(codename="choose_photo"),
    )
    user = UserFactory()
    user.groups.add(group)
    assert chosen_titles(client_for(user), Photo, "can th") == ["Cần Thơ về đêm"]
