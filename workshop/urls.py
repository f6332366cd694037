from django.urls import path

from . import views

app_name = "workshop"

urlpatterns = [
    path("maps/<int:pk>/present/", views.present, name="present"),
    path("maps/<int:pk>/workshop/", views.facilitate, name="facilitate"),
    path("maps/<int:pk>/workshop/timer/start/", views.timer_start, name="timer_start"),
    path("maps/<int:pk>/workshop/timer/stop/", views.timer_stop, name="timer_stop"),
    path("maps/<int:pk>/workshop/votes/new/", views.vote_open, name="vote_open"),
    path("maps/<int:pk>/workshop/votes/<int:session_pk>/close/", views.vote_close, name="vote_close"),
    path("maps/<int:pk>/workshop/votes/<int:session_pk>/reveal/", views.vote_reveal, name="vote_reveal"),
    path("maps/<int:pk>/workshop/votes/<int:session_pk>/cards/<int:card_pk>/add/", views.vote_add, name="vote_add"),
    path("maps/<int:pk>/workshop/votes/<int:session_pk>/cards/<int:card_pk>/remove/", views.vote_remove,
         name="vote_remove"),
    path("maps/<int:pk>/share/", views.share_links, name="share_links"),
    path("maps/<int:pk>/share/new/", views.share_link_create, name="share_link_create"),
    path("maps/<int:pk>/share/<int:link_pk>/revoke/", views.share_link_revoke, name="share_link_revoke"),
    path("share/<str:token>/", views.share_present, name="share_present"),
    path("share/<str:token>/events/", views.share_events, name="share_events"),
]
