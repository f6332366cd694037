"""`{% load plain_words %}`: labels in words where a template would otherwise show a code or a blank.

`{{ from_team|handoff_teams:to_team }}` says who hands over to whom, and which team is not named
yet, instead of "? → ?"."""

from django import template

register = template.Library()


@register.filter
def handoff_teams(from_team, to_team) -> str:
    giver, taker = str(from_team or "").strip(), str(to_team or "").strip()
    if giver and taker:
        return f"{giver} hands over to {taker}"
    if giver:
        return f"{giver} hands over; the receiving team is not named yet"
    if taker:
        return f"Hands over to {taker}; the sending team is not named yet"
    return "Neither team is named yet"
