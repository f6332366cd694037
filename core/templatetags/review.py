"""`{% load review %}` then `{% if journey|review_overdue %}`: a map not reviewed for 90 days says so.

Lives in `core` so that map templates can use it without importing a higher layer.
"""

from datetime import timedelta

from django import template
from django.utils import timezone

REVIEW_AFTER = timedelta(days=90)

register = template.Library()


@register.filter
def review_overdue(journey) -> bool:
    """True when the map was last reviewed 90 or more days ago (a map never reviewed counts from its creation)."""
    since = journey.last_reviewed_at or (timezone.localdate(journey.created_at) if journey.created_at else None)
    return since is not None and timezone.localdate() - since >= REVIEW_AFTER
