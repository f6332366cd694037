"""Compliance checkpoints, failure modes and the safety-reporting loop of a journey.

A checkpoint is an explicit step of the journey attached to exactly one place: a
stage, a touchpoint card or a stakeholder sub-map step. Its review status moves
through a workflow and every move is kept (`CheckpointTransition`).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from maps.models import TEXT_MAX, Journey, Severity, SoftDeletable, Stage, Touchpoint
from stakeholders.models import Step
from workspaces.models import Team, Workspace


class CheckpointType(models.TextChoices):
    AUTHENTICATION = "authentication", "Authentication"
    DATA_ACCESS = "data_access", "Patient-data access"
    AUDIT_LOGGING = "audit_logging", "Audit logging"
    CONSENT = "consent", "Consent management"
    DATA_RETENTION = "data_retention", "Data retention"
    BREACH_NOTIFICATION = "breach_notification", "Breach notification"
    BAA = "baa", "Business associate agreement"
    ROLE_PERMISSION = "role_permission", "Role-based permission check"
    SECURITY_TRAINING = "security_training", "Security training"
    LEGAL_REVIEW = "legal_review", "Legal / compliance review"
    IDENTITY_LOCATION = "identity_location", "Identity & location verification"
    EMERGENCY_PLAN = "emergency_plan", "Emergency plan"


class ReviewSubject(models.TextChoices):
    NONE = "", "—"
    MESSAGE = "message", "A message"
    MEASUREMENT = "measurement", "A measurement"
    DATA_USE = "data_use", "A data use"


class ReviewStatus(models.TextChoices):
    NOT_ASSESSED = "not_assessed", "Not assessed"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    CHANGES_NEEDED = "changes_needed", "Changes needed"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


# A checkpoint in one of these is settled; any other is open work.
CLOSED_STATUSES = frozenset({ReviewStatus.APPROVED, ReviewStatus.NOT_APPLICABLE})


class Checkpoint(SoftDeletable):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="checkpoints")
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="checkpoints")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, null=True, blank=True, related_name="checkpoints")
    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="checkpoints")
    step = models.ForeignKey(Step, on_delete=models.CASCADE, null=True, blank=True, related_name="checkpoints")
    type = models.CharField(max_length=20, choices=CheckpointType.choices)
    subject = models.CharField("what is reviewed", max_length=12, choices=ReviewSubject.choices, blank=True,
                               default="", help_text="For a legal or compliance review.")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=TEXT_MAX, blank=True)
    owner_team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.NOT_ASSESSED)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    due_date = models.DateField(null=True, blank=True)
    evidence = models.TextField(max_length=TEXT_MAX, blank=True, help_text="Links or references that show it is done.")
    notes = models.TextField(max_length=TEXT_MAX, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["workspace", "status", "due_date"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(stage__isnull=False, touchpoint__isnull=True, step__isnull=True)
                    | models.Q(stage__isnull=True, touchpoint__isnull=False, step__isnull=True)
                    | models.Q(stage__isnull=True, touchpoint__isnull=True, step__isnull=False)
                ),
                name="checkpoint_attached_to_one_place",
                violation_error_message="Attach the checkpoint to exactly one stage, touchpoint or sub-map step.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    def deletion_note(self) -> str:
        """How a delete's confirmation names this checkpoint: what a compliance team must not lose unseen."""
        reviews = CheckpointTransition.all_objects.filter(checkpoint=self).count()
        return (f"Compliance checkpoint “{self.title}”: {self.get_status_display().lower()}, "
                f"{reviews} review history entr{'y' if reviews == 1 else 'ies'}")

    @property
    def target(self):
        return self.stage or self.touchpoint or self.step

    @property
    def target_kind(self) -> str:
        if self.stage_id:
            return "stage"
        if self.touchpoint_id:
            return "touchpoint"
        return "step"

    def clean(self) -> None:
        errors = {}
        if self.stage_id and self.stage.journey_id != self.journey_id:
            errors["stage"] = "That stage belongs to another map."
        if self.touchpoint_id and self.touchpoint.journey_id != self.journey_id:
            errors["touchpoint"] = "That touchpoint belongs to another map."
        if self.step_id and self.step.track.journey_id != self.journey_id:
            errors["step"] = "That step belongs to another map."
        if self.journey_id and self.workspace_id != self.journey.workspace_id:
            errors["__all__"] = "The checkpoint's map belongs to another workspace."
        if self.owner_team_id and self.owner_team.workspace_id != self.workspace_id:
            errors["owner_team"] = "That team belongs to another workspace."
        if self.reviewer_id and not self.reviewer.memberships.filter(workspace_id=self.workspace_id).exists():
            errors["reviewer"] = "The reviewer must be a member of this workspace."
        if self.status == ReviewStatus.APPROVED and not self.evidence.strip():
            errors["evidence"] = "Approving a checkpoint needs evidence."
        if self.status == ReviewStatus.CHANGES_NEEDED and not self.notes.strip():
            errors["notes"] = "Say which changes are needed."
        if self.status in {ReviewStatus.APPROVED, ReviewStatus.CHANGES_NEEDED} and not self.reviewer_id:
            errors["reviewer"] = "A review decision needs a reviewer."
        if errors:
            raise ValidationError(errors)


