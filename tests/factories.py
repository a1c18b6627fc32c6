"""Factories for Sen's tests: small generated files, real organisations with their
collections and editors groups (through operations, as the admin makes them)."""

import io

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from PIL import Image
from wagtail.models import Collection

from assets import operations
from assets.models import Licence, Organisation, Photo, SenImage, SenMedia, Video, VideoSubtitle

User = get_user_model()
PASSWORD = "pw-for-tests-only"


def jpeg_bytes(width=64, height=48, color=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG")
    return buffer.getvalue()


def png_bytes(width=64, height=48):
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 120, 200, 128)).save(buffer, "PNG")
    return buffer.getvalue()


def make_organisation(name="Phường A", kind=Organisation.Kind.COMMUNE, parent=None, en=None):
    return operations.create_organisation(
        names={"vi": name, "en": en or ""}, kind=kind, parent=parent
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def contributor(organisation, **kwargs):
    user = UserFactory(**kwargs)
    operations.add_member(user, organisation)
    return user


def role_user(role, **kwargs):
    operations.ensure_role_groups()
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


class SenImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SenImage

    title = factory.Sequence(lambda n: f"image {n}")
    file = factory.LazyFunction(lambda: ContentFile(jpeg_bytes(), name="test.jpg"))
    collection = factory.LazyFunction(Collection.get_first_root_node)


class PhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Photo
        skip_postgeneration_save = True

    title_vi = factory.Sequence(lambda n: f"Ảnh số {n}")
    title = factory.SelfAttribute("title_vi")
    organisation = factory.LazyFunction(make_organisation)
    image = factory.SubFactory(
        SenImageFactory, collection=factory.SelfAttribute("..organisation.collection")
    )
    licence = factory.LazyFunction(lambda: Licence.objects.get(code="cc-by-4.0"))
    live = True


def make_video(organisation, *, subtitles=True, **fields):
    """A draft video of `organisation` on a tiny MP4 the pipeline cannot probe (it is
    given 75 s, 640 × 360), with Vietnamese captions and English subtitles unless
    `subtitles` is False. Needs the `media_dirs` fixture."""
    media = SenMedia.objects.create(
        title="Clip",
        collection=organisation.collection,
        type="video",
        duration=75,
        width=640,
        height=360,
        file=ContentFile(b"\x00\x00\x00\x18ftypmp42", name="clip.mp4"),
    )
    # The pipeline cannot probe these bytes and leaves the duration at 0.
    SenMedia.objects.filter(pk=media.pk).update(duration=75)
    media.refresh_from_db()
    video = Video.objects.create(
        organisation=organisation,
        media=media,
        licence=Licence.objects.get(code="cc-by-4.0"),
        live=False,
        **fields,
    )
    if subtitles:
        VideoSubtitle.objects.create(
            video=video,
            language="vi",
            kind=VideoSubtitle.Kind.CAPTIONS,
            file=ContentFile(
                "WEBVTT\n\n00:00.000 --> 00:01.000\n[Nhạc] Xin chào\n".encode(), name="vi.vtt"
            ),
        )
        VideoSubtitle.objects.create(
            video=video,
            language="en",
            file=ContentFile(b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n", name="en.vtt"),
        )
    return video


def index_entry(asset_id, *, kind="photos", public=True, **fields):
    """An IndexedAsset written straight to Sen's search index, for tests of the
    engines that need no asset rows (the search returns kinds and ids)."""
    from django.utils import timezone

    from search import index

    values = {
        "expire_at": None,
        "published_at": timezone.now(),
        "date": None,
        "organisation_id": None,
        "licence_id": None,
        "place_id": None,
        "languages": ["vi"],
        **fields,
    }
    item = index.IndexedAsset(kind=kind, asset_id=asset_id, public=public, **values)
    index.write([item])
    return item
