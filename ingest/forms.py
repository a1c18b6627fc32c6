"""The bulk upload's forms: what a batch shares, the metadata sheet, submitting it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assets.models import (
    CONTENT_LANGUAGE_CHOICES,
    InformationClass,
    Licence,
    Organisation,
    Photo,
    Place,
    Topic,
)
from assets.permissions import policy_for
from assets.text import nfc


class BatchForm(forms.Form):
    """Set once, applied to every file of the batch; what a file says of itself
    (EXIF, IPTC, XMP) fills only what is left empty here."""

    organisation = forms.ModelChoiceField(
        label=_("Contributing organisation"), queryset=Organisation.objects.none()
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    place = forms.ModelChoiceField(label=_("Place"), queryset=Place.objects.all(), required=False)
    author = forms.CharField(label=_("Author or photographer"), max_length=255, required=False)
    credit_line = forms.CharField(label=_("Credit line"), max_length=255, required=False)
    copyright_holder = forms.CharField(label=_("Copyright holder"), max_length=255, required=False)
    licence = forms.ModelChoiceField(
        label=_("Licence"), queryset=Licence.objects.all(), required=False
    )
    source = forms.CharField(label=_("Source"), max_length=500, required=False)
    information_class = forms.ChoiceField(
        label=_("Information class"),
        choices=InformationClass.choices,
        initial=InformationClass.PROMOTION,
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        required=False,
        help_text=_("Words people would search for, separated by commas."),
    )
    edition_language = forms.ChoiceField(
        label=_("Language of the PDF files"), choices=CONTENT_LANGUAGE_CHOICES, initial="vi"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        collections = policy_for(Photo).collections_user_has_permission_for(user, "add")
        allowed = Organisation.objects.filter(collection__in=collections, is_active=True)
        self.fields["organisation"].queryset = allowed
        membership = getattr(user, "membership", None)
        if membership and allowed.filter(pk=membership.organisation_id).exists():
            self.initial.setdefault("organisation", membership.organisation_id)
        self.fields["place"].queryset = Place.objects.filter(replaced_by__isnull=True)

    def defaults(self):
        """The batch's shared metadata, as stored on UploadBatch.defaults (JSON)."""
        data = self.cleaned_data
        return {
            "topics": [topic.pk for topic in data["topics"]],
            "place": data["place"].pk if data["place"] else None,
            "licence": data["licence"].pk if data["licence"] else None,
            "author": nfc(data["author"]),
            "credit_line": nfc(data["credit_line"]),
            "copyright_holder": nfc(data["copyright_holder"]),
            "source": nfc(data["source"]),
            "information_class": data["information_class"],
            "keywords": [nfc(k.strip()) for k in data["keywords"].split(",") if k.strip()],
            "edition_language": data["edition_language"],
        }


class SheetForm(forms.Form):
    sheet = forms.FileField(
        label=_("Metadata sheet (CSV or XLSX)"),
        help_text=_(
            "One row per file: a “filename” column, then title_vi, title_en, description_vi, "
            "alt_text_vi, … author, credit_line, copyright_holder, date, place (code), keywords."
        ),
    )


class SubmitBatchForm(forms.Form):
    attest_no_state_secret = forms.BooleanField(
        label=_(
            "I confirm that these files contain no state secret and no information that "
            "may not be made public."
        )
    )
    attest_rights_correct = forms.BooleanField(
        label=_("I confirm that the authors, credit lines and licences are correct.")
    )
