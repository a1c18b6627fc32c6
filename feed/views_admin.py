"""Admin screens of API keys: issue (the whole key shown once) and revoke.

Issuing goes through `feed.keys.issue`, so only the hash is stored; the whole key is
rendered in the answer to the POST that made it, never redirected through a message
(messages are stored in the session) and never shown again."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View
from wagtail.snippets.views.snippets import CreateView

from . import keys
from .models import ApiKey


def may_issue(user):
    return user.is_active and (user.is_superuser or user.has_perm("feed.add_apikey"))


class ApiKeyCreateView(CreateView):
    def form_valid(self, form):
        key, whole = keys.issue(
            form.cleaned_data["consumer"], label=form.cleaned_data.get("label", ""),
            user=self.request.user,
        )  # fmt: skip
        response = TemplateResponse(
            self.request, "feed/api_key_issued.html",
            {"key": key, "whole_key": whole, "header_title": _("API key issued")},
        )  # fmt: skip
        response["Cache-Control"] = "no-store"
        return response


class RevokeApiKeyView(View):
    def dispatch(self, request, pk):
        if not may_issue(request.user):
            raise PermissionDenied
        self.key = get_object_or_404(ApiKey.objects.select_related("consumer"), pk=pk)
        return super().dispatch(request, pk)

    def get(self, request, pk):
        return TemplateResponse(request, "feed/api_key_revoke.html", {"key": self.key})

    def post(self, request, pk):
        keys.revoke(self.key)
        messages.success(request, _("API key %(prefix)s… revoked.") % {"prefix": self.key.prefix})
        return redirect("wagtailsnippets_feed_apikey:list")
