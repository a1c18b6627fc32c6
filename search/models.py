"""Sen's own search index on the database: one row per asset, denormalised.

Why not Wagtail's database search (modelsearch) over Photo, Video and Publication, as
before issue 7: at 100k assets on SQLite the public search took 16 s (p50,
bench/site.py). modelsearch's SQLite query ranks with a correlated subquery that runs
the FTS5 MATCH again for every matching row (`score_subquery ... OuterRef("pk")`),
compares the integer primary key with its text `object_id` (no index can serve
`pk IN (SELECT object_id ...)`), and Sen ran it, plus a count, once per kind: six
full-text scans per page, each quadratic in the matches. Facets (counts per topic,
place, year...) would have added a query per facet over three tables.

So Sen keeps one row per asset here, with its text already cut into terms
(`search.text`) in four columns (title-like and body-like, each exact and folded)
and its facet values as columns (multi-valued ones, topics and languages, in
`SearchEntryValue`). Each database indexes those columns with its own full-text
machinery: an FTS5 table kept in sync by triggers on SQLite (migration 0002), a
generated `tsvector` of tagged terms and facet values with a GIN index on PostgreSQL
(migration 0003). The queries (`search.query`) are two statements on both: the page
of hits, then the total and the facets. Rows are written only by `search.index`.

Every asset has a row (so that the admin's search, which must also find drafts, uses
the same index and ranking); `public` is `Asset.is_public` when the row was written,
and public queries also compare `expire_at` with the time of the query, so an asset
leaves public results the moment it expires (the scheduler's unpublish then rewrites
the row). The Elasticsearch index (`search.elasticsearch`) holds public assets only.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    kind = models.CharField(max_length=12)  # cms.published.KINDS: photos, videos, publications
    asset_id = models.BigIntegerField()
    public = models.BooleanField(default=False)
    expire_at = models.DateTimeField(null=True)
    published_at = models.DateTimeField(null=True)
    date = models.DateField(null=True)
    year = models.SmallIntegerField(null=True)
    organisation_id = models.BigIntegerField(null=True)
    licence_id = models.BigIntegerField(null=True)
    place_id = models.BigIntegerField(null=True)
    # Space-separated terms (search.text): titles, keywords, places, topics...
    title_exact = models.TextField(blank=True)
    title_folded = models.TextField(blank=True)
    # ... and descriptions, alt text, organisation, credit, PDF text.
    body_exact = models.TextField(blank=True)
    body_folded = models.TextField(blank=True)
    # The facet values as terms (search.index.FACET_PREFIX): the single-valued ones
    # ("k.photos y.2020 p.12 o.3 l.1") and the topics and languages ("c.5 c.7 g.en
    # g.vi"). On PostgreSQL both join the text in one full-text index, so a filter
    # narrows the match inside the GIN index instead of row by row; and counting the
    # matches per `value_terms` (a few hundred combinations) counts topics and
    # languages in the same pass as the other facets (migration 0003).
    facet_terms = models.TextField(blank=True)
    value_terms = models.TextField(blank=True)

    class Meta:
        verbose_name = _("search index entry")
        verbose_name_plural = _("search index entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "asset_id"], name="one_entry_per_asset")
        ]
        indexes = [models.Index(fields=["public", "kind"], name="search_entry_public_kind")]

    def __str__(self):
        return f"{self.kind} {self.asset_id}"


class SearchEntryValue(models.Model):
    """A value of a multi-valued facet of an entry: its topics and its languages."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="values")
    facet = models.CharField(max_length=10)  # "topic" or "language"
    value = models.CharField(max_length=20)

    class Meta:
        verbose_name = _("search facet value")
        verbose_name_plural = _("search facet values")
        indexes = [models.Index(fields=["facet", "value", "entry"], name="search_value_lookup")]

    def __str__(self):
        return f"{self.facet}={self.value}"


class ZeroResultQuery(models.Model):
    """Public searches that found nothing, counted per language, folded query and day
    for the reports (issue: what visitors look for and Sen does not have). Nothing
    about who searched is kept: no user, no address, no time of day."""

    language = models.CharField(_("language"), max_length=10)
    query = models.CharField(_("query"), max_length=200)
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("searches"), default=0)

    class Meta:
        verbose_name = _("search without results")
        verbose_name_plural = _("searches without results")
        constraints = [
            models.UniqueConstraint(
                fields=["language", "query", "day"], name="one_zero_result_row_per_day"
            )
        ]

    def __str__(self):
        return f"{self.day} [{self.language}] {self.query}: {self.count}"
