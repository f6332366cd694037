from django.urls import path

from . import views

app_name = "compliance"

urlpatterns = [
    path("w/<slug:slug>/compliance/", views.register, name="register"),
    path("compliance/checkpoints/<int:pk>/", views.checkpoint_review, name="checkpoint_review"),
    path("maps/<int:pk>/health/", views.health_panel, name="health_panel"),
    path("maps/<int:pk>/safety/", views.safety, name="safety"),
    path("maps/<int:pk>/checkpoints/new/", views.checkpoint_create, name="checkpoint_create"),
    path("maps/<int:pk>/failure-modes/new/", views.failure_mode_create, name="failure_mode_create"),
    path("maps/<int:pk>/touchpoints/<int:card_pk>/access/", views.touchpoint_access, name="touchpoint_access"),
    path("maps/<int:pk>/safety-loop/", views.safety_loop_edit, name="safety_loop"),
]
