"""Evidence behind claims: backed or assumed, through the pages (full and HTMX), the health check and the PDF."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from compliance.health import health_check
from diagnostics.models import Evidence
from maps.models import Change, LaneKind

from .factories import make_card

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims(journey, owner):
    stage = journey.stages.order_by("position")[1]
    return {
        "friction": make_card(journey, owner, kind=LaneKind.FRICTION, stage=stage, title="Video link is hard to find",
                              severity="high"),
        "minor": make_card(journey, owner, kind=LaneKind.FRICTION, stage=stage, title="Small print", severity="low"),
        "state": make_card(journey, owner, kind=LaneKind.USER_STATE, stage=stage, title="Worried about cost"),
        "gap": make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, stage=stage, title="Reminder SMS",
                         expectation="A reminder the day before", experience="No reminder at all"),
        "plain": make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, stage=stage, title="Website"),
    }


def _post(client, journey, card, headers=None, **data):
    form = {"card": card.pk, "kind": "support", "summary": "38% of calls ask where the link is",
            "source": "Zendesk tag video-link", "observed_on": timezone.localdate().isoformat()} | data
    return client.post(reverse("diagnostics:evidence", args=[journey.pk]), form, **(headers or {}))


def test_every_claim_starts_assumed_and_a_plain_touchpoint_is_no_claim(journey, owner_client, claims):
    page = owner_client.get(reverse("diagnostics:evidence", args=[journey.pk])).content.decode()
    assert "0 of 4 claims backed by evidence</strong>: 4 still assumed" in page
    assert page.count(">Assumed<") == 4 and "Website" not in page.split("<tbody>")[1]


def test_adding_evidence_backs_the_claim_full_page_and_htmx(journey, owner_client, htmx, claims):
    response = _post(owner_client, journey, claims["friction"])
    assert response.status_code == 302
    response = _post(owner_client, journey, claims["gap"], htmx, kind="survey", source="NPS Q3")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "“Reminder SMS” is now backed by survey." in body
    assert "2 of 4 claims backed by evidence" in body
    evidence = Evidence.objects.get(card=claims["friction"])
    assert (evidence.kind, evidence.source, evidence.created_by.username) == ("support", "Zendesk tag video-link",
                                                                            "owner")
    assert Change.objects.filter(journey=journey, entity="evidence").count() == 2
    response = owner_client.post(reverse("diagnostics:evidence_delete", args=[journey.pk, evidence.pk]), **htmx)
    assert "1 of 4 claims backed" in response.content.decode()


@pytest.mark.parametrize(("data", "message"), [
    ({"summary": ""}, "This field is required."),
    ({"source": ""}, "This field is required."),
    ({"kind": "rumour"}, "Select a valid choice."),
    ({"observed_on": "2999-01-01"}, "Evidence cannot come from the future."),
    ({"observed_on": "yesterday"}, "Enter a valid date."),
])
def test_bad_evidence_is_refused_with_a_message_and_nothing_changes(journey, owner_client, htmx, claims, data,
                                                                   message):
    for headers in ({}, htmx):
        response = _post(owner_client, journey, claims["friction"], headers, **data)
        assert response.status_code in (400, 422) and message in response.content.decode()
    assert not Evidence.objects.exists()


def test_evidence_cannot_back_a_card_that_is_no_claim_or_on_another_map(journey, owner_client, claims, other_journey):
    other = make_card(other_journey, other_journey.workspace.memberships.get().user, kind=LaneKind.FRICTION, title="x")
    for card in (claims["plain"], other):
        response = _post(owner_client, journey, card)
        assert response.status_code == 422 and "Select a valid choice." in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_viewer_sees_the_status_but_cannot_add(journey, viewer, claims):
    from django.test import Client
    client = Client()
    client.force_login(viewer)
    assert "Add evidence</h2>" not in client.get(reverse("diagnostics:evidence", args=[journey.pk])).content.decode()
    assert _post(client, journey, claims["friction"]).status_code == 403
    assert not Evidence.objects.exists()


def test_the_health_check_flags_assumed_high_claims_and_old_evidence(journey, owner_client, claims):
    codes = lambda: [(f.rule, f.object["label"]) for f in health_check(journey=journey).findings  # noqa: E731
                     if f.rule in ("claims_backed", "evidence_fresh")]
    assert codes() == [("claims_backed", "Video link is hard to find")]
    old = (timezone.localdate() - datetime.timedelta(days=91)).isoformat()
    _post(owner_client, journey, claims["friction"], observed_on=old)
    assert codes() == [("evidence_fresh", "Video link is hard to find")]
    finding = [f for f in health_check(journey=journey).findings if f.rule == "evidence_fresh"][0]
    assert finding.url.endswith(f"/diagnosis/evidence/#claim-{claims['friction'].pk}")


def test_the_pdf_says_which_friction_is_backed_and_which_assumed(journey, owner_client, claims):
    from reports.pdf import render_pdf
    from tests.test_reports_pdf import pdf_text

    _post(owner_client, journey, claims["friction"])
    _pages, text = pdf_text(render_pdf(journey.pk))
    assert "Video link is hard to find" in text and "backed by evidence" in text
    assert "Small print" in text and "assumed" in text


def test_the_board_marks_each_claim_backed_or_assumed(journey, owner_client, claims):
    _post(owner_client, journey, claims["friction"])
    board = owner_client.get(reverse("maps:board", args=[journey.pk])).content.decode()
    assert f'id="evidence-card-{claims["friction"].pk}"' in board
    assert 'aria-label="Backed by 1 piece of evidence"' in board
    assert board.count('aria-label="Assumed: no evidence yet"') == 3  # the minor friction, the state, the gap
    assert f'id="evidence-card-{claims["plain"].pk}"' not in board  # a touchpoint with no gap claims nothing
