"""Demo content for `make run`: the files in shared/demo-media with their manifest.

Run it again and it reuses what exists: organisations, places and users are found by
name, assets by their file's SHA-256, so no duplicate is ever created.
"""

import csv
import datetime
import hashlib
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files import File
from django.db import transaction

from . import operations
from .models import (
    Licence,
    Organisation,
    Photo,
    Place,
    Publication,
    PublicationEdition,
    SenDocument,
    Topic,
    Video,
)
from .validators import validate_upload

DEMO_PASSWORD = "sen-demo-2026"  # noqa: S105 - printed for the demo, never for production

PROVINCE = {"vi": "Thành phố Cần Thơ", "en": "Can Tho City", "fr": "Ville de Cần Thơ"}

# A handful of real units after the 2025-07-01 merger, with the old units they replace.
PLACES = [
    # key, kind, names, code, parent key, lat, lon, valid_until, replaced_by key
    (
        "cantho",
        "province",
        {"vi": "Thành phố Cần Thơ", "en": "Can Tho City"},
        "92",
        None,
        "10.0341",
        "105.7880",
        None,
        None,
    ),
    (
        "ninhkieu",
        "ward",
        {"vi": "Phường Ninh Kiều", "en": "Ninh Kieu Ward"},
        "",
        "cantho",
        "10.0339",
        "105.7870",
        None,
        None,
    ),
    (
        "caikhe",
        "ward",
        {"vi": "Phường Cái Khế", "en": "Cai Khe Ward"},
        "",
        "cantho",
        "10.0480",
        "105.7830",
        None,
        None,
    ),
    (
        "cairang",
        "ward",
        {"vi": "Phường Cái Răng", "en": "Cai Rang Ward"},
        "",
        "cantho",
        "10.0000",
        "105.7800",
        None,
        None,
    ),
    (
        "binhthuy",
        "ward",
        {"vi": "Phường Bình Thủy", "en": "Binh Thuy Ward"},
        "",
        "cantho",
        "10.0720",
        "105.7480",
        None,
        None,
    ),
    (
        "phongdien",
        "commune",
        {"vi": "Xã Phong Điền", "en": "Phong Dien Commune"},
        "",
        "cantho",
        "9.9980",
        "105.6700",
        None,
        None,
    ),
    (
        "haugiang",
        "province",
        {"vi": "Tỉnh Hậu Giang", "en": "Hau Giang Province"},
        "93",
        None,
        None,
        None,
        "2025-06-30",
        "cantho",
    ),
    (
        "soctrang",
        "province",
        {"vi": "Tỉnh Sóc Trăng", "en": "Soc Trang Province"},
        "94",
        None,
        None,
        None,
        "2025-06-30",
        "cantho",
    ),
    (
        "q-ninhkieu",
        "district",
        {"vi": "Quận Ninh Kiều", "en": "Ninh Kieu District"},
        "",
        "cantho",
        None,
        None,
        "2025-06-30",
        "ninhkieu",
    ),
    (
        "q-cairang",
        "district",
        {"vi": "Quận Cái Răng", "en": "Cai Rang District"},
        "",
        "cantho",
        None,
        None,
        "2025-06-30",
        "cairang",
    ),
]

ORGANISATIONS = [
    # key, kind, names, parent key
    (
        "svhttdl",
        "managing",
        {
            "vi": "Sở Văn hóa, Thể thao và Du lịch",
            "en": "Department of Culture, Sports and Tourism",
        },
        None,
    ),
    (
        "snnmt",
        "department",
        {"vi": "Sở Nông nghiệp và Môi trường", "en": "Department of Agriculture and Environment"},
        None,
    ),
    ("sct", "department", {"vi": "Sở Công Thương", "en": "Department of Industry and Trade"}, None),
    (
        "ninhkieu",
        "commune",
        {"vi": "UBND phường Ninh Kiều", "en": "Ninh Kieu Ward People's Committee"},
        None,
    ),
    (
        "cairang",
        "commune",
        {"vi": "UBND phường Cái Răng", "en": "Cai Rang Ward People's Committee"},
        None,
    ),
    (
        "bao",
        "press",
        {
            "vi": "Báo và Phát thanh, Truyền hình Cần Thơ",
            "en": "Can Tho Newspaper, Radio and Television",
        },
        None,
    ),
]
# The agriculture department carried another name before the 2025 reform.
FORMER_NAMES = {
    "snnmt": (
        {
            "vi": "Sở Nông nghiệp và Phát triển nông thôn",
            "en": "Department of Agriculture and Rural Development",
        },
        "2025-03-01",
    )
}

