from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm


class ProvinceSettingsForm(WagtailAdminModelForm):
    public_languages = forms.MultipleChoiceField(
        label=_("published languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_public_languages(self):
        codes = self.cleaned_data["public_languages"]
        if "vi" not in codes:
            raise forms.ValidationError(_("Vietnamese is always published."))
        return codes
