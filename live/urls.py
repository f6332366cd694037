from django.urls import path

from . import views

app_name = "live"

urlpatterns = [
    path("maps/<int:pk>/events/", views.events, name="events"),
    path("maps/<int:pk>/editing/", views.editing, name="editing"),
]