USERS = [
    # username, role group, organisation key, superuser
    ("admin", operations.ADMINISTRATORS, "svhttdl", True),
    ("reviewer", operations.REVIEWERS, "svhttdl", False),
    ("auditor", operations.AUDITORS, "svhttdl", False),
    ("editor.ninhkieu", None, "ninhkieu", False),
    ("editor.cairang", None, "cairang", False),
    ("editor.press", None, "bao", False),
]

LICENCE_CODES = {
    "CC0-1.0": "cc0-1.0",
    "CC-BY-4.0": "cc-by-4.0",
    "CC-BY-SA-4.0": "cc-by-sa-4.0",
}
OWNERS = ["ninhkieu", "cairang", "bao", "snnmt", "sct", "svhttdl"]
TOPIC_HINTS = {
    "market": "economy",
    "bridge": "achievements",
    "boat": "tourism",
    "lake": "land-and-nature",
    "forest": "land-and-nature",
    "mountain": "land-and-nature",
    "flower": "land-and-nature",
    "festival": "culture",
    "guide": "tourism",
    "cup": "people",
    "dog": "people",
}
# (file name, state) for the few demo assets that are not simply published.
NOT_PUBLISHED = {
    "marigold-flower.jpg": "draft",
    "storm-clouds-over-road.jpg": "draft",
    "raindrops-on-leaves.jpg": "in_review",
    "wavy-building-facade-bw.jpg": "in_review",
    "two-dogs-at-window-portrait.jpg": "withdrawn",
}


def _names(names):
    return {"vi": names["vi"], **{k: v for k, v in names.items() if k != "vi"}}


def _set_translated(obj, field, names):
    from django.conf import settings
    from modeltranslation.utils import build_localized_fieldname

    codes = {code for code, _n in settings.LANGUAGES}
    for code, value in names.items():
        if code in codes:
            setattr(obj, build_localized_fieldname(field, code), value)
    setattr(obj, field, names["vi"])


