"""`{% load review %}` then `{% if journey|review_overdue %}`: the one review rule (maps.rules), in templates."""

from django import template

from maps import rules

register = template.Library()


@register.filter
def review_overdue(journey) -> bool:
    return rules.review_overdue(journey)
