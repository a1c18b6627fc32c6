from django import forms
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import (
    FieldPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    PublishingPanel,
    TabbedInterface,
)
from wagtail.admin.ui.tables import LiveStatusTagColumn, UpdatedAtColumn
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from ingest.panels import FileStatusPanel
from review.views import WithdrawView
from search.views import AssetIndexView

from .forms import OrganisationForm, PhotoForm, PublicationForm, VideoForm
from .models import (
    ASSET_MODELS,
    Event,
    Licence,
    Organisation,
    Photo,
    Place,
    Publication,
    Topic,
    Video,
)
from .panels import MissingLanguagesPanel, name_panels, translation_panels, vietnamese_panels
from .permissions import register_policies, scope_urlpatterns, visible_assets
from .views import AssetChooserViewSet, AssetHistoryView, MissingLanguagesColumn

register_policies()


def description_tab(*extra):
    return ObjectList(
        [
            FieldPanel("information_class"),
            FieldPanel("date"),
            FieldPanel("date_precision"),
            FieldPanel("place", widget=forms.Select),
            FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
            FieldPanel("keywords"),
            FieldPanel("event", widget=forms.Select),
            *extra,
        ],
        heading=_("About"),
    )


def rights_tab():
    return ObjectList(
        [
            FieldPanel("author"),
            FieldPanel("credit_line"),
            FieldPanel("copyright_holder"),
            FieldPanel("licence", widget=forms.Select),
            FieldPanel("source"),
        ],
        heading=_("Credit and rights"),
    )


def translations_tab(*names):
    return ObjectList(
        [MissingLanguagesPanel(), *translation_panels(*names)], heading=_("Translations")
    )


def submission_panel():
    return MultiFieldPanel(
        [FieldPanel("attest_no_state_secret"), FieldPanel("attest_rights_correct")],
        heading=_("Before submitting for review"),
    )


def publishing_panel():
    """Go-live and expiry dates, in Wagtail's scheduling dialog. An expired asset
    leaves the public site: `manage.py publish_scheduled` unpublishes it."""
    return PublishingPanel()


class AssetViewSet(SnippetViewSet):
    """Wagtail's snippet views, every one of them scoped to what the user may see."""

    inspect_view_enabled = True
    # Search through Sen's search layer (search/views.py), not Wagtail's backend.
    index_view_class = AssetIndexView
    history_view_class = AssetHistoryView
    unpublish_view_class = WithdrawView
    chooser_viewset_class = AssetChooserViewSet
    list_filter = ["organisation", "information_class", "live"]
    list_per_page = 50

    @property
    def list_display(self):
        return [
            "__str__",
            "organisation",
            MissingLanguagesColumn("missing_languages", label=_("Missing languages")),
            UpdatedAtColumn(),
            LiveStatusTagColumn(),
        ]

    def get_queryset(self, request):
        # The status column reads each row's latest revision and workflow state:
        # fetched with the page, not one query per row.
        from django.db.models import Prefetch
        from wagtail.models import Revision, WorkflowState

        return (
            visible_assets(request.user, self.model)
            .select_related("organisation", "latest_revision")
            .prefetch_related(
                Prefetch(
                    "_workflow_states",
                    queryset=WorkflowState.objects.active().select_related(
                        "current_task_state__task"
                    ),
                    to_attr="_current_workflow_states",
                ),
                Prefetch(
                    "_revisions",
                    queryset=Revision.objects.filter(approved_go_live_at__isnull=False).order_by(
                        "id"
                    ),
                    to_attr="_scheduled_revisions",
                ),
            )
        )

    def get_urlpatterns(self):
        return scope_urlpatterns(super().get_urlpatterns(), self.model)

    def get_permissions_to_register(self):
        # Asset rights are collection permissions (Groups → collection panels);
        # ticking them in the model-level grid would do nothing.
        from django.contrib.auth.models import Permission

        return Permission.objects.none()


class PhotoViewSet(AssetViewSet):
    model = Photo
    icon = "image"
    menu_label = _("Photos")
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("file"),
                    FieldPanel("organisation", widget=forms.Select),
                    *vietnamese_panels("title", "description", "alt_text"),
                    FileStatusPanel(),
                    submission_panel(),
                    publishing_panel(),
                ],
                heading=_("Content"),
            ),
            translations_tab("title", "description", "alt_text"),
            description_tab(),
            rights_tab(),
        ],
        base_form_class=PhotoForm,
    )


