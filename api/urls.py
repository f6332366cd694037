"""The JSON API, mounted at /api/. Every route here is described in /api/openapi.json
(tests/test_api_openapi.py checks both ways)."""

from django.urls import path, re_path

from . import views

app_name = "api"

urlpatterns = [
    path("openapi.json", views.openapi, name="openapi"),
    path("maps/", views.map_list, name="map_list"),
    path("maps/<int:map_id>/", views.map_detail, name="map_detail"),
    path("maps/<int:map_id>/stages/", views.stage_create, name="stage_create"),
    path("maps/<int:map_id>/lanes/", views.lane_create, name="lane_create"),
    path("maps/<int:map_id>/cards/", views.card_create, name="card_create"),
    path("stages/<int:stage_id>/", views.stage_edit, name="stage_edit"),
    path("lanes/<int:lane_id>/", views.lane_edit, name="lane_edit"),
    path("cards/<int:card_id>/", views.card_edit, name="card_edit"),
    path("maps/<int:map_id>/exports/", views.export_create, name="export_create"),
    path("exports/<int:export_id>/", views.export_detail, name="export_detail"),
    path("exports/<int:export_id>/download/", views.export_download, name="export_download"),
    # Last: any other path under /api/ answers a JSON 404 rather than the HTML page.
    re_path(r"^(?P<unmatched>.*)$", views.not_found, name="not_found"),
]
