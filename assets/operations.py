"""Domain rules of the asset library. Views, commands and hooks call these; they take
a user and objects, check the rules and write, and never touch a request."""

import datetime
import os

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname
from wagtail.log_actions import log
from wagtail.models import Collection, GroupCollectionPermission, Revision

from .models import (
    ASSET_MODELS,
    Membership,
    Organisation,
    OrganisationFormerName,
    SenDocument,
    SenImage,
    SenMedia,
)

# Role groups. Contributors get their collection rights through their organisation's
# editors group; the others hold rights on the root collection, i.e. on everything.
# The names are data the province sees in Settings → Groups, so they are Vietnamese.
CONTRIBUTORS = "Biên tập viên"
REVIEWERS = "Người duyệt"
AUDITORS = "Người kiểm tra"
ADMINISTRATORS = "Quản trị viên"

CONTRIBUTOR_ASSET_ACTIONS = ("add", "change", "delete", "choose")
CONTRIBUTOR_FILE_ACTIONS = {SenDocument: ("add", "change", "choose")}
REVIEWER_ASSET_ACTIONS = ("add", "change", "delete", "publish", "lock", "unlock", "choose", "view")
REVIEWER_FILE_ACTIONS = ("add", "change", "choose")
AUDITOR_ASSET_ACTIONS = ("view",)
READ_EVERYTHING_APPS = (
    "assets",
    "cms",
    "wagtailcore",
    "wagtaildocs",
    "wagtailimages",
    "wagtailmedia",
    "ingest",
)


def _permissions(model, actions):
    """The permissions the model's policy checks: for Wagtail's file models these
    belong to the base models (wagtaildocs.Document, wagtailimages.Image,
    wagtailmedia.Media), not to the swapped-in Sen models."""
    from wagtail.permissions import policy_registry

    auth_model = policy_registry.get_by_type(model).auth_model
    content_type = ContentType.objects.get_for_model(auth_model, for_concrete_model=False)
    wanted = {f"{action}_{auth_model._meta.model_name}" for action in actions}
    return Permission.objects.filter(content_type=content_type, codename__in=wanted)


def _grant_collection(group, collection, model, actions):
    for permission in _permissions(model, actions):
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=collection, permission=permission
        )


def _access_admin():
    return Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")


