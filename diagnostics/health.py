"""Diagnostics' rules in the map health check (registered into `compliance.health` when the app is ready)."""

from django.urls import reverse

from compliance.health import Facts, Outcome, Rule

from .selectors import decline_watch


def check_quiet_decline(rule: Rule, facts: Facts) -> Outcome:
    alarms, watched = decline_watch(journey=facts.journey)
    url = reverse("diagnostics:first_fix", args=[facts.journey.pk])
    return Outcome(checked=watched, findings=[
        rule.finding(f"{alarm.text}.", {"type": "transition", "id": alarm.position, "label": alarm.label}, url)
        for alarm in alarms])


RULES = [
    Rule("quiet_decline", "No transition's conversion is quietly declining", "medium", check_quiet_decline),
]
