"""Every form the app posts, fuzzed with Hypothesis as the workspace's owner.

Whatever arrives (unicode and control characters, huge values, wrong types, missing and extra
fields, ids out of range or of another workspace), the server never answers 5xx, and a refusal
(any 4xx: 422 for an invalid form, 400/403/404/409 from a service) changes nothing stored."""

import datetime
import hashlib

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.services import api_token_create
from comments.services import comment_create
from compliance.models import Checkpoint
from diagnostics.services import stage_metric_record
from maps.models import LaneKind
from stakeholders.services import intersection_create
from workshop.services import share_link_create, vote_session_open

from . import factories
from .healthcare import healthy_journey, make_step

PROJECT_APPS = ("workspaces", "maps", "stakeholders", "compliance", "diagnostics", "interchange", "reports",
                "live", "comments", "workshop", "api")
HUGE_ID = 2**40
FUZZ = settings(max_examples=8, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))

CARD_FIELDS = ["title", "body", "version", "doing", "thinking", "feeling", "needing", "questioning", "confidence",
               "channel", "expectation", "experience", "data_classification", "communication_sensitivity",
               "needs_legal_review", "friction_kind", "severity", "evidence", "status", "impact", "effort",
               "owner_team", "from_team", "to_team", "to_stage", "handoff", "risk", "observed_dropoff"]

# (url template, the fields its form reads[, real values the fuzzed data is laid over, so it reaches the form]).
# Placeholders name an object of the fuzzed world.
ENDPOINTS = [
    ("/w/new/", ["name"]),
    ("/w/{slug}/members/", ["email", "role"]),
    ("/w/{slug}/teams/", ["name"]),
    ("/invitations/not-a-token/", ["username", "password"]),
    ("/w/{slug}/maps/new/", ["title", "persona", "kind", "observes", "description", "template"]),
    ("/maps/{journey}/settings/", ["title", "persona", "description", "kind", "observes", "status",
                                   "last_reviewed_at", "version"]),
    ("/maps/{journey}/reviewed/", ["version"]),
    ("/maps/{journey}/cards/new/", ["stage", "lane"] + CARD_FIELDS, {"stage": "{stage}", "lane": "{card_lane}"}),
    ("/maps/{journey}/cards/{card}/edit/", CARD_FIELDS),
    ("/maps/{journey}/cards/{transition}/edit/", CARD_FIELDS),
    ("/maps/{journey}/cards/{card}/move/", ["version", "position", "step", "stage", "lane"]),
    ("/maps/{journey}/cards/{card}/delete/", ["version"]),
    ("/maps/{journey}/cards/{card}/restore/", ["version"]),
    ("/maps/{journey}/stages/new/", ["name"]),
    ("/maps/{journey}/stages/{stage}/edit/", ["name", "description", "version"]),
    ("/maps/{journey}/stages/{stage}/move/", ["version", "position", "step"]),
    ("/maps/{journey}/stages/{stage}/delete/", ["version"]),
    ("/maps/{journey}/lanes/new/", ["name", "kind"]),
    ("/maps/{journey}/lanes/{lane}/edit/", ["name", "kind", "version"]),
    ("/maps/{journey}/lanes/{lane}/move/", ["version", "position", "step"]),
    ("/maps/{journey}/lanes/{lane}/delete/", ["version"]),
    ("/maps/{journey}/diagnosis/metrics/", ["stage", "period", "entered", "progressed", "replaces"]),
    ("/maps/{journey}/diagnosis/metrics/upload/", ["file"]),
    ("/maps/{journey}/diagnosis/metrics/{metric}/delete/", ["version"]),
    ("/maps/{journey}/diagnosis/observe/", ["title"]),
    ("/w/{slug}/diagnosis/settings/", ["small_count_threshold"]),
    ("/w/{slug}/stakeholders/", ["role", "group", "concerns"]),
    ("/w/{slug}/stakeholders/{stakeholder}/edit/", ["role", "group", "concerns", "version"]),
    ("/maps/{journey}/stakeholders/tracks/new/", ["stakeholder", "kind", "title"]),
    ("/maps/{journey}/stakeholders/steps/new/", ["track", "stage", "title", "body", "clinical_context",
                                                 "time_pressure", "ehr_interop", "data_classification",
                                                 "access_roles", "audit_logged", "is_competency_checkpoint"],
     {"track": "{track}"}),
    ("/maps/{journey}/stakeholders/steps/{step}/edit/", ["stage", "title", "body", "clinical_context",
                                                         "time_pressure", "is_verification", "version"]),
    ("/maps/{journey}/stakeholders/intersections/new/", ["stage", "title", "description", "owner_team",
                                                         "status", "steps"]),
    ("/maps/{journey}/stakeholders/intersections/{intersection}/edit/", ["stage", "title", "owner_team",
                                                                         "status", "steps", "version"]),
    ("/compliance/checkpoints/{checkpoint}/", ["status", "reviewer", "due_date", "evidence", "notes", "version",
                                               "note"]),
    ("/maps/{journey}/checkpoints/new/", ["stage", "touchpoint", "step", "type", "subject", "title",
                                          "description", "owner_team", "reviewer", "due_date"]),
    ("/maps/{journey}/failure-modes/new/", ["step", "title", "description", "severity", "safeguard",
                                            "is_near_miss"]),
    ("/maps/{journey}/touchpoints/{card}/access/", ["access_roles", "access_verification", "audit_logged",
                                                    "credential_sharing_risk", "version"]),
    ("/maps/{journey}/safety-loop/", ["collection_point", "stage", "owner_team", "investigate_within_days",
                                      "communicate_within_days", "communication_channel", "version"]),
    ("/maps/{journey}/exports/", ["format"]),
    ("/maps/{journey}/workshop/timer/start/", ["minutes"]),
    ("/maps/{journey}/workshop/timer/stop/", []),
    ("/maps/{journey}/workshop/votes/new/", ["target", "dots_per_person"]),
    ("/maps/{journey}/workshop/votes/{vote}/cards/{friction}/add/", []),
    ("/maps/{journey}/workshop/votes/{vote}/cards/{friction}/remove/", []),
    ("/maps/{journey}/workshop/votes/{vote}/close/", []),
    ("/maps/{journey}/share/new/", ["label", "days"]),
    ("/maps/{journey}/share/{share}/revoke/", []),
    ("/w/{slug}/maps/import/", ["file"]),
    ("/maps/{journey}/comments/card/{card}/new/", ["body", "parent"]),
    ("/maps/{journey}/comments/stage/{stage}/new/", ["body", "parent"]),
    ("/maps/{journey}/comments/{comment}/edit/", ["body", "version"]),
    ("/maps/{journey}/comments/{comment}/resolve/", ["version"]),
    ("/maps/{journey}/comments/{comment}/reopen/", ["version"]),
    ("/mentions/seen/", ["mention"]),
    ("/maps/{journey}/editing/", ["card"]),
    ("/account/api-tokens/", ["name"]),
    ("/account/api-tokens/{token}/revoke/", []),
]


