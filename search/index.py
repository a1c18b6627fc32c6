"""Writing Sen's search index: what text and which facet values an asset is found by.

The one place that decides what is searchable, for both configurations: the rows of
`SearchEntry` (database search) and the Elasticsearch documents
(`search.elasticsearch.document_for`) are both made from `IndexedAsset`.

Always read from the database, never from an instance in memory: a snippet with
drafts keeps its draft in a revision, and an instance being edited holds text that
is not published (the live row is what the public sees). Writes come from the
background task `search.tasks.update_asset` after the transaction that changed the
asset has committed, and from `manage.py search_rebuild`.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch

from assets.models import OrganisationFormerName, Photo, Place, Publication, Video
from assets.text import language_map

from .models import SearchEntry, SearchEntryValue
from .text import folded_terms, terms

MODELS = {"photos": Photo, "videos": Video, "publications": Publication}
KIND_OF_MODEL = {model: kind for kind, model in MODELS.items()}
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
BATCH = 1000
# PostgreSQL refuses a tsvector over 1 MB; the first 200,000 characters of a PDF say
# what it is about.
MAX_FULL_TEXT = 200_000
# Facet values as terms of `SearchEntry.facet_terms` ("y.2020"): the one-letter tags
# must differ from the text's (t, e, u, f: search/migrations/0003).
FACET_PREFIX = {
    "type": "k",
    "year": "y",
    "place": "p",
    "organisation": "o",
    "licence": "l",
    "topic": "c",
    "language": "g",
}


def facet_term(facet, value):
    return f"{FACET_PREFIX[facet]}.{value}"


def translations(obj, name):
    """Every configured language's value of a translated field, Vietnamese first."""
    return list(language_map(obj, name).values())


@dataclass
class IndexedAsset:
    """What an asset is searched and narrowed by, in every language."""

    kind: str
    asset_id: int
    public: bool
    expire_at: object
    published_at: object
    date: object
    organisation_id: int | None
    licence_id: int | None
    place_id: int | None
    titles: dict = field(default_factory=dict)  # language -> text
    descriptions: dict = field(default_factory=dict)
    alt_texts: dict = field(default_factory=dict)
    keywords: list = field(default_factory=list)
    place_names: list = field(default_factory=list)  # current and former, with parents
    topic_names: list = field(default_factory=list)
    topic_ids: list = field(default_factory=list)
    organisation_names: list = field(default_factory=list)  # current and former
    credits: list = field(default_factory=list)  # author, credit line, copyright holder
    full_text: list = field(default_factory=list)  # PDF editions
    languages: list = field(default_factory=list)

    @property
    def year(self):
        return self.date.year if self.date else None

    def title_text(self):
        """Found first: titles, keywords, places and topics (what an asset *is*)."""
        return " ".join(
            [*self.titles.values(), *self.keywords, *self.place_names, *self.topic_names]
        )

    def body_text(self):
        return " ".join(
            [
                *self.descriptions.values(),
                *self.alt_texts.values(),
                *self.organisation_names,
                *self.credits,
                *self.full_text,
            ]
        )


class Lookups:
    """Names of places, topics and organisations, read once per batch: a rebuild of
    100k assets must not ask for the same commune's former names 100k times."""

    def __init__(self):
        self._places = {}
        self._organisations = {}

    def place_names(self, place_id):
        if place_id is None:
            return []
        if place_id not in self._places:
            self._places[place_id] = self._read_place_names(place_id)
        return self._places[place_id]

    @staticmethod
    def _read_place_names(place_id):
        place = Place.objects.select_related("replaced_by", "parent").get(pk=place_id)
        related = [place, place.current()]
        # Former units this one replaced (before a merger), and theirs.
        seen, queue = {place.pk}, [place.pk]
        while queue:
            former = list(Place.objects.filter(replaced_by__in=queue).exclude(pk__in=seen))
            related.extend(former)
            queue = [p.pk for p in former]
            seen.update(queue)
        # The units it lies in: a ward's photo is found by its province's name.
        parent, depth = place.parent, 0
        while parent is not None and depth < 3:
            related.append(parent)
            parent, depth = parent.parent, depth + 1
        names = []
        for unit in related:
            for name in translations(unit, "name"):
                if name not in names:
                    names.append(name)
        return names

    def organisation_names(self, *organisations):
        names = []
        for organisation in organisations:
            if organisation is None:
                continue
            if organisation.pk not in self._organisations:
                found = translations(organisation, "name")
                for former in organisation.former_names.all():
                    found.extend(translations(former, "name"))
                self._organisations[organisation.pk] = found
            names.extend(n for n in self._organisations[organisation.pk] if n not in names)
        return names


def assets_of(kind):
    """The queryset an indexing pass reads, with what it needs in a few queries."""
    queryset = (
        MODELS[kind]
        .objects.select_related("organisation", "attributed_organisation")
        .prefetch_related("topics", "tagged_items__tag")
    )
    if kind == "publications":
        queryset = queryset.prefetch_related(
            Prefetch("editions", to_attr="indexed_editions"), "editions__document"
        )
    return queryset


