"""Diagnostics' rules in the map health check (registered into `compliance.health` when the app is ready)."""

from django.urls import reverse

from compliance.health import Facts, Outcome, Rule

from .selectors import EVIDENCE_MAX_AGE_DAYS, Readings, claims_of, decline_watch_of, readings_load

KEY = "diagnostics"


def facts_load(facts: list[Facts]) -> None:
    """The health check's loader (see compliance.health.register_facts_loader): the readings of every map."""
    missing = [f for f in facts if KEY not in f.extra]
    readings = readings_load(journeys=[f.journey for f in missing]) if missing else {}
    for item in missing:
        item.extra[KEY] = readings[item.journey.pk]


def facts_given(readings: dict[int, Readings]) -> dict[int, dict]:
    """Readings already loaded, as the `extra` of `compliance.health.health_check_many`."""
    return {pk: {KEY: item} for pk, item in readings.items()}


def _readings(facts: Facts) -> Readings:
    if KEY not in facts.extra:  # facts built without the loaders
        facts_load([facts])
    return facts.extra[KEY]


def check_quiet_decline(rule: Rule, facts: Facts) -> Outcome:
    alarms, watched = decline_watch_of(_readings(facts))
    url = reverse("diagnostics:first_fix", args=[facts.journey.pk])
    return Outcome(checked=watched, findings=[
        rule.finding(f"{alarm.text}.", {"type": alarm.subject, "id": alarm.position, "label": alarm.label}, url)
        for alarm in alarms])


def _evidence_url(facts: Facts, card_id: int) -> str:
    return reverse("diagnostics:evidence", args=[facts.journey.pk]) + f"#claim-{card_id}"


def _claim_obj(claim) -> dict:
    return {"type": claim.card.kind, "id": claim.card.pk, "label": claim.card.title, "stage": claim.card.stage.name}


def check_high_claims_backed(rule: Rule, facts: Facts) -> Outcome:
    high = [c for c in claims_of(_readings(facts), today=facts.today) if c.high]
    return Outcome(checked=len(high), findings=[
        rule.finding(f"“{c.card.title}” ({c.card.get_severity_display().lower()} severity, {c.card.stage.name}) "
                     "is assumed: no evidence backs it.", _claim_obj(c), _evidence_url(facts, c.card.pk))
        for c in high if not c.backed])


def check_evidence_fresh(rule: Rule, facts: Facts) -> Outcome:
    claims = [c for c in claims_of(_readings(facts), today=facts.today) if c.backed]
    return Outcome(checked=sum(len(c.items) for c in claims), findings=[
        rule.finding(f"Evidence for “{c.card.title}” ({item.get_kind_display().lower()}, {item.source}) dates from "
                     f"{item.observed_on:%d %b %Y}: older than {EVIDENCE_MAX_AGE_DAYS} days.", _claim_obj(c),
                     _evidence_url(facts, c.card.pk))
        for c in claims for item in c.stale_items])


RULES = [
    Rule("quiet_decline", "No transition's conversion or stage's return rate is quietly worsening", "medium", check_quiet_decline),
    Rule("claims_backed", "High-severity claims are backed by evidence", "high", check_high_claims_backed),
    Rule("evidence_fresh", f"Evidence is no older than {EVIDENCE_MAX_AGE_DAYS} days", "low", check_evidence_fresh),
]
