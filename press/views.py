"""The media kit's page (in the kit's language) and its logged downloads."""

from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from assets.views import send_download

from . import operations


@require_safe
def kit(request, token):
    kit = operations.valid_kit(token)
    if kit.expired:
        # The journalist learns why the link stopped working; nothing else is shown.
        return TemplateResponse(request, "press/kit_expired.html", {"kit": kit}, status=410)
    assets = operations.public_items(kit)
    response = TemplateResponse(request, "press/kit.html", {"kit": kit, "assets": assets})
    response["X-Robots-Tag"] = "noindex, nofollow"
    response.sen_expires = kit.expires_at
    return response


@require_safe
def kit_download(request, token, kind, pk, size):
    kit = operations.valid_kit(token)
    file, filename, content_type = operations.file_for(kit, kind, pk, size)
    return send_download(file, filename, content_type)
