"""The admin's asset listings search through search.query, within the user's scope."""

import pytest
from django.test import Client
from django.urls import reverse

from assets.models import Photo, Publication, Video
from tests.factories import contributor, make_organisation

pytestmark = pytest.mark.django_db


def listing(user, query):
    client = Client()
    client.force_login(user)
    url = reverse(Photo.snippet_viewset.get_url_name("list_results"))
    response = client.get(url, {"q": query})
    assert response.status_code == 200
    return [photo.title_vi for photo in response.context["object_list"]]


def test_contributors_find_their_drafts_folded_and_not_other_organisations(make_photo):
    mine = make_organisation("Phường Ninh Kiều")
    theirs = make_organisation("Phường Cái Khế")
    editor = contributor(mine)
    make_photo(live=False, title_vi="Cầu đi bộ Cần Thơ", organisation=mine)
    make_photo(live=False, title_vi="Cần Thơ về đêm", title_ja="夜のカントー", organisation=mine)
    make_photo(title_vi="Cần Thơ nhìn từ trên cao", organisation=theirs)
    assert sorted(listing(editor, "can tho")) == ["Cần Thơ về đêm", "Cầu đi bộ Cần Thơ"]
    assert listing(editor, "cầu đi bộ") == ["Cầu đi bộ Cần Thơ"]
    assert listing(editor, "nhin tu tren cao") == []
    # Inside a longer Japanese title: Sen's index (CJK bigrams), not Wagtail's.
    assert listing(editor, "カントー") == ["Cần Thơ về đêm"]


def test_reviewers_see_every_organisation(make_photo, reviewer):
    make_photo(live=False, title_vi="Bến Ninh Kiều", organisation=make_organisation("Phường X"))
    make_photo(title_vi="Bến tàu", organisation=make_organisation("Phường Y"))
    assert sorted(listing(reviewer, "ben")) == ["Bến Ninh Kiều", "Bến tàu"]
    assert listing(reviewer, "x" * 500) == []


def test_the_listings_offer_their_search_box(reviewer):
    """Assets are not in Wagtail's index, by which Wagtail decides to show the box."""
    client = Client()
    client.force_login(reviewer)
    for model in (Photo, Video, Publication):
        response = client.get(reverse(model.snippet_viewset.get_url_name("list")))
        assert response.status_code == 200
        assert response.context["search_form"] is not None
        assert 'name="q"' in response.content.decode()