def indexed(asset, lookups=None):
    lookups = lookups or Lookups()
    kind = KIND_OF_MODEL[type(asset)]
    titles = language_map(asset, "title")
    languages = list(titles)
    full_text = []
    if kind == "publications":
        for edition in asset.editions.all():
            if edition.language not in languages:
                languages.append(edition.language)
            if edition.document.text:
                full_text.append(edition.document.text[:MAX_FULL_TEXT])
    topics = list(asset.topics.all())
    return IndexedAsset(
        kind=kind,
        asset_id=asset.pk,
        public=asset.is_public,
        expire_at=asset.expire_at,
        published_at=asset.first_published_at,
        date=asset.date,
        organisation_id=asset.organisation_id,
        licence_id=asset.licence_id,
        place_id=asset.place_id,
        titles=titles,
        descriptions=language_map(asset, "description"),
        alt_texts=language_map(asset, "alt_text"),
        keywords=[item.tag.name for item in asset.tagged_items.all()],
        place_names=lookups.place_names(asset.place_id),
        topic_names=[name for topic in topics for name in translations(topic, "name")],
        topic_ids=[topic.pk for topic in topics],
        organisation_names=lookups.organisation_names(
            asset.organisation,
            asset.attributed_organisation if asset.attributed_organisation_id else None,
        ),
        credits=[v for v in (asset.author, asset.credit_line, asset.copyright_holder) if v],
        full_text=full_text,
        languages=languages,
    )


def entry_for(item):
    """The SearchEntry row and its facet values for an IndexedAsset."""
    title_terms, body_terms = terms(item.title_text()), terms(item.body_text())
    values = [("topic", str(pk)) for pk in item.topic_ids] + [
        ("language", code) for code in item.languages
    ]
    scalars = [
        ("type", item.kind),
        ("year", item.year),
        ("place", item.place_id),
        ("organisation", item.organisation_id),
        ("licence", item.licence_id),
    ]
    entry = SearchEntry(
        kind=item.kind,
        asset_id=item.asset_id,
        public=item.public,
        expire_at=item.expire_at,
        published_at=item.published_at,
        date=item.date,
        year=item.year,
        organisation_id=item.organisation_id,
        licence_id=item.licence_id,
        place_id=item.place_id,
        title_exact=" ".join(title_terms),
        title_folded=" ".join(folded_terms(title_terms)),
        body_exact=" ".join(body_terms),
        body_folded=" ".join(folded_terms(body_terms)),
        facet_terms=" ".join(
            facet_term(facet, value) for facet, value in scalars if value is not None
        ),
        value_terms=" ".join(sorted({facet_term(facet, value) for facet, value in values})),
    )
    return entry, values


def write(items, announce=True):
    """Replace the entries of these IndexedAssets (one transaction per call);
    `announce=False` leaves telling of the change to the caller (a rebuild tells once)."""
    items = list(items)
    with transaction.atomic():
        public = any(item.public for item in items)
        for kind in {item.kind for item in items}:
            old = SearchEntry.objects.filter(
                kind=kind, asset_id__in=[i.asset_id for i in items if i.kind == kind]
            )
            public = public or old.filter(public=True).exists()
            old.delete()
        pairs = [entry_for(item) for item in items]
        entries = SearchEntry.objects.bulk_create([entry for entry, _values in pairs])
        # Both databases return the new ids (SQLite >= 3.35, PostgreSQL).
        SearchEntryValue.objects.bulk_create(
            [
                SearchEntryValue(entry=entry, facet=facet, value=value)
                for entry, (_entry, values) in zip(entries, pairs, strict=True)
                for facet, value in values
            ]
        )
        if public and announce:
            public_results_changed()


def public_results_changed():
    """Public search results (and the pages showing them, and the cached counts of
    search.query) change once this transaction commits: a new public generation, and
    a new version of the public index (search.collection)."""
    from cms.cache import purge

    from . import collection

    transaction.on_commit(purge)
    transaction.on_commit(collection.changed)


def update_asset(kind, pk):
    """Rewrite (or drop) the entry of one asset from what the database holds now."""
    asset = assets_of(kind).filter(pk=pk).first()
    if asset is None:
        with transaction.atomic():
            old = SearchEntry.objects.filter(kind=kind, asset_id=pk)
            public = old.filter(public=True).exists()
            old.delete()
            if public:
                public_results_changed()
        return None
    item = indexed(asset)
    write([item])
    return item


def assets_naming(model_label, pk):
    """(kind, pk) of the assets whose text holds the name of this place, topic or
    organisation (a former name belongs to its organisation)."""
    for kind, model in MODELS.items():
        queryset = model.objects.all()
        if model_label == "assets.place":
            # The asset's place, a unit it replaced or replaces, or a parent.
            places = {pk} | set(Place.objects.filter(parent_id=pk).values_list("pk", flat=True))
            places |= set(Place.objects.filter(replaced_by_id=pk).values_list("pk", flat=True))
            places |= set(Place.objects.filter(replaces__pk=pk).values_list("pk", flat=True))
            queryset = queryset.filter(place__in=places)
        elif model_label == "assets.topic":
            queryset = queryset.filter(topics=pk)
        elif model_label == "assets.organisation":
            queryset = queryset.filter(organisation=pk) | queryset.filter(
                attributed_organisation=pk
            )
        elif model_label == "assets.organisationformername":
            organisation = OrganisationFormerName.objects.filter(pk=pk).values("organisation")
            queryset = queryset.filter(organisation__in=organisation)
        else:
            continue
        for asset_pk in queryset.values_list("pk", flat=True).distinct():
            yield kind, asset_pk


def rebuild(kinds=None, batch=BATCH, progress=None):
    """Every entry again, in batches; entries of deleted assets go."""
    lookups = Lookups()
    total = 0
    for kind in kinds or MODELS:
        SearchEntry.objects.filter(kind=kind).delete()
        last = 0
        while True:
            chunk = list(assets_of(kind).filter(pk__gt=last).order_by("pk")[:batch])
            if not chunk:
                break
            write([indexed(asset, lookups) for asset in chunk], announce=False)
            last = chunk[-1].pk
            total += len(chunk)
            if progress:
                progress(total)
    public_results_changed()
    return total
