"""The demo's second journey, built from the second seed: a clinician-facing remote patient
monitoring (RPM) product, with a sub-map per major stakeholder, a training track and the
intersections where their tracks must align. `compliance.demo` adds checkpoints on top."""

import datetime

from django.db import transaction

from maps import services as map_services
from maps.models import Journey, LaneKind
from workspaces.models import Team, Workspace

from . import services
from .models import AlignmentStatus, Stakeholder, Step, TrackKind

RPM_TITLE = "Remote patient monitoring: clinic rollout"

RPM_STAGES = [
    ("Evaluation & contracting", "The clinic evaluates the product; security review, BAA and pricing."),
    ("Implementation & EHR integration", "Accounts, roles, single sign-on and the EHR interface."),
    ("Training & go-live", "Nurses and physicians learn the workflow before independent use."),
    ("Patient enrolment", "Consent, device pairing and the first readings."),
    ("Monitoring & alerts", "Readings arrive; out-of-range alerts reach the care team."),
    ("Review, documentation & billing", "Monthly review, documentation in the EHR and RPM billing."),
]

# stage index -> (title, doing/thinking, feeling, needing, questioning, confidence) for the clinic's nurse lead
USER_STATES = {
    0: ("Nurse lead weighs the pilot", "Will this add clicks to my day?", "Sceptical", "Proof it saves time",
        "Who answers the alerts at night?", -1),
    1: ("Waiting on IT", "Another login to remember", "Impatient", "Single sign-on", "When is the EHR link live?", -2),
    2: ("Learning the dashboard", "The triage view makes sense", "Cautiously positive", "Practice on test patients",
        "Am I signed off to use it alone?", 1),
    3: ("Enrolling first patients", "Pairing takes too long in clinic", "Rushed", "A pairing script",
        "What if the patient has no smartphone?", -1),
    4: ("Triaging alerts", "Most alerts are noise", "Alert fatigue", "Thresholds per patient",
        "Did the physician see this one?", -3),
}

TOUCHPOINTS = [  # stage, title, channel, data class, sensitivity, legal review, owner
    (0, "Security questionnaire & BAA", "email", "pii", "medium", True, "Compliance/Legal"),
    (1, "EHR interface go-live", "ehr", "phi", "medium", False, "IT"),
    (3, "Device pairing text message", "sms", "pii", "high", False, "Operations"),
    (4, "Out-of-range alert in the EHR inbox", "ehr", "phi", "high", False, "Clinical"),
    (5, "Monthly RPM summary for billing", "web", "phi", "medium", False, "Operations"),
]

HANDOFFS = [  # stage, title, from, to, owner (None: nobody owns it yet), risk
    (0, "Signed contract to implementation kickoff", "Product", "IT", "Product", "medium"),
    (2, "Go-live sign-off to enrolment", "Clinical", "Operations", "Clinical", "high"),
    (4, "Nurse escalates an alert to the physician", "Clinical", "Clinical", None, "high"),
]

# track key -> (stakeholder role, kind, title)
TRACKS = {
    "patient": ("Patient", TrackKind.STAKEHOLDER, "Patient at home"),
    "nurse": ("Nurse", TrackKind.STAKEHOLDER, "RPM nurse"),
    "physician": ("Physician", TrackKind.STAKEHOLDER, "Supervising physician"),
    "admin": ("Administrator", TrackKind.STAKEHOLDER, "Practice administrator"),
    "it": ("IT director", TrackKind.STAKEHOLDER, "IT director"),
    "compliance": ("Compliance officer", TrackKind.STAKEHOLDER, "Compliance officer"),
    "training": ("Nurse", TrackKind.TRAINING, "Training & adoption (nurses)"),
}

