"""The "Export feed" admin menu: webhook endpoints and their delivery log."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from . import views_webhooks


class ExportFeedGroup(ViewSetGroup):
    menu_label = _("Export feed")
    menu_icon = "link-external"
    menu_order = 260
    items = (
        views_webhooks.WebhookEndpointViewSet("feed_webhookendpoint", url_prefix="feed/webhooks"),
        views_webhooks.WebhookDeliveryViewSet("feed_webhookdelivery", url_prefix="feed/deliveries"),
    )


@hooks.register("register_admin_viewset")
def register_export_feed():
    return ExportFeedGroup()


@hooks.register("register_admin_urls")
def register_webhook_urls():
    return [
        path(
            "feed/deliveries/<int:delivery_id>/resend/",
            views_webhooks.resend,
            name="feed_webhook_resend",
        ),
    ]
