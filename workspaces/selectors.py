import dataclasses
import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from core.errors import NotFound, PermissionDenied

from .models import EDITING_ROLES, Invitation, Membership, Role, Team, Workspace, WorkspaceChange, role_can_edit


def workspaces_for_user(*, user: AbstractBaseUser) -> QuerySet[Workspace]:
    if not user.is_authenticated:
        return Workspace.objects.none()
    return Workspace.objects.filter(memberships__user=user)


def workspace_get(*, user: AbstractBaseUser, slug: str) -> Workspace:
    try:
        return workspaces_for_user(user=user).get(slug=slug)
    except Workspace.DoesNotExist:
        raise NotFound("No such workspace.") from None


def membership_get(*, user: AbstractBaseUser, workspace_id: int) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, workspace_id=workspace_id).first()


def can_edit(*, user: AbstractBaseUser, workspace_id: int, membership: Membership | None = None) -> bool:
    """Whether the person may change this workspace's things (`membership` if the caller has read it)."""
    membership = membership or membership_get(user=user, workspace_id=workspace_id)
    return membership is not None and role_can_edit(membership.role)


def role_require(*, user: AbstractBaseUser, workspace_id: int, roles=EDITING_ROLES) -> Membership:
    """The user's membership if their role is one of `roles`; raises otherwise.

    A non-member gets NotFound (the workspace does not exist for them), a member
    with too small a role gets PermissionDenied.
    """
    membership = membership_get(user=user, workspace_id=workspace_id)
    if membership is None:
        raise NotFound("No such workspace.")
    if membership.role not in roles:
        if roles == {Role.OWNER}:
            raise PermissionDenied("Only an owner of this workspace can do that.")
        raise PermissionDenied("Viewers cannot change this workspace.")
    return membership


def members_list(*, workspace: Workspace) -> QuerySet[Membership]:
    return workspace.memberships.select_related("user").order_by("user__username")


def teams_list(*, workspace_id: int) -> QuerySet[Team]:
    return Team.objects.filter(workspace_id=workspace_id)


def invitations_open(*, workspace: Workspace) -> QuerySet[Invitation]:
    return workspace.invitations.filter(accepted_at=None, withdrawn_at=None, expires_at__gt=timezone.now())


@dataclasses.dataclass(frozen=True)
class ActivityFilters:
    """What a person narrows a record to (a map's Activity or the workspace's): by person, kind and date."""

    actor_id: int | None = None
    entity: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None

    def apply(self, changes: QuerySet) -> QuerySet:
        if self.actor_id:
            changes = changes.filter(actor_id=self.actor_id)
        if self.entity:
            changes = changes.filter(entity=self.entity)
        if self.since:
            changes = changes.filter(at__date__gte=self.since)
        if self.until:
            changes = changes.filter(at__date__lte=self.until)
        return changes



def workspace_changes_list(*, workspace: Workspace, filters: ActivityFilters = ActivityFilters(),
                           limit: int = 300) -> list[WorkspaceChange]:
    """The workspace's own record, newest first, each entry with `rows`: its values as a person reads them
    (stored with human labels by the service that wrote it), only those that changed."""
    changes = list(filters.apply(workspace.changes.select_related("actor"))[:limit])
    for change in changes:
        before, after = change.before or {}, change.after or {}
        change.rows = [{"label": name, "before": before.get(name, ""), "after": after.get(name, "")}
                       for name in [*before, *[k for k in after if k not in before]]
                       if before.get(name) != after.get(name)]
    return changes


def workspace_activity_choices(*, workspace: Workspace) -> dict:
    """The people and kinds a workspace's record can be filtered by."""
    people = {c.actor_id: c.actor for c in workspace.changes.select_related("actor").exclude(actor=None)
              .distinct("actor_id").order_by("actor_id")}
    kinds = sorted(set(workspace.changes.values_list("entity", flat=True)))
    return {"people": list(people.values()),
            "kinds": [(k, WorkspaceChange(entity=k).entity_display) for k in kinds]}


def person_name(user: AbstractBaseUser | None, *, me: AbstractBaseUser | None = None) -> str:
    """How a person is named to others; "" for nobody (a deleted account)."""
    if user is None:
        return ""
    if me is not None and user.pk == me.pk:
        return "You, in another window,"
    return user.get_full_name() or user.username


def last_saved_by(changes: QuerySet, *, entity: str, entity_id: int, me: AbstractBaseUser) -> str:
    """Who saved this thing last, by its change history (a map's or a workspace's), for a conflict view:
    the person whose save won. Newest first by the row's own id, which both histories count up."""
    change = changes.filter(entity=entity, entity_id=entity_id).select_related("actor").order_by("-id").first()
    return person_name(change.actor, me=me) if change else ""
