"""The free-text persona of existing maps becomes persona objects when the portfolio app is migrated."""

import importlib

from django.apps import apps

from maps.models import Journey
from portfolio.models import MapPersona, Persona

from .factories import make_journey

migration = importlib.import_module("portfolio.migrations.0001_personas_links_templates")


def test_free_text_personas_become_one_persona_per_name_and_workspace(owner, workspace, other_workspace):
    first = make_journey(workspace, owner, title="Intake")
    second = make_journey(workspace, owner, title="Refills")
    blank = make_journey(workspace, owner, title="No persona")
    theirs = make_journey(other_workspace, other_workspace.memberships.get().user, title="Theirs")
    Journey.objects.filter(pk=first.pk).update(persona="Busy parent")
    Journey.objects.filter(pk=second.pk).update(persona="  busy   PARENT ")
    Journey.objects.filter(pk=theirs.pk).update(persona="Busy parent")

    migration.personas_from_text(apps, None)

    ours = Persona.objects.get(workspace=workspace)
    assert ours.name == "Busy parent" and ours.avatar == "initials"
    assert set(MapPersona.objects.filter(persona=ours, is_primary=True).values_list("journey__title", flat=True)) == {
        "Intake", "Refills"}
    assert Persona.objects.get(workspace=other_workspace).map_personas.get().journey == theirs
    assert not MapPersona.objects.filter(journey=blank).exists()


def test_a_persona_typed_on_a_new_or_imported_map_names_a_persona(owner_client, owner, workspace):
    from django.urls import reverse

    from maps import services as map_services

    ours = map_services.journey_create(actor=owner, workspace=workspace, title="Refills", persona="Busy parent")
    assert ours.map_personas.get().persona.name == "Busy parent"
    again = map_services.journey_create(actor=owner, workspace=workspace, title="Pickup", persona="busy PARENT")
    assert again.map_personas.get(is_primary=True).persona == ours.map_personas.get().persona
    map_services.journey_update(actor=owner, journey=again, version=again.version, data={"persona": "Caregiver"})
    assert [(m.persona.name, m.is_primary) for m in again.map_personas.order_by("persona__name")] == [
        ("Busy parent", False), ("Caregiver", True)]
    page = owner_client.get(reverse("portfolio:personas", args=[workspace.slug])).content.decode()
    assert "Busy parent" in page and "Caregiver" in page
