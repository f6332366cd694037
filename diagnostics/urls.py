from django.urls import path

from . import views

app_name = "diagnostics"

urlpatterns = [
    path("maps/<int:pk>/diagnosis/", views.panel, name="panel"),
    path("maps/<int:pk>/diagnosis/metrics/", views.metrics, name="metrics"),
    path("maps/<int:pk>/diagnosis/metrics.csv", views.metrics_export, name="metrics_export"),
    path("maps/<int:pk>/diagnosis/metrics/upload/", views.metrics_upload, name="metrics_upload"),
    path("maps/<int:pk>/diagnosis/metrics/<int:metric_pk>/delete/", views.metric_delete, name="metric_delete"),
    path("maps/<int:pk>/diagnosis/compare/", views.compare, name="compare"),
    path("maps/<int:pk>/diagnosis/observe/", views.observe, name="observe"),
    path("maps/<int:pk>/diagnosis/fixes/", views.fixes, name="fixes"),
    path("maps/<int:pk>/diagnosis/first-fix/", views.first_fix, name="first_fix"),
    path("maps/<int:pk>/diagnosis/charts/", views.charts, name="charts"),
    path("maps/<int:pk>/diagnosis/events/", views.events, name="events"),
    path("maps/<int:pk>/diagnosis/events/status/", views.events_status, name="events_status"),
    path("maps/<int:pk>/diagnosis/events/mapping/", views.step_mapping, name="step_mapping"),
    path("maps/<int:pk>/diagnosis/events/mapping/<int:mapping_pk>/delete/", views.step_mapping_delete,
         name="step_mapping_delete"),
    path("maps/<int:pk>/diagnosis/evidence/", views.evidence, name="evidence"),
    path("maps/<int:pk>/diagnosis/evidence/<int:evidence_pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("w/<slug:slug>/diagnosis/settings/", views.workspace_settings, name="settings"),
]
