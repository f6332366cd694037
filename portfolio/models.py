"""The workspace as a portfolio: personas reused across maps, maps that detail a stage of
another, and maps saved as templates."""

from django.conf import settings
from django.db import models

from maps.models import TEXT_MAX, Journey, SoftDeletable, Stage
from stakeholders.models import Stakeholder
from workspaces.models import Workspace


class Avatar(models.TextChoices):
    """Bundled illustrations (static/img/personas/), or the persona's initials: never a photo of a person."""

    INITIALS = "initials", "Initials"
    COMPASS = "compass", "Compass"
    LEAF = "leaf", "Leaf"
    WAVE = "wave", "Wave"
    SPARK = "spark", "Spark"
    MOUNTAIN = "mountain", "Mountain"
    SUN = "sun", "Sun"


class Persona(models.Model):
    """Who a map is about, kept once per workspace and named by as many maps as need it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="personas")
    name = models.CharField(max_length=120)
    summary = models.CharField("short description", max_length=300, blank=True)
    goals = models.TextField(max_length=TEXT_MAX, blank=True)
    needs = models.TextField(max_length=TEXT_MAX, blank=True)
    frustrations = models.TextField(max_length=TEXT_MAX, blank=True)
    context = models.TextField(max_length=TEXT_MAX, blank=True,
                               help_text="Digital literacy, access needs, devices, language, care setting…")
    avatar = models.CharField(max_length=12, choices=Avatar.choices, default=Avatar.INITIALS)
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="personas", verbose_name="stakeholder role",
                                    help_text="The role of the healthcare layer this persona is, if any.")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="unique_persona_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def initials(self) -> str:
        return "".join(word[0] for word in self.name.split()[:2]).upper() or "?"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.stakeholder_id and self.stakeholder.workspace_id != self.workspace_id:
            raise ValidationError({"stakeholder": "That stakeholder belongs to another workspace."})


class MapPersona(SoftDeletable):
    """A persona a map is about: one primary at most, and any number of others."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="map_personas")
    persona = models.ForeignKey(Persona, on_delete=models.CASCADE, related_name="map_personas")
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "persona__name"]
        constraints = [
            models.UniqueConstraint(fields=["journey", "persona"], condition=models.Q(deletion=None),
                                    name="unique_map_persona"),
            models.UniqueConstraint(fields=["journey"], condition=models.Q(is_primary=True),
                                    name="one_primary_persona_per_map"),
        ]


class StageLink(SoftDeletable):
    """A stage of one map detailed by another map of the same workspace (read back from the detail map)."""

    stage = models.OneToOneField(Stage, on_delete=models.CASCADE, related_name="detail_link")
    detail = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="details_stages")

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.detail.workspace_id != self.stage.journey.workspace_id:
            raise ValidationError({"detail": "Choose a map of this workspace."})
        if self.detail_id == self.stage.journey_id:
            raise ValidationError({"detail": "A map cannot detail its own stage."})


class MapTemplate(models.Model):
    """A map saved as a starting point for this workspace: its structure as a native document."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="map_templates")
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    document = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="unique_map_template_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        """Its key in the gallery's URLs, beside the built-in templates' names."""
        return f"saved-{self.pk}"
