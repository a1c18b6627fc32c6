from django.urls import path

from . import views

app_name = "ingest"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("batches/", views.create_batch, name="create_batch"),
    path("batches/<int:batch_id>/", views.batch, name="batch"),
    path("batches/<int:batch_id>/files/", views.upload_file, name="upload_file"),
    path("batches/<int:batch_id>/status/", views.batch_status, name="batch_status"),
    path("batches/<int:batch_id>/sheet/", views.apply_sheet, name="apply_sheet"),
    path("batches/<int:batch_id>/submit/", views.submit_batch, name="submit_batch"),
    path("items/<int:item_id>/drop/", views.drop_item, name="drop_item"),
    path("file-metadata/", views.file_metadata, name="file_metadata"),
]
