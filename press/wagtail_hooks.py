"""Settings → Media kits: reviewers make a kit, copy its link, and see its downloads."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import MediaKit, MediaKitDownload
from .views_admin import MediaKitCreateView, MediaKitEditView


class LinkColumn(Column):
    cell_template_name = "press/columns/link.html"

    def get_value(self, instance):
        return instance.get_public_url()


class MediaKitViewSet(SnippetViewSet):
    model = MediaKit
    icon = "mail"
    menu_label = _("Media kits")
    add_view_class = MediaKitCreateView
    edit_view_class = MediaKitEditView
    list_display = [
        "title",
        "recipient",
        "sent_to",
        "language",
        "expires_at",
        LinkColumn("link", label=_("Link to share")),
    ]
    list_filter = ["language"]
    search_fields = ["title", "recipient"]
    inspect_view_enabled = True


class MediaKitDownloadViewSet(SnippetViewSet):
    model = MediaKitDownload
    icon = "download"
    menu_label = _("Media kit downloads")
    list_display = ["downloaded_at", "kit", "asset_title", "kind", "size"]
    list_filter = ["kit"]
    inspect_view_enabled = True
    copy_view_enabled = False


class PressViewSetGroup(SnippetViewSetGroup):
    items = (MediaKitViewSet, MediaKitDownloadViewSet)
    menu_label = _("Press room")
    menu_icon = "mail"
    menu_order = 250


register_snippet(PressViewSetGroup)