# key, track, stage index, title, fields
STEPS = [
    ("admin-roi", "admin", 0, "Builds the business case", {"access_roles": "Administrator"}),
    ("it-security", "it", 0, "Runs the security questionnaire", {"data_classification": "pii"}),
    ("comp-baa", "compliance", 0, "Reviews the BAA and data flows", {"audit_logged": True}),
    ("it-sso", "it", 1, "Configures SSO and role mapping",
     {"access_roles": "Nurse, physician, administrator", "access_verification": "SSO with MFA",
      "audit_logged": True}),
    ("it-ehr", "it", 1, "Connects the EHR interface",
     {"ehr_interop": True, "ehr_notes": "HL7 feed of readings into flowsheets", "data_classification": "phi",
      "access_roles": "Interface engine only", "access_verification": "Mutual TLS", "audit_logged": True}),
    ("comp-golive", "compliance", 1, "Signs off access and audit settings", {"audit_logged": True}),
    ("admin-golive", "admin", 1, "Approves the go-live date", {}),
    ("train-course", "training", 2, "Completes the RPM workflow course", {"clinical_context": "asynchronous"}),
    ("train-security", "training", 2, "Security training: no shared logins", {"clinical_context": "asynchronous"}),
    ("train-competency", "training", 2, "Supervised triage of ten test alerts",
     {"is_competency_checkpoint": True, "is_verification": True, "clinical_context": "documentation"}),
    ("nurse-enrol", "nurse", 3, "Enrols the patient and pairs the device",
     {"clinical_context": "face_time", "time_pressure": "high", "data_classification": "phi",
      "access_roles": "Nurse", "access_verification": "SSO session", "audit_logged": True}),
    ("patient-consent", "patient", 3, "Gives consent and pairs the cuff", {"data_classification": "pii"}),
    ("patient-readings", "patient", 4, "Takes daily readings at home", {"data_classification": "phi"}),
    ("nurse-triage", "nurse", 4, "Verifies readings and triages alerts",
     {"clinical_context": "asynchronous", "time_pressure": "high", "ehr_interop": True,
      "ehr_notes": "Alert opens the patient's chart", "is_verification": True, "data_classification": "phi",
      "access_roles": "Nurse", "access_verification": "SSO session, shared workstation",
      "audit_logged": False, "credential_sharing_risk": True}),
    ("physician-escalation", "physician", 4, "Acts on escalated alerts",
     {"clinical_context": "face_time", "time_pressure": "high", "ehr_interop": True, "data_classification": "phi",
      "access_roles": "Physician", "access_verification": "SSO with MFA", "audit_logged": True}),
    ("train-mentor", "training", 4, "Experienced nurses mentor new starters across shifts", {}),
    ("physician-review", "physician", 5, "Reviews and signs the monthly summary",
     {"clinical_context": "documentation", "ehr_interop": True, "is_verification": True,
      "data_classification": "phi", "access_roles": "Physician", "audit_logged": True}),
    ("admin-billing", "admin", 5, "Submits RPM claims", {"data_classification": "phi", "audit_logged": True}),
]

INTERSECTIONS = [  # title, stage index, step keys, owner, status, description
    ("Go-live sign-off", 1, ["it-sso", "comp-golive", "admin-golive"], "IT", AlignmentStatus.IN_PROGRESS,
     "IT, compliance and the administrator must agree on roles, audit settings and the date."),
    ("Nurse verifies what the patient's device sent", 4, ["patient-readings", "nurse-triage"], "Clinical",
     AlignmentStatus.NOT_ALIGNED, "Readings arrive without context; the nurse cannot tell a cuff error from a crisis."),
    ("Alert escalation", 4, ["nurse-triage", "physician-escalation"], None, AlignmentStatus.NOT_ALIGNED,
     "Who answers an escalated alert after hours is not agreed."),
]


def seed_rpm_journey(workspace: Workspace, actor) -> Journey:
    """The RPM journey with its sub-maps. Idempotent: an existing journey of that title is returned as is."""
    existing = Journey.objects.filter(workspace=workspace, title=RPM_TITLE).first()
    return existing or _rpm_journey(workspace, actor)


