from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports and exports"

    def ready(self) -> None:
        from . import formats  # noqa: F401 - registers pdf, svg and png with interchange.formats
