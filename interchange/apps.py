from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "interchange"
    verbose_name = "Import and export formats"

    def ready(self) -> None:
        from .formats import ExportFormat, register_export_format
        from .native import render_json

        register_export_format(ExportFormat(name="json", label="Journeymap JSON", extension="json",
                                            content_type="application/json", render=render_json))
