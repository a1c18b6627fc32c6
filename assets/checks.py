"""Start-up checks for the tools upload validation relies on."""

import shutil

import magic
from django.core.checks import Error, Warning, register


@register()
def upload_tools(app_configs, **kwargs):
    problems = []
    if not shutil.which("ffprobe"):
        problems.append(
            Warning(
                "ffprobe (Debian package ffmpeg) is not installed: every video upload "
                "will be refused.",
                id="sen.W001",
            )
        )
    try:
        magic.from_buffer(b"%PDF-1.4", mime=True)
    except Exception as error:  # noqa: BLE001 - any failure means no sniffing
        problems.append(
            Error(
                f"libmagic (Debian package libmagic1) does not work: {error}",
                id="sen.E001",
            )
        )
    return problems