def _world(owner, workspace) -> dict:
    """One map with every kind of object a form can name, so the fuzzer reaches past the 404s."""
    journey = factories.make_journey(workspace, owner, title="Fuzzed map")
    built = healthy_journey(journey, owner)
    card = built["phi_touchpoint"]
    friction = factories.make_card(journey, owner, kind=LaneKind.FRICTION, title="Long wait")
    step = built["step"]
    other_track = next(track for track in built["tracks"].values() if track.stakeholder_id != step.track.stakeholder_id)
    intersection = intersection_create(actor=owner, journey=journey, steps=[step, make_step(
        other_track, owner, title="Takes the handover")], data={"stage": step.stage, "title": "Shift change"})
    comment = comment_create(actor=owner, journey=journey, target=card, body="Is this @owner's?")
    token, _ = api_token_create(user=owner, name="fuzz")
    stage = journey.stages.first()
    metric = stage_metric_record(actor=owner, journey=journey, stage=stage, period=datetime.date(2026, 1, 1),
                                 entered=40, progressed=30)
    return {
        "slug": workspace.slug, "journey": journey.pk, "card": card.pk, "transition": built["transition"].pk,
        "friction": friction.pk, "stage": stage.pk, "lane": journey.lanes.first().pk, "metric": metric.pk,
        "stakeholder": built["tracks"]["clinical"].stakeholder_id, "step": step.pk, "track": step.track_id,
        "intersection": intersection.pk, "card_lane": card.lane_id, "checkpoint": Checkpoint.objects.filter(journey=journey).first().pk,
        "vote": vote_session_open(actor=owner, journey=journey, target="friction", dots_per_person=3).pk,
        "share": share_link_create(actor=owner, journey=journey, label="Room 2").pk,
        "comment": comment.pk, "token": token.pk, "team": workspace.teams.first().pk,
    }


