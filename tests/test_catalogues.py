"""Vietnamese first: `manage.py i18n_check` (make i18n-check) passes, i.e. every
string of Sen's own code is translated into vi and en, and the Vietnamese catalogues
Sen ships for Wagtail and its add-ons cover the installed versions' strings."""

import io

from django.core.management import call_command


def test_catalogues_are_complete():
    out = io.StringIO()
    call_command("i18n_check", stdout=out)  # raises CommandError when incomplete
    report = out.getvalue()
    assert "sen                " in report
    assert "wagtail.admin (django)" in report
    assert "All catalogues complete." in report
