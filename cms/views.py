"""The public site's views. Thin: what the public may see comes from cms.published,
what search engines read from cms.seo; pages are cached by cms.cache."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from assets.models import Photo, Place, Topic
from ingest.models import Derivative

from . import published, seo
from .forms import BrowseForm, SearchForm
from .languages import public_languages


def _check_language(request):
    if request.LANGUAGE_CODE not in dict(public_languages(request)):
        raise Http404


@require_safe
def asset_detail(request, kind, pk, slug):
    _check_language(request)
    if kind not in published.KINDS:
        raise Http404
    asset = get_object_or_404(published.QUERYSETS[kind](), pk=pk)
    canonical = published.public_url(asset)
    if request.path != canonical:
        return redirect(canonical, permanent=True)
    published.prepare([asset])
    publisher = asset.organisation_name_when_published
    context = {
        "asset": asset,
        "kind": kind,
        "publisher": publisher,
        "canonical": request.build_absolute_uri(canonical),
        "alternates": [
            (code, request.build_absolute_uri(published.public_url(asset, code)))
            for code, _name in public_languages(request)
        ],
        "fallbacks": seo.fallback_fields(asset),
        "jsonld": seo.asset_jsonld(request, asset, publisher),
        "og": seo.asset_opengraph(request, asset),
    }
    if kind == "photos":
        context["downloads"] = _downloads(asset)
    response = TemplateResponse(request, f"cms/public/{kind}_detail.html", context)
    response.sen_expires = asset.expire_at
    return response


def _downloads(photo):
    """The sizes the photo's licence lets the public download, among those made."""
    allowed = (photo.licence.download_sizes or []) if photo.licence else []
    made = {
        d.name.removeprefix("download-"): d
        for d in Derivative.objects.filter(
            image=photo.image_id, name__in=[f"download-{size}" for size in allowed]
        )
    }
    return [
        {
            "size": size,
            "label": published.download_label(size),
            "width": made[size].width,
            "height": made[size].height,
            "bytes": made[size].size,
        }
        for size in allowed
        if size in made
    ]


def _listing(request, *, template, fixed=None, extra=None):
    """A filtered, paged listing of one kind of asset (browse, topic, place)."""
    _check_language(request)
    form = BrowseForm(request.GET or None, fixed=fixed or {})
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
        page, assets = None, []
    else:
        filters = form.filters() if form.is_bound else {}
        filters.update(fixed or {})
        kind = filters.pop("kind", "photos")
        topic = filters.pop("topics", None)
        queryset, count = published.CARDS[kind]().filter(**filters), None
        if topic is not None:
            queryset, count = published.of_topic(queryset, topic)
        queryset = queryset.order_by("-first_published_at", "-pk")
        paginator = published.Listing(queryset, published.PAGE_SIZE, count=count)
        page = paginator.get_page(request.GET.get("page"))
        assets = published.prepare(page.object_list)
    context = {"form": form, "page": page, "assets": assets, **(extra or {})}
    response = TemplateResponse(request, template, context, status=status)
    response.sen_expires = published.earliest_expiry(assets)
    return response


@require_safe
def browse(request):
    return _listing(request, template="cms/public/browse.html")


@require_safe
def topic(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    return _listing(
        request,
        template="cms/public/browse.html",
        fixed={"topics": topic},
        extra={"heading": topic.name, "topic": topic},
    )


@require_safe
def place(request, pk, slug=""):
    place = get_object_or_404(Place, pk=pk)
    canonical_slug = published.slug_for(place.name)
    if slug != canonical_slug:
        return redirect("public_place", pk=place.pk, slug=canonical_slug, permanent=True)
    # A place page shows the place and every unit inside it (a commune's villages).
    places = [place.pk, *place.children.values_list("pk", flat=True)]
    return _listing(
        request,
        template="cms/public/browse.html",
        fixed={"place__in": places},
        extra={"heading": place.name, "place": place},
    )


@require_safe
def search(request):
    """The public search page: search.query.search_assets (public assets only), its
    facets as links that add or remove one filter, sort and pages."""
    from django.utils import translation

    from search.query import SearchError, search_assets

    _check_language(request)
    form = SearchForm(request.GET or None)
    page, assets, facets, results, status = None, [], [], None, 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound and (form.cleaned_data["q"] or form.filters()):
        data = form.cleaned_data
        arguments = {
            "filters": form.filters(),
            "sort": data["sort"] or "relevance",
            "page_size": published.PAGE_SIZE,
            "language": translation.get_language(),
            "querysets": published.CARDS,
        }
        try:
            results = search_assets(data["q"], page=data["page"] or 1, **arguments)
            if not results.hits and results.page > results.num_pages:
                # Past the last page (a shared link, fewer results now): the last.
                results = search_assets(data["q"], page=results.num_pages, **arguments)
        except SearchError as error:
            form.add_error(None, error.message)
            status = 400
        else:
            assets = published.prepare(results.hits)
            paginator = Paginator(range(results.total), published.PAGE_SIZE)
            page = paginator.page(results.page) if results.total else paginator.page(1)
            facets = facet_links(request, results)
    context = {"form": form, "page": page, "assets": assets, "results": results, "facets": facets}
    response = TemplateResponse(request, "cms/public/search.html", context, status=status)
    response.sen_expires = published.earliest_expiry(assets)
    return response


def facet_links(request, results):
    """[(label, name, [(value, url, selected)])]: each value's link adds its filter
    (or, when chosen, removes it), and goes back to the first page."""
    labels = {name: SearchForm.base_fields[name].label for name in SearchForm.FILTERS}
    facets = []
    for name in SearchForm.FILTERS:
        values = []
        for value in results.facets.get(name, []):
            query = request.GET.copy()
            query.pop("page", None)
            if value.selected:
                query.pop(name, None)
            else:
                query[name] = value.value
            values.append((value, "?" + query.urlencode()))
        if values:
            facets.append((labels[name], name, values))
    return facets


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico (a PDF tab, bookmarks); Sen's icon is an SVG."""
    from django.templatetags.static import static

    return redirect(static("cms/favicon.svg"), permanent=True)


@require_safe
def robots_txt(request):
    context = {"sitemap": request.build_absolute_uri("/sitemap.xml")}
    return TemplateResponse(request, "cms/robots.txt", context, content_type="text/plain")


def home_sections():
    """The home page's lists, each a constant number of queries."""
    newest = ("-first_published_at", "-pk")
    latest = list(published.cards("photos").order_by(*newest)[:12])
    videos = list(published.cards("videos").order_by(*newest)[:4])
    publications = list(published.cards("publications").order_by(*newest)[:4])
    published.prepare(latest + videos + publications)
    topics = list(Topic.objects.all())
    places = list(
        Place.objects.filter(
            pk__in=Photo.objects.public()
            .exclude(place=None)
            .values("place")[: settings.SEN_HOME_PLACES]
        )
    )
    return {
        "latest_photos": latest,
        "latest_videos": videos,
        "latest_publications": publications,
        "topics": topics,
        "places": places,
        "expires": published.earliest_expiry(latest + videos + publications),
    }
