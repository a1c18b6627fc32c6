"""Who may see and do what with an asset: collection permissions, in one place.

Wagtail 8's generic snippet views check model-level permissions only; they never ask
whether *this* asset's collection is one the user may touch (see
shared/reference/design-prototype-notes.md, part b). Sen closes that gap here, once:

* `visible_assets()` scopes every listing, search and chooser queryset;
* `user_can_access()` decides for one object; `scope_urlpatterns()` wraps every URL of
  an asset viewset or chooser that names an object, so a view added by a later Wagtail
  release is covered without code here changing;
* the bulk actions in wagtail_hooks.py filter their objects through `visible_assets()`.

Out-of-scope objects answer 404, not 403, so their existence is not revealed.
"""

from functools import wraps

from django.contrib.admin.utils import unquote
from django.http import Http404
from wagtail.permission_policies.collections import CollectionPermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

# Having any of these on an asset's collection lets a user see that asset in the admin.
SEE_ACTIONS = ("change", "delete", "view", "publish")

# What an object URL needs, by Wagtail's URL name. Unknown names need "change".
URL_ACTIONS = {
    "delete": ("delete",),
    "unpublish": ("publish",),
    "revisions_unschedule": ("publish",),
    "history": SEE_ACTIONS,
    "history_results": SEE_ACTIONS,
    "usage": SEE_ACTIONS,
    "inspect": SEE_ACTIONS,
    "workflow_history": SEE_ACTIONS,
    "workflow_history_detail": SEE_ACTIONS,
    "revisions_view": SEE_ACTIONS,
    "revisions_compare": SEE_ACTIONS,
    "chosen": ("choose",),
}
DEFAULT_URL_ACTIONS = ("change",)


class AssetPermissionPolicy(CollectionPermissionPolicy):
    """Every action, publish and lock included, is a permission on the asset's
    collection (Settings → Groups). Unlike CollectionOwnershipPermissionPolicy, which
    makes publish superuser-only and so breaks workflow approval, this lets the
    Reviewers group publish everything under the root collection.

    One rule on top: deleting a live asset takes it off the public record, which is
    a withdrawal; so it also needs "publish" (a contributor's "delete" covers their
    drafts, not what the managing department published)."""

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        actions = list(actions)
        if "delete" in actions and getattr(instance, "live", False):
            others = [action for action in actions if action != "delete"]
            if others and super().user_has_any_permission_for_instance(user, others, instance):
                return True
            return self._check_perm(user, ["delete"], collection=instance.collection) and (
                self._check_perm(user, ["publish"], collection=instance.collection)
            )
        return super().user_has_any_permission_for_instance(user, actions, instance)


def register_policies():
    """Before any snippet viewset asks for a policy, or Wagtail builds its fallback
    (model-level) one. wagtail_modeltranslation loads wagtail_hooks from its own
    ready(), before ours, so both places call this; the second call does nothing."""
    from .models import ASSET_MODELS

    for model in ASSET_MODELS:
        if policy_registry.get_by_type(model, fallback=False) is None:
            register_permission_policy(model, AssetPermissionPolicy(model))


def policy_for(model):
    return policy_registry.get_by_type(model)


def visible_assets(user, model, actions=SEE_ACTIONS):
    return policy_for(model).instances_user_has_any_permission_for(user, list(actions))


def user_can_access(user, obj, actions=SEE_ACTIONS):
    policy = policy_for(type(obj))
    if policy.user_has_any_permission_for_instance(user, list(actions), obj):
        return True
    # A moderator of a workflow task (e.g. a unit leader's approval step) may open
    # the asset while the task is theirs, whatever their collection rights: the
    # editor, its previews, history and workflow actions, i.e. what needs "change".
    # Not delete, unpublish or choose: Wagtail checks those views against the
    # model-level permission only, which "delete" on any one collection satisfies.
    if "change" not in actions:
        return False
    task = getattr(obj, "current_workflow_task", None)
    return bool(task and task.specific.user_can_access_editor(obj, user))


