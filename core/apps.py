from pathlib import Path

from django.apps import AppConfig, apps


def project_app_configs() -> list[AppConfig]:
    """The apps of this project (a folder at its top), not Django's or a library's."""
    from django.conf import settings

    return [a for a in apps.get_app_configs() if Path(a.path).parent == Path(settings.BASE_DIR)]


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from .text import guard_text_fields

        guard_text_fields(model for app in project_app_configs() for model in app.get_models())
