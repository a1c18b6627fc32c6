"""Settings of the bench's server (bench/site.py): Sen's own, with a URLconf that adds
the two limits (bench/site_urls.py). Used as DJANGO_SETTINGS_MODULE=site_settings
with bench/ on PYTHONPATH."""

from cms.settings import *  # noqa: F403

ROOT_URLCONF = "site_urls"
