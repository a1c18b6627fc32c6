"""Sen's URLs plus the limits bench/site.py measures Sen against, served by the same
server through the same middleware:

    /bench/hello/           Django's "hello world": a view that returns a constant
    /bench/static/<path>    a static file, django.views.static.serve
"""

from django.conf import settings
from django.http import HttpResponse
from django.urls import path, re_path
from django.views.static import serve

from cms.urls import urlpatterns as sen


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


urlpatterns = [
    path("bench/hello/", hello),
    re_path(r"^bench/static/(?P<path>.*)$", serve, {"document_root": settings.STATIC_ROOT}),
    *sen,
]
