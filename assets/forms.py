"""Admin forms for assets and their files.

The asset forms take the file itself (photo, video) so that a contributor uploads and
describes in one step; the file is checked by `validators.validate_upload()` while
the form is cleaned, before anything is written, so a refused file leaves no row and
no stored file behind.
"""

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm
from wagtailmedia.forms import BaseMediaForm

from review.forms import SubmissionAttestationMixin

from .models import CONTENT_LANGUAGE_CHOICES, Organisation
from .operations import create_organisation, move_organisation, store_file
from .permissions import policy_for
from .text import nfc
from .validators import validate_upload


class ValidatedFileFormMixin:
    """For Wagtail's own file forms (images, documents, media admin and choosers).

    The upload is checked when the file field turns the upload into a value, before
    the field's own checks: Wagtail's image field decodes the image with Pillow and
    answers a truncated JPEG with a 500, and its messages do not name the file. The
    check must not depend on the form's prefix either: the chooser's upload form is
    prefixed ("document-chooser-upload-file"), so `"file" in self.files` was never
    true there and a PDF with JavaScript went through."""

    upload_kind = None
    upload_info = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if field is not None:
            # An empty file reaches validate_upload(), whose message names the file.
            field.allow_empty_file = True
            field_to_python = field.to_python

            def to_python(data):
                if data is not None and hasattr(data, "size"):
                    self.upload_info = validate_upload(data, self.upload_kind)
                return field_to_python(data)

            # Fields are deep-copied per form instance: this changes only this form's.
            field.to_python = to_python

    def save(self, commit=True):
        instance = super().save(commit=False)
        info = self.upload_info
        if info is not None:
            instance.sha256 = info.sha256
            if info.page_count is not None and hasattr(instance, "page_count"):
                instance.page_count = info.page_count
        if commit:
            instance.save()
            self.save_m2m()
        return instance


class SenImageForm(ValidatedFileFormMixin, BaseImageForm):
    upload_kind = "photo"


class SenDocumentForm(ValidatedFileFormMixin, BaseDocumentForm):
    upload_kind = "publication"


class SenMediaForm(ValidatedFileFormMixin, BaseMediaForm):
    upload_kind = "video"

    def clean_thumbnail(self):
        """The poster image is an upload too: the same checks as a photo."""
        thumbnail = self.cleaned_data.get("thumbnail")
        if thumbnail and hasattr(thumbnail, "size") and self.add_prefix("thumbnail") in self.files:
            validate_upload(thumbnail, "photo")
        return thumbnail


class AssetForm(SubmissionAttestationMixin, WagtailAdminModelForm):
    """Common to photos, videos and publications.

    The organisation decides the collection (Asset.save), so offering only the
    organisations whose collection the user may add to is what stops a contributor
    from creating an asset in another organisation's collection.
    """

    # Required even when saving a draft (Wagtail relaxes `required` for drafts): the
    # organisation decides the collection, and a photo or video needs its file.
    required_on_draft = ("organisation",)

    def defer_required_fields(self):
        super().defer_required_fields()
        for name in self.required_on_draft:
            if name in self.deferred_required_fields:
                self.deferred_required_fields.remove(name)
                self.fields[name].required = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "organisation" in self.fields and self.for_user is not None:
            collections = policy_for(self._meta.model).collections_user_has_permission_for(
                self.for_user, "add"
            )
            allowed = Organisation.objects.filter(collection__in=collections, is_active=True)
            if self.instance.pk and self.instance.organisation_id:
                allowed = allowed | Organisation.objects.filter(pk=self.instance.organisation_id)
            self.fields["organisation"].queryset = allowed.distinct()
            if not self.instance.pk:
                membership = getattr(self.for_user, "membership", None)
                if membership and allowed.filter(pk=membership.organisation_id).exists():
                    self.initial.setdefault("organisation", membership.organisation_id)
        if "content_languages" in self.fields:
            self.fields["content_languages"] = forms.MultipleChoiceField(
                label=self.fields["content_languages"].label,
                choices=CONTENT_LANGUAGE_CHOICES,
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )

    def clean(self):
        cleaned = super().clean()
        if self.is_submission and self.instance.pk:
            from ingest.operations import submission_blockers

            for message in submission_blockers(self.instance):
                self.add_error(None, message)
        return cleaned

    def clean_keywords(self):
        # Tags are taggit's rows, outside NFCTextMixin: normalise them here.
        return [nfc(keyword) for keyword in self.cleaned_data.get("keywords") or []]


