"""Bulk upload: each file of a batch becomes a draft asset on its own.

One file's failure touches nothing else: it is checked before anything is written;
then its file is stored and its asset row created in one transaction, and if the row
fails the stored file is deleted again. What a file says of itself (EXIF, IPTC, XMP,
PDF info) fills what the batch's shared metadata leaves empty.
"""

import contextlib
import csv
import datetime
import io
import math
import os
import re

import magic
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from assets.models import (
    Licence,
    Photo,
    Place,
    Publication,
    PublicationEdition,
    Topic,
    Video,
)
from assets.operations import store_file
from assets.text import nfc
from assets.validators import ALLOWED_TYPES, SNIFF_BYTES, upload_on_disk, validate_upload
from review.queue import edit_url

from .models import BatchItem, ContentCheck, UploadBatch
from .operations import assets_using, checks_of, duplicates_among, file_key, files_of

ASSET_MODEL = {"photo": Photo, "video": Video, "publication": Publication}
# Shared fields a batch may set once, in the order the form shows them.
SHARED_TEXT_FIELDS = ("author", "credit_line", "copyright_holder", "source")
# How far a photo's GPS position may be from a gazetteer place to suggest it.
NEAREST_PLACE_KM = 30


def sniff_kind(uploaded):
    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    uploaded.seek(0)
    allowed = ALLOWED_TYPES.get(magic.from_buffer(head, mime=True))
    return allowed[0] if allowed else None


def create_batch(*, organisation, user, defaults):
    return UploadBatch.objects.create(organisation=organisation, created_by=user, defaults=defaults)


def ingest_file(batch, uploaded, user):
    """Turn one upload into a draft asset of the batch. Returns the BatchItem;
    a refused file gets an item with the reason and leaves nothing else behind."""
    name = nfc(os.path.basename(uploaded.name or ""))[:255]
    kind = sniff_kind(uploaded) if uploaded.size else "photo"
    try:
        if kind is None:
            raise ValidationError(
                _("The file “%(name)s” was not accepted: %(reason)s")
                % {
                    "name": name,
                    "reason": _(
                        "its content is not an accepted type (photos: JPEG, PNG, WebP, TIFF, "
                        "HEIC; videos: MP4, MOV, WebM; publications: PDF)."
                    ),
                }
            )
        info = validate_upload(uploaded, kind)
        meta = read_metadata(uploaded, kind)
        asset = _create_asset(batch, uploaded, kind, info, meta, user)
    except ValidationError as error:
        return BatchItem.objects.create(
            batch=batch,
            file_name=name,
            status=BatchItem.Status.REFUSED,
            message=" ".join(error.messages),
        )
    return BatchItem.objects.create(
        batch=batch,
        file_name=name,
        status=BatchItem.Status.ACCEPTED,
        content_type=ContentType.objects.get_for_model(asset),
        object_id=asset.pk,
    )


def read_metadata(uploaded, kind):
    """What the file says of itself, or {} when it says nothing readable."""
    from .metadata import read_image_metadata, read_pdf_metadata

    if kind == "video":
        return {}
    with _upload_path(uploaded) as path:
        if kind == "photo":
            return image_fields(read_image_metadata(path))
        meta = read_pdf_metadata(path, max_chars=0)
        return {"title": {"vi": meta.title}} if meta.title else {}


@contextlib.contextmanager
def _upload_path(uploaded):
    """A path to an upload on disk (validators' own helper: its temporary file, or
    a copy if it is in memory)."""
    path, is_temp = upload_on_disk(uploaded)
    try:
        yield path
    finally:
        if is_temp:
            os.unlink(path)


def image_fields(meta):
    fields = {
        "title": dict(meta.title or {}),
        "description": dict(meta.description or {}),
        "author": meta.creator or "",
        "credit_line": meta.credit_line or "",
        "copyright_holder": meta.copyright or "",
        "keywords": list(meta.keywords or []),
    }
    if meta.taken_at:
        fields["date"] = meta.taken_at.date()
    if meta.latitude is not None and meta.longitude is not None:
        place = nearest_place(meta.latitude, meta.longitude)
        if place is not None:
            fields["place"] = place
    return {key: value for key, value in fields.items() if value}


