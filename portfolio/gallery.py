"""The template gallery: starting points every workspace has, each previewed before use.

Telehealth and Blank are today's structures (maps.map_templates). The others are whole
maps as native documents, drawn from the seed documents: a healthcare product's
adoption (the second seed: clinical, administrative, IT and compliance sub-maps, the
checkpoints it lists and a training track), remote patient monitoring and clinician
onboarding. Each passes its own health check with findings that are real next steps.
"""

from collections.abc import Callable
from dataclasses import dataclass

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


class _Map:
    """A small builder of native documents, so each template reads as its content."""

    def __init__(self, title: str, persona: str, description: str, stages: list[tuple[str, str]]) -> None:
        self.doc = {"schema": SCHEMA, "schema_version": SCHEMA_VERSION,
                    "journey": {"title": title, "persona": persona, "description": description},
                    "stages": [{"id": f"s{n}", "name": name, "description": text}
                               for n, (name, text) in enumerate(stages, start=1)],
                    "lanes": [{"id": LANE_ID[kind], "name": name, "kind": kind} for name, kind in LANES],
                    "cards": [], "stakeholders": [], "tracks": [], "intersections": [], "checkpoints": [],
                    "failure_modes": [], "touchpoint_access": [], "safety_loop": None, "stage_metrics": []}

    def card(self, stage: int, kind: str, title: str, **fields) -> str:
        card_id = f"c{len(self.doc['cards']) + 1}"
        self.doc["cards"].append({"id": card_id, "stage": f"s{stage}", "lane": LANE_ID[kind], "kind": kind,
                                  "title": title} | fields)
        return card_id

    def feeling(self, stage: int, title: str, feeling: str, confidence: int, **fields) -> str:
        return self.card(stage, LaneKind.USER_STATE, title, feeling=feeling, confidence=confidence, **fields)

    def handoff(self, stage: int, title: str, from_team: str, to_team: str, risk: str = "medium") -> str:
        return self.card(stage, LaneKind.HANDOFFS, title, from_team=from_team, to_team=to_team, owner_team=to_team,
                         to_stage=f"s{stage + 1}", risk=risk)

    def track(self, role: str, group: str, concerns: str, steps: list[dict], kind: str = "stakeholder",
              title: str = "") -> list[str]:
        if all(s["role"] != role for s in self.doc["stakeholders"]):
            self.doc["stakeholders"].append({"id": f"p{len(self.doc['stakeholders']) + 1}", "role": role,
                                             "group": group, "concerns": concerns})
        stakeholder = next(s["id"] for s in self.doc["stakeholders"] if s["role"] == role)
        first = sum(len(t["steps"]) for t in self.doc["tracks"]) + 1
        ids = [f"st{first + n}" for n in range(len(steps))]
        self.doc["tracks"].append({"stakeholder": stakeholder, "kind": kind, "title": title, "steps": [
            {"id": step_id} | step | {"stage": f"s{step['stage']}"} for step_id, step in zip(ids, steps, strict=True)]})
        return ids

    def checkpoint(self, type_: str, title: str, *, owner: str = "Compliance/Legal", **where) -> None:
        target = {name: (f"s{value}" if name == "stage" else value) for name, value in where.items()}
        self.doc["checkpoints"].append({"type": type_, "title": title, "owner_team": owner} | target)


