"""Compliance checkpoints, failure modes and the safety loop of the demo's RPM journey.

Most of it is in order; a few things are deliberately not, as on a real map, so the
health check finds something real to fix: a PHI summary without an audit-logging
checkpoint, an overdue breach-notification review, a shared-login failure mode with
no safeguard, a handoff nobody owns and a stage without a user state.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from maps.models import Journey, Touchpoint
from stakeholders.models import Step
from workspaces.models import Team

from . import services
from .models import Checkpoint, ReviewStatus

# type, title, attached to ("stage", index) / ("touchpoint", title) / ("step", title), owner, due in days, status,
# evidence, subject
CHECKPOINTS = [
    ("baa", "BAA signed with the clinic", ("stage", 0), "Compliance/Legal", -30, ReviewStatus.APPROVED,
     "Countersigned BAA v3, contracts folder", ""),
    ("legal_review", "Security questionnaire answers reviewed", ("touchpoint", "Security questionnaire & BAA"),
     "Compliance/Legal", -20, ReviewStatus.APPROVED, "Questionnaire v2 reviewed by counsel", "message"),
    ("data_access", "EHR interface: who reads readings", ("touchpoint", "EHR interface go-live"), "IT", 10,
     ReviewStatus.IN_REVIEW, "", "data_use"),
    ("audit_logging", "EHR interface writes are logged", ("touchpoint", "EHR interface go-live"), "IT", 10,
     ReviewStatus.IN_REVIEW, "", ""),
    ("authentication", "SSO with MFA for clinicians", ("step", "Configures SSO and role mapping"), "IT", -5,
     ReviewStatus.APPROVED, "IdP policy export, 2 factors enforced", ""),
    ("role_permission", "Roles mapped to RPM permissions", ("step", "Configures SSO and role mapping"), "IT", 14,
     ReviewStatus.NOT_ASSESSED, "", ""),
    ("security_training", "Security training before access", ("step", "Security training: no shared logins"),
     "Compliance/Legal", 21, ReviewStatus.NOT_ASSESSED, "", ""),
    ("consent", "RPM consent recorded before pairing", ("stage", 3), "Clinical", 7, ReviewStatus.IN_REVIEW, "", ""),
    ("legal_review", "Pairing text message wording", ("touchpoint", "Device pairing text message"),
     "Compliance/Legal", 5, ReviewStatus.CHANGES_NEEDED, "", "message"),
    ("identity_location", "Patient identity checked at enrolment", ("step", "Enrols the patient and pairs the device"),
     "Clinical", 7, ReviewStatus.NOT_ASSESSED, "", ""),
    ("data_access", "Nurse access to readings", ("step", "Enrols the patient and pairs the device"), "Clinical", 7,
     ReviewStatus.APPROVED, "Role matrix v1", ""),
    ("audit_logging", "Enrolment actions logged", ("step", "Enrols the patient and pairs the device"), "IT", 7,
     ReviewStatus.APPROVED, "Audit log sample, 3 enrolments", ""),
    ("emergency_plan", "Emergency plan for critical readings", ("stage", 4), "Clinical", 3, ReviewStatus.IN_REVIEW,
     "", ""),
    ("legal_review", "Alert text shown in the EHR inbox", ("touchpoint", "Out-of-range alert in the EHR inbox"),
     "Compliance/Legal", 10, ReviewStatus.NOT_ASSESSED, "", "message"),
    ("data_access", "Alert inbox access", ("touchpoint", "Out-of-range alert in the EHR inbox"), "Clinical", 10,
     ReviewStatus.IN_REVIEW, "", ""),
    ("audit_logging", "Alert views are logged", ("touchpoint", "Out-of-range alert in the EHR inbox"), "IT", 10,
     ReviewStatus.IN_REVIEW, "", ""),
    ("breach_notification", "Breach notification runbook for RPM data", ("stage", 1), "Compliance/Legal", -12,
     ReviewStatus.IN_REVIEW, "", ""),
    ("data_retention", "Retention of raw device readings", ("stage", 5), "Compliance/Legal", 30,
     ReviewStatus.NOT_ASSESSED, "", ""),
    ("data_access", "Interface account reads only RPM flowsheets", ("step", "Connects the EHR interface"), "IT", 10,
     ReviewStatus.IN_REVIEW, "", "data_use"),
    ("audit_logging", "Interface messages are logged", ("step", "Connects the EHR interface"), "IT", 10,
     ReviewStatus.APPROVED, "Interface engine audit trail enabled", ""),
    ("data_access", "Patient app shows only the patient's own readings", ("step", "Takes daily readings at home"),
     "Product", 20, ReviewStatus.APPROVED, "Access test report, release 1.4", ""),
    ("audit_logging", "Patient app logins logged", ("step", "Takes daily readings at home"), "IT", 20,
     ReviewStatus.NOT_ASSESSED, "", ""),
    ("data_access", "Physician access to escalated alerts", ("step", "Acts on escalated alerts"), "Clinical", 10,
     ReviewStatus.APPROVED, "Role matrix v1", ""),
    ("audit_logging", "Escalation actions logged", ("step", "Acts on escalated alerts"), "IT", 10,
     ReviewStatus.APPROVED, "Audit log sample", ""),
    ("data_access", "Summary visible to the signing physician only", ("step", "Reviews and signs the monthly summary"),
     "Clinical", 30, ReviewStatus.NOT_ASSESSED, "", ""),
    ("audit_logging", "Signatures logged", ("step", "Reviews and signs the monthly summary"), "IT", 30,
     ReviewStatus.NOT_ASSESSED, "", ""),
    ("data_access", "Claims data minimised", ("step", "Submits RPM claims"), "Operations", 30,
     ReviewStatus.NOT_ASSESSED, "", "data_use"),
    ("audit_logging", "Claim submissions logged", ("step", "Submits RPM claims"), "IT", 30,
     ReviewStatus.NOT_ASSESSED, "", ""),
    ("data_access", "Billing summary access", ("touchpoint", "Monthly RPM summary for billing"), "Operations", 30,
     ReviewStatus.NOT_ASSESSED, "", "data_use"),
]

FAILURE_MODES = [  # step title, what could go wrong, severity, safeguard, near miss
    ("Verifies readings and triages alerts", "A critical alert sits unread over a night shift", "critical",
     "Unacknowledged critical alerts page the on-call physician after 30 minutes", True),
    ("Verifies readings and triages alerts", "Readings are filed in the wrong patient's chart", "high",
     "Two identifiers shown on every alert; the nurse confirms before filing", False),
    ("Verifies readings and triages alerts", "Nurses share one login on the ward workstation to save time",
     "high", "", False),
    ("Enrols the patient and pairs the device", "Cuff paired to the wrong patient in a rushed clinic", "medium",
     "Pairing screen reads back the patient's name and date of birth", True),
]


TOUCHPOINT_ACCESS = [  # touchpoint title, roles, verified by, audit logged, credential-sharing temptation
    ("EHR interface go-live", "Interface engine service account", "Mutual TLS, IP allow-list", True, False),
    ("Out-of-range alert in the EHR inbox", "RPM nurses, supervising physician", "EHR session on a shared ward PC",
     True, True),
    ("Monthly RPM summary for billing", "Physician, billing staff", "SSO", False, False),
    ("Device pairing text message", "Patient", "One-time link", False, False),
]


def seed_rpm_compliance(journey: Journey, actor) -> None:
    """Idempotent: a journey that already has checkpoints is left as it is."""
    if Checkpoint.objects.filter(journey=journey).exists():
        return
    _rpm_compliance(journey, actor)


@transaction.atomic
def _rpm_compliance(journey: Journey, actor) -> None:
    today = timezone.localdate()
    stages = list(journey.stages.all())
    teams = {t.name: t for t in Team.objects.filter(workspace_id=journey.workspace_id)}
    for type_, title, (kind, ref), owner, due_in, status, evidence, subject in CHECKPOINTS:
        target = {
            "stage": lambda r: {"stage": stages[r]},
            "touchpoint": lambda r: {"touchpoint": Touchpoint.objects.get(journey=journey, title=r)},
            "step": lambda r: {"step": Step.objects.get(track__journey=journey, title=r)},
        }[kind](ref)
        checkpoint = services.checkpoint_create(actor=actor, journey=journey, data={
            "type": type_, "title": title, "subject": subject, "owner_team": teams[owner],
            "due_date": today + datetime.timedelta(days=due_in), **target})
        if status == ReviewStatus.NOT_ASSESSED:
            continue
        review = {"status": status, "reviewer": actor, "evidence": evidence}
        if status == ReviewStatus.CHANGES_NEEDED:
            review["notes"] = "Mentions the condition being monitored: PHI in a text message. Reword."
        if status in (ReviewStatus.APPROVED, ReviewStatus.CHANGES_NEEDED):
            services.checkpoint_review(actor=actor, checkpoint=checkpoint, version=checkpoint.version,
                                       data={"status": ReviewStatus.IN_REVIEW}, note="Picked up for review")
            checkpoint.refresh_from_db()
        services.checkpoint_review(actor=actor, checkpoint=checkpoint, version=checkpoint.version, data=review)
    for step_title, title, severity, safeguard, near_miss in FAILURE_MODES:
        services.failure_mode_create(actor=actor, journey=journey, data={
            "step": Step.objects.get(track__journey=journey, title=step_title), "title": title,
            "severity": severity, "safeguard": safeguard, "is_near_miss": near_miss})
    for title, roles, verified_by, logged, tempting in TOUCHPOINT_ACCESS:
        services.touchpoint_access_set(
            actor=actor, touchpoint=Touchpoint.objects.get(journey=journey, title=title), version=None,
            data={"access_roles": roles, "access_verification": verified_by, "audit_logged": logged,
                  "credential_sharing_risk": tempting})
    services.safety_loop_set(actor=actor, journey=journey, version=None, data={
        "collection_point": "A two-question safety note at the end-of-shift handover, in the RPM dashboard",
        "stage": stages[4], "owner_team": teams["Clinical"], "investigate_within_days": 5,
        "communicate_within_days": 14, "communication_channel": "Monthly huddle and a note in the dashboard"})
