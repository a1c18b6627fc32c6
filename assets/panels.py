"""Edit-form building blocks: one field per configured language, grouped."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, Panel


def localized(name, code):
    return build_localized_fieldname(name, code)


def vietnamese_panels(*names):
    """The Vietnamese fields, on the first tab. The title is required even for a
    draft: Wagtail defers `required` on drafts, which would let a nameless asset in."""
    return [
        FieldPanel(localized(name, "vi"), required_on_save=(name in ("title", "name")))
        for name in names
    ]


def translation_panels(*names):
    """One collapsible group per foreign language."""
    return [
        MultiFieldPanel(
            [FieldPanel(localized(name, code)) for name in names],
            heading=label,
            classname="collapsed" if index else "",
        )
        for index, (code, label) in enumerate(settings.LANGUAGES[1:])
    ]


def name_panels():
    return [
        FieldPanel(localized("name", code), required_on_save=(code == "vi"))
        for code, _label in settings.LANGUAGES
    ]


class MissingLanguagesPanel(Panel):
    """Says which configured languages still lack a title."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "assets/panels/missing_languages.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            labels = dict(settings.LANGUAGES)
            missing = self.instance.missing_languages() if self.instance else []
            context["missing"] = [labels[code] for code in missing]
            context["heading_text"] = _("Languages still missing")
            return context
