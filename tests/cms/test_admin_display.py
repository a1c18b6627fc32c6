"""Raw values in the admin's inspect views, boolean columns and active filters read
in Vietnamese, never as Python's "None"/"True"/"False" (cms/admin_display.py)."""

import pytest
from django.utils import translation
from wagtail.admin.ui.fields import display_class_registry

from assets.models import Photo
from cms.admin_display import BooleanFilterAdapter, RevisionDisplay, display_value

from ..factories import PhotoFactory


def test_none_and_booleans_are_vietnamese_and_the_rest_as_wagtail_prints_it():
    with translation.override("vi"):
        assert [display_value(v) for v in (None, True, False)] == ["-", "Có", "Không"]
    assert display_value("<Cần Thơ>") == "&lt;Cần Thơ&gt;"


@pytest.mark.django_db
def test_every_field_and_a_revision_use_sens_display(organisation, reviewer, media_dirs):
    photo = PhotoFactory(organisation=organisation, live=False)
    photo.save_revision(user=reviewer)
    photo.refresh_from_db()
    for name in ("live", "locked_by", "title_en", "organisation"):
        display = display_class_registry.get(Photo._meta.get_field(name))
        assert display is not None, name
    revision_field = Photo._meta.get_field("latest_revision")
    assert display_class_registry.get(revision_field) is RevisionDisplay
    html = RevisionDisplay(photo.latest_revision).render_html()
    assert " at " not in html and photo.title_vi not in html


def test_an_active_boolean_filter_shows_the_filters_own_label():
    import django_filters
    from wagtail.admin.active_filters import filter_adapter_class_registry

    assert filter_adapter_class_registry.get(django_filters.BooleanFilter()) is BooleanFilterAdapter