@transaction.atomic
def ensure_role_groups():
    """Create the four role groups with their rights; safe to run again.

    Rights are a starting point: administrators adjust them in Settings → Groups."""
    root = Collection.get_first_root_node()
    access = _access_admin()
    groups = {}
    for name in (CONTRIBUTORS, REVIEWERS, AUDITORS, ADMINISTRATORS):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(access)
        groups[name] = group
    for model in ASSET_MODELS:
        _grant_collection(groups[REVIEWERS], root, model, REVIEWER_ASSET_ACTIONS)
        _grant_collection(groups[AUDITORS], root, model, AUDITOR_ASSET_ACTIONS)
        _grant_collection(groups[ADMINISTRATORS], root, model, REVIEWER_ASSET_ACTIONS)
    for file_model in (SenImage, SenDocument, SenMedia):
        _grant_collection(groups[REVIEWERS], root, file_model, REVIEWER_FILE_ACTIONS)
        _grant_collection(
            groups[ADMINISTRATORS], root, file_model, ("add", "change", "delete", "choose")
        )
    admin_perms = Permission.objects.filter(
        content_type__app_label__in=[
            "assets",
            "auth",
            "wagtailcore",
            "wagtailusers",
            "wagtailsettings",
            "cms",
            "wagtailadmin",
            "ingest",
        ]
    )
    groups[ADMINISTRATORS].permissions.add(*admin_perms)
    # Jobs and content checks are read-only listings; administrators may also run a
    # job again and release a quarantined file (ingest/views.py).
    groups[ADMINISTRATORS].permissions.add(
        *Permission.objects.filter(
            content_type__app_label="ingest",
            codename__in=("view_job", "change_job", "view_contentcheck", "change_contentcheck"),
        )
    )
    # Wagtail's site history report lists log entries by model-level permission
    # (LogEntry.objects.viewable_by_user), so the groups that read every asset's
    # history also get the model-level "view" permissions. Asset views ignore
    # model-level rights (AssetPermissionPolicy), so this widens nothing else.
    view_perms = Permission.objects.filter(
        content_type__app_label__in=READ_EVERYTHING_APPS, codename__startswith="view_"
    )
    groups[AUDITORS].permissions.add(*view_perms)
    groups[REVIEWERS].permissions.add(*view_perms.filter(content_type__app_label="assets"))
    # The review record (Reports → Review record, review/reports.py) is for those who
    # answer for the whole library, not for the reviewers whose decisions it lists.
    review_record = Permission.objects.filter(
        content_type__app_label="review", codename="view_reviewdecision"
    )
    groups[AUDITORS].permissions.add(*review_record)
    groups[ADMINISTRATORS].permissions.add(*review_record)
    # Media kits for the press (press/): the managing department makes and shares
    # them; auditors read them and their download logs.
    # The download log is written by the site only: no one adds or edits it.
    press = Permission.objects.filter(content_type__app_label="press")
    readable = press.filter(codename__startswith="view_")
    for group in (groups[REVIEWERS], groups[ADMINISTRATORS]):
        group.permissions.add(*press.filter(codename__endswith="_mediakit"), *readable)
    groups[AUDITORS].permissions.add(*readable)
    # Export feed (feed/): administrators register consumers and issue and revoke
    # their API keys (keys are never edited or deleted: the list is the audit trail);
    # auditors see both, never a secret (only its hash is stored).
    feed = Permission.objects.filter(content_type__app_label="feed")
    groups[ADMINISTRATORS].permissions.add(
        *feed.filter(codename__endswith="_consumer"),
        *feed.filter(codename__in=("add_apikey", "view_apikey")),
    )
    groups[AUDITORS].permissions.add(*feed.filter(codename__startswith="view_"))
    # Webhooks (feed/webhooks.py): administrators register endpoints and resend
    # deliveries ("change"); auditors read both. The delivery log is written by Sen only.
    webhook_perms = Permission.objects.filter(
        content_type__app_label="feed",
        content_type__model__in=("webhookendpoint", "webhookdelivery"),
    )
    groups[ADMINISTRATORS].permissions.add(
        *webhook_perms.exclude(codename__in=("add_webhookdelivery", "delete_webhookdelivery"))
    )
    groups[AUDITORS].permissions.add(*webhook_perms.filter(codename__startswith="view_"))
    return groups


def _grant_editors(group, collection):
    group.permissions.add(_access_admin())
    for model in ASSET_MODELS:
        _grant_collection(group, collection, model, CONTRIBUTOR_ASSET_ACTIONS)
    for model, actions in CONTRIBUTOR_FILE_ACTIONS.items():
        _grant_collection(group, collection, model, actions)


def _editors_group_name(organisation):
    # Stored data, not interface text: the province names its groups in Vietnamese.
    return f"Biên tập viên · {organisation.name_vi}"


@transaction.atomic
def create_organisation(*, names, kind, parent=None, user=None):
    """An organisation with its own collection (under its parent's) and editors group."""
    parent_collection = parent.collection if parent else Collection.get_first_root_node()
    collection = parent_collection.add_child(instance=Collection(name=names["vi"]))
    organisation = Organisation(kind=kind, parent=parent, collection=collection)
    _set_names(organisation, names)
    organisation.save()
    group = Group.objects.create(name=_editors_group_name(organisation)[:150])
    _grant_editors(group, collection)
    organisation.editors_group = group
    organisation.save(update_fields=["editors_group"])
    log(instance=organisation, action="wagtail.create", user=user)
    return organisation


