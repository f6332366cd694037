from django.urls import path

from . import views

app_name = "interchange"

urlpatterns = [
    path("w/<slug:slug>/maps/import/", views.map_import, name="import"),
    path("maps/<int:pk>/export/", views.exports, name="exports"),
    path("maps/<int:pk>/export/backup/", views.backup_download, name="backup"),
    path("maps/<int:pk>/export/<str:format_name>/", views.export_download, name="download"),
    path("maps/<int:pk>/export/<str:table>.csv", views.table_download, name="table"),
]
