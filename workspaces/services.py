from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from core.queue import task_enqueue_on_commit

from . import tasks

from .models import DEFAULT_TEAMS, Invitation, Membership, Role, Team, Workspace, WorkspaceChange
from .selectors import role_require
from .validators import display_name_refuse_impersonation, username_validate


def workspace_history_record(*, workspace_id: int, actor: AbstractBaseUser | None, action: str, entity: str,
                             entity_id: int, label: str, before: dict | None = None,
                             after: dict | None = None) -> WorkspaceChange:
    """Writes one change of a workspace's own things (registry, members, invitations, API tokens) to its
    record; called by their services inside their transactions, so the entry and the change go together."""
    change = WorkspaceChange(workspace_id=workspace_id, actor=actor, action=action, entity=entity,
                             entity_id=entity_id, label=str(label)[:200], before=before or None, after=after or None)
    change.save()
    return change


def _role_label(role: str) -> str:
    return Role(role).label if role in Role.values else role


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


def _require_open(invitation: Invitation | None) -> Invitation:
    if invitation is None or not invitation.is_open:
        raise NotFound("This invitation does not exist, has expired, was withdrawn or was already used.")
    return invitation


@transaction.atomic
def member_invite(*, actor: AbstractBaseUser, workspace: Workspace, email: str, role: str) -> Invitation:
    """Emails an invitation to accept. Nobody is added without accepting, and the answer is the same
    whether or not the address has an account, so the form tells nothing about who has one."""
    role_require(user=actor, workspace_id=workspace.pk, roles={Role.OWNER})
    if role not in Role.values:
        raise ApplicationError(f"“{role}” is not a role.")
    email = email.strip().lower()
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise ApplicationError(f"{email} is already a member of {workspace}.")
    Invitation.objects.filter(workspace=workspace, email__iexact=email, accepted_at=None,
                              withdrawn_at=None).update(withdrawn_at=timezone.now())  # the newest one counts
    invitation = Invitation(workspace=workspace, email=email, role=role, invited_by=actor)
    invitation.full_clean()
    invitation.save()
    workspace_history_record(workspace_id=workspace.pk, actor=actor, action="sent", entity="invitation",
                             entity_id=invitation.pk, label=email, after={"Role": _role_label(role)})
    task_enqueue_on_commit(tasks.send_invitation, invitation.pk)
    return invitation


@transaction.atomic
def invitation_withdraw(*, actor: AbstractBaseUser, invitation_id: int, workspace: Workspace) -> Invitation:
    role_require(user=actor, workspace_id=workspace.pk, roles={Role.OWNER})
    invitation = Invitation.objects.select_for_update().filter(pk=invitation_id, workspace=workspace).first()
    if invitation is None or invitation.accepted_at is not None:
        raise NotFound("No such open invitation.")
    if invitation.withdrawn_at is None:
        invitation.withdrawn_at = timezone.now()
        invitation.save(update_fields=["withdrawn_at"])
        workspace_history_record(workspace_id=workspace.pk, actor=actor, action="withdrawn", entity="invitation",
                                 entity_id=invitation.pk, label=invitation.email)
    return invitation


def invitation_email_matches(*, invitation: Invitation, user: AbstractBaseUser) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists()


@transaction.atomic
def invitation_accept(*, token: str, user: AbstractBaseUser) -> Membership:
    """Only the account whose verified email the invitation was sent to can accept it."""
    invitation = _require_open(Invitation.objects.select_for_update().filter(token=token).first())
    if not invitation_email_matches(invitation=invitation, user=user):
        raise PermissionDenied(f"This invitation was sent to {invitation.email}. Sign in with the account "
                               "that has that verified email address to accept it.")
    others = [m.user for m in invitation.workspace.memberships.select_related("user").exclude(user=user)]
    try:
        display_name_refuse_impersonation(names=[user.username, user.get_full_name()], others=others)
    except ValidationError as error:
        raise ApplicationError(error.messages[0]) from None
    membership, _ = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    workspace_history_record(workspace_id=invitation.workspace_id, actor=user, action="accepted",
                             entity="invitation", entity_id=invitation.pk, label=invitation.email,
                             after={"Member": user.get_full_name() or user.username,
                                    "Role": _role_label(membership.role)})
    return membership


