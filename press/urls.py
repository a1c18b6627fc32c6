from django.urls import path, re_path

from . import views

# Under the language prefix (cms/urls.py): the kit's page.
page_urlpatterns = [
    path("press/kits/<str:token>/", views.kit, name="press_kit"),
]

# Without a prefix: the downloads, never cached, each one logged.
urlpatterns = [
    re_path(
        r"^press/kits/(?P<token>[-\w]+)/(?P<kind>photos|videos|publications)/(?P<pk>\d+)/(?P<size>[-\w]+)/$",
        views.kit_download,
        name="press_kit_download",
    ),
]
