import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q

from comments.models import Mention
from compliance.models import CLOSED_STATUSES, Checkpoint
from maps.models import Journey, JourneyStatus
from maps.rules import review_overdue
from workspaces.models import EDITING_ROLES

from .models import EmailSettings

CHECKPOINT_LOOKAHEAD_DAYS = 7


def email_settings_get(*, user: AbstractBaseUser) -> EmailSettings:
    return EmailSettings.objects.filter(user=user).first() or EmailSettings(user=user)


@dataclass
class Digest:
    maps_due: list = field(default_factory=list)
    checkpoints: list = field(default_factory=list)
    threads: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.maps_due or self.checkpoints or self.threads)


def digest_for(*, user: AbstractBaseUser, today: datetime.date) -> Digest:
    """What needs this person, only from workspaces they are a member of now."""
    workspaces = user.memberships.values("workspace_id")
    editing = user.memberships.filter(role__in=EDITING_ROLES).values("workspace_id")
    editable = (Journey.objects.filter(workspace_id__in=editing).exclude(status=JourneyStatus.ARCHIVED)
                .select_related("workspace").order_by("workspace__name", "title"))
    maps_due = [journey for journey in editable if review_overdue(journey, today=today)]  # the one review rule
    checkpoints = list(Checkpoint.objects.filter(workspace_id__in=workspaces, reviewer=user,
                                                 due_date__lte=today + datetime.timedelta(days=CHECKPOINT_LOOKAHEAD_DAYS))
                       .exclude(status__in=CLOSED_STATUSES).select_related("journey").order_by("due_date", "pk"))
    mentions = (Mention.objects.filter(user=user, comment__journey__workspace_id__in=workspaces)
                .filter(Q(comment__parent__isnull=True, comment__resolved_at__isnull=True)
                        | Q(comment__parent__isnull=False, comment__parent__resolved_at__isnull=True))
                .select_related("comment__journey", "comment__author").order_by("-created_at"))
    threads, seen_roots = [], set()
    for mention in mentions:
        root = mention.comment.parent_id or mention.comment_id
        if root not in seen_roots:
            seen_roots.add(root)
            threads.append(mention)
    return Digest(maps_due=maps_due, checkpoints=checkpoints, threads=threads)
