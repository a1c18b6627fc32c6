"""Settings → Groups names every permission in Vietnamese, to screen readers too
(issue 9): Django stores permission names in English ("Can add API key") and Wagtail's
group templates print them (cms/templates/wagtailusers/groups/includes/)."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import translation
from lxml import html
from wagtail.models import GroupPagePermission, Page

from assets import operations
from cms.admin_display import permission_label

from ..factories import make_organisation, role_user

pytestmark = pytest.mark.django_db


def permission(app_label, codename):
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def test_a_permission_is_named_in_the_admins_language():
    with translation.override("vi"):
        # A default permission: the action and the model's verbose name.
        assert permission_label(permission("feed", "add_apikey")) == "Có thể thêm khóa API"
        assert permission_label(permission("feed", "delete_consumer")) == (
            "Có thể xóa hệ thống khai thác"
        )
        # A page permission: as Wagtail's page permissions panel describes it.
        assert permission_label(permission("wagtailcore", "publish_page")) == "Xuất bản mọi trang"
        assert permission_label(permission("wagtailcore", "add_page")) == (
            "Thêm/sửa trang do mình sở hữu"
        )
        # A permission a model names with gettext_lazy.
        assert permission_label(permission("wagtailadmin", "access_admin")) == (
            "Có thể truy cập trang quản trị Wagtail"
        )
    with translation.override("en"):
        assert permission_label(permission("feed", "add_apikey")) == "Can add API key"


def test_the_group_form_reads_no_english_permission_name(client):
    client.force_login(role_user(operations.ADMINISTRATORS, is_superuser=True))
    group = Group.objects.get(pk=make_organisation("Phường An Hòa").editors_group_id)
    # A page permission, so that the page permissions panel has a row and not only
    # its template for new rows.
    GroupPagePermission.objects.create(
        group=group,
        page=Page.get_first_root_node(),
        permission=permission("wagtailcore", "publish_page"),
    )
    response = client.get(reverse("wagtailusers_groups:edit", args=[group.pk]))
    assert response.status_code == 200
    document = html.fromstring(response.content)
    # Every label: hidden ones, and those of the <template> of new rows (lxml reads a
    # template's content as ordinary children).
    labels = {" ".join(label.text_content().split()) for label in document.iter("label")}
    english = sorted(label for label in labels if re.match(r"Can |Page\b", label) or " | " in label)
    assert not english, english
    assert "Có thể thêm khóa API" in labels
    assert "Có thể sửa hệ thống khai thác" in labels
    assert "Xuất bản mọi trang" in labels
