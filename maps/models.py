"""The journey map: journeys, stages (columns), lanes (rows) and the cards in their cells.

Every editable row carries a `version`; a save names the version it read and a
stale one is refused (see `maps.services`). `Journey.revision` counts every change
made anywhere on the map, so history entries and live updates can be ordered.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from workspaces.models import Team, Workspace

TEXT_MAX = 2000


class LiveManager(models.Manager):
    """The default manager of every soft-deletable model: rows that are not deleted. Being the
    default, it also serves related managers (`journey.stages`), form choices and validation,
    so a read has to ask for `all_objects` to see deleted rows."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deletion__isnull=True)


class SoftDeletable(models.Model):
    """A row that a delete marks instead of removing (see `maps.deletions`): `deletion` names the
    one delete that took it with everything depending on it, so they return together."""

    deletion = models.ForeignKey("maps.Deletion", on_delete=models.CASCADE, null=True, blank=True, editable=False,
                                 related_name="+")
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = LiveManager()
    all_objects = models.Manager()

    # The fields whose equal values make a row's siblings, when its `position` orders them.
    position_scope: tuple[str, ...] = ()

    class Meta:
        abstract = True


class JourneyKind(models.TextChoices):
    DESIGNED = "designed", "Designed"
    OBSERVED = "observed", "Observed"
    FUTURE = "future", "Future"


class JourneyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"


class Journey(SoftDeletable):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="journeys")
    title = models.CharField(max_length=200)
    persona = models.CharField("persona or primary stakeholder", max_length=200, blank=True)
    description = models.TextField(max_length=TEXT_MAX, blank=True)
    kind = models.CharField(max_length=10, choices=JourneyKind.choices, default=JourneyKind.DESIGNED)
    observes = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observations",
        help_text="The designed journey this observed journey is compared with.",
    )
    status = models.CharField(max_length=10, choices=JourneyStatus.choices, default=JourneyStatus.DRAFT)
    last_reviewed_at = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    revision = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.observes_id is None:
            return
        if self.kind != JourneyKind.OBSERVED:
            raise ValidationError({"observes": "Only an observed journey observes a designed one."})
        observed = self.observes
        if observed.workspace_id != self.workspace_id or observed.kind != JourneyKind.DESIGNED:
            raise ValidationError({"observes": "Choose a designed journey of this workspace."})


class Stage(SoftDeletable):
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=120)
    description = models.TextField(max_length=TEXT_MAX, blank=True)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    position_scope = ("journey",)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["journey", "position"])]

    def __str__(self) -> str:
        return self.name


class LaneKind(models.TextChoices):
    ACTIONS = "actions", "User actions"
    USER_STATE = "user_state", "User state"
    TOUCHPOINTS = "touchpoints", "Touchpoints"
    FRICTION = "friction", "Friction"
    OPPORTUNITIES = "opportunities", "Opportunities"
    HANDOFFS = "handoffs", "Owners & handoffs"
    BACKSTAGE = "backstage", "Backstage"
    NOTES = "notes", "Notes"


