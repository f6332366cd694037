from django.urls import path

from . import views

app_name = "workspaces"

urlpatterns = [
    path("w/new/", views.workspace_create, name="create"),
    path("w/<slug:slug>/members/", views.members, name="members"),
    path("w/<slug:slug>/activity/", views.activity, name="activity"),
    path("w/<slug:slug>/teams/", views.team_create, name="team_create"),
    path("w/<slug:slug>/teams/<int:team_pk>/rename/", views.team_rename, name="team_rename"),
    path("w/<slug:slug>/teams/<int:team_pk>/delete/", views.team_delete, name="team_delete"),
    path("w/<slug:slug>/invitations/<int:invitation_id>/withdraw/", views.invitation_withdraw,
         name="invitation_withdraw"),
    path("w/<slug:slug>/two-factor/", views.two_factor, name="two_factor"),
    path("w/<slug:slug>/members/<int:member_pk>/role/", views.member_role, name="member_role"),
    path("w/<slug:slug>/members/<int:member_pk>/remove/", views.member_remove, name="member_remove"),
    path("invitations/<str:token>/", views.invitation_accept, name="accept"),
]
