import logging
import smtplib

from django.contrib import messages
from django.utils.translation import gettext as _
from wagtail.snippets.views.snippets import CreateView, EditView

from . import operations

logger = logging.getLogger(__name__)


class ShareOnSaveMixin:
    """Once the kit is saved, e-mail its link if an address was given (and not yet
    sent there). A mail server that fails does not undo the kit: the reviewer is told
    and can copy the link from the list. Sent in the request, not on commit, so that
    the reviewer reads the outcome on the next page; saving is the view's last step."""

    def save_instance(self):
        instance = super().save_instance()
        self._share(instance)
        return instance

    def _share(self, kit):
        try:
            if operations.share(kit):
                messages.success(
                    self.request,
                    _("The link was sent to %(email)s.") % {"email": kit.email},
                )
        except (smtplib.SMTPException, OSError) as error:
            logger.warning("Media kit %s: sending to %s failed: %s", kit.pk, kit.email, error)
            messages.warning(
                self.request,
                _(
                    "The kit is saved, but the e-mail to %(email)s could not be sent. "
                    "Copy the link from the list and send it yourself."
                )
                % {"email": kit.email},
            )


class MediaKitCreateView(ShareOnSaveMixin, CreateView):
    """Records who made the kit."""

    def save_instance(self):
        self.form.instance.created_by = self.request.user
        return super().save_instance()


class MediaKitEditView(ShareOnSaveMixin, EditView):
    pass
