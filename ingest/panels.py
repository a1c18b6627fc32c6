"""On the asset's edit page: what the pipeline found and made for its files."""

import os

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel

from .models import ContentCheck, Job
from .operations import assets_of, duplicates_of, files_of


class FileStatusPanel(Panel):
    """The content check, duplicates in any organisation, and the jobs of each file."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("heading", _("File checks and derivatives"))
        super().__init__(*args, **kwargs)

    def clone_kwargs(self):
        return {**super().clone_kwargs(), "heading": self.heading}

    class BoundPanel(Panel.BoundPanel):
        template_name = "ingest/panels/file_status.html"

        def is_shown(self):
            return bool(self.instance and self.instance.pk)

        def get_context_data(self, parent_context=None):
            from review.queue import edit_url

            context = super().get_context_data(parent_context)
            files = []
            for record in files_of(self.instance):
                lookup = ContentCheck.lookup(record)
                twins = []
                for other, identical in duplicates_of(record):
                    for asset in assets_of(other):
                        twins.append(
                            {
                                "asset": asset,
                                "url": edit_url(asset),
                                "identical": identical,
                                "organisation": asset.organisation,
                            }
                        )
                files.append(
                    {
                        "name": os.path.basename(record.file.name),
                        "check": ContentCheck.objects.filter(**lookup).first(),
                        "jobs": list(Job.objects.filter(**lookup).order_by("kind")),
                        "duplicates": twins,
                    }
                )
            context["files"] = files
            return context
