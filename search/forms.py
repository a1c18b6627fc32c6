"""The asset choosers' search box, answered by Sen's index (search.query).

Wagtail's chooser form (`SearchFilterMixin`) asks Wagtail's own index
(`search_backend.autocomplete`), which no longer holds assets: one index for assets,
Sen's, so that a chooser finds what the listings and the public site find, folded
("can th" finds "Cần Thơ"), CJK inside longer titles, exact diacritics first."""

from wagtail.admin.forms.choosers import BaseFilterForm, SearchFilterMixin

from .index import KIND_OF_MODEL
from .query import SearchError, in_ranked_order, ranked_ids


class AssetChooserSearchForm(SearchFilterMixin, BaseFilterForm):
    """Wagtail's search field (its label and placeholder), Sen's search.

    A chooser searches as the editor types, so the last word is a prefix
    (`ranked_ids(prefix=True)`), within what the user may choose: the view's
    queryset (`visible_assets(user, model, ["choose"])`) and the same scope inside
    the index query, so that the best matches it returns are all choosable. A query
    Sen refuses (too long, too many words) shows its message (`search_error`) over
    an empty list, not an error page.
    """

    def __init__(self, *args, user, model, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.model = model
        self.search_error = None

    def filter(self, objects):
        # Skip SearchFilterMixin.filter (Wagtail's index), keep the other filters.
        objects = super(SearchFilterMixin, self).filter(objects)
        query = self.cleaned_data.get("q")
        if not query:
            return objects
        self.is_searching = True
        self.search_query = query
        try:
            ranked = ranked_ids(
                query,
                user=self.user,
                kinds=[KIND_OF_MODEL[self.model]],
                prefix=True,
                actions=["choose"],
            )
        except SearchError as error:
            self.search_error = error.message
            return objects.none()
        return in_ranked_order(objects, ranked)
