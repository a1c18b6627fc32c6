import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from assets.demo import DEMO_PASSWORD, USERS, DemoLoader


class Command(BaseCommand):
    help = "Load the demo province, organisations, users and assets (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--media",
            default=os.environ.get(
                "SEN_DEMO_MEDIA", str(Path(settings.BASE_DIR).parent / "shared" / "demo-media")
            ),
            help="Folder with MANIFEST.csv (default: ../shared/demo-media)",
        )

    def handle(self, *args, media, **options):
        created = DemoLoader(media).run()
        self.stdout.write(
            "Demo content: {photos} photos, {videos} videos, {publications} publications added.".format(
                **created
            )
        )
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for username, role, org, _superuser in USERS:
            self.stdout.write(f"  {username:<18} {role or 'Contributor'} · {org}")
