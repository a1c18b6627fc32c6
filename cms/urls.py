from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from assets.views import download_photo, serve_file

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's document view, guarded by assets.wagtail_hooks (file_access).
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    # Stored files on the embedded default; each request is checked (assets.permissions).
    path("files/<path:path>", serve_file, name="sen_file"),
    # Licence-checked downloads with the credit embedded (published photos only).
    path("download/photo/<int:pk>/<slug:size>/", download_photo, name="sen_download_photo"),
]

urlpatterns += i18n_patterns(path("", include(wagtail_urls)), prefix_default_language=True)
