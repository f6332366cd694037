"""The business rules about a map that several places show: each lives here once.

The board's banner, the maps list, the diagnosis header and the health check ask
`review_overdue`; the board, the report, the ranking and the exports ask `fix_score` and
`friction_is_open`. Who may edit is `workspaces.models.role_can_edit`."""

import datetime

from django.utils import timezone

from .models import FrictionStatus, Journey

REVIEW_EVERY_DAYS = 90
OPEN_FRICTION_STATUSES = frozenset({FrictionStatus.OPEN, FrictionStatus.INVESTIGATING})


def review_since(journey: Journey) -> datetime.date | None:
    """The day the map was last reviewed or, never reviewed, the day it was made."""
    if journey.last_reviewed_at is not None:
        return journey.last_reviewed_at
    return timezone.localdate(journey.created_at) if journey.created_at else None


def review_overdue(journey: Journey, *, today: datetime.date | None = None) -> bool:
    """A map is due for review when more than 90 days have passed since `review_since`."""
    since = review_since(journey)
    today = today or timezone.localdate()
    return since is not None and (today - since).days > REVIEW_EVERY_DAYS


def friction_is_open(status: str) -> bool:
    """Open and under investigation are open; only resolved friction is not."""
    return status in OPEN_FRICTION_STATUSES


def fix_score(*, impact: int, confidence: int, effort: int) -> float:
    """Impact x confidence / effort (each 1 to 5): the higher, the sooner. Unrounded: callers round to show."""
    return impact * confidence / max(effort, 1)
