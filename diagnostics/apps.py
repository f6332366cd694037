from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    """Designed vs observed, privacy-aware stage metrics, ranked fixes and charts.

    Sits above `maps`: it reads and writes maps through maps' selectors and services,
    and adds its panel to the board through `maps.extensions`; maps never imports it.
    """

    name = "diagnostics"

    def ready(self) -> None:
        from maps.extensions import register_board_badges, register_board_panel

        def panel_html(**kwargs) -> str:
            from .views import panel_html

            return panel_html(**kwargs)

        register_board_panel(url_name="diagnostics:panel", label="Diagnosis: fix one broken transition first",
                             key="diagnosis", render=panel_html, tab="Fix first", position=10)

        from compliance.health import register_facts_loader, register_rule

        from .health import RULES, facts_load

        for rule in RULES:
            register_rule(rule)
        register_facts_loader(facts_load)

        from maps.extensions import register_map_alarms

        from .selectors import evidence_badges, map_alarms

        register_board_badges(evidence_badges)
        register_map_alarms(map_alarms)
