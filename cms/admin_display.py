"""How the admin prints raw values: in Vietnamese, never as Python's English (issue 9).

Wagtail prints some values with `str()`: an inspect view shows an empty field as
"None" and a boolean as "True"/"False" (`InspectView.get_field_display_value`), and an
active boolean filter reads "Live: False" (`active_filters.BaseFilterAdapter`). Both
have a registry (`register_display_class`, `register_filter_adapter_class`), so Sen
registers its own display once, for every model, in `CmsConfig.ready()`.

Settings → Groups reads permissions by their stored English names; `permission_label`
gives the Vietnamese one to Sen's overrides of those templates
(cms/templates/wagtailusers/groups/includes/).
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, gettext_lazy
from wagtail.admin.active_filters import ActiveFilter, BaseFilterAdapter
from wagtail.admin.ui.fields import BaseFieldDisplay
from wagtail.models import Page

EMPTY = "-"  # what Wagtail's inspect view itself prints for an empty relation


def display_value(value):
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    # What the inspect template's `{{ value|localize }}` would have printed.
    return conditional_escape(localize(template_localtime(value)))


class ValueDisplay(BaseFieldDisplay):
    """An inspect view's value, as Wagtail prints it but for None and booleans."""

    def render_html(self, parent_context=None):
        return display_value(self.value)


class RevisionDisplay(BaseFieldDisplay):
    """A revision (an asset's latest or live one) by its date: Wagtail's
    `Revision.__str__` reads '"title" at 2026-11-24 01:37:21+00:00', in English and UTC."""

    def render_html(self, parent_context=None):
        return display_value(self.value and self.value.created_at)


class BooleanFilterAdapter(BaseFilterAdapter):
    """The active filter's value with the label the filter itself shows ("Có"/"Không")."""

    def get_active_filters(self):
        labels = dict(getattr(self.bound_field.field.widget, "choices", ()))
        key = "true" if self.value else "false"
        yield ActiveFilter(
            self.bound_field.auto_id,
            self.filter.label,
            labels.get(key) or display_value(bool(self.value)),
            self.get_url_without_filter_param(self.name),
        )


# Django names a model's default permissions once, in English, when `migrate` creates
# them ("Can add API key", django.contrib.auth.management), and Wagtail's group form
# reads that stored name to screen readers. The action and the model's verbose name
# give the same label in the admin's language.
DEFAULT_PERMISSION_LABELS = {
    "add": gettext_lazy("Can add %(name)s"),
    "change": gettext_lazy("Can change %(name)s"),
    "delete": gettext_lazy("Can delete %(name)s"),
    "view": gettext_lazy("Can view %(name)s"),
}


def permission_label(permission):
    """A permission's name in the active language, for Settings → Groups."""
    model = ContentType.objects.get_for_id(permission.content_type_id).model_class()
    if model is None:
        return gettext(permission.name)
    opts = model._meta
    # A model may name its custom permissions with gettext_lazy, and Wagtail describes
    # each page permission ("Add/edit pages you own", Page.permission_types) as its
    # page permissions panel means it, which is more than the default "Can add page".
    described = dict(opts.permissions)
    if issubclass(model, Page):
        described.update((codename, text) for codename, _short, text in Page.permission_types)
    name = described.get(permission.codename)
    if isinstance(name, Promise):
        return str(name)
    action, _sep, model_name = permission.codename.partition("_")
    if model_name == opts.model_name and action in DEFAULT_PERMISSION_LABELS:
        return DEFAULT_PERMISSION_LABELS[action] % {"name": opts.verbose_name}
    return gettext(permission.name)


def register():
    import django_filters
    from wagtail.admin.active_filters import register_filter_adapter_class
    from wagtail.admin.ui.fields import register_display_class
    from wagtail.models import Revision

    # Every field (Field is the base of every concrete field) and every foreign key
    # (ForeignKey has its own lookup by target model, Model is the base of every one).
    register_display_class(models.Field, display_class=ValueDisplay)
    register_display_class(models.ForeignKey, to=models.Model, display_class=ValueDisplay)
    register_display_class(models.ForeignKey, to=Revision, display_class=RevisionDisplay)
    register_filter_adapter_class(django_filters.BooleanFilter, BooleanFilterAdapter)


def boolean_column(model, name):
    """A listing column for a boolean field: Wagtail's tick/cross (read out as
    "Có"/"Không", cms/templates/wagtailadmin/tables/boolean_cell.html) instead of the
    plain column's "True"/"False"."""
    from django.utils.text import capfirst
    from wagtail.admin.ui.tables import BooleanColumn

    label = capfirst(model._meta.get_field(name).verbose_name)
    return BooleanColumn(name, label=label, sort_key=name)