class Lane(SoftDeletable):
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="lanes")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=LaneKind.choices, default=LaneKind.NOTES)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    position_scope = ("journey",)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["journey", "position"])]

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Card(SoftDeletable):
    """Anything placed in a cell of the board. A lane's kind decides the card's kind,
    and the kinds with fields of their own extend this table (user state, touchpoint,
    friction point, opportunity, transition)."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="cards")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="cards")
    lane = models.ForeignKey(Lane, on_delete=models.CASCADE, related_name="cards")
    kind = models.CharField(max_length=20, choices=LaneKind.choices, editable=False)
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    body = models.TextField("details", max_length=TEXT_MAX, blank=True)
    owner_team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    position_scope = ("journey", "stage", "lane")

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["journey", "stage", "lane", "position"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if self.stage_id and self.stage.journey_id != self.journey_id:
            errors["stage"] = "That stage belongs to another map."
        if self.lane_id and self.lane.journey_id != self.journey_id:
            errors["lane"] = "That lane belongs to another map."
        if self.owner_team_id and self.owner_team.workspace_id != self.journey.workspace_id:
            errors["owner_team"] = "That team belongs to another workspace."
        if errors:
            raise ValidationError(errors)


class UserState(Card):
    """What the user is doing, thinking, feeling, needing and questioning at a stage."""

    doing = models.CharField(max_length=300, blank=True)
    thinking = models.CharField(max_length=300, blank=True)
    feeling = models.CharField(max_length=300, blank=True)
    needing = models.CharField(max_length=300, blank=True)
    questioning = models.CharField(max_length=300, blank=True)
    confidence = models.SmallIntegerField(
        "confidence / trust",
        default=0,
        validators=[MinValueValidator(-5), MaxValueValidator(5)],
        help_text="From -5 (lost) to +5 (confident): draws the emotion curve.",
    )


class Channel(models.TextChoices):
    WEB = "web", "Web"
    APP = "app", "App"
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    PHONE = "phone", "Phone"
    CHAT = "chat", "Chat"
    VIDEO = "video", "Video"
    IN_PERSON = "in_person", "In person"
    EHR = "ehr", "EHR"
    OTHER = "other", "Other"


class DataClassification(models.TextChoices):
    NONE = "none", "None"
    PII = "pii", "PII"
    PHI = "phi", "PHI"


class Touchpoint(Card):
    """A moment of contact: what the brand promises before it against what the user meets."""

    channel = models.CharField(max_length=12, choices=Channel.choices, default=Channel.WEB)
    expectation = models.TextField(max_length=TEXT_MAX, blank=True, help_text="What the brand implies before this step.")
    experience = models.TextField(max_length=TEXT_MAX, blank=True, help_text="What the user actually meets.")
    data_classification = models.CharField(
        max_length=6, choices=DataClassification.choices, default=DataClassification.NONE
    )
    communication_sensitivity = models.CharField(max_length=6, choices=Level.choices, default=Level.LOW)
    needs_legal_review = models.BooleanField(default=False)


class FrictionKind(models.TextChoices):
    STRUCTURAL = "structural", "Structural"
    COMMUNICATION = "communication", "Communication"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class FrictionStatus(models.TextChoices):
    OPEN = "open", "Open"
    INVESTIGATING = "investigating", "Investigating"
    RESOLVED = "resolved", "Resolved"


class FrictionPoint(Card):
    """Where momentum weakens: the process itself (structural) or how it is explained (communication)."""

    friction_kind = models.CharField("kind", max_length=14, choices=FrictionKind.choices, default=FrictionKind.STRUCTURAL)
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    evidence = models.TextField(max_length=TEXT_MAX, blank=True)
    status = models.CharField(max_length=14, choices=FrictionStatus.choices, default=FrictionStatus.OPEN)


class OpportunityStatus(models.TextChoices):
    IDEA = "idea", "Idea"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


def _score_field(label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, default=3, validators=[MinValueValidator(1), MaxValueValidator(5)], help_text="1 to 5"
    )


class Opportunity(Card):
    """A fix that addresses friction, ranked by impact x confidence / effort."""

    impact = _score_field("impact")
    effort = _score_field("effort")
    confidence = _score_field("confidence")
    status = models.CharField(max_length=12, choices=OpportunityStatus.choices, default=OpportunityStatus.IDEA)
    # The card's stage says where a fix happens; this says which handoff it repairs, so fixes rank per transition.
    # ("transition" is taken: it is Django's accessor from a card to its Transition row.)
    handoff = models.ForeignKey(
        "Transition",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fixes",
        verbose_name="fixes the transition",
        help_text="The handoff this fix repairs, if any.",
    )

    class Meta:
        verbose_name_plural = "opportunities"

    @property
    def score(self) -> float:
        from .rules import fix_score

        return round(fix_score(impact=self.impact, confidence=self.confidence, effort=self.effort), 1)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        if self.handoff_id and self.handoff.journey_id != self.journey_id:
            raise ValidationError({"handoff": "That transition belongs to another map."})


class Transition(Card):
    """A handoff from this card's stage to the next, and often from one team to another."""

    to_stage = models.ForeignKey(Stage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    from_team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    to_team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    risk = models.CharField(max_length=6, choices=Level.choices, default=Level.MEDIUM)
    observed_dropoff = models.DecimalField(
        "observed drop-off %",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        errors = {}
        if self.to_stage_id and self.to_stage.journey_id != self.journey_id:
            errors["to_stage"] = "That stage belongs to another map."
        for field in ("from_team", "to_team"):
            team = getattr(self, field)
            if team is not None and team.workspace_id != self.journey.workspace_id:
                errors[field] = "That team belongs to another workspace."
        if errors:
            raise ValidationError(errors)


# The model that holds the cards of each lane kind; kinds not listed are plain cards.
CARD_MODELS: dict[str, type[Card]] = {
    LaneKind.USER_STATE: UserState,
    LaneKind.TOUCHPOINTS: Touchpoint,
    LaneKind.FRICTION: FrictionPoint,
    LaneKind.OPPORTUNITIES: Opportunity,
    LaneKind.HANDOFFS: Transition,
}
CARD_DETAIL_RELATIONS = ["userstate", "touchpoint", "frictionpoint", "opportunity", "transition"]


def card_model_for(kind: str) -> type[Card]:
    return CARD_MODELS.get(kind, Card)


class ChangeAction(models.TextChoices):
    CREATE = "create", "created"
    UPDATE = "update", "edited"
    DELETE = "delete", "deleted"
    RESTORE = "restore", "restored"
    MOVE = "move", "moved"


class Change(models.Model):
    """One row's change: who, when, before and after. A service call that changes
    several rows (a reorder, a new map from a template) writes them all with the
    same `revision`, so the activity list can show them as one bulk change."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="changes")
    revision = models.PositiveIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=10, choices=ChangeAction.choices)
    entity = models.CharField(max_length=20)
    entity_id = models.PositiveBigIntegerField()
    label = models.CharField(max_length=200)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # For a delete: what it took, so the entry can restore it.
    deletion = models.ForeignKey("Deletion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-revision", "id"]
        indexes = [
            models.Index(fields=["journey", "-revision"]),
            models.Index(fields=["journey", "entity", "entity_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.label} {self.get_action_display()}"

    @property
    def entity_display(self) -> str:
        """The entity as a person reads it ("stage_metric" -> "stage metric"), whichever layer recorded it."""
        return self.entity.replace("_", " ")


class Deletion(models.Model):
    """What one delete took. Every row it took is marked with it, so they leave every read together
    and come back together; purging it after the retention period removes them for good."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="deletions")
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, null=True, blank=True, related_name="deletions")
    entity = models.CharField(max_length=20)
    entity_id = models.PositiveBigIntegerField()
    model_label = models.CharField(max_length=100)  # the root's model, "app_label.ModelName"
    label = models.CharField(max_length=200)
    # [{"kind": "cards", "count": 3}, ...] and the rows worth naming (checkpoints with their review state).
    took = models.JSONField(default=list, blank=True)
    named = models.JSONField(default=list, blank=True)
    # Links from rows that stay to rows it took (a transition's "to stage"), cleared while it lasts:
    # [{"model": "maps.Transition", "pk": 4, "field": "to_stage_id", "value": 9}]
    unlinked = models.JSONField(default=list, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    restored_at = models.DateTimeField(null=True, blank=True)
    restored_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["workspace", "entity", "restored_at"])]

    def __str__(self) -> str:
        return f"{self.entity} {self.label}"

    @property
    def entity_display(self) -> str:
        return self.entity.replace("_", " ")

    @property
    def took_display(self) -> str:
        return ", ".join(f"{item['count']} {item['kind'] if item['count'] == 1 else item['plural']}"
                         for item in self.took)