def move_organisation(organisation, parent):
    """Place the organisation's collection under its (new) parent's collection, so
    that rights granted on the parent's collection cover it."""
    target = parent.collection if parent else Collection.get_first_root_node()
    collection = Collection.objects.get(pk=organisation.collection_id)
    if collection.get_parent().pk != target.pk:
        collection.move(Collection.objects.get(pk=target.pk), pos="sorted-child")


def _set_names(obj, names):
    for code, value in names.items():
        setattr(obj, build_localized_fieldname("name", code), value or None)
    obj.name = names["vi"]


def add_member(user, organisation):
    """Make `user` a contributor of `organisation` (and of no other)."""
    membership = Membership.objects.filter(user=user).first()
    if membership and membership.organisation_id != organisation.pk:
        if membership.organisation.editors_group:
            user.groups.remove(membership.organisation.editors_group)
        membership.organisation = organisation
        membership.save()
    elif membership is None:
        Membership.objects.create(user=user, organisation=organisation)
    user.groups.add(Group.objects.get(name=CONTRIBUTORS))
    if organisation.editors_group:
        user.groups.add(organisation.editors_group)


def remove_member(user):
    """`user` no longer contributes to any organisation."""
    membership = Membership.objects.filter(user=user).select_related("organisation").first()
    if membership is None:
        return
    if membership.organisation.editors_group:
        user.groups.remove(membership.organisation.editors_group)
    membership.delete()


@transaction.atomic
def rename_organisation(organisation, *, names, effective, user=None):
    """Rename from `effective` on. Assets published before then keep citing the
    old name (Organisation.name_on)."""
    former = OrganisationFormerName(organisation=organisation, valid_until=effective)
    _set_names(
        former,
        {code: getattr(organisation, build_localized_fieldname("name", code)) for code in names},
    )
    former.save()
    _set_names(organisation, names)
    organisation.save()
    organisation.collection.name = names["vi"]
    organisation.collection.save()
    if organisation.editors_group:
        organisation.editors_group.name = _editors_group_name(organisation)[:150]
        organisation.editors_group.save()
    log(
        instance=organisation,
        action="sen.organisation.rename",
        user=user,
        data={"former": former.name_vi, "effective": effective.isoformat()},
    )
    return organisation


@transaction.atomic
def merge_organisations(source, target, *, effective, user=None):
    """Merge `source` into `target` from `effective` on: its assets (drafts and open
    reviews included), files, members and child organisations move to `target`.
    `source` stays as an inactive record, so published assets keep citing it."""
    if source.pk == target.pk:
        raise ValueError(_("An organisation cannot be merged into itself."))
    if not target.is_active:
        raise ValueError(_("The organisation to merge into is no longer active."))
    ancestor = target
    while ancestor is not None:
        if ancestor.pk == source.pk:
            raise ValueError(_("An organisation cannot be merged into one of its own units."))
        ancestor = ancestor.parent

    for model in ASSET_MODELS:
        moved = list(model.objects.filter(organisation=source).values_list("pk", flat=True))
        model.objects.filter(pk__in=moved).update(organisation=target, collection=target.collection)
        # Unpublished edits live in revisions: move them too, or publishing a draft
        # later would put the asset back in the dissolved organisation.
        content_type = ContentType.objects.get_for_model(model)
        for revision in Revision.objects.filter(
            base_content_type=content_type, object_id__in=[str(pk) for pk in moved]
        ):
            if revision.content.get("organisation") == source.pk:
                revision.content["organisation"] = target.pk
                revision.content["collection"] = target.collection_id
                revision.save(update_fields=["content"])
    for file_model in (SenImage, SenDocument, SenMedia):
        file_model.objects.filter(collection=source.collection).update(collection=target.collection)
    for membership in Membership.objects.filter(organisation=source).select_related("user"):
        add_member(membership.user, target)
    for child in Organisation.objects.filter(parent=source):
        child.parent = target
        child.save(update_fields=["parent"])
        move_organisation(child, target)

    source.is_active = False
    source.merged_into = target
    source.dissolved_on = effective
    source.save(update_fields=["is_active", "merged_into", "dissolved_on"])
    log(
        instance=source,
        action="sen.organisation.merge",
        user=user,
        data={"into": target.name_vi, "effective": effective.isoformat()},
    )
    return target