def _adoption() -> dict:
    m = _Map("Healthcare product adoption", "Clinical teams adopting a new product",
             "From evaluation to everyday clinical use: the multi-stakeholder journey of a healthcare product, with "
             "HIPAA checkpoints as explicit stages and training as a parallel path.",
             [("Evaluation", "Clinical, IT and compliance each judge the product on their own concerns."),
              ("Contracting & compliance review", "BAA, security questionnaire and the compliance sign-off."),
              ("Implementation & EHR integration", "Accounts, roles, single sign-on and the EHR interface."),
              ("Training & go-live", "Training, competency checks and the first supervised use."),
              ("Everyday clinical use", "Documentation, alerts and decisions during patient care."),
              ("Feedback & safety reporting", "Near misses, usability issues and how users hear back.")])
    m.card(1, LaneKind.ACTIONS, "Clinical lead runs a pilot demo", body="Sees the workflow on sample patients.")
    m.feeling(1, "Interested but sceptical", "cautious", 1, thinking="Will this add clicks to my shift?")
    m.feeling(2, "Waiting on paperwork", "impatient", -2, thinking="Why is legal taking so long?")
    m.feeling(3, "Worried about the EHR", "anxious", -1, questioning="Will orders reach the EHR twice?")
    m.feeling(4, "Unsure before the first shift", "nervous", -1, needing="Practice with realistic cases")
    m.feeling(5, "Trusting it once it fits the workflow", "relieved", 3)
    m.feeling(6, "Heard when reporting a problem", "reassured", 2)
    m.card(1, LaneKind.TOUCHPOINTS, "Product demo with sample records", channel="video",
                  data_classification="none", owner_team="Product")
    questionnaire = m.card(2, LaneKind.TOUCHPOINTS, "Security questionnaire and BAA", channel="email",
                           data_classification="none", communication_sensitivity="high", needs_legal_review=True,
                           owner_team="Compliance/Legal")
    sign_in = m.card(3, LaneKind.TOUCHPOINTS, "Single sign-on and role set-up", channel="web",
                     data_classification="pii", owner_team="IT")
    chart = m.card(5, LaneKind.TOUCHPOINTS, "Patient chart view", channel="ehr", data_classification="phi",
                   communication_sensitivity="medium", owner_team="Clinical")
    report = m.card(6, LaneKind.TOUCHPOINTS, "Safety report form", channel="app", data_classification="phi",
                    owner_team="Clinical")
    m.card(2, LaneKind.FRICTION, "BAA review stalls the pilot", friction_kind="structural", severity="high",
           owner_team="Compliance/Legal")
    m.card(5, LaneKind.FRICTION, "Alerts arrive during patient face-time", friction_kind="structural",
           severity="medium", owner_team="Product")
    m.card(2, LaneKind.OPPORTUNITIES, "Publish a ready-made BAA and security pack", impact=4, confidence=4, effort=2,
           owner_team="Compliance/Legal")
    m.card(5, LaneKind.OPPORTUNITIES, "Batch non-urgent alerts to documentation time", impact=4, confidence=3,
           effort=3, owner_team="Product")
    for stage, title, from_team, to_team, risk in [
            (1, "Evaluation → contract", "Product", "Compliance/Legal", "high"),
            (2, "Signed BAA → implementation", "Compliance/Legal", "IT", "medium"),
            (3, "Integration live → training", "IT", "Clinical", "high"),
            (4, "Competency signed off → independent use", "Clinical", "Clinical", "medium"),
            (5, "Safety report → investigation", "Clinical", "Operations", "medium")]:
        m.handoff(stage, title, from_team, to_team, risk)
    nurse = m.track("Nurse", "clinical", "speed, accuracy, fits the shift's workflow", [
        {"stage": 5, "title": "Documents vitals in the product", "clinical_context": "documentation",
         "time_pressure": "high", "ehr_interop": True, "data_classification": "phi", "access_roles": "Nurse",
         "access_verification": "SSO with role check", "audit_logged": True},
        {"stage": 5, "title": "Verifies the medication list", "clinical_context": "face_time", "is_verification": True,
         "time_pressure": "high", "data_classification": "phi", "audit_logged": True}])
    admin = m.track("Administrator", "administrative", "cost, compliance, staffing", [
        {"stage": 2, "title": "Approves the budget and the contract"},
        {"stage": 3, "title": "Assigns roles to staff", "data_classification": "pii", "access_roles": "Administrator",
         "access_verification": "SSO with MFA", "audit_logged": True}])
    it = m.track("IT director", "it", "integration complexity, security, EHR interoperability", [
        {"stage": 3, "title": "Connects the EHR interface", "ehr_interop": True, "ehr_notes": "HL7 FHIR, read/write",
         "data_classification": "phi", "access_roles": "Integration engine", "audit_logged": True},
        {"stage": 3, "title": "Configures single sign-on", "data_classification": "pii"}])
    compliance = m.track("Compliance officer", "compliance", "audit trails, data handling documentation", [
        {"stage": 2, "title": "Reviews the BAA and data flows"},
        {"stage": 6, "title": "Reviews audit logs quarterly", "data_classification": "phi", "audit_logged": True,
         "access_roles": "Compliance officer", "access_verification": "SSO with MFA"}])
    patient = m.track("Patient", "patient_caregiver", "access, clarity, privacy, trust", [
        {"stage": 5, "title": "Is told how their data is used", "data_classification": "none"}])
    training = m.track("Nurse", "clinical", "", [
        {"stage": 4, "title": "Completes role-based training", "time_pressure": "low"},
        {"stage": 4, "title": "Passes the competency check on live-like cases", "is_competency_checkpoint": True},
        {"stage": 5, "title": "Super-users mentor the next shift"}], kind="training", title="Training & adoption")
    m.doc["intersections"].append({"stage": "s3", "title": "Go-live readiness: IT, clinical and compliance agree",
                                   "owner_team": "Product", "steps": [it[0], compliance[0], admin[1]]})
    m.checkpoint("authentication", "Single sign-on with MFA for every role", touchpoint=sign_in, owner="IT")
    m.checkpoint("role_permission", "Role-based permissions validated at sign-in", touchpoint=sign_in, owner="IT")
    m.checkpoint("data_access", "Only the care team opens a patient's chart", touchpoint=chart, owner="Clinical")
    m.checkpoint("audit_logging", "Chart views and edits are logged", touchpoint=chart, owner="IT")
    m.checkpoint("data_access", "Report form shows only the reporter's patients", touchpoint=report)
    m.checkpoint("audit_logging", "Safety reports are logged and traceable", touchpoint=report, owner="IT")
    m.checkpoint("legal_review", "Legal reviews the security pack", touchpoint=questionnaire)
    m.checkpoint("baa", "Business associate agreement signed", stage=2)
    m.checkpoint("consent", "Patient consent recorded before data sharing", step=patient[0])
    m.checkpoint("data_retention", "Retention schedule agreed for product data", stage=2)
    m.checkpoint("breach_notification", "Breach notification procedure and contacts agreed", stage=2)
    m.checkpoint("security_training", "Security training before accounts are issued", step=training[0],
                 owner="Clinical")
    for step in (nurse[0], nurse[1], it[0], compliance[1]):
        m.checkpoint("data_access", "Access limited to the roles that need it", step=step, owner="IT")
        m.checkpoint("audit_logging", "Access is logged for audit", step=step, owner="IT")
    m.doc["failure_modes"].append({"step": nurse[1], "title": "Stale medication list shown after an EHR delay",
                                   "severity": "high", "safeguard": "Show the last-synced time; block sign-off when "
                                   "the list is older than the visit.", "is_near_miss": False})
    m.doc["safety_loop"] = {"collection_point": "At the end of a shift, from the product's report form",
                            "stage": "s6", "owner_team": "Clinical", "investigate_within_days": 5,
                            "communicate_within_days": 10, "communication_channel": "In-app message and huddle"}
    return m.doc