def form_values(meta):
    """image_fields() as the add form's field names and input values, for the form
    to fill its empty fields as soon as a file is chosen (static/ingest/prefill.js).
    Keywords are left to the save (FileAssetForm.save), which adds the file's when
    the contributor typed none: the tag widget does not take a value from outside."""
    from wagtail.admin.widgets import AdminDateInput

    values = {}
    for field in ("title", "description"):
        for code, text in (meta.get(field) or {}).items():
            values[build_localized_fieldname(field, code)] = (
                text[:255] if field == "title" else text
            )
    for field in ("author", "credit_line", "copyright_holder"):
        if meta.get(field):
            values[field] = meta[field][:255]
    if meta.get("date"):
        values["date"] = meta["date"].strftime(AdminDateInput().format)
    if meta.get("place"):
        values["place"] = str(meta["place"].pk)
    return values


def fill_from_metadata(asset, meta):
    """Fill what is still empty on `asset` from what its file says (image_fields()):
    what the contributor typed, or the batch set, always wins. Keywords are added
    after the asset is saved (they are rows of their own): see add_keywords()."""
    for field in ("title", "description"):
        for code, value in (meta.get(field) or {}).items():
            name = build_localized_fieldname(field, code)
            if value and hasattr(asset, name) and not getattr(asset, name):
                setattr(asset, name, value[:255] if field == "title" else value)
    if (meta.get("title") or {}).get("vi") and asset.title_vi == getattr(
        asset, "_name_title", None
    ):
        asset.title_vi = meta["title"]["vi"][:255]
    asset.title = asset.title_vi
    for field in ("author", "credit_line", "copyright_holder"):
        if meta.get(field) and not getattr(asset, field):
            setattr(asset, field, meta[field][:255])
    if meta.get("date") and not asset.date:
        asset.date = meta["date"]
    if meta.get("place") and not asset.place_id:
        asset.place = meta["place"]
    asset._file_keywords = list(meta.get("keywords") or [])


def add_file_keywords(asset):
    keywords = [nfc(k) for k in getattr(asset, "_file_keywords", [])]
    if keywords:
        asset.keywords.add(*dict.fromkeys(keywords))


def nearest_place(latitude, longitude, limit_km=NEAREST_PLACE_KM):
    """The current gazetteer place nearest to a GPS position, within `limit_km`.
    Places are few (hundreds), so the distance is computed here, not in SQL."""
    best, best_km = None, limit_km
    for place in Place.objects.filter(
        latitude__isnull=False, longitude__isnull=False, replaced_by__isnull=True
    ):
        km = _haversine_km(latitude, longitude, float(place.latitude), float(place.longitude))
        if km <= best_km:
            best, best_km = place, km
    return best


def _haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(a))


def _title_from_name(name):
    stem = os.path.splitext(name)[0]
    return re.sub(r"[_\-]+", " ", stem).strip()[:255] or name[:255]


def _create_asset(batch, uploaded, kind, info, meta, user):
    defaults = batch.defaults or {}
    model = ASSET_MODEL[kind]
    asset = model(organisation=batch.organisation, live=False)
    asset.title_vi = asset._name_title = _title_from_name(nfc(uploaded.name or ""))
    for field in SHARED_TEXT_FIELDS:
        value = defaults.get(field) or ""
        setattr(asset, field, value[: model._meta.get_field(field).max_length])
    if defaults.get("information_class"):
        asset.information_class = defaults["information_class"]
    asset.licence = Licence.objects.filter(pk=defaults.get("licence")).first()
    asset.place = Place.objects.filter(pk=defaults.get("place")).first()
    fill_from_metadata(asset, meta)
    record = None
    try:
        with transaction.atomic():
            record = store_file(
                kind,
                uploaded,
                info=info,
                title=asset.title_vi,
                collection=batch.organisation.collection,
                user=user,
            )
            if kind == "photo":
                asset.image = record
            elif kind == "video":
                asset.media = record
            asset.save()
            if kind == "publication":
                language = defaults.get("edition_language") or "vi"
                asset.editions.add(PublicationEdition(language=language, document=record))
                asset.content_languages = [language]
            topics = Topic.objects.filter(pk__in=defaults.get("topics") or [])
            if topics:
                asset.topics.set(topics)
            keywords = [nfc(k) for k in defaults.get("keywords") or []]
            if keywords:
                asset.keywords.add(*dict.fromkeys(keywords))
            add_file_keywords(asset)
            asset.save()
            asset.save_revision(user=user, log_action=True, clean=False)
    except Exception:
        if record is not None and record.file.name:
            record.file.storage.delete(record.file.name)
        raise
    return asset