def _member_name(membership: Membership) -> str:
    return membership.user.get_full_name() or membership.user.username


def _member_locked(*, actor: AbstractBaseUser, membership: Membership) -> tuple[Membership, int]:
    """Locks the workspace row (every change of who owns it takes that lock first, so two owners
    demoting each other at once are serialised) and reads the member and the owner count under it."""
    role_require(user=actor, workspace_id=membership.workspace_id, roles={Role.OWNER})
    Workspace.objects.select_for_update().get(pk=membership.workspace_id)
    fresh = (Membership.objects.select_related("user")
             .filter(pk=membership.pk, workspace_id=membership.workspace_id).first())
    if fresh is None:
        raise NotFound("This person is no longer a member.")
    owners = Membership.objects.filter(workspace_id=membership.workspace_id, role=Role.OWNER).count()
    return fresh, owners


@transaction.atomic
def invitation_sign_up(*, token: str, username: str, password: str, first_name: str = "",
                       last_name: str = "") -> AbstractBaseUser:
    """A newcomer creates an account with the invited email (verified: the link came to it) and joins.

    Raises ValidationError with a message per field; nothing is created then."""
    invitation = _require_open(Invitation.objects.select_for_update().filter(token=token).first())
    User = get_user_model()
    if User.objects.filter(email__iexact=invitation.email).exists() or \
            EmailAddress.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError({"username": f"An account with {invitation.email} exists already: "
                                           "sign in with it to accept."})
    username = username.strip()
    errors: dict[str, list[str]] = {}
    try:
        username = username_validate(username)
        others = [m.user for m in invitation.workspace.memberships.select_related("user")]
        display_name_refuse_impersonation(names=[username], others=others)
    except ValidationError as error:
        errors["username"] = error.messages
    try:
        display_name_refuse_impersonation(names=[f"{first_name} {last_name}".strip()],
                                          others=[m.user for m in invitation.workspace.memberships.select_related("user")])
    except ValidationError as error:
        errors["first_name"] = error.messages
    user = User(username=username, email=invitation.email, first_name=first_name.strip(),
                last_name=last_name.strip())
    try:
        validate_password(password, user)
    except ValidationError as error:
        errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.full_clean()
    user.save()
    EmailAddress.objects.create(user=user, email=invitation.email, verified=True, primary=True)
    invitation_accept(token=token, user=user)
    return user


