"""Starting points for a new map: the telehealth journey from the first seed, or a blank map."""

from .models import LaneKind

TELEHEALTH_STAGES = [
    ("Acquisition", "How people find the service and what they are promised."),
    ("Onboarding & intake", "Account, eligibility, intake questions and consent."),
    ("Consultation", "The visit with a clinician, by video, phone or asynchronously."),
    ("Fulfilment", "Prescriptions, orders, labs and what happens after the visit."),
    ("Retention", "Follow-up, refills and ongoing care."),
    ("Re-engagement", "Bringing back people who paused or left."),
]

TELEHEALTH_LANES = [
    ("User actions", LaneKind.ACTIONS),
    ("User state", LaneKind.USER_STATE),
    ("Touchpoints", LaneKind.TOUCHPOINTS),
    ("Friction", LaneKind.FRICTION),
    ("Opportunities", LaneKind.OPPORTUNITIES),
    ("Owners & handoffs", LaneKind.HANDOFFS),
]

MAP_TEMPLATES = {
    "telehealth": {
        "label": "Telehealth journey",
        "stages": TELEHEALTH_STAGES,
        "lanes": TELEHEALTH_LANES,
    },
    "blank": {
        "label": "Blank map",
        "stages": [("Stage 1", "")],
        "lanes": [("Notes", LaneKind.NOTES)],
    },
}