def item_status(item):
    """What the upload page shows of a file after upload: its check and duplicates."""
    return items_status([item])[0]


def items_status(items):
    """item_status of many items (the upload page polls the whole batch) with a
    number of queries that does not grow with the batch."""
    items = list(items)
    prefetch_related_objects(
        items,
        GenericPrefetch(
            "asset",
            [
                Photo.objects.select_related("image"),
                Video.objects.select_related("media"),
                Publication.objects.prefetch_related("editions__document"),
            ],
        ),
    )
    files = {item.pk: files_of(item.asset) for item in items if item.asset is not None}
    records = [record for group in files.values() for record in group]
    checks = checks_of(records)
    duplicates = duplicates_among(records)
    twins = assets_using([other for found in duplicates.values() for other, _same in found])
    return [_status(item, files.get(item.pk, []), checks, duplicates, twins) for item in items]


def _status(item, records, checks, duplicates, twins):
    asset = item.asset
    data = {
        "id": item.pk,
        "name": item.file_name,
        "status": item.status,
        "message": item.message,
    }
    if asset is None:
        return data
    data["title"] = str(asset)
    data["edit_url"] = edit_url(asset)
    statuses, found = [], []
    for record in records:
        check = checks.get(file_key(record))
        statuses.append(check.status if check else ContentCheck.Status.PENDING)
        for other, identical in duplicates[file_key(record)]:
            for twin in twins.get(file_key(other), []):
                if twin.pk != asset.pk or type(twin) is not type(asset):
                    found.append(
                        {
                            "title": str(twin),
                            "organisation": str(twin.organisation),
                            "url": edit_url(twin),
                            "identical": identical,
                        }
                    )
    data["check"] = _combined_check(statuses)
    data["duplicates"] = found
    return data


def _combined_check(statuses):
    order = ["quarantined", "purged", "error", "pending", "released", "clear"]
    for status in order:
        if status in statuses:
            return status
    return "clear"


@transaction.atomic
def drop_item(item, user):
    """The contributor drops an upload (a duplicate they do not want): its draft
    asset and file go; the item stays, marked dropped, for the record."""
    from wagtail.log_actions import log

    asset = item.asset
    if asset is None or asset.live:
        return False
    records = files_of(asset)
    log(instance=asset, action="wagtail.delete", user=user)
    if isinstance(asset, Publication):
        asset.editions.all().delete()
    asset.delete()
    for record in records:
        name, storage = record.file.name, record.file.storage
        record.delete()
        transaction.on_commit(lambda n=name, s=storage: s.delete(n))
    item.status = BatchItem.Status.DROPPED
    item.asset = None
    item.save()
    return True


# --- Metadata sheet ------------------------------------------------------------------

SHEET_TEXT_FIELDS = ("title", "description", "alt_text")


def read_sheet(uploaded):
    """Rows of a CSV (UTF-8, comma or semicolon) or XLSX sheet as dicts keyed by the
    lower-cased header. Raises ValidationError with a message for the user."""
    name = (uploaded.name or "").lower()
    data = uploaded.read()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:
            raise ValidationError(
                _("The sheet could not be read as an Excel (.xlsx) file.")
            ) from error
        rows = list(book.active.iter_rows(values_only=True))
        if not rows:
            return []
        header = [str(cell or "").strip().lower() for cell in rows[0]]
        return [
            {
                header[i]: ("" if cell is None else cell)
                for i, cell in enumerate(row)
                if i < len(header)
            }
            for row in rows[1:]
            if any(cell not in (None, "") for cell in row)
        ]
    if name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError(_("The CSV file must be saved as UTF-8.")) from error
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
        reader = csv.DictReader(io.StringIO(text), dialect=dialect)
        return [
            {(key or "").strip().lower(): (value or "") for key, value in row.items()}
            for row in reader
        ]
    raise ValidationError(_("Upload a CSV (.csv) or Excel (.xlsx) sheet."))


