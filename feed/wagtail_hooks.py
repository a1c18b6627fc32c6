"""Export feed (admin menu): the systems that take Sen's records, their API keys,
their webhook endpoints and the delivery log (`feed/views_webhooks.py`)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.admin_display import boolean_column

from . import views_webhooks
from .models import ApiKey, Consumer
from .views_admin import ApiKeyCreateView, RevokeApiKeyView, may_issue


class ConsumerViewSet(SnippetViewSet):
    model = Consumer
    icon = "site"
    menu_label = _("Consumers")
    list_display = ["name", "contact", boolean_column(Consumer, "active"), "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "contact"]
    form_fields = ["name", "contact", "active"]
    inspect_view_enabled = True
    copy_view_enabled = False


class RevokeColumn(Column):
    cell_template_name = "feed/columns/revoke.html"

    def get_value(self, instance):
        if instance.revoked_at is not None:
            return ""
        return reverse("feed_api_key_revoke", args=[instance.pk])

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        if request is None or not may_issue(request.user):
            context["value"] = ""
        return context


class ApiKeyViewSet(SnippetViewSet):
    """Keys are issued (add) and revoked, never edited: the secret is not stored."""

    model = ApiKey
    icon = "key"
    menu_label = _("API keys")
    add_view_class = ApiKeyCreateView
    form_fields = ["consumer", "label"]
    list_display = [
        "consumer", "label", "prefix", "created_at", "last_used_at", "revoked_at",
        RevokeColumn("revoke", label=_("Revoke")),
    ]  # fmt: skip
    list_filter = ["consumer"]
    inspect_view_enabled = True
    inspect_view_fields = ["consumer", "label", "prefix", "created_at", "created_by",
                           "last_used_at", "revoked_at"]  # fmt: skip
    copy_view_enabled = False


EXPORT_FEED_VIEWSETS = [
    ConsumerViewSet,
    ApiKeyViewSet,
    views_webhooks.WebhookEndpointViewSet("feed_webhookendpoint", url_prefix="feed/webhooks"),
    views_webhooks.WebhookDeliveryViewSet("feed_webhookdelivery", url_prefix="feed/deliveries"),
]


class ExportFeedViewSetGroup(SnippetViewSetGroup):
    items = EXPORT_FEED_VIEWSETS
    menu_label = _("Export feed")
    menu_icon = "resubmit"
    menu_order = 260


register_snippet(ExportFeedViewSetGroup)


@hooks.register("register_admin_urls")
def register_feed_admin_urls():
    return [
        path(
            "feed/api-keys/<int:pk>/revoke/", RevokeApiKeyView.as_view(), name="feed_api_key_revoke"
        ),
        path(
            "feed/deliveries/<int:delivery_id>/resend/",
            views_webhooks.resend,
            name="feed_webhook_resend",
        ),
    ]
