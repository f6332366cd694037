from django.urls import path, register_converter

from . import views

app_name = "comments"


class TargetKind:
    regex = "card|stage"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TargetKind, "target")

urlpatterns = [
    path("maps/<int:pk>/comments/", views.open_list, name="open_list"),
    path("maps/<int:pk>/comments/<target:kind>/<int:target_pk>/", views.panel, name="panel"),
    path("maps/<int:pk>/comments/<target:kind>/<int:target_pk>/new/", views.comment_create, name="create"),
    path("maps/<int:pk>/comments/<int:comment_pk>/edit/", views.comment_edit, name="edit"),
    path("maps/<int:pk>/comments/<int:comment_pk>/resolve/", views.thread_resolve, name="resolve"),
    path("maps/<int:pk>/comments/<int:comment_pk>/reopen/", views.thread_reopen, name="reopen"),
    path("mentions/", views.mentions, name="mentions"),
    path("mentions/count/", views.mentions_count, name="mentions_count"),
    path("mentions/seen/", views.mentions_seen, name="mentions_seen"),
]