def _get_object(model, pk):
    try:
        return model._default_manager.filter(pk=unquote(str(pk))).first()
    except (ValueError, TypeError):
        return None


def scoped_view(view_func, model, actions):
    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        obj = _get_object(model, kwargs["pk"])
        if obj is None or not user_can_access(request.user, obj, actions):
            raise Http404
        return view_func(request, *args, **kwargs)

    return wrapper


def scope_urlpatterns(urlpatterns, model):
    """Wrap every URL that names an object with the collection check."""
    for pattern in urlpatterns:
        converters = getattr(pattern.pattern, "converters", {})
        if "pk" in converters or "(?P<pk>" in str(pattern.pattern):
            actions = URL_ACTIONS.get(pattern.name, DEFAULT_URL_ACTIONS)
            pattern.callback = scoped_view(pattern.callback, model, actions)
    return urlpatterns


# --- Files --------------------------------------------------------------------------
# No stored file is under a public folder: every file URL of the embedded default goes
# through assets.views.serve_file, and Wagtail's document view through the
# before_serve_document hook, both asking `file_access()`.


def _file_policy_allows(user, record):
    """Wagtail's own rights on the file (images, documents and media admins)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return policy_for(type(record)).user_has_any_permission_for_instance(
        user, ["change", "choose"], record
    )


def record_access(user, record, assets):
    """(allowed, public) for a file record used by `assets`: public while one of them
    is live; otherwise for those who may see one of them, or may manage the file."""
    assets = list(assets)
    if any(asset.is_public for asset in assets):
        return True, True
    if user.is_authenticated and any(user_can_access(user, asset) for asset in assets):
        return True, False
    return _file_policy_allows(user, record), False


def file_access(user, name, *, originals_public=False):
    """(allowed, public) for the stored file called `name`.

    Renditions, documents and videos of a live asset are public. An original image
    is never public here: downloads by licence are a view of their own."""
    from .models import SenDocument, SenImage, SenMedia, SenRendition

    rendition = SenRendition.objects.filter(file=name).select_related("image").first()
    if rendition is not None:
        return record_access(user, rendition.image, rendition.image.photos.all())
    image = SenImage.objects.filter(file=name).first()
    if image is not None:
        allowed, public = record_access(user, image, image.photos.all())
        if public and not originals_public:
            allowed = user.is_authenticated and (
                any(user_can_access(user, photo) for photo in image.photos.all())
                or _file_policy_allows(user, image)
            )
        return allowed, False
    document = SenDocument.objects.filter(file=name).first()
    if document is not None:
        publications = [edition.publication for edition in document.editions.all()]
        return record_access(user, document, publications)
    media = (
        SenMedia.objects.filter(file=name).first()
        or SenMedia.objects.filter(thumbnail=name).first()
    )
    if media is not None:
        return record_access(user, media, media.videos.all())
    return _derived_file_access(user, name)


def _derived_file_access(user, name):
    """Posters, web copies, covers, page previews (public with their asset) and
    download sizes (never here: the download view checks the licence)."""
    from ingest.models import Derivative
    from ingest.operations import assets_of

    from .models import VideoSubtitle

    derivative = Derivative.objects.filter(file=name).first()
    if derivative is not None:
        record = derivative.file_record
        if derivative.name.startswith("download-"):
            return _editor_of(user, record) or _file_policy_allows(user, record), False
        return record_access(user, record, assets_of(record))
    subtitle = VideoSubtitle.objects.filter(file=name).select_related("video__media").first()
    if subtitle is not None:
        return record_access(user, subtitle.video.media, [subtitle.video])
    return False, False


def _editor_of(user, record):
    from ingest.operations import assets_of

    return user.is_authenticated and any(user_can_access(user, a) for a in assets_of(record))
