"""Reads of comments and mentions, always scoped to the workspaces of the person asking:
comments exist only for members of the map's workspace."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse

from core.errors import PermissionDenied
from maps.extensions import BoardBadge
from maps.deletions import not_found
from maps.models import Card, Journey, Stage
from maps.selectors import card_get, stage_get

from .models import Comment, Mention

def target_get(*, journey: Journey, kind: str, pk: int) -> Card | Stage:
    """The card or stage of this (already scoped) map that comments hang from."""
    if kind == "stage":
        return stage_get(journey=journey, pk=pk)
    return card_get(journey=journey, pk=pk)


def target_kind(target: Card | Stage) -> str:
    return "stage" if isinstance(target, Stage) else "card"


def _with_people(queryset: QuerySet[Comment]) -> QuerySet[Comment]:
    return queryset.select_related("author", "resolved_by", "reopened_by").prefetch_related(
        Prefetch("mentions", queryset=Mention.objects.select_related("user"))
    )


@dataclass
class Thread:
    root: Comment
    replies: list[Comment] = field(default_factory=list)


@dataclass
class Discussion:
    """The threads on one card or stage: open ones first, then the resolved ones."""

    target: Card | Stage
    kind: str
    open: list[Thread]
    resolved: list[Thread]

    @property
    def dom_id(self) -> str:
        return f"comments-{self.kind}-{self.target.pk}"


def discussion_get(*, journey: Journey, target: Card | Stage) -> Discussion:
    kind = target_kind(target)
    comments = _with_people(Comment.objects.filter(journey=journey, **{kind: target}))
    threads: dict[int, Thread] = {}
    replies = []
    for comment in comments:
        if comment.is_root:
            threads[comment.pk] = Thread(root=comment)
        else:
            replies.append(comment)
    for reply in replies:
        threads[reply.parent_id].replies.append(reply)
    ordered = list(threads.values())
    return Discussion(
        target=target,
        kind=kind,
        open=[t for t in ordered if not t.root.is_resolved],
        resolved=[t for t in ordered if t.root.is_resolved],
    )


def comment_get(*, journey: Journey, pk: int) -> Comment:
    try:
        return Comment.objects.select_related("card", "stage", "parent").get(journey=journey, pk=pk)
    except Comment.DoesNotExist:
        raise not_found(Comment, journey_id=journey.pk, pk=pk, noun="comment") from None


def own_comment_get(*, journey: Journey, pk: int, user: AbstractBaseUser) -> Comment:
    """A comment its author is about to edit: nobody else gets the form."""
    comment = comment_get(journey=journey, pk=pk)
    if comment.author_id != user.pk:
        raise PermissionDenied("Only its author can edit a comment.")
    return comment


def open_threads(*, journey: Journey) -> list[Comment]:
    """The map's unresolved threads, newest activity last, with their target and reply count."""
    return list(
        _with_people(Comment.objects.filter(journey=journey, parent=None, resolved_at=None))
        .filter(Q(card__isnull=True) | Q(card__deleted_at=None))
        .select_related("card", "stage", "card__stage", "card__lane")
        .annotate(reply_count=Count("replies", filter=Q(replies__deletion=None)))
        .order_by("created_at", "id")
    )


def open_thread_counts(*, journey: Journey) -> dict[tuple[str, int], int]:
    """Open threads per card and stage of the map: a map has few, so one grouped query reads them all."""
    rows = (
        Comment.objects.filter(journey=journey, parent=None, resolved_at=None)
        .values("card_id", "stage_id")
        .annotate(n=Count("id"))
    )
    return {("card", r["card_id"]) if r["card_id"] else ("stage", r["stage_id"]): r["n"] for r in rows}


def badge_for(
    *, journey_id: int, kind: str, pk: int, count: int, url_prefix: str | None = None, swap_oob: bool = False
) -> BoardBadge:
    prefix = url_prefix or _panel_url_prefix(journey_id)
    if count:
        label = f"{count} open comment thread{'s' if count != 1 else ''}"
    else:
        label = f"Comment on this {kind}"
    return BoardBadge(dom_id=f"comments-badge-{kind}-{pk}", url=f"{prefix}{kind}/{pk}/", count=count,
                      label=label, css_class="comments", swap_oob=swap_oob)


def _panel_url_prefix(journey_id: int) -> str:
    # One reverse per board, not one per card: reversing is most of a large board's render time.
    return reverse("comments:panel", args=[journey_id, "card", 0]).removesuffix("card/0/")


def open_thread_badges(*, journey: Journey, card_ids: list[int], stage_ids: list[int]) -> dict[tuple[str, int], BoardBadge]:
    """The board badge source (see maps.extensions): every card and stage gets a link to its
    comments, counting its open threads, in one query."""
    counts = open_thread_counts(journey=journey)
    prefix = _panel_url_prefix(journey.pk)
    targets = [("card", pk) for pk in card_ids] + [("stage", pk) for pk in stage_ids]
    return {
        (kind, pk): badge_for(journey_id=journey.pk, kind=kind, pk=pk, count=counts.get((kind, pk), 0), url_prefix=prefix)
        for kind, pk in targets
    }


def mentions_for_user(*, user: AbstractBaseUser) -> QuerySet[Mention]:
    """Where the person was mentioned, only in workspaces they still belong to."""
    if not user.is_authenticated:
        return Mention.objects.none()
    return (
        Mention.objects.filter(user=user, comment__journey__workspace__memberships__user=user)
        .select_related("comment__author", "comment__journey__workspace", "comment__card", "comment__stage",
                        "comment__parent")
        .order_by("seen", "-created_at", "-id")
    )


def unseen_mention_count(*, user: AbstractBaseUser) -> int:
    return mentions_for_user(user=user).filter(seen=False).count()
