"""Admin screens of the webhooks: endpoints (administrators register them; the
signing secret is shown to them only), the delivery log per endpoint (auditors read
it) and a manual resend. Views are thin: `feed.webhooks` holds the rules."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.views.generic.models import CreateView, IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button, ListingButton
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

from cms.admin_display import boolean_column

from . import webhooks
from .models import WebhookDelivery, WebhookEndpoint


class DeliveryPolicy(ModelPermissionPolicy):
    """The delivery log is written by Sen: nobody adds, edits or deletes a row.
    "resend" is what the "change" permission grants."""

    def user_has_permission(self, user, action):
        if action == "resend":
            return super().user_has_permission(user, "change")
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(WebhookDelivery, DeliveryPolicy(WebhookDelivery))


def _may_resend(user, delivery):
    policy = policy_registry.get_by_type(WebhookDelivery)
    return policy.user_has_permission(user, "resend") and delivery.status != (
        WebhookDelivery.Status.CANCELLED
    )


def _log_url(endpoint):
    return reverse("feed_webhookdelivery:index") + f"?endpoint={endpoint.pk}"


# --- Endpoints ---------------------------------------------------------------------


class EndpointCreateView(CreateView):
    def save_instance(self):
        self.form.instance.created_by = self.request.user
        return super().save_instance()

    def get_success_url(self):
        # Straight to the endpoint's page, where its secret is shown.
        return reverse("feed_webhookendpoint:inspect", args=[self.object.pk])


class EndpointIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(
            ListingButton(
                _("Delivery log"), url=_log_url(instance), icon_name="list-ul", priority=5
            )
        )
        return buttons


class EndpointInspectView(InspectView):
    fields = ["consumer", "url", "active", "on_created", "on_updated", "on_deleted", "secret",
              "created_at", "created_by"]  # fmt: skip

    def get_fields(self):
        fields = super().get_fields()
        # The secret signs every delivery: whoever holds it can forge Sen's webhooks.
        if not self.user_has_permission("change"):
            fields = [name for name in fields if name != "secret"]
        return fields

    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        buttons.append(Button(_("Delivery log"), url=_log_url(self.object), icon_name="list-ul"))
        return buttons


class EndpointForm(forms.ModelForm):
    url = forms.URLField(
        label=gettext_lazy("URL"), max_length=500, assume_scheme="https",
        help_text=gettext_lazy("Where Sen sends the changes: https only."),
    )  # fmt: skip

    class Meta:
        model = WebhookEndpoint
        fields = ["consumer", "url", "active", "on_created", "on_updated", "on_deleted"]


BOOLEAN_FIELDS = ("active", "on_created", "on_updated", "on_deleted")


class WebhookEndpointViewSet(ModelViewSet):
    model = WebhookEndpoint
    icon = "link-external"
    menu_label = gettext_lazy("Webhook endpoints")
    list_display = [
        "url",
        "consumer",
        *(boolean_column(WebhookEndpoint, name) for name in BOOLEAN_FIELDS),
    ]
    list_filter = ["consumer", "active"]
    add_view_class = EndpointCreateView
    index_view_class = EndpointIndexView
    inspect_view_enabled = True
    inspect_view_class = EndpointInspectView
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return EndpointForm


# --- Delivery log ------------------------------------------------------------------


class DeliveryIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if _may_resend(self.request.user, instance):
            url = reverse("feed_webhook_resend", args=[instance.pk])
            buttons.append(ListingButton(_("Resend"), url=url, icon_name="redirect", priority=5))
        return buttons


class DeliveryInspectView(InspectView):
    fields = ["endpoint", "event", "local_id", "event_id", "status", "attempts", "next_attempt_at",
              "last_attempt_at", "last_status_code", "last_error", "delivered_at", "created_at",
              "payload"]  # fmt: skip

    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if _may_resend(self.request.user, self.object):
            url = reverse("feed_webhook_resend", args=[self.object.pk])
            buttons.append(Button(_("Resend"), url=url, icon_name="redirect"))
        return buttons


class WebhookDeliveryViewSet(ModelViewSet):
    model = WebhookDelivery
    icon = "list-ul"
    menu_label = gettext_lazy("Webhook deliveries")
    list_display = ["created_at", "endpoint", "event", "local_id", "status", "attempts",
                    "next_attempt_at", "last_status_code", "last_error"]  # fmt: skip
    list_filter = ["endpoint", "status", "event"]
    index_view_class = DeliveryIndexView
    inspect_view_enabled = True
    inspect_view_class = DeliveryInspectView
    copy_view_enabled = False
    form_fields = []


# --- Resend ------------------------------------------------------------------------


def resend(request, delivery_id):
    """GET asks to confirm, POST sends the event again (same idempotency key)."""
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"), pk=delivery_id)
    if not _may_resend(request.user, delivery):
        raise PermissionDenied
    if request.method == "POST":
        try:
            webhooks.resend(delivery)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The event will be sent again."))
        return redirect("feed_webhookdelivery:inspect", delivery.pk)
    return TemplateResponse(request, "feed/webhooks/resend.html", {"delivery": delivery})
