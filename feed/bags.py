"""Offline packages: the public records changed since a date, with their files, as a
BagIt bag (RFC 8493) for delivery where no online link exists (a disk carried to the
national database, an archive).

Layout of the payload::

    data/records.jsonl                one line per record: id, type, datestamp, paths
    data/metadata/<type>-<id>.jsonld  the public record as schema.org JSON-LD
    data/files/<type>-<id>/<name>     the published files: the download sizes the
                                      licence allows, each edition's PDF, a video's
                                      web copy (not its original: the site does not
                                      offer it for download either)
    data/deleted.json                 with --include-deleted: identifiers and dates
                                      of the records that left, nothing else

What goes in is decided by `FeedRecord` alone (`public()` for content, `gone()` for
deletions), as for every export; the files are found through the live asset and
read through Django's storage (local disk or the bucket), streamed, each checked
against the SHA-256 its record announces. The bag is built in a hidden sibling
folder and renamed into place only once complete and valid, so a failure (a file
that does not match, a full disk) leaves nothing behind.
"""

import datetime
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import bagit
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from ingest.models import Derivative

from .models import FeedRecord
from .operations import asset_of
from .records import in_order

CHUNK = 1024 * 1024
SCHEMA_TYPES = {"photo": "Photograph", "video": "VideoObject", "publication": "DigitalDocument"}
# The terms used below are schema.org's; those whose values are links are typed as IRIs.
CONTEXT = {
    "@vocab": "https://schema.org/",
    "url": {"@type": "@id"},
    "contentUrl": {"@type": "@id"},
    "thumbnailUrl": {"@type": "@id"},
    "license": {"@type": "@id"},
    "sameAs": {"@type": "@id"},
}


class BagError(Exception):
    """The bag could not be made; the message says why, for the person running it."""


# --- JSON-LD -----------------------------------------------------------------------


def _texts(language_map):
    """A language map of the record as JSON-LD language-tagged values."""
    return [{"@value": text, "@language": code} for code, text in in_order(language_map)]


def _duration(seconds):
    return f"PT{float(seconds):g}S" if seconds else None


def jsonld(record, files):
    """The public record as schema.org JSON-LD 1.1. `files` are the bag's copies
    (path relative to the metadata file, and the record's entry for each)."""
    data = record.record
    node = {
        "@context": CONTEXT,
        "@type": SCHEMA_TYPES[record.kind],
        "@id": data["url"].get(settings.LANGUAGE_CODE) or next(iter(data["url"].values()), None),
        "identifier": data["id"],
        "url": list(data["url"].values()),
        "name": _texts(data.get("title")),
        "description": _texts(data.get("description")),
        "keywords": data.get("keywords") or [],
        "about": [
            {"@type": "DefinedTerm", "identifier": topic["id"], "name": _texts(topic["name"])}
            for topic in data.get("topics", [])
        ],
        "creator": {"@type": "Person", "name": data["author"]} if data.get("author") else None,
        "creditText": data.get("credit") or None,
        "copyrightHolder": data.get("copyright_holder") or None,
        "sourceOrganization": {
            "@type": "Organization",
            "identifier": str(data["organisation"]["id"]),
            "name": data["organisation"]["name"],
        },
        "license": (data.get("licence") or {}).get("uri") or None,
        "dateCreated": data.get("date"),
        "datePublished": data.get("first_published"),
        "dateModified": data.get("last_published"),
        "inLanguage": data.get("languages") or None,
        "width": data.get("width"),
        "height": data.get("height"),
        "duration": _duration(data.get("duration")),
        "thumbnailUrl": (data.get("preview") or {}).get("url"),
        "encoding": [
            {
                "@type": "MediaObject",
                "@id": path,
                "contentUrl": entry["url"],
                "encodingFormat": entry.get("mime_type"),
                "contentSize": str(entry["bytes"]) if entry.get("bytes") else None,
                "sha256": entry.get("sha256"),
                "inLanguage": entry.get("language"),
                "width": entry.get("width"),
                "height": entry.get("height"),
            }
            for path, entry in files
        ],
    }
    place = data.get("place")
    if place:
        location = {
            "@type": "Place",
            "identifier": place.get("code") or str(place["id"]),
            "name": _texts(place["name"]),
        }
        if place.get("latitude") is not None and place.get("longitude") is not None:
            location["geo"] = {
                "@type": "GeoCoordinates",
                "latitude": place["latitude"],
                "longitude": place["longitude"],
            }
        node["contentLocation"] = location
    if record.kind == "publication":
        pages = [edition.get("pages") for edition in data.get("editions", [])]
        node["numberOfPages"] = max((p for p in pages if p), default=None)
    return _prune(node)


