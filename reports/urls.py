from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("maps/<int:pk>/exports/", views.exports, name="exports"),
    path("exports/<int:job_pk>/", views.export_job, name="job"),
    path("exports/<int:job_pk>/download/", views.export_download, name="download"),
]
