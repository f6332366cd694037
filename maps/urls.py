from django.urls import path

from . import views

app_name = "maps"

urlpatterns = [
    path("maps/", views.journey_list, name="list"),
    path("w/<slug:slug>/maps/new/", views.journey_create, name="create"),
    path("w/<slug:slug>/maps/deleted/", views.deleted_maps, name="deleted_maps"),
    path("w/<slug:slug>/maps/deleted/<int:deletion_pk>/restore/", views.deleted_map_restore,
         name="deleted_map_restore"),
    path("maps/<int:pk>/", views.board, name="board"),
    path("maps/<int:pk>/settings/", views.journey_edit, name="journey_edit"),
    path("maps/<int:pk>/reviewed/", views.journey_review, name="journey_review"),
    path("maps/<int:pk>/activity/", views.activity, name="activity"),
    path("maps/<int:pk>/activity/<int:change_pk>/revert/", views.change_revert, name="change_revert"),
    path("maps/<int:pk>/cards/new/", views.card_create, name="card_create"),
    path("maps/<int:pk>/cards/<int:card_pk>/", views.card_detail, name="card_detail"),
    path("maps/<int:pk>/cards/<int:card_pk>/edit/", views.card_edit, name="card_edit"),
    path("maps/<int:pk>/cards/<int:card_pk>/move/", views.card_move, name="card_move"),
    path("maps/<int:pk>/cards/<int:card_pk>/delete/", views.card_delete, name="card_delete"),
    path("maps/<int:pk>/cards/<int:card_pk>/restore/", views.card_restore, name="card_restore"),
    path("maps/<int:pk>/delete/<slug:kind>/<int:item_pk>/", views.item_delete, name="item_delete"),
    path("maps/<int:pk>/deleted/<int:deletion_pk>/restore/", views.deletion_restore, name="deletion_restore"),
]

for axis in ("stage", "lane"):
    urlpatterns += [
        path(f"maps/<int:pk>/{axis}s/new/", views.axis_create, {"axis": axis}, name=f"{axis}_create"),
        path(f"maps/<int:pk>/{axis}s/<int:item_pk>/edit/", views.axis_edit, {"axis": axis}, name=f"{axis}_edit"),
        path(f"maps/<int:pk>/{axis}s/<int:item_pk>/move/", views.axis_move, {"axis": axis}, name=f"{axis}_move"),
        path(f"maps/<int:pk>/{axis}s/<int:item_pk>/delete/", views.item_delete, {"kind": axis}, name=f"{axis}_delete"),
    ]
