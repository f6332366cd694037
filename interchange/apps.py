from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "interchange"
    verbose_name = "Import and export formats"

    def ready(self) -> None:
        from .formats import ExportFormat, register_export_format
        from .native import render_json
        from .ojf import render_ojf
        from .tables import render_csv_zip

        register_export_format(ExportFormat(name="json", label="Journeymap JSON", extension="json",
                                            content_type="application/json", render=render_json))
        register_export_format(ExportFormat(name="ojf", label="OpenJourney (.ojf)", extension="ojf",
                                            content_type="application/json", render=render_ojf))
        register_export_format(ExportFormat(name="csv", label="Spreadsheets (cards, checkpoints, fixes)",
                                            extension="zip", content_type="application/zip", render=render_csv_zip))
