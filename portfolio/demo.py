"""The demo workspace's personas: the ones its maps name, filled in, and a caregiver the team reuses."""

from maps.models import Journey
from stakeholders.models import Stakeholder
from workspaces.models import Workspace

from .models import Avatar, MapPersona, Persona

# name -> details; the first two are the persona texts of the demo maps (see maps.demo, stakeholders.demo).
DEMO_PERSONAS = {
    "Adult seeking a first online consultation": dict(
        summary="Working adult trying online care for the first time, between shifts",
        goals="See a real clinician today without taking time off work.",
        needs="The price before sign-up; a time estimate; to know who reads the intake answers.",
        frustrations="Long intake forms with no progress shown; waiting rooms with no estimate.",
        context="Confident on a phone, not on forms; often on mobile data; English as a second language.",
        avatar=Avatar.COMPASS, stakeholder_role="Patient"),
    "RPM nurse (daily user); IT director and administrator decide; patients at home": dict(
        summary="The nurse who triages remote readings every day, in a rollout others decide on",
        goals="Act on the readings that matter before the end of the shift.",
        needs="Thresholds set per patient; alerts batched outside patient face-time.",
        frustrations="Alert fatigue; readings that never reach the EHR flowsheet.",
        context="Works across two clinics; shared workstation; high time pressure at handover.",
        avatar=Avatar.WAVE, stakeholder_role="Nurse"),
    "Caregiver managing a parent's care": dict(
        summary="Adult child who books visits and collects prescriptions for a parent",
        goals="Keep a parent's care on track without a trip for every refill.",
        needs="Access on the parent's behalf, with consent that is easy to give and check.",
        frustrations="Every service asks the parent to sign in themselves.",
        context="Manages two accounts from one phone; the parent has low vision.",
        avatar=Avatar.LEAF, stakeholder_role="Caregiver"),
}


def seed_personas(workspace: Workspace) -> None:
    """Fills in the demo's personas (idempotent) and names the caregiver on the telehealth map too."""
    for name, details in DEMO_PERSONAS.items():
        details = dict(details)
        role = details.pop("stakeholder_role")
        persona, _created = Persona.objects.get_or_create(workspace=workspace, name=name)
        for field, value in details.items():
            setattr(persona, field, value)
        persona.stakeholder = Stakeholder.objects.filter(workspace=workspace, role=role).first()
        persona.full_clean()
        persona.save()
    telehealth = Journey.objects.filter(workspace=workspace, persona=next(iter(DEMO_PERSONAS))).first()
    caregiver = Persona.objects.get(workspace=workspace, name="Caregiver managing a parent's care")
    if telehealth is not None:
        MapPersona.objects.get_or_create(journey=telehealth, persona=caregiver, defaults={"is_primary": False})