@transaction.atomic
def _rpm_journey(workspace: Workspace, actor) -> Journey:
    services.stakeholders_seed_defaults(workspace=workspace)
    journey = map_services.journey_create(
        actor=actor, workspace=workspace, title=RPM_TITLE, template="blank",
        persona="RPM nurse (daily user); IT director and administrator decide; patients at home",
        description="Built from the second seed: a clinician-facing product whose success needs patients, "
                    "clinicians, administrators, IT and compliance to align.",
    )
    first = journey.stages.get()
    map_services.stage_update(actor=actor, stage=first, version=first.version,
                              data={"name": RPM_STAGES[0][0], "description": RPM_STAGES[0][1]})
    for name, description in RPM_STAGES[1:]:
        map_services.stage_create(actor=actor, journey=journey, data={"name": name, "description": description})
    for name, kind in [("User state", LaneKind.USER_STATE), ("Touchpoints", LaneKind.TOUCHPOINTS),
                       ("Owners & handoffs", LaneKind.HANDOFFS)]:
        map_services.lane_create(actor=actor, journey=journey, data={"name": name, "kind": kind})
    stages = list(journey.stages.all())
    lanes = {lane.kind: lane for lane in journey.lanes.all()}
    teams = {t.name: t for t in Team.objects.filter(workspace=workspace)}

    def card(kind: str, stage_index: int, **data):
        return map_services.card_create(actor=actor, journey=journey, stage_id=stages[stage_index].pk,
                                        lane_id=lanes[kind].pk, data=data)

    card(LaneKind.NOTES, 0, title="Decision-maker is the IT director; the daily user is the nurse",
         body="The seed's point: the customer, the decision-maker and the compliance owner are different people.")
    for index, (title, thinking, feeling, needing, questioning, confidence) in USER_STATES.items():
        card(LaneKind.USER_STATE, index, title=title, thinking=thinking, feeling=feeling, needing=needing,
             questioning=questioning, confidence=confidence)
    for index, title, channel, data_class, sensitivity, legal, owner in TOUCHPOINTS:
        card(LaneKind.TOUCHPOINTS, index, title=title, channel=channel, data_classification=data_class,
             communication_sensitivity=sensitivity, needs_legal_review=legal, owner_team=teams[owner])
    for index, title, from_team, to_team, owner, risk in HANDOFFS:
        card(LaneKind.HANDOFFS, index, title=title, from_team=teams[from_team], to_team=teams[to_team],
             owner_team=teams[owner] if owner else None, risk=risk,
             to_stage=stages[index + 1] if index + 1 < len(stages) else None)

    roles = {s.role: s for s in Stakeholder.objects.filter(workspace=workspace)}
    tracks = {key: services.track_create(actor=actor, journey=journey, stakeholder=roles[role], kind=kind, title=title)
              for key, (role, kind, title) in TRACKS.items()}
    steps: dict[str, Step] = {}
    for key, track_key, index, title, fields in STEPS:
        steps[key] = services.step_create(actor=actor, track=tracks[track_key],
                                          data={"stage": stages[index], "title": title} | fields)
    for title, index, keys, owner, status, description in INTERSECTIONS:
        services.intersection_create(
            actor=actor, journey=journey, steps=[steps[k] for k in keys],
            data={"stage": stages[index], "title": title, "description": description,
                  "owner_team": teams[owner] if owner else None, "status": status})
    journey.refresh_from_db()
    map_services.journey_update(actor=actor, journey=journey, version=journey.version, data={"status": "active"})
    map_services.journey_mark_reviewed(actor=actor, journey=journey)
    return journey


def step_by_title(journey: Journey, title: str) -> Step:
    return Step.objects.get(track__journey=journey, title=title)


def today() -> datetime.date:
    from django.utils import timezone

    return timezone.localdate()
