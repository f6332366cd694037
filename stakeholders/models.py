"""Stakeholders and their sub-maps: the healthcare layer on top of a journey map.

A workspace keeps a registry of stakeholders (the roles whose concerns differ: a
nurse, an IT director, a compliance officer...). Per journey, each major
stakeholder gets a sub-map (`Track`) of steps aligned to the journey's stages; a
training and adoption track runs in parallel with competency checkpoints. An
`Intersection` is a moment where two or more tracks must align.
"""

from django.core.exceptions import ValidationError
from django.db import models

from maps.models import TEXT_MAX, DataClassification, Journey, Level, SoftDeletable, Stage
from workspaces.models import Team, Workspace


class StakeholderGroup(models.TextChoices):
    CLINICAL = "clinical", "Clinical"
    ADMINISTRATIVE = "administrative", "Administrative"
    IT = "it", "IT"
    COMPLIANCE = "compliance", "Compliance"
    PATIENT_CAREGIVER = "patient_caregiver", "Patient / caregiver"
    PAYER = "payer", "Payer"


# The groups the seed's checklist names as "major": each needs a sub-map on a journey.
MAJOR_GROUPS = [
    StakeholderGroup.PATIENT_CAREGIVER,
    StakeholderGroup.CLINICAL,
    StakeholderGroup.ADMINISTRATIVE,
    StakeholderGroup.IT,
    StakeholderGroup.COMPLIANCE,
]

# The roles the seed names, with the concerns it gives each group.
DEFAULT_STAKEHOLDERS = [
    ("Patient", StakeholderGroup.PATIENT_CAREGIVER, "access, clarity, privacy, trust"),
    ("Caregiver", StakeholderGroup.PATIENT_CAREGIVER, "access on behalf of the patient, clarity"),
    ("Physician", StakeholderGroup.CLINICAL, "speed, accuracy, low cognitive load"),
    ("Nurse", StakeholderGroup.CLINICAL, "speed, accuracy, fits the shift's workflow"),
    ("Specialist", StakeholderGroup.CLINICAL, "accuracy, complete referral context"),
    ("Administrator", StakeholderGroup.ADMINISTRATIVE, "cost, compliance, staffing"),
    ("IT director", StakeholderGroup.IT, "integration complexity, security, EHR interoperability"),
    ("Compliance officer", StakeholderGroup.COMPLIANCE, "audit trails, data handling documentation"),
    ("Payer", StakeholderGroup.PAYER, "cost, coverage rules, claims evidence"),
]


class Stakeholder(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="stakeholders")
    role = models.CharField(max_length=120)
    group = models.CharField(max_length=20, choices=StakeholderGroup.choices)
    concerns = models.CharField("primary concerns", max_length=300, blank=True,
                                help_text="Comma separated: speed, accuracy, cost, integration, audit trails…")
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "role"], name="unique_stakeholder_role")]
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.role

    @property
    def concern_list(self) -> list[str]:
        return [c.strip() for c in self.concerns.split(",") if c.strip()]


class TrackKind(models.TextChoices):
    STAKEHOLDER = "stakeholder", "Stakeholder sub-map"
    TRAINING = "training", "Training & adoption"


class Track(SoftDeletable):
    """A stakeholder's own sub-map on a journey, or the parallel training & adoption track."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="tracks")
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.PROTECT, related_name="tracks")
    kind = models.CharField(max_length=12, choices=TrackKind.choices, default=TrackKind.STAKEHOLDER)
    title = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    position_scope = ("journey",)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["journey", "stakeholder", "kind"], condition=models.Q(deletion=None),
                                               name="one_track_per_kind")]
        ordering = ["position", "id"]

    def __str__(self) -> str:
        if self.title:
            return self.title
        if self.kind == TrackKind.TRAINING:
            return f"Training: {self.stakeholder}"
        return str(self.stakeholder)

    def clean(self) -> None:
        if self.stakeholder_id and self.journey_id and self.stakeholder.workspace_id != self.journey.workspace_id:
            raise ValidationError({"stakeholder": "That stakeholder belongs to another workspace."})


class ClinicalContext(models.TextChoices):
    NONE = "", "Not clinical"
    FACE_TIME = "face_time", "During patient face-time"
    DOCUMENTATION = "documentation", "Documentation time"
    ASYNCHRONOUS = "asynchronous", "Asynchronous"


class Step(SoftDeletable):
    """One step of a track, in a stage of the journey, with its clinical and data-security context."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="steps")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="stakeholder_steps")
    title = models.CharField(max_length=200)
    body = models.TextField("details", max_length=TEXT_MAX, blank=True)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    # Clinical workflow
    clinical_context = models.CharField(max_length=14, choices=ClinicalContext.choices, blank=True, default="")
    time_pressure = models.CharField(max_length=6, choices=Level.choices, default=Level.LOW)
    ehr_interop = models.BooleanField("interoperates with the EHR", default=False)
    ehr_notes = models.CharField("EHR integration", max_length=300, blank=True)
    is_verification = models.BooleanField("verification moment", default=False,
                                          help_text="Clinical staff verify that information is accurate here.")
    # Data security and access
    data_classification = models.CharField(max_length=6, choices=DataClassification.choices,
                                           default=DataClassification.NONE)
    access_roles = models.CharField("roles with access", max_length=300, blank=True)
    access_verification = models.CharField("how access is verified", max_length=300, blank=True)
    audit_logged = models.BooleanField("logged for audit", default=False)
    credential_sharing_risk = models.BooleanField("credential-sharing temptation", default=False,
                                                  help_text="Users may be tempted to share logins here.")
    # Training & adoption
    is_competency_checkpoint = models.BooleanField(
        "competency checkpoint", default=False,
        help_text="Competency is verified here before independent use of a critical feature.")

    position_scope = ("track", "stage")

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["track", "stage", "position"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.stage_id and self.track_id and self.stage.journey_id != self.track.journey_id:
            raise ValidationError({"stage": "That stage belongs to another map."})


class AlignmentStatus(models.TextChoices):
    NOT_ALIGNED = "not_aligned", "Not aligned"
    IN_PROGRESS = "in_progress", "Aligning"
    ALIGNED = "aligned", "Aligned"


class Intersection(SoftDeletable):
    """A moment where two or more stakeholders' tracks must align."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="intersections")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="intersections")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=TEXT_MAX, blank=True)
    steps = models.ManyToManyField(Step, related_name="intersections")
    owner_team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=12, choices=AlignmentStatus.choices, default=AlignmentStatus.NOT_ALIGNED)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["stage__position", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.stage_id and self.stage.journey_id != self.journey_id:
            errors["stage"] = "That stage belongs to another map."
        if self.owner_team_id and self.owner_team.workspace_id != self.journey.workspace_id:
            errors["owner_team"] = "That team belongs to another workspace."
        if errors:
            raise ValidationError(errors)
