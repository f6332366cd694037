"""A map's persona typed as text (the new-map form, an imported file) names a persona object."""

from django.db import transaction

from .models import MapPersona, Persona


def persona_from_text(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """The map's persona text, when it names another persona than the map's primary one, becomes its primary
    persona: found by name in the workspace (whatever its case), or added to the workspace."""
    if raw:
        return
    name = " ".join(instance.persona.split())[:120]
    primary = MapPersona.objects.filter(journey=instance, is_primary=True).select_related("persona").first()
    if not name or (primary and primary.persona.name.casefold() == name.casefold()):
        return
    with transaction.atomic():
        persona = (Persona.objects.filter(workspace_id=instance.workspace_id, name__iexact=name).first()
                   or Persona.objects.create(workspace_id=instance.workspace_id, name=name))
        MapPersona.objects.filter(journey=instance, is_primary=True).update(is_primary=False)
        MapPersona.objects.update_or_create(journey=instance, persona=persona, defaults={"is_primary": True})
