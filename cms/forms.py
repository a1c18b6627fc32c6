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


class Select(forms.Select):
    """Django's Select, with its options written by the select's own template
    (cms/widgets/select.html) instead of one template include each: the place
    filter has a hundred options, and the includes took ~3 ms of every listing."""

    template_name = "cms/widgets/select.html"


class BrowseForm(forms.Form):
    """The public listing's filters. A GET form: it works without JavaScript and its
    URL can be shared. Filters fixed by the page (a topic page's topic) are not
    offered again."""

    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[
            ("photos", _("Photos")),
            ("videos", _("Videos")),
            ("publications", _("Publications")),
        ],
        widget=Select,
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"), required=False, queryset=None, to_field_name="slug", widget=Select
    )
    place = forms.ModelChoiceField(label=_("Place"), required=False, queryset=None, widget=Select)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1800, max_value=2200)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), required=False, queryset=None, widget=Select
    )

    def __init__(self, *args, fixed=None, **kwargs):
        from assets.models import Organisation, Place, Topic

        super().__init__(*args, **kwargs)
        # Only what the options show (their __str__): a Place row carries every
        # language's name, its code, coordinates and dates.
        self.fields["topic"].queryset = Topic.objects.only("slug", "name")
        self.fields["place"].queryset = Place.objects.filter(valid_until__isnull=True).only(
            "name", "valid_until"
        )
        self.fields["organisation"].queryset = Organisation.objects.only("name")
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("id", f"filter-{name}")
            if isinstance(field, forms.ChoiceField) and name != "type":
                field.empty_label = _("All")
        fixed = fixed or {}
        if "topics" in fixed:
            del self.fields["topic"]
        if "place__in" in fixed:
            del self.fields["place"]

    def filters(self):
        """ORM filters for the valid form."""
        data = self.cleaned_data
        filters = {"kind": data.get("type") or "photos"}
        if data.get("topic"):
            filters["topics"] = data["topic"]
        if data.get("place"):
            filters["place"] = data["place"]
        if data.get("year"):
            filters["date__year"] = data["year"]
        if data.get("organisation"):
            filters["organisation"] = data["organisation"]
        return filters


class SearchForm(forms.Form):
    """The public search: the words, and the facets and sort chosen from the results
    page (links, so that the page works without JavaScript and its URL can be
    shared). Facet values are ids, as search.query.search_assets takes them."""

    q = forms.CharField(label=_("Search for"), required=False, max_length=200, strip=True)
    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=BrowseForm.base_fields["type"].choices,
    )
    topic = forms.IntegerField(label=_("Topic"), required=False, min_value=1)
    place = forms.IntegerField(label=_("Place"), required=False, min_value=1)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1800, max_value=2200)
    organisation = forms.IntegerField(label=_("Organisation"), required=False, min_value=1)
    licence = forms.IntegerField(label=_("Licence"), required=False, min_value=1)
    language = forms.ChoiceField(label=_("Language"), required=False, choices=settings.LANGUAGES)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[("relevance", _("Best match")), ("date", _("Newest first"))],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=1000)

    FILTERS = ("type", "topic", "place", "year", "organisation", "licence", "language")

    def filters(self):
        return {name: self.cleaned_data[name] for name in self.FILTERS if self.cleaned_data[name]}