def _remote_monitoring() -> dict:
    m = _Map("Remote patient monitoring", "Patient with a chronic condition at home",
             "A patient measures at home, readings reach the care team, alerts are triaged and the care plan changes.",
             [("Referral & enrolment", "The clinician refers; the patient consents and enrols."),
              ("Device set-up", "The device arrives, is paired and sends a first reading."),
              ("Daily readings", "Readings flow every day; gaps are followed up."),
              ("Alert triage", "Out-of-range readings reach a nurse, who decides what happens."),
              ("Care-plan adjustment", "The clinician changes medication or the plan."),
              ("Ongoing monitoring", "Monthly review, billing and the decision to continue.")])
    for stage, title, feeling, confidence in [(1, "Hopeful it means fewer visits", "hopeful", 2),
                                              (2, "Struggling with the pairing step", "frustrated", -3),
                                              (3, "Unsure anyone looks at the numbers", "doubtful", -1),
                                              (4, "Alarmed by a call from the nurse", "anxious", -2),
                                              (5, "Reassured by a clear change of plan", "relieved", 3),
                                              (6, "Measuring is part of the routine", "confident", 2)]:
        m.feeling(stage, title, feeling, confidence)
    consent = m.card(1, LaneKind.TOUCHPOINTS, "Enrolment call and consent", channel="phone",
                     data_classification="phi", communication_sensitivity="high", needs_legal_review=True,
                     owner_team="Operations")
    pairing = m.card(2, LaneKind.TOUCHPOINTS, "Device pairing in the app", channel="app", data_classification="pii",
                     owner_team="Support")
    readings = m.card(3, LaneKind.TOUCHPOINTS, "Readings dashboard", channel="ehr", data_classification="phi",
                      owner_team="Clinical")
    alert = m.card(4, LaneKind.TOUCHPOINTS, "Out-of-range alert call", channel="phone", data_classification="phi",
                   owner_team="Clinical")
    m.card(2, LaneKind.FRICTION, "Pairing fails on older phones", friction_kind="structural", severity="high",
           owner_team="Support")
    m.card(4, LaneKind.FRICTION, "Alert fatigue: most alerts are noise", friction_kind="structural",
           severity="high", owner_team="Clinical")
    m.card(2, LaneKind.OPPORTUNITIES, "Pre-paired devices with a cellular hub", impact=5, confidence=4, effort=3,
           owner_team="Operations")
    m.card(4, LaneKind.OPPORTUNITIES, "Personal thresholds set at enrolment", impact=4, confidence=3, effort=2,
           owner_team="Clinical")
    for stage, title, from_team, to_team, risk in [
            (1, "Enrolled → device shipped", "Operations", "Support", "medium"),
            (2, "First reading → daily monitoring", "Support", "Clinical", "high"),
            (3, "Out-of-range reading → nurse triage", "Clinical", "Clinical", "high"),
            (4, "Triage → clinician decision", "Clinical", "Clinical", "medium"),
            (5, "Plan changed → patient told", "Clinical", "Operations", "medium")]:
        m.handoff(stage, title, from_team, to_team, risk)
    nurse = m.track("Nurse", "clinical", "speed, accuracy, fits the shift's workflow", [
        {"stage": 4, "title": "Triages the alert queue", "clinical_context": "asynchronous", "time_pressure": "high",
         "data_classification": "phi", "access_roles": "RPM nurse", "access_verification": "SSO",
         "audit_logged": True}])
    m.track("Patient", "patient_caregiver", "access, clarity, privacy, trust", [
        {"stage": 3, "title": "Takes a reading every morning"}])
    m.track("Administrator", "administrative", "cost, compliance, staffing", [
        {"stage": 6, "title": "Checks the monthly billing threshold (16 days of readings)"}])
    m.track("IT director", "it", "integration complexity, security, EHR interoperability", [
        {"stage": 3, "title": "Maps readings into the EHR flowsheet", "ehr_interop": True}])
    m.track("Compliance officer", "compliance", "audit trails, data handling documentation", [
        {"stage": 1, "title": "Approves the consent script"}])
    m.track("Nurse", "clinical", "", [
        {"stage": 2, "title": "Learns the alert thresholds and escalation"},
        {"stage": 2, "title": "Signs off on triaging alone", "is_competency_checkpoint": True}],
        kind="training", title="RPM nurse training")
    m.checkpoint("consent", "Monitoring consent recorded", touchpoint=consent)
    m.checkpoint("data_access", "Consent call reaches only the enrolled patient", touchpoint=consent,
                 owner="Operations")
    m.checkpoint("audit_logging", "Enrolment calls logged", touchpoint=consent, owner="Operations")
    m.checkpoint("legal_review", "Legal approves the consent script", touchpoint=consent)
    m.checkpoint("authentication", "Patient app sign-in", touchpoint=pairing, owner="IT")
    for touchpoint in (readings, alert):
        m.checkpoint("data_access", "Only the care team sees readings", touchpoint=touchpoint, owner="Clinical")
        m.checkpoint("audit_logging", "Reading views are logged", touchpoint=touchpoint, owner="IT")
    m.checkpoint("data_access", "Alert queue limited to RPM nurses", step=nurse[0], owner="IT")
    m.checkpoint("audit_logging", "Triage decisions logged", step=nurse[0], owner="IT")
    m.checkpoint("data_retention", "Device data retention agreed with the vendor", stage=6)
    m.doc["failure_modes"].append({"step": nurse[0], "title": "A critical reading waits overnight in the queue",
                                   "severity": "critical", "safeguard": "Critical readings page the on-call "
                                   "clinician; the queue shows waiting time.", "is_near_miss": True})
    m.doc["safety_loop"] = {"collection_point": "After each triage session", "stage": "s4",
                            "owner_team": "Clinical", "investigate_within_days": 3, "communicate_within_days": 7,
                            "communication_channel": "Weekly RPM huddle"}
    return m.doc


