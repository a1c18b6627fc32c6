"""The admin's asset listings search through search.query as the public site does
(one index, one ranking, folding and CJK handling), within what the user may see.
The asset choosers do too (search.forms.AssetChooserSearchForm)."""

from wagtail.snippets.views.snippets import IndexView

from .index import KIND_OF_MODEL
from .query import SearchError, in_ranked_order, ranked_ids


class AssetIndexView(IndexView):
    """Wagtail's snippet listing, its search answered by `ranked_ids()` with the
    user's scope (`visible_assets`, drafts included), best matches first unless the
    editor sorts by a column."""

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        try:
            ranked = ranked_ids(
                self.search_query, user=self.request.user, kinds=[KIND_OF_MODEL[self.model]]
            )
        except SearchError:
            return queryset.none()
        return in_ranked_order(queryset, ranked, reorder=not self.is_explicitly_ordered)
