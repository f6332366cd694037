"""Every comment write goes through these functions.

Each one starts with `maps.services.journey_change_begin` letting every role through
(viewers may comment), so the map's revision moves on and live screens hear of it.

Who may do what:
- any member of the map's workspace (viewers too) starts threads and replies;
- only its author edits a comment, naming the version they read (stale -> Conflict);
- an editor or owner resolves and reopens any thread; the thread's author (even a
  viewer) resolves and reopens their own thread; other viewers cannot.
"""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError, PermissionDenied
from maps.models import Card, Journey, Stage
from maps.models import ChangeAction
from maps.services import claim_version, history_record, journey_change_begin
from workspaces.models import EDITING_ROLES, Role
from workspaces.selectors import role_require

from .models import Comment, Mention

EVERY_ROLE = frozenset(Role)
# A Django username after an @ that does not follow a word character (so e-mail addresses
# are not mentions); a trailing full stop ends the sentence, not the name.
MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)")


def mentioned_names(body: str) -> set[str]:
    return {match.rstrip(".") for match in MENTION.findall(body)}


def _mentions_sync(*, comment: Comment, workspace_id: int) -> None:
    """Mentions of members of the map's workspace, as the body now names them. A member
    still named keeps their seen flag; names of anyone else stay plain text."""
    names = mentioned_names(comment.body)
    members = set(
        get_user_model().objects.filter(
            username__in=names, memberships__workspace_id=workspace_id
        ).exclude(pk=comment.author_id).values_list("pk", flat=True)
    )
    # Hard on purpose: mentions are derived from the body, which the comment's history keeps.
    comment.mentions.exclude(user_id__in=members).delete()
    already = set(comment.mentions.values_list("user_id", flat=True))
    Mention.objects.bulk_create([Mention(comment=comment, user_id=pk) for pk in members - already])


@transaction.atomic
def comment_create(
    *, actor: AbstractBaseUser, journey: Journey, target: Card | Stage, body: str, parent: Comment | None = None
) -> Comment:
    """A new thread on `target`, or a reply to `parent`'s thread (replies to a reply join its root)."""
    locked = journey_change_begin(actor=actor, journey_id=journey.pk, roles=EVERY_ROLE)
    if parent is not None and parent.parent_id is not None:
        parent = parent.parent
    comment = Comment(
        journey=locked,
        card=target if isinstance(target, Card) else None,
        stage=target if isinstance(target, Stage) else None,
        parent=parent,
        author=actor,
        body=body.strip(),
    )
    comment.full_clean()
    comment.save()
    _mentions_sync(comment=comment, workspace_id=locked.workspace_id)
    history_record(journey=locked, actor=actor, action=ChangeAction.CREATE, entity="comment", obj=comment,
                   after={"body": comment.body, "on": str(target)})
    return comment


@transaction.atomic
def comment_update(*, actor: AbstractBaseUser, comment: Comment, version: int | None, body: str) -> Comment:
    locked = journey_change_begin(actor=actor, journey_id=comment.journey_id, roles=EVERY_ROLE)
    if comment.author_id != actor.pk:
        raise PermissionDenied("Only its author can edit a comment.")
    claim_version(Comment.objects.filter(journey=locked), pk=comment.pk, version=version, noun="comment")
    comment = Comment.objects.select_related("card", "stage", "parent").get(pk=comment.pk)
    before = comment.body
    comment.body = body.strip()
    comment.edited_at = timezone.now()
    comment.full_clean()
    comment.save(update_fields=["body", "edited_at"])
    _mentions_sync(comment=comment, workspace_id=locked.workspace_id)
    if before != comment.body:
        history_record(journey=locked, actor=actor, action=ChangeAction.UPDATE, entity="comment", obj=comment,
                       before={"body": before}, after={"body": comment.body})
    return comment


def _thread_state_set(*, actor: AbstractBaseUser, root: Comment, version: int | None, resolve: bool) -> Comment:
    locked = journey_change_begin(actor=actor, journey_id=root.journey_id, roles=EVERY_ROLE)
    if not root.is_root:
        raise ApplicationError("Resolve or reopen the thread from its first comment.")
    if root.author_id != actor.pk:
        role_require(user=actor, workspace_id=locked.workspace_id, roles=EDITING_ROLES)
    claim_version(Comment.objects.filter(journey=locked), pk=root.pk, version=version, noun="thread")
    root = Comment.objects.get(pk=root.pk)
    if root.is_resolved == resolve:
        raise ApplicationError(f"This thread is already {'resolved' if resolve else 'open'}.")
    if resolve:
        root.resolved_at, root.resolved_by = timezone.now(), actor
    else:
        root.resolved_at, root.resolved_by = None, None
        root.reopened_at, root.reopened_by = timezone.now(), actor
    root.full_clean()
    root.save(update_fields=["resolved_at", "resolved_by", "reopened_at", "reopened_by"])
    history_record(journey=locked, actor=actor, action=ChangeAction.UPDATE, entity="comment", obj=root,
                   before={"thread": "resolved" if not resolve else "open"},
                   after={"thread": "resolved" if resolve else "open"})
    return root


@transaction.atomic
def thread_resolve(*, actor: AbstractBaseUser, root: Comment, version: int | None) -> Comment:
    return _thread_state_set(actor=actor, root=root, version=version, resolve=True)


@transaction.atomic
def thread_reopen(*, actor: AbstractBaseUser, root: Comment, version: int | None) -> Comment:
    """Clears the resolved state and records who reopened the thread, and when."""
    return _thread_state_set(actor=actor, root=root, version=version, resolve=False)


@transaction.atomic
def mentions_mark_seen(*, actor: AbstractBaseUser, mention_ids: list[int] | None = None) -> int:
    """Marks the actor's own mentions seen (all of them when no ids are given); returns how many."""
    mentions = Mention.objects.filter(user=actor, seen=False)
    if mention_ids is not None:
        mentions = mentions.filter(pk__in=mention_ids)
    return mentions.update(seen=True)