def store_file(kind, uploaded, *, info, title, collection, user=None):
    """Keep a validated upload (validators.validate_upload gave `info`) as the file
    record for `kind`: SenImage, SenMedia or SenDocument in `collection`.

    The file is written first, then the row; if the row cannot be saved, the file is
    deleted again, so a failure leaves no orphan in storage."""
    fields = {"title": title[:255], "collection": collection, "sha256": info.sha256}
    if kind == "photo":
        record = SenImage(uploaded_by_user=user, **fields)
    elif kind == "video":
        record = SenMedia(
            uploaded_by_user=user,
            type="video",
            duration=0,
            width=info.width,
            height=info.height,
            **fields,
        )
    else:
        record = SenDocument(uploaded_by_user=user, page_count=info.page_count, **fields)
    uploaded.seek(0)
    record.file.save(os.path.basename(uploaded.name), uploaded, save=False)
    try:
        for method in ("_set_image_file_metadata", "_set_document_file_metadata"):
            if hasattr(record, method):
                getattr(record, method)()
        record.save()
    except Exception:
        record.file.storage.delete(record.file.name)
        raise
    return record


def today():
    return datetime.date.today()


PLACE_CSV_COLUMNS = (
    "code",
    "name_vi",
    "name_en",
    "kind",
    "parent_code",
    "latitude",
    "longitude",
    "valid_from",
    "valid_until",
    "replaced_by_code",
)


class PlaceImportError(ValueError):
    pass


@transaction.atomic
def import_places(rows):
    """Create or update gazetteer entries from CSV rows (dicts keyed by
    PLACE_CSV_COLUMNS; other name_<lang> columns are taken too), matched by the
    official code. Parents and replacements may appear in any order. All or nothing:
    one bad row and nothing is written."""
    from .models import Place

    rows = list(rows)
    kinds = set(Place.Kind.values)
    seen = {}
    for line, row in enumerate(rows, start=2):
        code = (row.get("code") or "").strip()
        if not code or not (row.get("name_vi") or "").strip():
            raise PlaceImportError(
                _("Line %(line)s: code and name_vi are required.") % {"line": line}
            )
        if row.get("kind") not in kinds:
            raise PlaceImportError(
                _("Line %(line)s: unknown kind “%(kind)s”.")
                % {"line": line, "kind": row.get("kind")}
            )
        place = Place.objects.filter(code=code).first() or Place(code=code)
        for key, value in row.items():
            if key.startswith("name_") and hasattr(place, key):
                setattr(place, key, (value or "").strip() or None)
        place.name = place.name_vi
        place.kind = row["kind"]
        try:
            place.latitude = row.get("latitude") or None
            place.longitude = row.get("longitude") or None
            place.valid_from = _date(row.get("valid_from"))
            place.valid_until = _date(row.get("valid_until"))
            place.full_clean(exclude=["parent", "replaced_by", "code"])
        except Exception as error:
            raise PlaceImportError(
                _("Line %(line)s: %(error)s") % {"line": line, "error": error}
            ) from error
        place.save()
        seen[code] = (place, line, row)
    by_code = dict(Place.objects.exclude(code="").values_list("code", "pk"))
    for place, line, row in seen.values():
        for column, field in (("parent_code", "parent_id"), ("replaced_by_code", "replaced_by_id")):
            target = (row.get(column) or "").strip()
            if target and target not in by_code:
                raise PlaceImportError(
                    _("Line %(line)s: no place has the code “%(code)s”.")
                    % {"line": line, "code": target}
                )
            setattr(place, field, by_code.get(target) if target else None)
        place.save(update_fields=["parent", "replaced_by"])
    return len(seen)


def _date(value):
    value = (value or "").strip()
    return datetime.date.fromisoformat(value) if value else None
