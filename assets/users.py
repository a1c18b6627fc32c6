"""Wagtail's user admin, with the organisation a user belongs to.

Choosing the organisation makes the user a contributor of it (its editors group,
operations.add_member); clearing it removes that. Role groups (reviewers, auditors,
administrators) stay ordinary group choices."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet

from . import operations
from .models import Membership, Organisation


class MembershipFormMixin(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
        help_text=_("Members of an organisation contribute to its collection."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        membership = Membership.objects.filter(user_id=self.instance.pk).first()
        if self.instance.pk and membership:
            self.fields["organisation"].initial = membership.organisation_id

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            self.save_membership(user)
        return user

    def save_membership(self, user):
        organisation = self.cleaned_data.get("organisation")
        if organisation is not None:
            operations.add_member(user, organisation)
        else:
            operations.remove_member(user)


class SenUserCreationForm(MembershipFormMixin, UserCreationForm):
    pass


class SenUserEditForm(MembershipFormMixin, UserEditForm):
    pass


class SenUserViewSet(UserViewSet):
    def get_form_class(self, for_update=False):
        return SenUserEditForm if for_update else SenUserCreationForm
