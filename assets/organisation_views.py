"""Admin views to reorganise: rename an organisation, or merge it into another, from an
effective date. They parse input and call operations; the rules live there."""

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from modeltranslation.utils import build_localized_fieldname
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import operations
from .models import ASSET_MODELS, Membership, Organisation


class RenameForm(forms.Form):
    effective = forms.DateField(
        label=gettext_lazy("Effective from"),
        help_text=gettext_lazy("Assets published before this date keep the former name."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in settings.LANGUAGES:
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("New name (%(language)s)") % {"language": label},
                required=code == "vi",
                max_length=255,
                initial=getattr(organisation, build_localized_fieldname("name", code)),
            )
        self.fields["effective"].initial = datetime.date.today()


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        label=gettext_lazy("Merge into"), queryset=Organisation.objects.none()
    )
    effective = forms.DateField(
        label=gettext_lazy("Effective from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["target"].queryset = Organisation.objects.filter(is_active=True).exclude(
            pk=organisation.pk
        )
        self.fields["effective"].initial = datetime.date.today()

    def clean(self):
        cleaned = super().clean()
        target = cleaned.get("target")
        if target is not None:
            ancestor = target
            while ancestor is not None:
                if ancestor.pk == self.organisation.pk:
                    raise forms.ValidationError(
                        _("An organisation cannot be merged into one of its own units.")
                    )
                ancestor = ancestor.parent
        return cleaned


class OrganisationActionView(WagtailAdminTemplateMixin, FormView):
    template_name = "wagtailadmin/generic/form.html"
    header_icon = "group"

    def dispatch(self, request, pk):
        if not request.user.has_perm("assets.change_organisation"):
            raise PermissionDenied
        self.organisation = get_object_or_404(Organisation, pk=pk, is_active=True)
        return super().dispatch(request, pk)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organisation": self.organisation}

    def get_page_subtitle(self):
        return str(self.organisation)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            action_url=self.request.path,
            submit_button_label=self.submit_button_label,
            **kwargs,
        )

    def listing_url(self):
        return reverse(Organisation.snippet_viewset.get_url_name("list"))


class RenameOrganisationView(OrganisationActionView):
    page_title = gettext_lazy("Rename organisation")
    form_class = RenameForm
    submit_button_label = gettext_lazy("Rename")

    def form_valid(self, form):
        names = {code: form.cleaned_data[f"name_{code}"] for code, _label in settings.LANGUAGES}
        operations.rename_organisation(
            self.organisation,
            names=names,
            effective=form.cleaned_data["effective"],
            user=self.request.user,
        )
        messages.success(self.request, _("The organisation has been renamed."))
        return redirect(self.listing_url())


class MergeOrganisationView(OrganisationActionView):
    page_title = gettext_lazy("Merge organisation")
    form_class = MergeForm
    submit_button_label = gettext_lazy("Merge")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["moving"] = {
            "assets": sum(
                model.objects.filter(organisation=self.organisation).count()
                for model in ASSET_MODELS
            ),
            "members": Membership.objects.filter(organisation=self.organisation).count(),
        }
        return context

    def get_template_names(self):
        return ["assets/organisation_merge.html"]

    def form_valid(self, form):
        try:
            operations.merge_organisations(
                self.organisation,
                form.cleaned_data["target"],
                effective=form.cleaned_data["effective"],
                user=self.request.user,
            )
        except ValueError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(source)s has been merged into %(target)s.")
            % {"source": self.organisation, "target": form.cleaned_data["target"]},
        )
        return redirect(self.listing_url())
