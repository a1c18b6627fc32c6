"""Admin views of review and publishing; thin, the rules are in operations.py."""

from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail.admin import messages
from wagtail.snippets.views.snippets import UnpublishView

from .forms import WithdrawalForm
from .operations import withdraw


class WithdrawView(UnpublishView):
    """Wagtail's unpublish confirmation, with the reason the province requires."""

    template_name = "review/confirm_withdraw.html"

    def get(self, request, *args, **kwargs):
        return self._not_live(request) or super().get(request, *args, **kwargs)

    def _not_live(self, request):
        """Only what the public sees can be withdrawn: a draft, a rejected or expired
        asset has nothing to take back (and a Withdrawal would tell the national
        database to delete a record it never had)."""
        if self.object.live:
            return None
        messages.error(request, _("This is not published, so there is nothing to withdraw."))
        return redirect(self.get_next_url())

    def get_form(self):
        return WithdrawalForm(self.request.POST if self.request.method == "POST" else None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        return context

    def post(self, request, *args, **kwargs):
        not_live = self._not_live(request)
        if not_live:
            return not_live
        form = self.get_form()
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        hook_response = self.run_hook("before_unpublish", request, self.object)
        if hook_response is not None:
            return hook_response
        withdraw(self.object, user=request.user, reason=form.cleaned_data["reason"])
        hook_response = self.run_hook("after_unpublish", request, self.object)
        if hook_response is not None:
            return hook_response
        messages.success(request, self.get_success_message(), buttons=self.get_success_buttons())
        return redirect(self.get_next_url())
