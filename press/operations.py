"""What a media kit's link offers: its items that are still public, and for each
the files a journalist may take (photos: the download sizes their licence allows,
with the credit embedded; videos: the web copy; publications: each edition's PDF)."""

from django.conf import settings
from django.http import Http404
from django.utils.text import slugify

from assets.models import Photo, Video
from cms import published
from ingest.models import Derivative

from .models import MediaKit, MediaKitDownload


def valid_kit(token):
    """The kit behind a link, or 404; an expired kit is answered by the view."""
    kit = MediaKit.objects.filter(token=token).first()
    if kit is None or not token:
        raise Http404
    return kit


def public_items(kit):
    """The kit's public assets in order, prepared for cards (one query per kind)."""
    assets = published.public_assets_of(kit.items.all())
    photos = [a for a in assets if isinstance(a, Photo)]
    made = {
        (d.image_id, d.name.removeprefix("download-")): d
        for d in Derivative.objects.filter(
            image__in=[p.image_id for p in photos], name__startswith="download-"
        )
    }
    for asset in assets:
        asset.kit_files = files_of(asset, made)
    return assets


def files_of(asset, made):
    if isinstance(asset, Photo):
        allowed = (asset.licence.download_sizes or []) if asset.licence else []
        return [
            {
                "size": size,
                "label": published.download_label(size),
                "width": made[(asset.image_id, size)].width,
                "height": made[(asset.image_id, size)].height,
            }
            for size in allowed
            if (asset.image_id, size) in made
        ]
    if isinstance(asset, Video):
        return [{"size": "video"}]
    return [{"size": edition.language} for edition in asset.editions.all()]


def file_for(kit, kind, pk, size):
    """(file, filename, content type) of one file of a kit, logged; 404 otherwise."""
    if kind not in published.KINDS or kit.expired:
        raise Http404
    field = {"photos": "photo_id", "videos": "video_id", "publications": "publication_id"}[kind]
    if not kit.items.filter(**{field: pk}).exists():
        raise Http404
    asset = published.QUERYSETS[kind]().filter(pk=pk).first()
    if asset is None:
        raise Http404
    stem = slugify(asset.title_en or asset.title_vi) or kind[:-1]
    if isinstance(asset, Photo):
        allowed = (asset.licence.download_sizes or []) if asset.licence else []
        derivative = Derivative.objects.filter(
            image=asset.image_id, name=f"download-{size}"
        ).first()
        if size not in allowed or derivative is None:
            raise Http404
        result = derivative.file, f"{stem}-{asset.pk}-{size}.jpg", "image/jpeg"
    elif isinstance(asset, Video):
        if size != "video":
            raise Http404
        web = Derivative.objects.filter(media=asset.media_id, name="web-mp4").first()
        result = (web.file if web else asset.media.file), f"{stem}-{asset.pk}.mp4", "video/mp4"
    else:
        edition = asset.editions.filter(language=size).select_related("document").first()
        if edition is None or size not in dict(settings.LANGUAGE_NAMES):
            raise Http404
        result = edition.document.file, f"{stem}-{asset.pk}-{size}.pdf", "application/pdf"
    MediaKitDownload.objects.create(
        kit=kit, kind=kind, asset_id=asset.pk, asset_title=asset.title_vi or "", size=size
    )
    return result


def share(kit):
    """E-mail the kit's link to the journalist, in the kit's language, unless it was
    already sent to that address. Returns True if a message went out.

    Called once the kit is saved (press.views_admin); the address is kept with the
    time, so the admin shows where the link went and a second save does not send it
    again. A failing mail server raises: the caller tells the reviewer."""
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from django.utils import timezone, translation

    if not kit.email or kit.email == kit.sent_to:
        return False
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + kit.get_public_url()
    context = {"kit": kit, "link": link, "items": public_items(kit)}
    with translation.override(kit.language):
        subject = " ".join(render_to_string("press/kit_mail_subject.txt", context).split())
        body = render_to_string("press/kit_mail.txt", context)
        html = render_to_string("press/kit_mail.html", context)
    message = EmailMultiAlternatives(subject, body, to=[kit.email])
    message.attach_alternative(html, "text/html")
    message.send()
    kit.sent_to, kit.sent_at = kit.email, timezone.now()
    MediaKit.objects.filter(pk=kit.pk).update(sent_to=kit.sent_to, sent_at=kit.sent_at)
    return True