def _stored_state() -> str:
    """A digest of every row of the project's own tables: equal digests mean nothing changed."""
    tables = [model._meta.db_table for name in PROJECT_APPS for model in apps.get_app_config(name).get_models()]
    digests = ", ".join(
        f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {connection.ops.quote_name(t)} t)"
        for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {digests}")
        return hashlib.sha256("".join(cursor.fetchone()).encode()).hexdigest()


def _values(ids: list[int]):
    """What a field may receive: junk text, huge or negative numbers, real ids of both workspaces, choices."""
    return st.one_of(
        st.text(max_size=40),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
        st.sampled_from(["\x00", "\u202e\u0000x", "<script>alert(1)</script>", "{{ 7|add:7 }}", "' OR 1=1 --",
                         "2026-02-30", "9999-12-31", "-1", "0", "1e309", "NaN", "on", "true", "[]"]),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(ids).map(str),
        st.integers(min_value=1, max_value=120_000).map(lambda n: "x" * n),
        st.lists(st.sampled_from(ids).map(str), max_size=3),
        st.sampled_from(["phi", "web", "high", "low", "medium", "structural", "friction", "opportunities",
                         "designed", "observed", "owner", "viewer", "pdf", "json", "approved", "telehealth"]),
    )


def _uploads():
    return st.one_of(
        st.binary(max_size=2000),
        st.sampled_from([b"", b"\xff\xfe\x00", b'{"format": "journeymap", "version": 99}', b"[1, 2",
                         b"stage,period,entered,progressed\nNope,2026-13,-5,x\n", b"{" * 5000]),
    ).map(lambda content: SimpleUploadedFile("fuzz.bin", content))


def _post_data(fields: list[str], ids: list[int]):
    extras = st.dictionaries(st.text(min_size=1, max_size=12), _values(ids), max_size=3)
    chosen = st.fixed_dictionaries({}, optional={
        name: (_uploads() if name == "file" else _values(ids)) for name in fields})
    return st.tuples(chosen, extras).map(lambda both: both[1] | both[0])


@pytest.mark.django_db
def test_every_form_survives_fuzzed_posts_and_a_refusal_changes_nothing(owner, workspace, other_journey):
    world = _world(owner, workspace)
    other = factories.make_card(other_journey, other_journey.workspace.memberships.get().user, title="Theirs")
    ids = sorted(set(world.values()) - {world["slug"]} | {other.pk, other_journey.pk,
                                                           other_journey.stages.first().pk, 0, HUGE_ID})
    client = Client()
    client.force_login(owner)

    for template, fields, *real in ENDPOINTS:
        @FUZZ
        @given(data=_post_data(fields, ids), as_htmx=st.booleans(),
               foreign=st.sampled_from([None, None, None, "journey", "card", "stage", "huge"]))
        def post_fuzzed(data, as_htmx, foreign):
            place = dict(world)
            if foreign == "journey":
                place["journey"] = other_journey.pk
            elif foreign in ("card", "stage"):
                place["card" if foreign == "card" else "stage"] = other.pk if foreign == "card" else \
                    other_journey.stages.first().pk
            elif foreign == "huge":
                place = {key: (HUGE_ID if isinstance(value, int) else value) for key, value in place.items()}
            url = template.format(**place)
            data = {name: value.format(**world) for name, value in (real[0] if real else {}).items()} | data
            for upload in data.values():
                if isinstance(upload, SimpleUploadedFile):
                    upload.seek(0)
            before = _stored_state()
            headers = {"HTTP_HX_REQUEST": "true"} if as_htmx else {}
            response = client.post(url, data, **headers)
            assert response.status_code < 500, (url, data, response.status_code)
            if response.status_code >= 400:
                assert _stored_state() == before, (url, data, response.status_code)
            if url != template.format(**world):  # an object of another workspace, or none at all
                assert response.status_code == 404, (url, response.status_code)

        post_fuzzed()
