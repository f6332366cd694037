from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments and mentions"

    def ready(self) -> None:
        from maps.extensions import register_board_badges, register_board_link
        from workspaces.models import Role

        from .selectors import open_thread_badges

        register_board_badges(open_thread_badges)
        register_board_link(url_name="comments:open_list", label="Open comments", roles=frozenset(Role))
