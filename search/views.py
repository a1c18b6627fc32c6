"""The admin's asset listings search through search.query as the public site does
(one index, one ranking, folding and CJK handling), within what the user may see.
The asset choosers do too (search.forms.AssetChooserSearchForm)."""

from django.utils.functional import cached_property
from wagtail.snippets.views.snippets import IndexView

from .index import KIND_OF_MODEL
from .query import SearchError, in_ranked_order, ranked_ids


class AssetIndexView(IndexView):
    """Wagtail's snippet listing, its search answered by `ranked_ids()` with the
    user's scope (`visible_assets`, drafts included), best matches first unless the
    editor sorts by a column."""

    @cached_property
    def is_searchable(self):
        """Wagtail shows the search box only for a model in its own index
        (`class_is_indexed`) or a view with `search_fields`; assets are in Sen's
        index only, searched by `search_queryset` below. Like Wagtail's, it needs
        the results URL that the box refreshes."""
        return bool(self.index_results_url or self.search_url)

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
