from django.urls import path

from . import views

app_name = "portfolio"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("w/<slug:slug>/", views.portfolio, name="portfolio"),
    path("w/<slug:slug>/personas/", views.personas, name="personas"),
    path("w/<slug:slug>/personas/<int:pk>/", views.persona, name="persona"),
    path("w/<slug:slug>/personas/<int:pk>/edit/", views.persona_edit, name="persona_edit"),
    path("w/<slug:slug>/templates/", views.gallery, name="gallery"),
    path("w/<slug:slug>/templates/<slug:key>/", views.template, name="template"),
    path("maps/<int:pk>/links/", views.map_links, name="map_links"),
    path("maps/<int:pk>/links/personas/", views.map_personas, name="map_personas"),
    path("maps/<int:pk>/links/stages/<int:stage_pk>/", views.stage_link, name="stage_link"),
    path("maps/<int:pk>/duplicate/", views.duplicate, name="duplicate"),
    path("maps/<int:pk>/save-template/", views.template_save, name="template_save"),
]
