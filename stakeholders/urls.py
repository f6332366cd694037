from django.urls import path

from . import views

app_name = "stakeholders"

urlpatterns = [
    path("w/<slug:slug>/stakeholders/", views.registry, name="registry"),
    path("w/<slug:slug>/stakeholders/<int:pk>/edit/", views.stakeholder_edit, name="edit"),
    path("maps/<int:pk>/stakeholders/", views.swimlanes, name="swimlanes"),
    path("maps/<int:pk>/stakeholders/panel/", views.panel, name="panel"),
    path("maps/<int:pk>/stakeholders/tracks/new/", views.track_create, name="track_create"),
    path("maps/<int:pk>/stakeholders/steps/new/", views.step_create, name="step_create"),
    path("maps/<int:pk>/stakeholders/steps/<int:step_pk>/edit/", views.step_edit, name="step_edit"),
    path("maps/<int:pk>/stakeholders/intersections/new/", views.intersection_create, name="intersection_create"),
    path("maps/<int:pk>/stakeholders/intersections/<int:item_pk>/edit/", views.intersection_edit,
         name="intersection_edit"),
]
