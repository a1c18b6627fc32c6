"""Everything that leaves Sen for other systems, outside the language prefixes
(harvesters and APIs speak no site language). Included by cms/urls.py."""

from django.urls import path

from .oai import views as oai_views

urlpatterns = [
    path("oai/", oai_views.endpoint, name="sen_oai"),
    path("oai/schemas/sen.xsd", oai_views.sen_schema, name="sen_oai_sen_schema"),
]