def _prune(value):
    """Drop empty values: JSON-LD has no null properties worth sending."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, [], {}, "")}
    if isinstance(value, list):
        return [_prune(item) for item in value if item not in (None, [], {}, "")]
    return value


# --- Files -------------------------------------------------------------------------


def _stored_files(record, asset):
    """(record's file entry, Django FieldFile) for each published file of the bag."""
    entries = record.record.get("files", [])
    if record.kind == "photo":
        made = {
            d.name: d.file
            for d in Derivative.objects.filter(image=asset.image_id, name__startswith="download-")
        }
        return [
            (entry, made.get(entry["role"]))
            for entry in entries
            if entry["role"].startswith("download-")
        ]
    if record.kind == "video":
        web = Derivative.objects.filter(media=asset.media_id, name="web-mp4").first()
        return [(entry, web.file if web else None) for entry in entries if entry["role"] == "web"]
    editions = {
        edition.language: edition.document.file
        for edition in asset.editions.select_related("document")
    }
    return [
        (entry, editions.get(entry.get("language")))
        for entry in entries
        if entry["role"] == "edition"
    ]


def _file_name(entry, field_file):
    extension = os.path.splitext(field_file.name)[1].lower()
    name = entry["role"] + (f"-{entry['language']}" if entry.get("language") else "")
    return name + extension


def copy_checked(field_file, target, expected_sha256):
    """Stream a stored file into the bag, hashing as it goes; refuse a mismatch."""
    digest = hashlib.sha256()
    with field_file.open("rb") as source, open(target, "wb") as out:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
            out.write(chunk)
    if expected_sha256 and digest.hexdigest() != expected_sha256:
        raise BagError(
            _("%(file)s does not match its record's SHA-256 (%(expected)s, found %(found)s).")
            % {"file": field_file.name, "expected": expected_sha256, "found": digest.hexdigest()}
        )
    return digest.hexdigest()


# --- The bag -----------------------------------------------------------------------


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def selection(since, until=None, *, now=None):
    """The public records whose last public change falls in [since, until] (days,
    both included, in the site's time zone)."""
    now = now or timezone.now()
    records = FeedRecord.objects.public(now).filter(datestamp__gte=_day_start(since))
    gone = FeedRecord.objects.gone(now).filter(datestamp__gte=_day_start(since))
    if until:
        end = _day_start(until + datetime.timedelta(days=1))
        records, gone = records.filter(datestamp__lt=end), gone.filter(datestamp__lt=end)
    return records.order_by("datestamp", "id"), gone.order_by("datestamp", "id")


def prepare_output(output):
    """The bag's final folder must not exist yet, or be empty."""
    output = Path(output)
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise BagError(_("%(path)s exists and is not an empty folder.") % {"path": output})
    if not output.parent.is_dir():
        raise BagError(_("The folder %(path)s does not exist.") % {"path": output.parent})
    return output


def export_bag(output, *, since, until=None, include_deleted=False, progress=None, now=None):
    """Write the bag to `output` (a folder that does not exist or is empty). Returns
    a summary: counts of records, files, deleted and the payload's bytes.

    `progress(total)` is called once with the number of records and returns a
    callable advanced by one per record (a tqdm bar, or nothing)."""
    now = now or timezone.now()
    output = prepare_output(output)
    records, gone = selection(since, until, now=now)
    work = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        payload = work / "data"
        payload.mkdir()
        summary, digests = _fill(payload, records, gone if include_deleted else None, now, progress)
        octets = sum(path.stat().st_size for path in payload.rglob("*") if path.is_file())
        info = _bag_info(since, until, summary, oxum=f"{octets}.{len(digests)}")
        _write_tag_files(work, digests, info)
        # Structure and Payload-Oxum by the reference library; the files' hashes
        # were computed as they were copied, not read a second time.
        bagit.Bag(str(work)).validate(fast=True)
        # mkdtemp makes it 0700: the delivered folder would be readable by its maker only.
        os.chmod(work, 0o755)  # noqa: S103
        if output.exists():
            output.rmdir()
        os.replace(work, output)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return summary


def _sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_json(path, data, digests, payload):
    with open(path, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, indent=2)
    digests[path.relative_to(payload).as_posix()] = _sha256_of(path)


def _fill(payload, records, gone, now, progress):
    """Write the payload; returns the summary and {path in data/: sha256}."""
    (payload / "metadata").mkdir()
    (payload / "files").mkdir()
    summary = {"records": 0, "files": 0, "deleted": 0, "bytes": 0}
    digests = {}
    total = records.count()
    advance = progress(total) if progress else None
    with open(payload / "records.jsonl", "w", encoding="utf-8") as index:
        for record in records.iterator(chunk_size=200):
            asset = asset_of(record)
            if asset is None or record.is_gone(now):
                # Its asset left between the record's query and now: it is not public.
                continue
            slug = f"{record.kind}-{record.asset_id}"
            copies = []
            stored = _stored_files(record, asset)
            if stored:
                (payload / "files" / slug).mkdir()
            for entry, field_file in stored:
                if field_file is None or not field_file.name:
                    continue
                name = _file_name(entry, field_file)
                target = payload / "files" / slug / name
                digests[f"files/{slug}/{name}"] = copy_checked(
                    field_file, target, entry.get("sha256")
                )
                summary["files"] += 1
                summary["bytes"] += target.stat().st_size
                copies.append((f"../files/{slug}/{name}", entry))
            _write_json(
                payload / "metadata" / f"{slug}.jsonld", jsonld(record, copies), digests, payload
            )
            index.write(
                json.dumps(
                    {
                        "id": record.local_id,
                        "type": record.kind,
                        "datestamp": record.datestamp.isoformat(),
                        "metadata": f"metadata/{slug}.jsonld",
                        "files": [path.removeprefix("../") for path, _entry in copies],
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
            summary["records"] += 1
            if advance:
                advance()
    digests["records.jsonl"] = _sha256_of(payload / "records.jsonl")
    if gone is not None:
        deleted = [
            {
                "id": record.local_id,
                # An expiry that the scheduler has not turned into a tombstone yet
                # left at its expiry.
                "deleted_at": (
                    record.datestamp if record.deleted else record.expires_at
                ).isoformat(),
            }
            for record in gone
        ]
        _write_json(payload / "deleted.json", deleted, digests, payload)
        summary["deleted"] = len(deleted)
    return summary, digests


def _manifest_path(path):
    """RFC 8493 §2.1.3: CR, LF and % in a path are percent-encoded. Sen's own names
    never have them; a file name from storage might."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _write_tag_files(work, digests, info):
    """bagit.txt, bag-info.txt and the sha256 manifests (RFC 8493 §2.1-2.2)."""
    (work / "bagit.txt").write_text(
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n", encoding="utf-8"
    )
    lines = [f"{label}: {value}\n" for label, value in info.items()]
    (work / "bag-info.txt").write_text("".join(lines), encoding="utf-8")
    manifest = "".join(
        f"{digest}  {_manifest_path('data/' + path)}\n" for path, digest in sorted(digests.items())
    )
    (work / "manifest-sha256.txt").write_text(manifest, encoding="utf-8")
    tags = "".join(
        f"{_sha256_of(work / name)}  {name}\n"
        for name in ("bag-info.txt", "bagit.txt", "manifest-sha256.txt")
    )
    (work / "tagmanifest-sha256.txt").write_text(tags, encoding="utf-8")


def _province_name():
    from cms.models import ProvinceSettings

    try:
        return ProvinceSettings.load().province_name or settings.WAGTAIL_SITE_NAME
    except Exception:  # noqa: BLE001 - a bag made before the site is set up still says who made it
        return settings.WAGTAIL_SITE_NAME


def _bag_info(since, until, summary, *, oxum):
    span = f"{since.isoformat()} – {until.isoformat()}" if until else f"{since.isoformat()} –"
    return {
        "Source-Organization": _province_name(),
        "Organization-Address": settings.WAGTAILADMIN_BASE_URL,
        "External-Description": (
            f"Public records of the image promotion database changed {span}: "
            f"{summary['records']} records, {summary['files']} files, "
            f"{summary['deleted']} deletions."
        ),
        "External-Identifier": (
            f"sen-{since.isoformat()}-{(until or timezone.localdate()).isoformat()}"
        ),
        "Bagging-Date": timezone.localdate().isoformat(),
        "Bag-Count": "1 of 1",
        "Bag-Group-Identifier": "sen-feed",
        "Bag-Software-Agent": "Sen (feed/bags.py)",
        # Octets and number of payload files, for a quick completeness check.
        "Payload-Oxum": oxum,
    }