def _clinician_onboarding() -> dict:
    m = _Map("Clinician onboarding", "Newly hired clinician",
             "From offer to independent practice: credentials, accounts, training and supervised first shifts.",
             [("Credentialing", "Licence, board certification and privileges."),
              ("Accounts & access", "EHR account, roles, MFA and devices."),
              ("Training", "EHR, product and security training."),
              ("Supervised shifts", "First shifts with a mentor."),
              ("Independent practice", "Working alone, with support on call.")])
    for stage, title, feeling, confidence in [(1, "Buried in forms", "overwhelmed", -2),
                                              (2, "Locked out on day one", "frustrated", -3),
                                              (3, "Learning a lot quickly", "stretched", 0),
                                              (4, "Gaining confidence with a mentor", "encouraged", 2),
                                              (5, "Part of the team", "confident", 3)]:
        m.feeling(stage, title, feeling, confidence)
    portal = m.card(1, LaneKind.TOUCHPOINTS, "Credentialing portal", channel="web", data_classification="pii",
                    owner_team="Operations")
    account = m.card(2, LaneKind.TOUCHPOINTS, "First EHR sign-in", channel="ehr", data_classification="phi",
                     owner_team="IT")
    m.card(2, LaneKind.FRICTION, "Accounts not ready on the first day", friction_kind="structural", severity="high",
           owner_team="IT")
    m.card(2, LaneKind.OPPORTUNITIES, "Create accounts when privileges are granted", impact=5, confidence=4,
           effort=2, owner_team="IT")
    for stage, title, from_team, to_team, risk in [
            (1, "Privileges granted → accounts created", "Operations", "IT", "high"),
            (2, "Access ready → training booked", "IT", "Clinical", "medium"),
            (3, "Training passed → supervised shifts", "Clinical", "Clinical", "medium"),
            (4, "Mentor sign-off → independent practice", "Clinical", "Clinical", "medium")]:
        m.handoff(stage, title, from_team, to_team, risk)
    m.track("Physician", "clinical", "speed, accuracy, low cognitive load", [
        {"stage": 4, "title": "Documents under supervision", "clinical_context": "documentation",
         "time_pressure": "medium"}])
    m.track("Administrator", "administrative", "cost, compliance, staffing", [
        {"stage": 1, "title": "Verifies licence and references"}])
    it = m.track("IT director", "it", "integration complexity, security, EHR interoperability", [
        {"stage": 2, "title": "Provisions roles and MFA", "data_classification": "pii", "credential_sharing_risk": True,
         "access_verification": "MFA enrolment in person"}])
    m.track("Compliance officer", "compliance", "audit trails, data handling documentation", [
        {"stage": 3, "title": "Confirms HIPAA training is complete"}])
    m.track("Patient", "patient_caregiver", "access, clarity, privacy, trust", [
        {"stage": 4, "title": "Is told a clinician in training is present"}])
    training = m.track("Physician", "clinical", "", [
        {"stage": 3, "title": "EHR and product training"},
        {"stage": 3, "title": "HIPAA and security training"},
        {"stage": 4, "title": "Mentor signs off competency", "is_competency_checkpoint": True}],
        kind="training", title="Onboarding training")
    m.checkpoint("authentication", "MFA before the first sign-in", touchpoint=account, owner="IT")
    m.checkpoint("data_access", "Role limits chart access to assigned patients", touchpoint=account, owner="IT")
    m.checkpoint("audit_logging", "New accounts' access is logged and reviewed", touchpoint=account, owner="IT")
    m.checkpoint("role_permission", "Roles match the privileges granted", step=it[0], owner="IT")
    m.checkpoint("security_training", "Security training before the first shift", step=training[1])
    m.checkpoint("data_access", "Credentialing documents seen only by the medical staff office", touchpoint=portal,
                 owner="Operations")
    m.doc["failure_modes"].append({"step": it[0], "title": "A shared login is used while the account is pending",
                                   "severity": "high", "safeguard": "Temporary supervised accounts created the day "
                                   "privileges are granted.", "is_near_miss": True})
    m.doc["safety_loop"] = {"collection_point": "Weekly mentor check-in", "stage": "s4", "owner_team": "Clinical",
                            "investigate_within_days": 7, "communicate_within_days": 14,
                            "communication_channel": "Mentor meeting"}
    return m.doc


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
                    "BAA) and a training track.", _adoption),
    GalleryTemplate("remote-monitoring", "Remote patient monitoring",
                    "Enrolment, device set-up, daily readings, alert triage and care-plan changes.",
                    _remote_monitoring),
    GalleryTemplate("clinician-onboarding", "Clinician onboarding",
                    "Credentialing, accounts and access, training and supervised shifts to independent practice.",
                    _clinician_onboarding),
    GalleryTemplate("blank", "Blank map", "One stage and one notes lane.", _structure("blank")),
]}
