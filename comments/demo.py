"""A few threads on the demo's designed telehealth journey, so the board shows its badges."""

from django.contrib.auth import get_user_model
from django.db import transaction

from maps.models import Card, Journey

from . import services
from .models import Comment


@transaction.atomic
def seed_telehealth_comments(journey: Journey) -> None:
    """Idempotent: a journey that already has comments is left as it is."""
    if Comment.objects.filter(journey=journey).exists():
        return
    people = {u.username: u for u in get_user_model().objects.filter(username__in=["demo", "maria", "sam"])}
    handoff = Card.objects.filter(journey=journey, title="Intake complete → clinician queue").first()
    friction = Card.objects.filter(journey=journey, title="Price hidden until account creation").first()
    if handoff is None or friction is None or len(people) < 3:
        return
    root = services.comment_create(
        actor=people["maria"], journey=journey, target=handoff,
        body="Who answers the patient between intake and the first clinician message? @demo can Operations own it?")
    services.comment_create(actor=people["demo"], journey=journey, target=handoff, parent=root,
                            body="Operations for now, with Clinical on call. @maria let us put it on the map.")
    services.comment_create(actor=people["sam"], journey=journey, target=friction,
                            body="Phone support hears this every day: people ask the price before they sign up.")
    stage = journey.stages.first()
    settled = services.comment_create(actor=people["maria"], journey=journey, target=stage,
                                      body="Does acquisition include the referral from a GP? @sam you asked last week.")
    services.thread_resolve(actor=people["maria"], root=settled, version=settled.version)
