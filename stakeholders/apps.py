from django.apps import AppConfig


class StakeholdersConfig(AppConfig):
    name = "stakeholders"
    verbose_name = "Stakeholders and sub-maps"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from maps.extensions import register_board_panel
        from workspaces.models import Workspace

        from .signals import seed_new_workspace

        post_save.connect(seed_new_workspace, sender=Workspace, dispatch_uid="stakeholders_seed_new_workspace")
        register_board_panel(url_name="stakeholders:panel", label="Stakeholder sub-maps")
