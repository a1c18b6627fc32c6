"""`export_bag` writes a BagIt bag that the `bagit` library validates, holding the
public records and their files only, and refuses bad input without leaving anything."""

import datetime
import hashlib
import json

import bagit
import pytest
import rdflib
from django.core.management import CommandError, call_command
from django.utils import timezone

from feed.models import FeedRecord
from review.operations import withdraw

pytestmark = pytest.mark.django_db

SCHEMA = rdflib.Namespace("https://schema.org/")


def export(tmp_path, *args, name="bag"):
    target = tmp_path / name
    call_command(
        "export_bag", "--since", timezone.localdate().isoformat(), "--output", str(target),
        "--no-progress", *args,
    )  # fmt: skip
    return target


def record_of(asset):
    return FeedRecord.objects.get(kind=type(asset).__name__.lower(), asset_id=asset.pk)


@pytest.fixture
def library(make_photo, make_publication, make_video, publish, reviewer):
    """What the bag takes and what it must leave out."""
    made = {
        "photo": make_photo(title_vi="Chợ nổi Cái Răng", title_en="Cai Rang floating market"),
        "publication": make_publication(title_vi="Cẩm nang du lịch", languages=("vi", "en")),
        "video": make_video(title_vi="Phim về Cần Thơ"),
        "draft": make_photo(live=False, title_vi="Bản nháp bí mật"),
        "withdrawn": make_photo(title_vi="Ảnh đã rút"),
        "expired": make_photo(title_vi="Ảnh hết hạn"),
        "in_review": make_photo(live=False, title_vi="Ảnh đang duyệt"),
    }
    made["in_review"].save_revision(user=reviewer)
    made["in_review"].get_workflow().start(made["in_review"], reviewer)
    # A published photo with a change waiting for review: the bag has the public version.
    made["photo"].title_vi = "Tiêu đề chưa duyệt"
    made["photo"].save_revision(user=reviewer)
    withdraw(made["withdrawn"], user=reviewer, reason="Sai thông tin")
    made["expired"].expire_at = timezone.now() + datetime.timedelta(hours=1)
    publish(made["expired"])
    FeedRecord.objects.filter(pk=record_of(made["expired"]).pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    return made


def test_the_bag_validates_and_holds_only_public_records(tmp_path, library):
    target = export(tmp_path, "--include-deleted")
    bag = bagit.Bag(str(target))
    bag.validate()  # every manifest entry, Payload-Oxum, tag manifests
    assert bag.algorithms == ["sha256"]
    assert (target / "manifest-sha256.txt").exists() and (
        target / "tagmanifest-sha256.txt"
    ).exists()
    info = bag.info
    assert info["Bag-Count"] == "1 of 1" and info["Payload-Oxum"] and info["Bagging-Date"]
    assert info["Source-Organization"] and "3 records" in info["External-Description"]

    photo, publication, video = library["photo"], library["publication"], library["video"]
    index = [json.loads(line) for line in (target / "data/records.jsonl").read_text().splitlines()]
    assert sorted(entry["id"] for entry in index) == sorted(
        [f"photo/{photo.pk}", f"publication/{publication.pk}", f"video/{video.pk}"]
    )
    names = {path.name for path in (target / "data").rglob("*")}
    for left_out in ("draft", "withdrawn", "expired", "in_review"):
        assert f"photo-{library[left_out].pk}.jsonld" not in names
        assert f"photo-{library[left_out].pk}" not in names
    every_text = "".join(
        path.read_text(errors="replace") for path in (target / "data").rglob("*.json*")
    )
    assert "bí mật" not in every_text and "Ảnh đã rút" not in every_text
    assert "Ảnh hết hạn" not in every_text and "Ảnh đang duyệt" not in every_text
    assert "chưa duyệt" not in every_text and "Chợ nổi Cái Răng" in every_text

    # The photo's download sizes, byte for byte what its record announces.
    files = {entry["role"]: entry for entry in record_of(photo).record["files"]}
    assert files
    for role, entry in files.items():
        copy = target / f"data/files/photo-{photo.pk}/{role}.jpg"
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == entry["sha256"]
    # Each edition's PDF.
    pdfs = sorted(p.name for p in (target / f"data/files/publication-{publication.pk}").iterdir())
    assert pdfs == ["edition-en.pdf", "edition-vi.pdf"]
    assert (target / f"data/files/publication-{publication.pk}/edition-vi.pdf").read_bytes()[
        :5
    ] == b"%PDF-"

    # Tombstones: identifiers and dates, nothing of what they were.
    deleted = json.loads((target / "data/deleted.json").read_text())
    assert {entry["id"] for entry in deleted} == {
        f"photo/{library['withdrawn'].pk}",
        f"photo/{library['expired'].pk}",
    }
    assert all(set(entry) == {"id", "deleted_at"} for entry in deleted)


def test_the_metadata_is_schema_org_json_ld(tmp_path, library):
    target = export(tmp_path)
    photo = library["photo"]
    path = target / f"data/metadata/photo-{photo.pk}.jsonld"
    graph = rdflib.Graph().parse(data=path.read_text(), format="json-ld", base=path.as_uri())
    subject = rdflib.URIRef(record_of(photo).record["url"]["vi"])
    assert (subject, rdflib.RDF.type, SCHEMA.Photograph) in graph
    names = set(graph.objects(subject, SCHEMA.name))
    assert rdflib.Literal("Chợ nổi Cái Răng", lang="vi") in names
    assert rdflib.Literal("Cai Rang floating market", lang="en") in names
    licence = graph.value(subject, SCHEMA.license)
    assert isinstance(licence, rdflib.URIRef) and "creativecommons.org" in str(licence)
    encodings = list(graph.objects(subject, SCHEMA.encoding))
    assert encodings
    for encoding in encodings:
        # The copy in the bag, resolved against the metadata file, exists.
        local = rdflib.URIRef(encoding)
        assert local.startswith("file://")
        assert (target / "data" / str(local).split("/data/", 1)[1]).exists()
        assert len(str(graph.value(encoding, SCHEMA.sha256))) == 64
        assert isinstance(graph.value(encoding, SCHEMA.contentUrl), rdflib.URIRef)


def test_since_leaves_out_older_changes_and_without_include_deleted_no_tombstones(
    tmp_path, make_photo
):
    old, new = make_photo(title_vi="Ảnh cũ"), make_photo(title_vi="Ảnh mới")
    FeedRecord.objects.filter(pk=record_of(old).pk).update(
        datestamp=timezone.now() - datetime.timedelta(days=30)
    )
    target = export(tmp_path)
    index = (target / "data/records.jsonl").read_text()
    assert f'"photo/{new.pk}"' in index and f'"photo/{old.pk}"' not in index
    assert not (target / "data/deleted.json").exists()
    bagit.Bag(str(target)).validate()


def test_a_file_that_does_not_match_its_record_is_refused_and_nothing_is_left(tmp_path, make_photo):
    from ingest.models import Derivative

    photo = make_photo()
    derivative = Derivative.objects.filter(
        image=photo.image_id, name__startswith="download-"
    ).first()
    with derivative.file.storage.open(derivative.file.name, "wb") as out:
        out.write(b"not the bytes that were published")
    with pytest.raises(CommandError, match="SHA-256"):
        export(tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # The operator reads them in Vietnamese (the active language).
        (["--since", "notadate"], "không phải ngày"),
        (["--since", "2026-13-01"], "không phải ngày"),
        (["--since", "2026-02-01", "--until", "2026-01-01"], "ở trước"),
        (["--since", "2999-01-01"], "tương lai"),
    ],
)
def test_bad_dates_are_refused(tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_bag", *args, "--output", str(tmp_path / "bag"), "--no-progress")
    assert list(tmp_path.iterdir()) == []


def test_an_output_folder_with_something_in_it_is_refused(tmp_path, make_photo):
    make_photo()
    target = tmp_path / "bag"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(CommandError, match="không phải thư mục trống"):
        export(tmp_path)
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["bag"]
    # An empty folder is fine.
    (target / "keep.txt").unlink()
    export(tmp_path)
    bagit.Bag(str(target)).validate()


def test_progress_advances_once_per_record(tmp_path, make_photo):
    from feed.bags import export_bag

    make_photo(), make_photo()
    seen = {"total": None, "done": 0}

    def progress(total):
        seen["total"] = total

        def advance():
            seen["done"] += 1

        return advance

    summary = export_bag(tmp_path / "bag", since=timezone.localdate(), progress=progress)
    assert seen == {"total": 2, "done": 2} and summary["records"] == 2