def apply_sheet(batch, rows, user):
    """Apply each row to the batch's file of the same name; return a report row per
    sheet row: (row number, file name, "applied"|"unmatched"|"invalid", detail)."""
    items = {
        nfc(item.file_name).lower(): item
        for item in batch.items.filter(status=BatchItem.Status.ACCEPTED)
    }
    report = []
    for number, row in enumerate(rows, start=2):
        file_name = nfc(str(row.get("filename") or row.get("file") or "")).strip()
        item = items.get(file_name.lower())
        if not file_name:
            report.append((number, "", "invalid", _("The row has no file name.")))
            continue
        if item is None or item.asset is None:
            report.append(
                (number, file_name, "unmatched", _("No file with this name in the batch."))
            )
            continue
        try:
            changed = _apply_row(item.asset, row, user)
        except ValidationError as error:
            report.append((number, file_name, "invalid", " ".join(error.messages)))
            continue
        report.append((number, file_name, "applied", ", ".join(changed) or _("nothing to change")))
    return report


@transaction.atomic
def _apply_row(asset, row, user):
    if asset.live:
        raise ValidationError(_("The asset is already published; edit it in the library."))
    changed = []
    for field in SHEET_TEXT_FIELDS:
        for code, _name in settings.LANGUAGES:
            column = f"{field}_{code}".replace("-", "_")
            localized = build_localized_fieldname(field, code)
            value = nfc(str(row.get(column) or row.get(f"{field}_{code}") or "")).strip()
            if value and hasattr(asset, localized):
                setattr(asset, localized, value)
                changed.append(column)
    for field in SHARED_TEXT_FIELDS:
        value = nfc(str(row.get(field) or "")).strip()
        if value:
            setattr(asset, field, value[:255])
            changed.append(field)
    if row.get("date"):
        asset.date = _parse_date(row["date"])
        changed.append("date")
    if row.get("place"):
        code = str(row["place"]).strip()
        place = Place.objects.filter(code=code).first()
        if place is None:
            raise ValidationError(_("No place with the code “%(code)s”.") % {"code": code})
        asset.place = place
        changed.append("place")
    if row.get("keywords"):
        keywords = [nfc(k.strip()) for k in re.split(r"[,;]", str(row["keywords"])) if k.strip()]
        asset.keywords.add(*keywords)
        changed.append("keywords")
    if changed:
        asset.title = asset.title_vi
        asset.save()
        asset.save_revision(user=user, log_action=True, clean=False)
    return changed


def _parse_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValidationError(
        _("“%(value)s” is not a date (use YYYY-MM-DD or DD/MM/YYYY).") % {"value": text}
    )


def submit_batch(batch, user):
    """Submit every draft of the batch for review, with the contributor's
    attestations (ticked once for the batch) recorded against each revision.
    Returns (submitted, [(asset, reason)]) for those that could not go."""
    from review.operations import record_attestation

    from .operations import submission_blockers

    submitted, skipped = 0, []
    for item in batch.items.filter(status=BatchItem.Status.ACCEPTED):
        asset = item.asset
        if asset is None or asset.live or asset.workflow_in_progress:
            continue
        blockers = submission_blockers(asset)
        try:
            asset.full_clean()  # what the edit form requires to submit
        except ValidationError as error:
            blockers.extend(
                f"{asset._meta.get_field(field).verbose_name}: {' '.join(messages)}"
                if field != "__all__"
                else " ".join(messages)
                for field, messages in error.message_dict.items()
            )
        if blockers:
            skipped.append((asset, " ".join(blockers)))
            continue
        workflow = asset.get_workflow()
        if workflow is None:
            skipped.append((asset, _("No review workflow is configured for this kind of asset.")))
            continue
        with transaction.atomic():
            asset.save_revision(user=user)
            workflow.start(asset, user)
            record_attestation(asset, user)
        submitted += 1
    return submitted, skipped
