from django.db import migrations

DEFAULTS = [
    ("Patient", "patient_caregiver", "access, clarity, privacy, trust"),
    ("Caregiver", "patient_caregiver", "access on behalf of the patient, clarity"),
    ("Physician", "clinical", "speed, accuracy, low cognitive load"),
    ("Nurse", "clinical", "speed, accuracy, fits the shift's workflow"),
    ("Specialist", "clinical", "accuracy, complete referral context"),
    ("Administrator", "administrative", "cost, compliance, staffing"),
    ("IT director", "it", "integration complexity, security, EHR interoperability"),
    ("Compliance officer", "compliance", "audit trails, data handling documentation"),
    ("Payer", "payer", "cost, coverage rules, claims evidence"),
]


def seed(apps, schema_editor):
    Workspace = apps.get_model("workspaces", "Workspace")
    Stakeholder = apps.get_model("stakeholders", "Stakeholder")
    for workspace in Workspace.objects.all():
        if Stakeholder.objects.filter(workspace=workspace).exists():
            continue
        Stakeholder.objects.bulk_create(
            Stakeholder(workspace=workspace, role=r, group=g, concerns=c, position=i)
            for i, (r, g, c) in enumerate(DEFAULTS)
        )


class Migration(migrations.Migration):
    dependencies = [("stakeholders", "0001_initial"), ("workspaces", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
