import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"


EDITING_ROLES = frozenset({Role.OWNER, Role.EDITOR})


def role_can_edit(role: str | None) -> bool:
    """The one rule of who may change a workspace's things: its owners and editors (not viewers)."""
    return role in EDITING_ROLES

DEFAULT_TEAMS = [
    "Marketing",
    "Product",
    "Operations",
    "Support",
    "Compliance/Legal",
    "Clinical",
    "IT",
]


class Workspace(models.Model):
    """An organisation's space. Nothing of one workspace is visible to another."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by an owner: members must sign in with an authenticator code (TOTP) to use the app.
    require_two_factor = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")]
        ordering = ["workspace", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"

    @property
    def can_edit(self) -> bool:
        return role_can_edit(self.role)


class Team(models.Model):
    """An owning function (Marketing, Clinical...): who owns a moment or a handoff."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=60)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="unique_team_name")]
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


def _new_token() -> str:
    return secrets.token_urlsafe(24)


def _expiry():
    return timezone.now() + datetime.timedelta(days=settings.INVITATION_EXPIRY_DAYS)


class Invitation(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)  # the task sends it once

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} to {self.workspace}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.withdrawn_at is None and self.expires_at > timezone.now()


class WorkspaceChange(models.Model):
    """One change to a workspace's own things (not in any map): the stakeholder registry, members,
    invitations and API tokens. A map's changes are `maps.Change`; this is its workspace-level twin,
    written by each service inside its transaction through `workspaces.services.workspace_history_record`."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=20)  # created, edited, removed, sent, accepted, withdrawn, revoked
    entity = models.CharField(max_length=20)  # stakeholder, member, invitation, api_token
    entity_id = models.PositiveBigIntegerField()
    label = models.CharField(max_length=200)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["workspace", "-at"])]

    def __str__(self) -> str:
        return f"{self.entity} {self.label} {self.action}"

    @property
    def entity_display(self) -> str:
        return {"api_token": "API token"}.get(self.entity, self.entity.replace("_", " "))
