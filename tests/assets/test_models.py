import datetime
import unicodedata

import pytest
from django.conf import settings
from django.utils import translation

from assets import operations
from assets.models import Licence, Organisation, Photo, Place, Topic

from ..factories import PhotoFactory, contributor, make_organisation

pytestmark = pytest.mark.django_db


def test_every_configured_language_has_title_columns():
    for code, _name in settings.LANGUAGES:
        column = f"title_{code.replace('-', '_')}"
        assert column in {f.name for f in Photo._meta.get_fields()}


def test_vietnamese_title_is_required_and_others_optional():
    assert not Photo._meta.get_field("title_vi").blank
    assert Photo._meta.get_field("title_en").blank


def test_translated_title_follows_active_language_and_falls_back_to_vi():
    photo = PhotoFactory(title_vi="Chợ nổi Cái Răng", title_en="Cai Rang floating market")
    with translation.override("en"):
        assert photo.title == "Cai Rang floating market"
    with translation.override("ja"):
        assert photo.title == "Chợ nổi Cái Răng"  # no Japanese yet: Vietnamese


def test_missing_languages_lists_untranslated_titles():
    photo = PhotoFactory(title_vi="Cần Thơ", title_en="Can Tho")
    assert photo.missing_languages() == [
        code for code, _n in settings.LANGUAGES if code not in ("vi", "en")
    ]


def test_text_is_stored_nfc():
    decomposed = unicodedata.normalize("NFD", "Cần Thơ")
    assert decomposed != "Cần Thơ"
    photo = PhotoFactory(title_vi=decomposed, description_vi=decomposed)
    photo.refresh_from_db()
    assert photo.title_vi == "Cần Thơ"
    assert photo.description_vi == "Cần Thơ"


def test_revisions_store_nfc_too():
    photo = PhotoFactory(title_vi="x")
    photo.title_vi = unicodedata.normalize("NFD", "Phường Ninh Kiều")
    revision = photo.save_revision()
    assert revision.content["title_vi"] == "Phường Ninh Kiều"


def test_asset_collection_is_its_organisation_collection():
    a, b = make_organisation("Phường A"), make_organisation("Phường B")
    photo = PhotoFactory(organisation=a)
    assert photo.collection == a.collection
    photo.organisation = b
    photo.save()
    assert photo.collection == b.collection


def test_organisation_gets_nested_collection_and_editors_group():
    parent = make_organisation("Sở Văn hóa", kind=Organisation.Kind.MANAGING)
    child = make_organisation("Trung tâm Xúc tiến", parent=parent)
    assert child.collection.get_parent() == parent.collection
    assert child.editors_group.collection_permissions.filter(collection=child.collection).exists()


def test_rename_keeps_former_name_for_earlier_dates():
    org = make_organisation("Sở Nông nghiệp và Phát triển nông thôn")
    operations.rename_organisation(
        org, names={"vi": "Sở Nông nghiệp và Môi trường"}, effective=datetime.date(2025, 3, 1)
    )
    assert org.name_on(datetime.date(2025, 2, 28)) == "Sở Nông nghiệp và Phát triển nông thôn"
    assert org.name_on(datetime.date(2025, 3, 1)) == "Sở Nông nghiệp và Môi trường"
    assert org.collection.name == "Sở Nông nghiệp và Môi trường"


def test_merge_moves_assets_users_and_drafts_but_published_keeps_old_name():
    source, target = make_organisation("Xã Cũ"), make_organisation("Xã Mới")
    user = contributor(source)
    published = PhotoFactory(organisation=source, live=True)
    draft = PhotoFactory(organisation=source, live=False)
    draft.save_revision(user=user)
    operations.merge_organisations(source, target, effective=datetime.date(2025, 7, 1))

    published.refresh_from_db()
    draft.refresh_from_db()
    assert published.organisation == target and published.collection == target.collection
    assert draft.organisation == target
    assert draft.latest_revision.content["organisation"] == target.pk
    assert published.organisation_name_when_published == "Xã Cũ"
    user = type(user).objects.get(pk=user.pk)
    assert user.membership.organisation == target
    assert target.editors_group in user.groups.all()
    assert source.editors_group not in user.groups.all()
    source.refresh_from_db()
    assert not source.is_active and source.merged_into == target


def test_merge_refuses_cycles():
    parent = make_organisation("Cha")
    child = make_organisation("Con", parent=parent)
    with pytest.raises(ValueError):
        operations.merge_organisations(parent, child, effective=datetime.date(2025, 7, 1))


def test_place_current_follows_replacements():
    new = Place.objects.create(name="Phường Ninh Kiều", name_vi="Phường Ninh Kiều", kind="ward")
    old = Place.objects.create(
        name="Quận Ninh Kiều",
        name_vi="Quận Ninh Kiều",
        kind="district",
        valid_until=datetime.date(2025, 6, 30),
        replaced_by=new,
    )
    assert old.current() == new
    assert new.current() == new


def test_seeded_topics_and_licences():
    slugs = set(Topic.objects.values_list("slug", flat=True))
    assert {
        "land-and-nature",
        "people",
        "history",
        "culture",
        "achievements",
        "economy",
        "investment",
        "tourism",
        "foreign-relations",
    } <= slugs
    codes = set(Licence.objects.values_list("code", flat=True))
    assert {"cc-by-4.0", "cc-by-sa-4.0", "cc0-1.0", "pdm-1.0", "all-rights-reserved"} <= codes
    assert (
        Licence.objects.get(code="cc-by-4.0").uri == "https://creativecommons.org/licenses/by/4.0/"
    )


def test_merge_moves_sub_units_and_their_collections():
    source, target = make_organisation("Huyện Cũ"), make_organisation("Thành phố Mới")
    unit = make_organisation("Phòng Văn hóa", parent=source)
    operations.merge_organisations(source, target, effective=datetime.date(2025, 7, 1))
    unit.refresh_from_db()
    assert unit.parent == target
    unit.collection.refresh_from_db()
    assert unit.collection.get_parent().pk == target.collection.pk


def test_keywords_typed_in_the_admin_are_stored_nfc(client):
    from django.urls import reverse

    organisation = make_organisation()
    photo = PhotoFactory(organisation=organisation, title_vi="Ảnh")
    client.force_login(contributor(organisation))
    url = reverse(Photo.snippet_viewset.get_url_name("edit"), args=[photo.pk])
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list | tuple)
    }
    data.update(
        {
            "organisation": organisation.pk,
            "title_vi": "Ảnh",
            "licence": photo.licence_id,
            "information_class": photo.information_class,
            "date_precision": "day",
            "keywords": unicodedata.normalize("NFD", "chợ nổi, Cần Thơ"),
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    revision = Photo.objects.get(pk=photo.pk).latest_revision
    names = {tag.name for tag in revision.as_object().keywords.all()}
    assert names == {"chợ nổi", "Cần Thơ"}
