"""A new workspace starts with the stakeholder roles the seed names (workspaces cannot import us)."""


def seed_new_workspace(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from .services import stakeholders_seed_defaults

        stakeholders_seed_defaults(workspace=instance)
