"""The demo's observed telehealth journey: what users really do, against the designed one,
with twelve months of aggregated stage metrics. Idempotent: run it twice, nothing is duplicated."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from compliance import services as compliance_services
from compliance.models import Checkpoint, ReviewStatus
from maps import services as map_services
from maps.demo import JOURNEY_TITLE, demo_owner
from maps.models import Card, Journey, JourneyKind, LaneKind, Touchpoint
from workspaces.models import Team, Workspace

from . import services
from .models import StageMetric

OBSERVED_TITLE = f"{JOURNEY_TITLE} (observed)"

# Per observed stage: people entering in a typical month and the share progressing to the next stage.
FUNNEL = [
    ("Acquisition", 5200, 0.58),
    ("Onboarding & intake", None, 0.64),
    ("Waiting for a clinician", None, 0.81),
    ("Onboarding & intake (return)", 24, 0.55),  # small: some months fall under the threshold
    ("Consultation", None, 0.86),
    ("Fulfilment", None, 0.71),
    ("Retention", None, 0.52),
]
SEASON = [1.08, 1.12, 1.0, 0.94, 0.9, 0.86, 0.82, 0.88, 0.97, 1.03, 1.06, 1.14]


def seed_observed_journey(workspace: Workspace) -> Journey | None:
    designed = Journey.objects.filter(workspace=workspace, title=JOURNEY_TITLE, kind=JourneyKind.DESIGNED).first()
    if designed is None:
        return None
    observed = Journey.objects.filter(workspace=workspace, observes=designed, title=OBSERVED_TITLE).first()
    actor = demo_owner()
    if observed is None:
        observed = _observed(designed, actor)
    if not StageMetric.objects.filter(journey=observed).exists():
        services.stage_metrics_import(actor=actor, journey=observed, data=metrics_csv(observed))
    if not Checkpoint.objects.filter(journey=designed).exists():
        _checkpoints(designed, actor)
    return observed


# The designed journey's compliance work, so its coverage chart shows something true: some settled, some not,
# one overdue, and the first and last stages without any. (touchpoint title or stage name, type, title,
# status, due in days)
CHECKPOINTS = [
    ("Consent and privacy notice", "consent", "Consent captured before intake", ReviewStatus.APPROVED, -40),
    ("Intake questionnaire", "data_access", "Who may read intake answers", ReviewStatus.IN_REVIEW, 12),
    ("Consultation", "identity_location", "Identity and location checked before the visit", ReviewStatus.NOT_ASSESSED,
     20),
    ("Pharmacy status SMS", "legal_review", "No condition named in pharmacy texts", ReviewStatus.NOT_ASSESSED, -10),
    ("Two-week check-in message", "legal_review", "Check-in message wording", ReviewStatus.IN_REVIEW, 5),
]


def _checkpoints(designed: Journey, actor) -> None:
    today = timezone.localdate()
    legal = Team.objects.get(workspace=designed.workspace, name="Compliance/Legal")
    for place, type_, title, status, due_in in CHECKPOINTS:
        touchpoint = Touchpoint.objects.filter(journey=designed, title=place, deleted_at=None).first()
        target = {"touchpoint": touchpoint} if touchpoint else {"stage": designed.stages.get(name=place)}
        checkpoint = compliance_services.checkpoint_create(actor=actor, journey=designed, data={
            "type": type_, "title": title, "owner_team": legal, "due_date": today + timedelta(days=due_in), **target})
        if status == ReviewStatus.NOT_ASSESSED:
            continue
        review = {"status": status, "reviewer": actor}
        if status == ReviewStatus.APPROVED:  # approval is reached through a review, and needs evidence
            checkpoint = compliance_services.checkpoint_review(
                actor=actor, checkpoint=checkpoint, version=checkpoint.version, data={"status": ReviewStatus.IN_REVIEW})
            review["evidence"] = "Consent screen v4 and an audit sample of 20 intakes"
        compliance_services.checkpoint_review(actor=actor, checkpoint=checkpoint, version=checkpoint.version,
                                              data=review)


def _months(today: date, count: int = 12) -> list[date]:
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        months.append(date(year, month, 1))
    return list(reversed(months))


def metrics_csv(observed: Journey) -> bytes:
    names = set(observed.stages.values_list("name", flat=True))
    lines = ["stage,period,entered,progressed"]
    for index, period in enumerate(_months(timezone.localdate())):
        season = SEASON[(period.month - 1) % 12]
        carried = None
        for step, (name, base, share) in enumerate(FUNNEL):
            wobble = 1 + ((index * 7 + step * 3) % 5 - 2) / 100
            if base is not None and step == 0:
                entered = round(base * season)
            elif base is not None:
                entered = base + (index * 5 + step) % 9 - 3  # 21 to 29: some months' counts fall below the threshold
            else:
                entered = carried
            progressed = min(entered, round(entered * min(share * wobble, 0.99)))
            if name in names:
                lines.append(f"{name},{period:%Y-%m},{entered},{progressed}")
            if base is None or step == 0:
                carried = progressed
    return ("\n".join(lines) + "\n").encode()


@transaction.atomic
def _observed(designed: Journey, actor) -> Journey:
    observed = services.journey_observe(actor=actor, designed=designed, title=OBSERVED_TITLE)
    teams = {t.name: t for t in Team.objects.filter(workspace=designed.workspace)}
    lanes = {lane.kind: lane for lane in observed.lanes.all()}

    def stage(name):
        return observed.stages.get(name=name)

    def card(stage_name, kind, title):
        found = Card.objects.get(journey=observed, stage__name=stage_name, kind=kind, title=title, deleted_at=None)
        return found

    def update(found, **data):
        map_services.card_update(actor=actor, card=found, version=found.version, data=data)

    def add(stage_obj, kind, **data):
        return map_services.card_create(actor=actor, journey=observed, stage_id=stage_obj.pk,
                                        lane_id=lanes[kind].pk, data=data)

    def new_stage(name, description, position):
        created = map_services.stage_create(actor=actor, journey=observed,
                                            data={"name": name, "description": description})
        created.refresh_from_db()
        return map_services.stage_move(actor=actor, stage=created, version=created.version, position=position)

    # Intake feels worse than designed, and the questionnaire is not what the ad promised.
    update(card("Onboarding & intake", LaneKind.USER_STATE, "Unsure what comes next"), confidence=-4)
    update(card("Onboarding & intake", LaneKind.TOUCHPOINTS, "Intake questionnaire"),
           experience="Twenty-two questions; many stop at medications and come back days later.")
    # A pause nobody designed: waiting for the clinician's first message.
    waiting = new_stage("Waiting for a clinician", "Between intake and the first message from a clinician.", 2)
    add(waiting, LaneKind.ACTIONS, title="Checks email for the clinician's message",
        body="Opens the app several times a day; nothing says how long it will take.")
    add(waiting, LaneKind.USER_STATE, title="Left in silence", thinking="Did my intake go through?",
        feeling="Anxious, ignored", needing="A time estimate", questioning="Should I book elsewhere?", confidence=-3)
    add(waiting, LaneKind.FRICTION, title="No message between intake and clinician", friction_kind="structural",
        severity="high", evidence="Median 26 hours before the first clinician message; 19% never return.")
    add(waiting, LaneKind.OPPORTUNITIES, title="Confirmation with a realistic wait time", impact=5, confidence=4,
        effort=2, owner_team=teams["Operations"],
        handoff=card("Onboarding & intake", LaneKind.HANDOFFS, "Intake complete → clinician queue").transition)
    # Users loop back to intake when the insurance card is rejected.
    again = new_stage("Onboarding & intake (return)", "Back to intake after the insurance card is rejected.", 3)
    add(again, LaneKind.ACTIONS, title="Re-uploads the insurance card", body="The first photo was rejected by email.")
    add(again, LaneKind.FRICTION, title="Rejected insurance photo explained by email only",
        friction_kind="communication", severity="medium",
        evidence="Support tags 'insurance card' on 9% of intake chats.",
        owner_team=teams["Support"])
    # In practice nobody owns prescription routing.
    update(card("Consultation", LaneKind.HANDOFFS, "Visit → prescription routing"), owner_team=None)
    update(card("Consultation", LaneKind.USER_STATE, "Reassured once the visit starts"), confidence=2)
    # Fulfilment: users chase the pharmacy themselves.
    add(stage("Fulfilment"), LaneKind.ACTIONS, title="Calls the pharmacy to ask about the order",
        body="Because the texts disagree about the order number.")
    update(card("Fulfilment", LaneKind.USER_STATE, "Confused by mixed messages"), confidence=-4)
    update(card("Fulfilment", LaneKind.HANDOFFS, "Fulfilment → follow-up"), owner_team=teams["Support"])
    # Retention: the designed check-in is not what users meet; few come back at all.
    update(card("Retention", LaneKind.TOUCHPOINTS, "Two-week check-in message"),
           experience="Most never open it: it arrives before the medication.")
    update(card("Retention", LaneKind.USER_STATE, "Neutral, drifting"), confidence=-1)
    reengagement = stage("Re-engagement")
    map_services.stage_delete(actor=actor, stage=reengagement, version=reengagement.version)
    observed.refresh_from_db()
    map_services.journey_update(actor=actor, journey=observed, version=observed.version, data={"status": "active"})
    observed.refresh_from_db()
    return observed