@transaction.atomic
def member_set_role(*, actor: AbstractBaseUser, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise ApplicationError(f"“{role}” is not a role.")
    membership, owners = _member_locked(actor=actor, membership=membership)
    if membership.role == Role.OWNER and role != Role.OWNER and owners == 1:
        raise ApplicationError("A workspace needs at least one owner.")
    before = membership.role
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    if before != role:
        workspace_history_record(workspace_id=membership.workspace_id, actor=actor, action="edited",
                                 entity="member", entity_id=membership.user_id, label=_member_name(membership),
                                 before={"Role": _role_label(before)}, after={"Role": _role_label(role)})
    return membership


@transaction.atomic
def member_remove(*, actor: AbstractBaseUser, membership: Membership) -> None:
    membership, owners = _member_locked(actor=actor, membership=membership)
    if membership.role == Role.OWNER and owners == 1:
        raise ApplicationError("A workspace needs at least one owner: make someone else owner first.")
    workspace_history_record(workspace_id=membership.workspace_id, actor=actor, action="removed", entity="member",
                             entity_id=membership.user_id, label=_member_name(membership),
                             before={"Role": _role_label(membership.role)})
    # Hard on purpose: a membership holds no content of its own. The record above keeps who left with which
    # role, and an invitation brings them back.
    membership.delete()


@transaction.atomic
def team_create(*, actor: AbstractBaseUser, workspace: Workspace, name: str) -> Team:
    role_require(user=actor, workspace_id=workspace.pk)
    team = Team(workspace=workspace, name=name.strip(), position=workspace.teams.count())
    team.full_clean()
    team.save()
    workspace_history_record(workspace_id=workspace.pk, actor=actor, action="created", entity="team",
                             entity_id=team.pk, label=team.name, after={"Name": team.name})
    return team


def _team_locked(*, actor: AbstractBaseUser, team: Team, version: int | None) -> Team:
    role_require(user=actor, workspace_id=team.workspace_id)
    fresh = Team.objects.select_for_update().filter(pk=team.pk, workspace_id=team.workspace_id).first()
    if fresh is None:
        raise NotFound("This team was deleted meanwhile.")
    if fresh.version != version:
        raise Conflict(f"Someone changed the team “{fresh.name}” meanwhile. Reload and try again.", current=fresh)
    return fresh


@transaction.atomic
def team_rename(*, actor: AbstractBaseUser, team: Team, version: int | None, name: str) -> Team:
    team = _team_locked(actor=actor, team=team, version=version)
    before, team.name = team.name, name.strip()
    if team.name == before:
        return team
    team.version += 1
    team.full_clean()
    team.save(update_fields=["name", "version"])
    workspace_history_record(workspace_id=team.workspace_id, actor=actor, action="edited", entity="team",
                             entity_id=team.pk, label=team.name, before={"Name": before}, after={"Name": team.name})
    return team


def team_uses(*, team: Team) -> dict[str, int]:
    """What names this team as its owner, deleted rows included (they may come back): {kind: count}."""
    counts: dict[tuple[str, str], int] = {}
    relations = [f for f in Team._meta.get_fields(include_hidden=True)  # hidden: most point here with "+"
                 if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one)]
    for relation in relations:
        count = relation.related_model._base_manager.filter(**{relation.field.name: team}).count()
        if count:
            meta = relation.related_model._meta
            names = (str(meta.verbose_name), str(meta.verbose_name_plural))
            counts[names] = counts.get(names, 0) + count
    return {(plural if count != 1 else name): count for (name, plural), count in counts.items()}


@transaction.atomic
def team_delete(*, actor: AbstractBaseUser, team: Team, version: int | None) -> None:
    """Deletes a team nothing names (a team in use would leave its cards and checkpoints without an owner)."""
    team = _team_locked(actor=actor, team=team, version=version)
    if uses := team_uses(team=team):
        listed = ", ".join(f"{count} {kind}" for kind, count in uses.items())
        raise ApplicationError(f"The team “{team.name}” still owns {listed} (deleted ones included, as they "
                               "can come back): give them another team first.")
    workspace_history_record(workspace_id=team.workspace_id, actor=actor, action="deleted", entity="team",
                             entity_id=team.pk, label=team.name, before={"Name": team.name})
    # Hard on purpose: nothing names it (checked above), so nothing is lost; the record keeps its name.
    team.delete()


@transaction.atomic
def workspace_require_two_factor(*, actor: AbstractBaseUser, workspace: Workspace, required: bool) -> Workspace:
    role_require(user=actor, workspace_id=workspace.pk, roles={Role.OWNER})
    if required and not Authenticator.objects.filter(user=actor, type=Authenticator.Type.TOTP).exists():
        raise ApplicationError("Set up two-factor sign-in for yourself first (Your account, Two-factor sign-in): "
                               "the requirement applies to owners too.")
    workspace = Workspace.objects.select_for_update().get(pk=workspace.pk)
    before = workspace.require_two_factor
    workspace.require_two_factor = required
    workspace.save(update_fields=["require_two_factor"])
    if before != required:
        shown = {True: "Required", False: "Not required"}
        workspace_history_record(workspace_id=workspace.pk, actor=actor, action="edited", entity="setting",
                                 entity_id=workspace.pk, label="Two-factor sign-in",
                                 before={"Two-factor sign-in": shown[before]},
                                 after={"Two-factor sign-in": shown[required]})
    return workspace