class VideoViewSet(AssetViewSet):
    model = Video
    icon = "media"
    menu_label = _("Videos")
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("file"),
                    FieldPanel("organisation", widget=forms.Select),
                    *vietnamese_panels("title", "description"),
                    FileStatusPanel(),
                    submission_panel(),
                    publishing_panel(),
                ],
                heading=_("Content"),
            ),
            translations_tab("title", "description"),
            description_tab(
                FieldPanel("content_languages"),
                InlinePanel(
                    "subtitles",
                    heading=_("Subtitle tracks (WebVTT)"),
                    panels=[FieldPanel("language"), FieldPanel("kind"), FieldPanel("file")],
                ),
            ),
            rights_tab(),
        ],
        base_form_class=VideoForm,
    )


class PublicationViewSet(AssetViewSet):
    model = Publication
    icon = "doc-full"
    menu_label = _("Publications")
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("organisation", widget=forms.Select),
                    *vietnamese_panels("title", "description"),
                    InlinePanel(
                        "editions",
                        heading=_("Language editions"),
                        min_num=1,
                        panels=[FieldPanel("language"), FieldPanel("document")],
                    ),
                    FileStatusPanel(),
                    submission_panel(),
                    publishing_panel(),
                ],
                heading=_("Content"),
            ),
            translations_tab("title", "description"),
            description_tab(FieldPanel("content_languages")),
            rights_tab(),
        ],
        base_form_class=PublicationForm,
    )


