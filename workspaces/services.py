from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from core.errors import ApplicationError, NotFound

from .models import DEFAULT_TEAMS, Invitation, Membership, Role, Team, Workspace
from .selectors import role_require


@transaction.atomic
def workspace_create(*, owner: AbstractBaseUser, name: str, slug: str = "") -> Workspace:
    workspace = Workspace(name=name, slug=slug or slugify(name)[:60])
    workspace.full_clean()
    workspace.save()
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    Team.objects.bulk_create(
        Team(workspace=workspace, name=team, position=i) for i, team in enumerate(DEFAULT_TEAMS)
    )
    return workspace


@transaction.atomic
def member_invite(*, actor: AbstractBaseUser, workspace: Workspace, email: str, role: str) -> Membership | Invitation:
    """Adds an existing user at once; anyone else gets an invitation link to accept."""
    role_require(user=actor, workspace_id=workspace.pk, roles={Role.OWNER})
    if role not in Role.values:
        raise ApplicationError(f"“{role}” is not a role.")
    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is not None:
        membership, created = Membership.objects.get_or_create(
            workspace=workspace, user=user, defaults={"role": role}
        )
        if not created:
            raise ApplicationError(f"{email} is already a member of {workspace}.")
        return membership
    invitation = Invitation(workspace=workspace, email=email, role=role, invited_by=actor)
    invitation.full_clean()
    invitation.save()
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: AbstractBaseUser) -> Membership:
    invitation = Invitation.objects.select_for_update().filter(token=token, accepted_at=None).first()
    if invitation is None:
        raise NotFound("This invitation does not exist or was already used.")
    membership, _ = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


def _member_locked(*, actor: AbstractBaseUser, membership: Membership) -> tuple[Membership, int]:
    """Locks the workspace row (every change of who owns it takes that lock first, so two owners
    demoting each other at once are serialised) and reads the member and the owner count under it."""
    role_require(user=actor, workspace_id=membership.workspace_id, roles={Role.OWNER})
    Workspace.objects.select_for_update().get(pk=membership.workspace_id)
    fresh = Membership.objects.filter(pk=membership.pk, workspace_id=membership.workspace_id).first()
    if fresh is None:
        raise NotFound("This person is no longer a member.")
    owners = Membership.objects.filter(workspace_id=membership.workspace_id, role=Role.OWNER).count()
    return fresh, owners


@transaction.atomic
def member_set_role(*, actor: AbstractBaseUser, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise ApplicationError(f"“{role}” is not a role.")
    membership, owners = _member_locked(actor=actor, membership=membership)
    if membership.role == Role.OWNER and role != Role.OWNER and owners == 1:
        raise ApplicationError("A workspace needs at least one owner.")
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def member_remove(*, actor: AbstractBaseUser, membership: Membership) -> None:
    membership, owners = _member_locked(actor=actor, membership=membership)
    if membership.role == Role.OWNER and owners == 1:
        raise ApplicationError("A workspace needs at least one owner: make someone else owner first.")
    membership.delete()


@transaction.atomic
def team_create(*, actor: AbstractBaseUser, workspace: Workspace, name: str) -> Team:
    role_require(user=actor, workspace_id=workspace.pk)
    team = Team(workspace=workspace, name=name.strip(), position=workspace.teams.count())
    team.full_clean()
    team.save()
    return team