class FileAssetForm(AssetForm):
    """A photo or video: the form carries its file."""

    upload_kind = None
    file_field = None  # the model's FK to the file model
    file_model = None
    required_on_draft = ("organisation", "file")

    # allow_empty_file: an empty file reaches validate_upload(), whose message names
    # the file (Django's own "The submitted file is empty." does not).
    file = forms.FileField(label=_("File"), required=False, allow_empty_file=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].required = not self.instance.pk
        if self.instance.pk:
            self.fields["file"].help_text = _("Leave empty to keep the current file.")

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded is not None:  # an empty upload is falsy, and must be refused too
            self.upload_info = validate_upload(uploaded, self.upload_kind)
        return uploaded

    def make_file_record(self, instance, uploaded, info):
        return store_file(
            self.upload_kind,
            uploaded,
            info=info,
            title=instance.title_vi or uploaded.name,
            collection=instance.organisation.collection,
            user=self.for_user,
        )

    def save(self, commit=True):
        is_new = not self.instance.pk
        instance = super().save(commit=False)
        uploaded = self.cleaned_data.get("file")
        if uploaded and is_new:
            # What the file says of itself (EXIF, IPTC, XMP) fills what was left empty.
            from ingest.batches import add_file_keywords, fill_from_metadata, read_metadata

            fill_from_metadata(instance, read_metadata(uploaded, self.upload_kind))
            if not self.cleaned_data.get("keywords"):
                add_file_keywords(instance)
        if uploaded:
            record = self.make_file_record(instance, uploaded, self.upload_info)
            setattr(instance, self.file_field, record)
        if commit:
            instance.save()
            self._save_m2m()
        return instance


class PhotoForm(FileAssetForm):
    upload_kind = "photo"
    file_field = "image"

    class Media:
        js = ["ingest/prefill.js"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # A new photo's empty fields fill from its file as soon as it is chosen.
            self.fields["file"].widget.attrs.update(
                {
                    "data-sen-prefill-url": reverse("ingest:file_metadata"),
                    "data-sen-prefill-reading": _("Reading what the file says of itself…"),
                    "data-sen-prefill-done": _("Filled from the file: %(fields)s."),
                    "data-sen-prefill-nothing": _("The file carries no title, caption or credit."),
                    "data-sen-prefill-failed": _(
                        "The file could not be read now; it is checked again when you save."
                    ),
                }
            )


class VideoForm(FileAssetForm):
    upload_kind = "video"
    file_field = "media"


class PublicationForm(AssetForm):
    def clean(self):
        cleaned = super().clean()
        editions = self.formsets.get("editions")
        if editions is not None and editions.is_valid():
            languages = [
                form.cleaned_data.get("language")
                for form in editions.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")
            ]
            if len(languages) != len(set(languages)):
                self.add_error(None, _("Each language may have only one edition."))
        return cleaned


class OrganisationForm(WagtailAdminModelForm):
    """A new organisation comes with its collection and editors group
    (operations.create_organisation); editing fixes names and kind, and moving it
    under another parent moves its collection too (operations.move_organisation).
    A rename that history must remember goes through "Rename from a date"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "parent" in self.fields:
            self.fields["parent"].queryset = Organisation.objects.filter(is_active=True)

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        ancestor = parent
        while self.instance.pk and ancestor is not None:
            if ancestor.pk == self.instance.pk:
                raise forms.ValidationError(
                    _("An organisation cannot be placed under itself or one of its own units.")
                )
            ancestor = ancestor.parent
        return parent

    def save(self, commit=True):
        if self.instance.pk:
            previous_parent = Organisation.objects.get(pk=self.instance.pk).parent_id
            organisation = super().save(commit=commit)
            if commit and organisation.parent_id != previous_parent:
                move_organisation(organisation, organisation.parent)
            return organisation
        names = {
            code: self.cleaned_data.get(f"name_{code.replace('-', '_')}")
            for code, _label in settings.LANGUAGES
        }
        self.instance = create_organisation(
            names=names,
            kind=self.cleaned_data["kind"],
            parent=self.cleaned_data.get("parent"),
            user=self.for_user,
        )
        return self.instance