class LibraryGroup(SnippetViewSetGroup):
    items = (PhotoViewSet, VideoViewSet, PublicationViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = _("Library")
    menu_name = "library"
    menu_order = 150


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Organisations")
    list_display = ["__str__", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    edit_handler = ObjectList(
        [*name_panels(), FieldPanel("kind"), FieldPanel("parent")],
        base_form_class=OrganisationForm,
    )


class PlaceViewSet(SnippetViewSet):
    model = Place
    icon = "site"
    menu_label = _("Places")
    list_display = ["__str__", "kind", "code", "parent", "replaced_by"]
    list_filter = ["kind"]
    search_fields = ["name_vi", "name_en", "code"]
    search_backend_name = None
    panels = [
        *name_panels(),
        FieldPanel("kind"),
        FieldPanel("code"),
        FieldPanel("parent"),
        FieldPanel("latitude"),
        FieldPanel("longitude"),
        FieldPanel("valid_from"),
        FieldPanel("valid_until"),
        FieldPanel("replaced_by"),
    ]


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = _("Topics")
    list_display = ["__str__", "slug", "sort_order"]
    panels = [*name_panels(), FieldPanel("slug"), FieldPanel("sort_order")]


class LicenceViewSet(SnippetViewSet):
    model = Licence
    icon = "license"
    menu_label = _("Licences")
    list_display = ["__str__", "code", "uri"]
    panels = [
        *name_panels(),
        FieldPanel("code"),
        FieldPanel("uri"),
        FieldPanel("requires_credit"),
        FieldPanel("allows_reuse"),
    ]


class EventViewSet(SnippetViewSet):
    model = Event
    icon = "date"
    menu_label = _("Events")
    list_display = ["__str__", "starts_on", "held_abroad"]
    list_filter = ["held_abroad"]
    panels = [
        *name_panels(),
        FieldPanel("starts_on"),
        FieldPanel("ends_on"),
        FieldPanel("place"),
        FieldPanel("held_abroad"),
        FieldPanel("location_abroad"),
    ]


class VocabularyGroup(SnippetViewSetGroup):
    items = (OrganisationViewSet, PlaceViewSet, TopicViewSet, LicenceViewSet, EventViewSet)
    menu_icon = "list-ul"
    menu_label = _("Vocabularies")
    menu_name = "vocabularies"
    menu_order = 160


register_snippet(LibraryGroup)
register_snippet(VocabularyGroup)


class ScopedDeleteBulkAction(DeleteBulkAction):
    """Bulk delete for assets: objects outside the user's scope are not even named."""

    models = list(ASSET_MODELS)

    def _check_scope(self, ids):
        if "all" in ids:
            return  # get_all_objects_in_listing_query() is scoped
        visible = visible_assets(self.request.user, self.model).filter(
            pk__in=[i for i in ids if i.isdigit()]
        )
        if set(map(str, visible.values_list("pk", flat=True))) != set(ids):
            raise Http404

    def get_all_objects_in_listing_query(self, parent_id):
        return visible_assets(self.request.user, self.model).values_list("pk", flat=True)

    def get_actionable_objects(self):
        # Checked once, before anything runs: after the delete the objects are gone
        # and a second check would answer 404 instead of the success redirect.
        if not getattr(self, "_scope_checked", False):
            self._check_scope(self.request.GET.getlist("id"))
            self._scope_checked = True
        return super().get_actionable_objects()


hooks.register("register_bulk_action", ScopedDeleteBulkAction, order=100)


@hooks.register("before_serve_document")
def documents_by_file_access(document, request):
    """Wagtail's document view obeys the same rule as every other file
    (permissions.file_access): public while a publication using it is live."""
    from django.http import Http404

    from .permissions import file_access

    allowed, _public = file_access(request.user, document.file.name)
    if not allowed:
        raise Http404


@hooks.register("register_log_actions")
def register_organisation_log_actions(actions):
    actions.register_action(
        "sen.organisation.rename", _("Rename organisation"), _("Organisation renamed")
    )
    actions.register_action(
        "sen.organisation.merge", _("Merge organisation"), _("Organisation merged")
    )


@hooks.register("register_admin_urls")
def register_organisation_urls():
    from django.urls import path

    from .organisation_views import MergeOrganisationView, RenameOrganisationView

    return [
        path(
            "organisations/<int:pk>/rename/",
            RenameOrganisationView.as_view(),
            name="sen_organisation_rename",
        ),
        path(
            "organisations/<int:pk>/merge/",
            MergeOrganisationView.as_view(),
            name="sen_organisation_merge",
        ),
    ]


@hooks.register("register_snippet_listing_buttons")
def organisation_listing_buttons(snippet, user, next_url=None):
    from django.urls import reverse
    from wagtail.admin.ui.menus import MenuItem

    if (
        isinstance(snippet, Organisation)
        and snippet.is_active
        and user.has_perm("assets.change_organisation")
    ):
        yield MenuItem(
            _("Rename from a date"),
            reverse("sen_organisation_rename", args=[snippet.pk]),
            icon_name="edit",
            priority=20,
        )
        yield MenuItem(
            _("Merge into another"),
            reverse("sen_organisation_merge", args=[snippet.pk]),
            icon_name="resubmit",
            priority=30,
        )


def _asset_permission_formset(model):
    """The Settings → Groups panel where administrators grant rights on collections."""
    from django.utils.translation import gettext_lazy
    from wagtail.admin.forms.collections import collection_member_permission_formset_factory

    name = model._meta.model_name
    labels = {
        "add": (gettext_lazy("Add"), gettext_lazy("Add and edit their own drafts")),
        "change": (gettext_lazy("Edit"), gettext_lazy("Edit any in the collection")),
        "delete": (gettext_lazy("Delete"), gettext_lazy("Delete any in the collection")),
        "publish": (gettext_lazy("Publish"), gettext_lazy("Approve and publish")),
        "view": (gettext_lazy("View"), gettext_lazy("See, without changing")),
        "choose": (gettext_lazy("Choose"), gettext_lazy("Choose in other content")),
        "lock": (gettext_lazy("Lock"), gettext_lazy("Lock against editing")),
        "unlock": (gettext_lazy("Unlock"), gettext_lazy("Unlock what others locked")),
    }
    return collection_member_permission_formset_factory(
        model,
        [(f"{action}_{name}", short, long) for action, (short, long) in labels.items()],
        f"assets/permissions/{name}_permissions_formset.html",
    )


for _model in ASSET_MODELS:
    hooks.register("register_group_permission_panel", lambda m=_model: _asset_permission_formset(m))
