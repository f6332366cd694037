"""The template gallery: starting points every workspace has, each previewed before use.

Telehealth and Blank are today's structures (maps.map_templates). The others are whole
maps as native documents, drawn from the seed documents: a healthcare product's
adoption (the second seed: clinical, administrative, IT and compliance sub-maps, the
checkpoints it lists and a training track), remote patient monitoring and clinician
onboarding. Each passes its own health check with findings that are real next steps.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from interchange.native import SCHEMA, SCHEMA_VERSION
from maps.map_templates import MAP_TEMPLATES
from maps.models import LaneKind

LANES = [("User actions", LaneKind.ACTIONS), ("User state", LaneKind.USER_STATE),
         ("Touchpoints", LaneKind.TOUCHPOINTS), ("Friction", LaneKind.FRICTION),
         ("Opportunities", LaneKind.OPPORTUNITIES), ("Owners & handoffs", LaneKind.HANDOFFS)]
LANE_ID = {kind: f"l{n}" for n, (_name, kind) in enumerate(LANES, start=1)}


@dataclass(frozen=True)
class GalleryTemplate:
    key: str
    label: str
    summary: str
    document: Callable[[], dict]


# The registry entry a track's role gets: its stakeholder group and concerns (from the second seed).
ROLES = {
    "Nurse": ("clinical", "speed, accuracy, fits the shift's workflow"),
    "Physician": ("clinical", "speed, accuracy, low cognitive load"),
    "Administrator": ("administrative", "cost, compliance, staffing"),
    "IT director": ("it", "integration complexity, security, EHR interoperability"),
    "Compliance officer": ("compliance", "audit trails, data handling documentation"),
    "Patient": ("patient_caregiver", "access, clarity, privacy, trust"),
}


@dataclass(frozen=True)
class Track:
    key: str  # how checkpoints, intersections and failure modes name its steps: "nurse.0" is its first
    role: str  # a key of ROLES
    steps: list[dict]  # each with its stage's number
    kind: str = "stakeholder"
    title: str = ""


@dataclass(frozen=True)
class MapSpec:
    """A whole map as data. Stages are named by number (1 is the first); a card with a key can be named by
    checkpoints, a step by "track.n"."""

    title: str
    persona: str
    description: str
    stages: list[tuple[str, str]]  # (name, description)
    feelings: list[tuple]  # (stage, title, feeling, confidence) or with a dict of more fields
    cards: list[tuple]  # (key or "", stage, lane kind, title, fields): actions, touchpoints, friction, fixes
    handoffs: list[tuple[int, str, str, str, str]]  # (stage, title, from team, to team, risk): to the next stage
    tracks: list[Track]
    checkpoints: list[tuple]  # (type, title, where) or with the owner team (else Compliance/Legal) last
    failure_modes: list[dict]
    safety_loop: dict
    intersections: list[dict] = field(default_factory=list)


def _document(spec: MapSpec) -> dict:
    """The native document of a map spec (what `interchange` imports)."""
    cards: list[dict] = []
    refs: dict[str, str] = {}

    def card(stage: int, kind: str, title: str, fields: dict, key: str = "") -> None:
        cards.append({"id": f"c{len(cards) + 1}", "stage": f"s{stage}", "lane": LANE_ID[kind], "kind": kind,
                      "title": title} | fields)
        if key:
            refs[key] = cards[-1]["id"]

    # Cards in a fixed order of lanes, so that each keeps its id whatever the order of the lists.
    for key, stage, kind, title, fields in spec.cards:
        if kind == LaneKind.ACTIONS:
            card(stage, kind, title, fields, key)
    for stage, title, feeling, confidence, *more in spec.feelings:
        card(stage, LaneKind.USER_STATE, title, {"feeling": feeling, "confidence": confidence, **(more or [{}])[0]})
    for key, stage, kind, title, fields in spec.cards:
        if kind != LaneKind.ACTIONS:
            card(stage, kind, title, fields, key)
    for stage, title, from_team, to_team, risk in spec.handoffs:
        card(stage, LaneKind.HANDOFFS, title, {"from_team": from_team, "to_team": to_team, "owner_team": to_team,
                                               "to_stage": f"s{stage + 1}", "risk": risk})
    stakeholders: dict[str, dict] = {}
    tracks = []
    for track in spec.tracks:
        if track.role not in stakeholders:
            group, concerns = ROLES[track.role]
            stakeholders[track.role] = {"id": f"p{len(stakeholders) + 1}", "role": track.role, "group": group,
                                        "concerns": concerns}
        steps = []
        for n, step in enumerate(track.steps):
            refs[f"{track.key}.{n}"] = f"st{sum(len(t['steps']) for t in tracks) + n + 1}"
            steps.append({"id": refs[f"{track.key}.{n}"]} | step | {"stage": f"s{step['stage']}"})
        tracks.append({"stakeholder": stakeholders[track.role]["id"], "kind": track.kind, "title": track.title,
                       "steps": steps})

    def placed(item: dict) -> dict:  # names and stage numbers as the document's ids
        return {name: f"s{value}" if name == "stage" else refs.get(value, value) if name in ("step", "touchpoint")
                else [refs[v] for v in value] if name == "steps" else value for name, value in item.items()}

    return {"schema": SCHEMA, "schema_version": SCHEMA_VERSION,
            "journey": {"title": spec.title, "persona": spec.persona, "description": spec.description},
            "stages": [{"id": f"s{n}", "name": name, "description": text}
                       for n, (name, text) in enumerate(spec.stages, start=1)],
            "lanes": [{"id": LANE_ID[kind], "name": name, "kind": kind} for name, kind in LANES],
            "cards": cards, "stakeholders": list(stakeholders.values()), "tracks": tracks,
            "intersections": [placed(i) for i in spec.intersections],
            "checkpoints": [{"type": type_, "title": title, "owner_team": (owner or ["Compliance/Legal"])[0]}
                            | placed(where) for type_, title, where, *owner in spec.checkpoints],
            "failure_modes": [placed(f) for f in spec.failure_modes], "touchpoint_access": [],
            "safety_loop": placed(spec.safety_loop), "stage_metrics": []}


def _guarded(where: list[dict], access: tuple[str, str], logged: tuple[str, str]) -> list[tuple]:
    """Data-access and audit-logging checkpoints, each pair on one place: ((title, owner), (title, owner))."""
    return [c for place in where for c in (("data_access", access[0], place, access[1]),
                                           ("audit_logging", logged[0], place, logged[1]))]


ADOPTION = MapSpec(
    "Healthcare product adoption", "Clinical teams adopting a new product",
    "From evaluation to everyday clinical use: the multi-stakeholder journey of a healthcare product, with "
    "HIPAA checkpoints as explicit stages and training as a parallel path.",
    stages=[("Evaluation", "Clinical, IT and compliance each judge the product on their own concerns."),
            ("Contracting & compliance review", "BAA, security questionnaire and the compliance sign-off."),
            ("Implementation & EHR integration", "Accounts, roles, single sign-on and the EHR interface."),
            ("Training & go-live", "Training, competency checks and the first supervised use."),
            ("Everyday clinical use", "Documentation, alerts and decisions during patient care."),
            ("Feedback & safety reporting", "Near misses, usability issues and how users hear back.")],
    feelings=[(1, "Interested but sceptical", "cautious", 1, {"thinking": "Will this add clicks to my shift?"}),
              (2, "Waiting on paperwork", "impatient", -2, {"thinking": "Why is legal taking so long?"}),
              (3, "Worried about the EHR", "anxious", -1, {"questioning": "Will orders reach the EHR twice?"}),
              (4, "Unsure before the first shift", "nervous", -1, {"needing": "Practice with realistic cases"}),
              (5, "Trusting it once it fits the workflow", "relieved", 3),
              (6, "Heard when reporting a problem", "reassured", 2)],
    cards=[("", 1, LaneKind.ACTIONS, "Clinical lead runs a pilot demo",
            {"body": "Sees the workflow on sample patients."}),
           ("", 1, LaneKind.TOUCHPOINTS, "Product demo with sample records",
            {"channel": "video", "data_classification": "none", "owner_team": "Product"}),
           ("questionnaire", 2, LaneKind.TOUCHPOINTS, "Security questionnaire and BAA",
            {"channel": "email", "data_classification": "none", "communication_sensitivity": "high",
             "needs_legal_review": True, "owner_team": "Compliance/Legal"}),
           ("sign_in", 3, LaneKind.TOUCHPOINTS, "Single sign-on and role set-up",
            {"channel": "web", "data_classification": "pii", "owner_team": "IT"}),
           ("chart", 5, LaneKind.TOUCHPOINTS, "Patient chart view",
            {"channel": "ehr", "data_classification": "phi", "communication_sensitivity": "medium",
             "owner_team": "Clinical"}),
           ("report", 6, LaneKind.TOUCHPOINTS, "Safety report form",
            {"channel": "app", "data_classification": "phi", "owner_team": "Clinical"}),
           ("", 2, LaneKind.FRICTION, "BAA review stalls the pilot",
            {"friction_kind": "structural", "severity": "high", "owner_team": "Compliance/Legal"}),
           ("", 5, LaneKind.FRICTION, "Alerts arrive during patient face-time",
            {"friction_kind": "structural", "severity": "medium", "owner_team": "Product"}),
           ("", 2, LaneKind.OPPORTUNITIES, "Publish a ready-made BAA and security pack",
            {"impact": 4, "confidence": 4, "effort": 2, "owner_team": "Compliance/Legal"}),
           ("", 5, LaneKind.OPPORTUNITIES, "Batch non-urgent alerts to documentation time",
            {"impact": 4, "confidence": 3, "effort": 3, "owner_team": "Product"})],
    handoffs=[(1, "Evaluation → contract", "Product", "Compliance/Legal", "high"),
              (2, "Signed BAA → implementation", "Compliance/Legal", "IT", "medium"),
              (3, "Integration live → training", "IT", "Clinical", "high"),
              (4, "Competency signed off → independent use", "Clinical", "Clinical", "medium"),
              (5, "Safety report → investigation", "Clinical", "Operations", "medium")],
    tracks=[
        Track("nurse", "Nurse", [
            {"stage": 5, "title": "Documents vitals in the product", "clinical_context": "documentation",
             "time_pressure": "high", "ehr_interop": True, "data_classification": "phi", "access_roles": "Nurse",
             "access_verification": "SSO with role check", "audit_logged": True},
            {"stage": 5, "title": "Verifies the medication list", "clinical_context": "face_time",
             "is_verification": True, "time_pressure": "high", "data_classification": "phi", "audit_logged": True}]),
        Track("admin", "Administrator", [
            {"stage": 2, "title": "Approves the budget and the contract"},
            {"stage": 3, "title": "Assigns roles to staff", "data_classification": "pii",
             "access_roles": "Administrator", "access_verification": "SSO with MFA", "audit_logged": True}]),
        Track("it", "IT director", [
            {"stage": 3, "title": "Connects the EHR interface", "ehr_interop": True,
             "ehr_notes": "HL7 FHIR, read/write", "data_classification": "phi", "access_roles": "Integration engine",
             "audit_logged": True},
            {"stage": 3, "title": "Configures single sign-on", "data_classification": "pii"}]),
        Track("compliance", "Compliance officer", [
            {"stage": 2, "title": "Reviews the BAA and data flows"},
            {"stage": 6, "title": "Reviews audit logs quarterly", "data_classification": "phi", "audit_logged": True,
             "access_roles": "Compliance officer", "access_verification": "SSO with MFA"}]),
        Track("patient", "Patient", [{"stage": 5, "title": "Is told how their data is used",
                                      "data_classification": "none"}]),
        Track("training", "Nurse", [
            {"stage": 4, "title": "Completes role-based training", "time_pressure": "low"},
            {"stage": 4, "title": "Passes the competency check on live-like cases", "is_competency_checkpoint": True},
            {"stage": 5, "title": "Super-users mentor the next shift"}], kind="training", title="Training & adoption")],
    intersections=[{"stage": 3, "title": "Go-live readiness: IT, clinical and compliance agree",
                    "owner_team": "Product", "steps": ["it.0", "compliance.0", "admin.1"]}],
    checkpoints=[
        ("authentication", "Single sign-on with MFA for every role", {"touchpoint": "sign_in"}, "IT"),
        ("role_permission", "Role-based permissions validated at sign-in", {"touchpoint": "sign_in"}, "IT"),
        ("data_access", "Only the care team opens a patient's chart", {"touchpoint": "chart"}, "Clinical"),
        ("audit_logging", "Chart views and edits are logged", {"touchpoint": "chart"}, "IT"),
        ("data_access", "Report form shows only the reporter's patients", {"touchpoint": "report"}),
        ("audit_logging", "Safety reports are logged and traceable", {"touchpoint": "report"}, "IT"),
        ("legal_review", "Legal reviews the security pack", {"touchpoint": "questionnaire"}),
        ("baa", "Business associate agreement signed", {"stage": 2}),
        ("consent", "Patient consent recorded before data sharing", {"step": "patient.0"}),
        ("data_retention", "Retention schedule agreed for product data", {"stage": 2}),
        ("breach_notification", "Breach notification procedure and contacts agreed", {"stage": 2}),
        ("security_training", "Security training before accounts are issued", {"step": "training.0"}, "Clinical"),
        *_guarded([{"step": step} for step in ("nurse.0", "nurse.1", "it.0", "compliance.1")],
                  ("Access limited to the roles that need it", "IT"), ("Access is logged for audit", "IT"))],
    failure_modes=[{"step": "nurse.1", "title": "Stale medication list shown after an EHR delay", "severity": "high",
                    "safeguard": "Show the last-synced time; block sign-off when the list is older than the visit.",
                    "is_near_miss": False}],
    safety_loop={"collection_point": "At the end of a shift, from the product's report form", "stage": 6,
                 "owner_team": "Clinical", "investigate_within_days": 5, "communicate_within_days": 10,
                 "communication_channel": "In-app message and huddle"},
)

REMOTE_MONITORING = MapSpec(
    "Remote patient monitoring", "Patient with a chronic condition at home",
    "A patient measures at home, readings reach the care team, alerts are triaged and the care plan changes.",
    stages=[("Referral & enrolment", "The clinician refers; the patient consents and enrols."),
            ("Device set-up", "The device arrives, is paired and sends a first reading."),
            ("Daily readings", "Readings flow every day; gaps are followed up."),
            ("Alert triage", "Out-of-range readings reach a nurse, who decides what happens."),
            ("Care-plan adjustment", "The clinician changes medication or the plan."),
            ("Ongoing monitoring", "Monthly review, billing and the decision to continue.")],
    feelings=[(1, "Hopeful it means fewer visits", "hopeful", 2),
              (2, "Struggling with the pairing step", "frustrated", -3),
              (3, "Unsure anyone looks at the numbers", "doubtful", -1),
              (4, "Alarmed by a call from the nurse", "anxious", -2),
              (5, "Reassured by a clear change of plan", "relieved", 3),
              (6, "Measuring is part of the routine", "confident", 2)],
    cards=[("consent", 1, LaneKind.TOUCHPOINTS, "Enrolment call and consent",
            {"channel": "phone", "data_classification": "phi", "communication_sensitivity": "high",
             "needs_legal_review": True, "owner_team": "Operations"}),
           ("pairing", 2, LaneKind.TOUCHPOINTS, "Device pairing in the app",
            {"channel": "app", "data_classification": "pii", "owner_team": "Support"}),
           ("readings", 3, LaneKind.TOUCHPOINTS, "Readings dashboard",
            {"channel": "ehr", "data_classification": "phi", "owner_team": "Clinical"}),
           ("alert", 4, LaneKind.TOUCHPOINTS, "Out-of-range alert call",
            {"channel": "phone", "data_classification": "phi", "owner_team": "Clinical"}),
           ("", 2, LaneKind.FRICTION, "Pairing fails on older phones",
            {"friction_kind": "structural", "severity": "high", "owner_team": "Support"}),
           ("", 4, LaneKind.FRICTION, "Alert fatigue: most alerts are noise",
            {"friction_kind": "structural", "severity": "high", "owner_team": "Clinical"}),
           ("", 2, LaneKind.OPPORTUNITIES, "Pre-paired devices with a cellular hub",
            {"impact": 5, "confidence": 4, "effort": 3, "owner_team": "Operations"}),
           ("", 4, LaneKind.OPPORTUNITIES, "Personal thresholds set at enrolment",
            {"impact": 4, "confidence": 3, "effort": 2, "owner_team": "Clinical"})],
    handoffs=[(1, "Enrolled → device shipped", "Operations", "Support", "medium"),
              (2, "First reading → daily monitoring", "Support", "Clinical", "high"),
              (3, "Out-of-range reading → nurse triage", "Clinical", "Clinical", "high"),
              (4, "Triage → clinician decision", "Clinical", "Clinical", "medium"),
              (5, "Plan changed → patient told", "Clinical", "Operations", "medium")],
    tracks=[
        Track("nurse", "Nurse", [
            {"stage": 4, "title": "Triages the alert queue", "clinical_context": "asynchronous",
             "time_pressure": "high", "data_classification": "phi", "access_roles": "RPM nurse",
             "access_verification": "SSO", "audit_logged": True}]),
        Track("patient", "Patient", [{"stage": 3, "title": "Takes a reading every morning"}]),
        Track("admin", "Administrator", [
            {"stage": 6, "title": "Checks the monthly billing threshold (16 days of readings)"}]),
        Track("it", "IT director", [{"stage": 3, "title": "Maps readings into the EHR flowsheet",
                                     "ehr_interop": True}]),
        Track("compliance", "Compliance officer", [{"stage": 1, "title": "Approves the consent script"}]),
        Track("training", "Nurse", [
            {"stage": 2, "title": "Learns the alert thresholds and escalation"},
            {"stage": 2, "title": "Signs off on triaging alone", "is_competency_checkpoint": True}],
            kind="training", title="RPM nurse training")],
    checkpoints=[
        ("consent", "Monitoring consent recorded", {"touchpoint": "consent"}),
        *_guarded([{"touchpoint": "consent"}], ("Consent call reaches only the enrolled patient", "Operations"),
                  ("Enrolment calls logged", "Operations")),
        ("legal_review", "Legal approves the consent script", {"touchpoint": "consent"}),
        ("authentication", "Patient app sign-in", {"touchpoint": "pairing"}, "IT"),
        *_guarded([{"touchpoint": "readings"}, {"touchpoint": "alert"}],
                  ("Only the care team sees readings", "Clinical"), ("Reading views are logged", "IT")),
        *_guarded([{"step": "nurse.0"}], ("Alert queue limited to RPM nurses", "IT"),
                  ("Triage decisions logged", "IT")),
        ("data_retention", "Device data retention agreed with the vendor", {"stage": 6})],
    failure_modes=[{"step": "nurse.0", "title": "A critical reading waits overnight in the queue",
                    "severity": "critical", "safeguard": "Critical readings page the on-call clinician; the queue "
                    "shows waiting time.", "is_near_miss": True}],
    safety_loop={"collection_point": "After each triage session", "stage": 4, "owner_team": "Clinical",
                 "investigate_within_days": 3, "communicate_within_days": 7,
                 "communication_channel": "Weekly RPM huddle"},
)

CLINICIAN_ONBOARDING = MapSpec(
    "Clinician onboarding", "Newly hired clinician",
    "From offer to independent practice: credentials, accounts, training and supervised first shifts.",
    stages=[("Credentialing", "Licence, board certification and privileges."),
            ("Accounts & access", "EHR account, roles, MFA and devices."),
            ("Training", "EHR, product and security training."),
            ("Supervised shifts", "First shifts with a mentor."),
            ("Independent practice", "Working alone, with support on call.")],
    feelings=[(1, "Buried in forms", "overwhelmed", -2),
              (2, "Locked out on day one", "frustrated", -3),
              (3, "Learning a lot quickly", "stretched", 0),
              (4, "Gaining confidence with a mentor", "encouraged", 2),
              (5, "Part of the team", "confident", 3)],
    cards=[("portal", 1, LaneKind.TOUCHPOINTS, "Credentialing portal",
            {"channel": "web", "data_classification": "pii", "owner_team": "Operations"}),
           ("account", 2, LaneKind.TOUCHPOINTS, "First EHR sign-in",
            {"channel": "ehr", "data_classification": "phi", "owner_team": "IT"}),
           ("", 2, LaneKind.FRICTION, "Accounts not ready on the first day",
            {"friction_kind": "structural", "severity": "high", "owner_team": "IT"}),
           ("", 2, LaneKind.OPPORTUNITIES, "Create accounts when privileges are granted",
            {"impact": 5, "confidence": 4, "effort": 2, "owner_team": "IT"})],
    handoffs=[(1, "Privileges granted → accounts created", "Operations", "IT", "high"),
              (2, "Access ready → training booked", "IT", "Clinical", "medium"),
              (3, "Training passed → supervised shifts", "Clinical", "Clinical", "medium"),
              (4, "Mentor sign-off → independent practice", "Clinical", "Clinical", "medium")],
    tracks=[
        Track("physician", "Physician", [{"stage": 4, "title": "Documents under supervision",
                                          "clinical_context": "documentation", "time_pressure": "medium"}]),
        Track("admin", "Administrator", [{"stage": 1, "title": "Verifies licence and references"}]),
        Track("it", "IT director", [
            {"stage": 2, "title": "Provisions roles and MFA", "data_classification": "pii",
             "credential_sharing_risk": True, "access_verification": "MFA enrolment in person"}]),
        Track("compliance", "Compliance officer", [{"stage": 3, "title": "Confirms HIPAA training is complete"}]),
        Track("patient", "Patient", [{"stage": 4, "title": "Is told a clinician in training is present"}]),
        Track("training", "Physician", [
            {"stage": 3, "title": "EHR and product training"},
            {"stage": 3, "title": "HIPAA and security training"},
            {"stage": 4, "title": "Mentor signs off competency", "is_competency_checkpoint": True}],
            kind="training", title="Onboarding training")],
    checkpoints=[
        ("authentication", "MFA before the first sign-in", {"touchpoint": "account"}, "IT"),
        *_guarded([{"touchpoint": "account"}], ("Role limits chart access to assigned patients", "IT"),
                  ("New accounts' access is logged and reviewed", "IT")),
        ("role_permission", "Roles match the privileges granted", {"step": "it.0"}, "IT"),
        ("security_training", "Security training before the first shift", {"step": "training.1"}),
        ("data_access", "Credentialing documents seen only by the medical staff office", {"touchpoint": "portal"},
         "Operations")],
    failure_modes=[{"step": "it.0", "title": "A shared login is used while the account is pending",
                    "severity": "high", "safeguard": "Temporary supervised accounts created the day privileges are "
                    "granted.", "is_near_miss": True}],
    safety_loop={"collection_point": "Weekly mentor check-in", "stage": 4, "owner_team": "Clinical",
                 "investigate_within_days": 7, "communicate_within_days": 14,
                 "communication_channel": "Mentor meeting"},
)


def _structure(key: str) -> Callable[[], dict]:
    """Today's telehealth and blank templates as a document, for their preview."""
    def document() -> dict:
        spec = MAP_TEMPLATES[key]
        return {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "journey": {"title": spec["label"]},
                "stages": [{"id": f"s{n}", "name": name, "description": text}
                           for n, (name, text) in enumerate(spec["stages"], start=1)],
                "lanes": [{"id": f"l{n}", "name": name, "kind": kind}
                          for n, (name, kind) in enumerate(spec["lanes"], start=1)],
                "cards": []}
    return document


# Made by maps.services.journey_create, as before the gallery existed.
STRUCTURE_ONLY = {"telehealth", "blank"}

GALLERY: dict[str, GalleryTemplate] = {t.key: t for t in [
    GalleryTemplate("telehealth", "Telehealth journey",
                    "Six stages from acquisition to re-engagement, with the lanes of the first seed.",
                    _structure("telehealth")),
    GalleryTemplate("product-adoption", "Healthcare product adoption",
                    "Evaluation to everyday use: clinical, administrative, IT and compliance sub-maps, HIPAA "
                    "checkpoints (authentication, data access, audit logging, consent, retention, breach notification, "
                    "BAA) and a training track.", lambda: _document(ADOPTION)),
    GalleryTemplate("remote-monitoring", "Remote patient monitoring",
                    "Enrolment, device set-up, daily readings, alert triage and care-plan changes.",
                    lambda: _document(REMOTE_MONITORING)),
    GalleryTemplate("clinician-onboarding", "Clinician onboarding",
                    "Credentialing, accounts and access, training and supervised shifts to independent practice.",
                    lambda: _document(CLINICIAN_ONBOARDING)),
    GalleryTemplate("blank", "Blank map", "One stage and one notes lane.", _structure("blank")),
]}