class DemoLoader:
    def __init__(self, media_dir, out=print):
        self.media_dir = Path(media_dir)
        self.out = out
        self.created = {"photos": 0, "videos": 0, "publications": 0}

    @transaction.atomic
    def run(self):
        operations.ensure_role_groups()
        self.places = self.load_places()
        self.organisations = self.load_organisations()
        self.load_province()
        self.users = self.load_users()
        self.workflow = self.ensure_workflow()
        self.load_assets()
        self.load_pages()
        return self.created

    def load_pages(self):
        """The public site's own pages: press room with a press release, about,
        contacts, and a featured album of the published demo photos. Kept if they
        exist (an editor may have changed them)."""
        from cms.models import AlbumItem, AlbumPage, ArticleKind, ArticlePage, HomePage, SectionPage

        home = HomePage.objects.first()
        if home is None or home.get_children().exists():
            return
        _set_translated(home, "title", {"vi": PROVINCE["vi"], "en": PROVINCE["en"]})
        _set_translated(
            home,
            "introduction",
            {
                "vi": "<p>Ảnh, video và ấn phẩm giới thiệu đất và người, lịch sử, văn hoá, "
                "kinh tế, đầu tư và du lịch của thành phố.</p>",
                "en": "<p>Photos, videos and publications introducing the city's land and "
                "people, history, culture, economy, investment and tourism.</p>",
            },
        )
        photos = list(Photo.objects.public().order_by("pk")[:6])
        home.hero_photo = photos[0] if photos else None
        home.save_revision().publish()

        def add(parent, page, **names):
            for field, values in names.items():
                _set_translated(page, field, values)
            parent.add_child(instance=page)
            page.save_revision().publish()
            return page

        room = add(
            home,
            SectionPage(slug="phong-bao-chi", slug_en="press-room", show_in_menus=True),
            title={"vi": "Phòng báo chí", "en": "Press room"},
        )
        add(
            room,
            ArticlePage(slug="thong-cao-le-hoi", kind=ArticleKind.PRESS_RELEASE),
            title={
                "vi": "Thông cáo báo chí: Lễ hội bánh dân gian Nam Bộ",
                "en": "Press release: Southern folk cake festival",
            },
            introduction={
                "vi": "Lễ hội diễn ra tại Bến Ninh Kiều, mời phóng viên đăng ký tác nghiệp.",
                "en": "The festival takes place at Ninh Kieu wharf; reporters may register.",
            },
        )
        add(
            home,
            ArticlePage(
                slug="gioi-thieu", slug_en="about", kind=ArticleKind.ABOUT, show_in_menus=True
            ),
            title={"vi": "Giới thiệu", "en": "About"},
            body={
                "vi": "<p>Cơ sở dữ liệu quảng bá hình ảnh do Sở Văn hoá, Thể thao và Du lịch quản lý.</p>",
                "en": "<p>The image promotion database, managed by the Department of Culture, Sports and Tourism.</p>",
            },
        )
        add(
            home,
            ArticlePage(
                slug="lien-he", slug_en="contacts", kind=ArticleKind.CONTACT, show_in_menus=True
            ),
            title={"vi": "Liên hệ", "en": "Contacts"},
            body={
                "vi": "<p>Người phát ngôn: Văn phòng Sở Văn hoá, Thể thao và Du lịch.</p>",
                "en": "<p>Spokesperson: Office of the Department of Culture, Sports and Tourism.</p>",
            },
        )
        album = AlbumPage(slug="song-nuoc", slug_en="river-life", featured=True)
        album.items = [AlbumItem(photo=photo) for photo in photos]
        add(home, album, title={"vi": "Sông nước miền Tây", "en": "River life in the Mekong Delta"})

    def load_places(self):
        places = {}
        for key, kind, names, code, parent, lat, lon, until, _replaced in PLACES:
            place = Place.objects.filter(name_vi=names["vi"]).first() or Place(kind=kind)
            _set_translated(place, "name", names)
            place.kind, place.code = kind, code
            place.parent = places.get(parent)
            place.latitude, place.longitude = lat, lon
            place.valid_until = datetime.date.fromisoformat(until) if until else None
            place.valid_from = None if until else datetime.date(2025, 7, 1)
            place.save()
            places[key] = place
        for key, *_rest, replaced in PLACES:
            if replaced:
                places[key].replaced_by = places[replaced]
                places[key].save(update_fields=["replaced_by"])
        return places

    def load_organisations(self):
        organisations = {}
        for key, kind, names, parent in ORGANISATIONS:
            org = Organisation.objects.filter(name_vi=names["vi"]).first()
            if org is None:
                org = operations.create_organisation(
                    names=_names(names), kind=kind, parent=organisations.get(parent)
                )
                if key in FORMER_NAMES and not org.former_names.exists():
                    old, until = FORMER_NAMES[key]
                    former = org.former_names.model(
                        organisation=org, valid_until=datetime.date.fromisoformat(until)
                    )
                    _set_translated(former, "name", old)
                    former.save()
            organisations[key] = org
        return organisations

    def load_province(self):
        from cms.models import ProvinceSettings

        province = ProvinceSettings.load()
        _set_translated(province, "province_name", PROVINCE)
        province.managing_department = self.organisations["svhttdl"]
        _set_translated(
            province,
            "legal_basis",
            {
                "vi": "Hệ thống dữ liệu quảng bá hình ảnh theo Thông tư 22/2016/TT-BTTTT, Điều 7 "
                "và Quy chế quản lý nhà nước về thông tin đối ngoại của thành phố.",
                "en": "Image promotion database under Circular 22/2016/TT-BTTTT, art. 7, and the "
                "city's regulation on foreign-information work.",
            },
        )
        province.save()

    def load_users(self):
        User = get_user_model()
        users = {}
        for username, role, org_key, superuser in USERS:
            user, _created = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.org"}
            )
            user.is_superuser = user.is_staff = superuser
            user.set_password(DEMO_PASSWORD)
            user.save()
            if role:
                user.groups.add(Group.objects.get(name=role))
                from .models import Membership

                Membership.objects.update_or_create(
                    user=user, defaults={"organisation": self.organisations[org_key]}
                )
            else:
                operations.add_member(user, self.organisations[org_key])
            users[username] = user
        return users

    def ensure_workflow(self):
        """The default review workflow comes from review's migration 0002."""
        from django.contrib.contenttypes.models import ContentType
        from wagtail.models import WorkflowContentType

        return WorkflowContentType.objects.get(
            content_type=ContentType.objects.get_for_model(Photo)
        ).workflow

    def manifest(self):
        with open(self.media_dir / "MANIFEST.csv", newline="", encoding="utf-8") as handle:
            yield from csv.DictReader(handle)

    def licence(self, row):
        code = LICENCE_CODES.get(row["licence"], row["licence"].lower())
        licence = Licence.objects.filter(code=code).first()
        if licence is None:
            licence = Licence(code=code, uri=row["licence_url"])
            _set_translated(licence, "name", {"vi": row["licence"], "en": row["licence"]})
            licence.save()
        return licence

    def topic_for(self, path):
        for hint, slug in TOPIC_HINTS.items():
            if hint in path:
                return Topic.objects.filter(slug=slug).first()
        return Topic.objects.filter(slug="land-and-nature").first()

    def common(self, asset, row, index):
        owner = self.organisations[OWNERS[index % len(OWNERS)]]
        asset.organisation = owner
        _set_translated(asset, "title", {"vi": row["title_vi"][:255], "en": row["title_en"][:255]})
        asset.author = row["author"][:255]
        asset.credit_line = row["author"][:255]
        asset.copyright_holder = row["author"][:255]
        asset.licence = self.licence(row)
        asset.source = row["source"][:500]
        asset.place = self.places["cantho"] if "mekong" in row["path"] else None
        return owner

    def _open(self, path):
        handle = open(self.media_dir / path, "rb")  # noqa: SIM115 - closed by caller
        return File(handle, name=Path(path).name)

    def _sha(self, path):
        return hashlib.sha256((self.media_dir / path).read_bytes()).hexdigest()

    def load_assets(self):
        editions = {}
        rows = list(self.manifest())
        for index, row in enumerate(rows):
            kind, path = row["kind"], row["path"]
            if kind == "photo":
                self.load_photo(row, index)
            elif kind == "video":
                self.load_video(row, index)
            elif kind == "publication":
                editions.setdefault(self.work_key(path), []).append(row)
        for index, (_key, work_rows) in enumerate(editions.items()):
            self.load_publication(work_rows, index)

    @staticmethod
    def work_key(path):
        # The vi and en travel guides are one work in two language editions.
        return "guide" if ("cam-nang" in path or "river-country-guide" in path) else path

    def _finish(self, asset, row):
        asset.save()
        topic = self.topic_for(row["path"])
        if topic:
            asset.topics.set([topic])
        asset.keywords.add(*[w for w in Path(row["path"]).stem.split("-") if len(w) > 3][:4])
        asset.save()
        state = NOT_PUBLISHED.get(Path(row["path"]).name, "published")
        user = self.users["editor.ninhkieu"]
        revision = asset.save_revision(user=user)
        if state in ("published", "withdrawn"):
            revision.publish(user=self.users["reviewer"], skip_permission_checks=True)
            if state == "withdrawn":
                asset.refresh_from_db()
                asset.unpublish(user=self.users["reviewer"])
        elif state == "in_review":
            self.workflow.start(asset, user)

    def load_photo(self, row, index):
        sha = self._sha(row["path"])
        if Photo.objects.filter(image__sha256=sha).exists():
            return
        with self._open(row["path"]) as handle:
            info = validate_upload(handle, "photo")
            photo = Photo(live=False)
            owner = self.common(photo, row, index)
            _set_translated(
                photo, "alt_text", {"vi": row["title_vi"][:255], "en": row["title_en"][:255]}
            )
            photo.image = operations.store_file(
                "photo", handle, info=info, title=row["title_vi"], collection=owner.collection
            )
        self._finish(photo, row)
        self.created["photos"] += 1

    def load_video(self, row, index):
        sha = self._sha(row["path"])
        if Video.objects.filter(media__sha256=sha).exists():
            return
        with self._open(row["path"]) as handle:
            info = validate_upload(handle, "video")
            video = Video(
                live=False, content_languages=["vi", "en"] if "song-nuoc" in row["path"] else []
            )
            owner = self.common(video, row, index)
            video.media = operations.store_file(
                "video", handle, info=info, title=row["title_vi"], collection=owner.collection
            )
        self._finish(video, row)
        self.created["videos"] += 1

    def load_publication(self, rows, index):
        shas = [self._sha(row["path"]) for row in rows]
        if SenDocument.objects.filter(sha256__in=shas, editions__isnull=False).exists():
            return
        publication = Publication(live=False)
        owner = self.common(publication, rows[0], index + 2)
        languages = set()
        for row in rows:
            language = "en" if row["path"].endswith("_en.pdf") else "vi"
            languages |= {"vi", "en"} if "vi-en" in row["path"] else {language}
            with self._open(row["path"]) as handle:
                info = validate_upload(handle, "publication")
                document = operations.store_file(
                    "publication",
                    handle,
                    info=info,
                    title=row["title_vi"],
                    collection=owner.collection,
                )
            publication.editions.add(PublicationEdition(language=language, document=document))
        publication.content_languages = sorted(languages)
        if len(rows) > 1:
            _set_translated(
                publication,
                "title",
                {
                    "vi": "Cẩm nang du lịch “Khám phá miền sông nước” (tài liệu mẫu)",
                    "en": "“Discover river country” travel guide (sample)",
                },
            )
        self._finish(publication, rows[0])
        self.created["publications"] += 1
