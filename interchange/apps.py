from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "interchange"
    verbose_name = "Import and export formats"

    def ready(self) -> None:
        from maps.extensions import register_board_panel, register_workspace_action

        from .formats import ExportFormat, register_export_format
        from .native import render_json
        from .ojf import render_ojf
        from .tables import render_csv_zip

        register_export_format(ExportFormat(name="json", label="Journeymap JSON", extension="json",
                                            content_type="application/json", render=render_json))
        register_export_format(ExportFormat(name="ojf", label="OpenJourney", extension="ojf",
                                            content_type="application/json", render=render_ojf))
        register_export_format(ExportFormat(name="csv", label="Spreadsheets (cards, checkpoints, fixes)",
                                            extension="zip", content_type="application/zip", render=render_csv_zip))
        register_board_panel(url_name="interchange:exports", label="Download", key="downloads", placement="export")
        register_workspace_action(url_name="interchange:import", label="Import a map")