class CheckpointTransition(SoftDeletable):
    """One move of a checkpoint's review status: who, when, from what to what, and why."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=ReviewStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ReviewStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(max_length=TEXT_MAX, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "review history entry"
        verbose_name_plural = "review history entries"

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class FailureMode(SoftDeletable):
    """What could go wrong at a step, how bad it would be, and the safeguard designed against it."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="failure_modes")
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="failure_modes")
    title = models.CharField("what could go wrong", max_length=200)
    description = models.TextField(max_length=TEXT_MAX, blank=True)
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    safeguard = models.TextField(max_length=TEXT_MAX, blank=True)
    is_near_miss = models.BooleanField("observed as a near miss", default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.step_id and self.journey_id and self.step.track.journey_id != self.journey_id:
            raise ValidationError({"step": "That step belongs to another map."})


class SafetyLoop(SoftDeletable):
    """The feedback and safety-reporting loop of a journey, with its timelines."""

    journey = models.OneToOneField(Journey, on_delete=models.CASCADE, related_name="safety_loop")
    collection_point = models.CharField(
        "where reports are collected", max_length=300,
        help_text="Best at a transition between tasks, not during patient care.")
    stage = models.ForeignKey(Stage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    owner_team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    investigate_within_days = models.PositiveSmallIntegerField(
        "investigate within (days)", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(365)])
    communicate_within_days = models.PositiveSmallIntegerField(
        "tell users the outcome within (days)", null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)])
    communication_channel = models.CharField("how users hear back", max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Safety loop of {self.journey}"

    def clean(self) -> None:
        errors = {}
        if self.stage_id and self.stage.journey_id != self.journey_id:
            errors["stage"] = "That stage belongs to another map."
        if self.owner_team_id and self.owner_team.workspace_id != self.journey.workspace_id:
            errors["owner_team"] = "That team belongs to another workspace."
        if (self.investigate_within_days and self.communicate_within_days
                and self.communicate_within_days < self.investigate_within_days):
            errors["communicate_within_days"] = "Users can only hear the outcome after the investigation."
        if errors:
            raise ValidationError(errors)


class TouchpointAccess(SoftDeletable):
    """Data security and access at a touchpoint of the board (the board's card holds its data classification):
    who should have access, how access is verified, whether the action is logged for audit, and whether
    users may be tempted to share credentials there."""

    touchpoint = models.OneToOneField(Touchpoint, on_delete=models.CASCADE, related_name="access")
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="+")
    access_roles = models.CharField("roles with access", max_length=300, blank=True)
    access_verification = models.CharField("how access is verified", max_length=300, blank=True)
    audit_logged = models.BooleanField("logged for audit", default=False)
    credential_sharing_risk = models.BooleanField("credential-sharing temptation", default=False,
                                                  help_text="Users may be tempted to share logins here.")
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Access at {self.touchpoint}"

    def clean(self) -> None:
        if self.touchpoint_id and self.journey_id and self.touchpoint.journey_id != self.journey_id:
            raise ValidationError({"touchpoint": "That touchpoint belongs to another map."})
