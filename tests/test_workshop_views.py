"""Workshop pages over HTTP: full pages and HTMX fragments, scoping, and what a share link lets through."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from maps.models import LaneKind
from workshop import selectors, services
from workshop.models import ShareLink, Vote, VoteSession, VoteTarget, WorkshopTimer

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def friction(journey, owner):
    return factories.make_card(journey, owner, kind=LaneKind.FRICTION, title="Hidden price")


@pytest.fixture
def session(journey, owner, friction):
    return services.vote_session_open(actor=owner, journey=journey, target=VoteTarget.FRICTION, dots_per_person=3)


@pytest.fixture
def share_url(journey, owner):
    link = services.share_link_create(actor=owner, journey=journey, label="Projector")
    return reverse("workshop:share_present", args=[selectors.share_link_token(link=link)])


def _present(journey, **query) -> str:
    url = reverse("workshop:present", args=[journey.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _hrefs(html: str) -> list[str]:
    return re.findall(r'(?:href|action|hx-get|hx-post)="([^"]*)"', html)


# --- the presentation ------------------------------------------------------------------


def test_the_overview_is_a_full_page_with_every_stage_and_the_curve(viewer_client, journey, friction):
    response = viewer_client.get(_present(journey))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<!doctype html>" in html and 'id="presentation"' in html and 'class="curve"' in html
    for stage in journey.stages.all():
        assert f"?stage={stage.pk}" in html
    assert "Hidden price" in html
    assert 'hx-trigger="journeymap:stale"' in html  # re-read only when a live change cannot be applied in place
    assert "Overview" in html and "topbar" not in html  # no app chrome on the projector


def test_the_presentation_region_alone_for_htmx(viewer_client, journey, htmx):
    response = viewer_client.get(_present(journey), **htmx)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="presentation"') and "<html" not in html


def test_one_stage_with_previous_and_next_links(viewer_client, journey, owner):
    first, second, third = list(journey.stages.all()[:3])
    factories.make_card(journey, owner, kind=LaneKind.OPPORTUNITIES, stage=second, title="Progress bar")
    html = viewer_client.get(_present(journey, stage=second.pk)).content.decode()
    assert f'rel="prev" href="{_present(journey, stage=first.pk)}"' in html
    assert f'rel="next" href="{_present(journey, stage=third.pk)}"' in html
    assert 'class="slide-title">' + escape(second.name) in html and "Progress bar" in html
    assert "Stage 2 of" in html


def test_a_card_in_focus_shows_its_details_and_dots(viewer_client, viewer, owner, journey, session, friction):
    services.vote_add(actor=viewer, session=session, card_id=friction.pk)
    services.vote_session_close(actor=owner, session=session)
    html = viewer_client.get(_present(journey, card=friction.pk)).content.decode()
    assert "p-card-focus" in html and "Hidden price" in html and "● 1" in html
    assert "Vote results" in html


def test_a_stage_shows_every_lane_the_board_shows_user_actions_included(viewer_client, owner, journey):
    stage = journey.stages.first()
    for kind in LaneKind.values:
        if journey.lanes.filter(kind=kind).exists():
            factories.make_card(journey, owner, kind=kind, stage=stage, title=f"A {kind} card")
    html = viewer_client.get(_present(journey, stage=stage.pk)).content.decode()
    for lane in journey.lanes.all():
        assert f"<h3>{escape(lane.name)}</h3>" in html, lane.name
        assert f"A {lane.kind} card" in html
    assert "User actions" in html
    overview = viewer_client.get(_present(journey)).content.decode()
    assert "A actions card" in overview  # the overview's tiles list what people do, too


def test_results_stay_hidden_while_the_vote_is_open(viewer_client, viewer, editor_client, journey, session, friction,
                                                    htmx):
    """Seeing the tally while voting anchors the later voters: no dot counts anywhere until the
    facilitator closes the vote or shows the results."""
    services.vote_add(actor=viewer, session=session, card_id=friction.pk)
    for url in (_present(journey), _present(journey, card=friction.pk), _present(journey, stage=friction.stage_id)):
        html = viewer_client.get(url).content.decode()
        assert "vote-ranking" not in html and "● 1" not in html, url
        assert "Results appear when the facilitator closes the vote." in html
    page = viewer_client.get(reverse("workshop:facilitate", args=[journey.pk])).content.decode()
    assert "vote-ranking" not in page and "Results stay hidden while the vote is open" in page
    assert "Yours: ● 1" in page  # one's own dots are no secret

    reveal = reverse("workshop:vote_reveal", args=[journey.pk, session.pk])
    assert viewer_client.post(reveal, **htmx).status_code == 403  # the facilitator's call
    response = editor_client.post(reveal, **htmx)
    assert response.status_code == 200 and "vote-ranking" in response.content.decode()
    assert "Show the results now" not in response.content.decode()
    html = viewer_client.get(_present(journey)).content.decode()
    assert "vote-ranking" in html and "Voting on friction points" in html
    assert editor_client.post(reveal).status_code == 409  # already shown: says so, changes nothing


def test_the_vote_page_is_titled_for_what_it_is(viewer_client, journey):
    html = viewer_client.get(reverse("workshop:facilitate", args=[journey.pk])).content.decode()
    assert f"<title>Dot vote and timer · {escape(journey.title)} · Journeymap</title>" in html
    assert "<h1>Dot vote and timer</h1>" in html


def test_the_timer_shows_its_end_time_for_the_countdown(viewer_client, journey, owner):
    timer = services.timer_start(actor=owner, journey=journey, minutes=5)
    html = viewer_client.get(_present(journey)).content.decode()
    assert f'data-ends-at="{timer.ends_at.isoformat()}"' in html
    assert "data-server-now=" in html


def test_a_stage_or_card_of_another_map_is_not_found(owner_client, journey, other_journey):
    their_stage = other_journey.stages.first()
    their_card = factories.make_card(other_journey, other_journey.created_by, title="Theirs")
    assert owner_client.get(_present(journey, stage=their_stage.pk)).status_code == 404
    assert owner_client.get(_present(journey, card=their_card.pk)).status_code == 404


def test_another_workspace_map_is_not_found_and_signed_out_goes_to_login(owner_client, client, journey, other_journey):
    assert owner_client.get(_present(other_journey)).status_code == 404
    response = client.get(_present(journey))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_board_header_offers_present_vote_and_share_by_role(owner_client, viewer_client, journey):
    present, vote, share = (reverse(name, args=[journey.pk]) for name in
                            ("workshop:present", "workshop:facilitate", "workshop:share_links"))
    owner_html = owner_client.get(reverse("maps:board", args=[journey.pk])).content.decode()
    viewer_html = viewer_client.get(reverse("maps:board", args=[journey.pk])).content.decode()
    assert all(f'href="{url}"' in owner_html for url in (present, vote, share))
    assert f'href="{present}"' in viewer_html and f'href="{vote}"' in viewer_html
    assert f'href="{share}"' not in viewer_html


# --- the facilitator's page: votes --------------------------------------------------------


def test_the_workshop_page_and_its_vote_fragment(viewer_client, journey, session, htmx):
    page = viewer_client.get(reverse("workshop:facilitate", args=[journey.pk]))
    assert page.status_code == 200 and "You have 3 dots left" in page.content.decode()
    assert "Close the vote" not in page.content.decode()  # a viewer votes, the facilitator closes
    fragment = viewer_client.get(reverse("workshop:facilitate", args=[journey.pk]), **htmx).content.decode()
    assert fragment.lstrip().startswith('<section id="vote"') and "<html" not in fragment


def test_an_editor_opens_a_vote_with_htmx_and_without(editor_client, journey, friction, htmx):
    url = reverse("workshop:vote_open", args=[journey.pk])
    response = editor_client.post(url, {"target": "friction", "dots_per_person": 2}, **htmx)
    assert response.status_code == 200 and "You have 2 dots left" in response.content.decode()
    session = VoteSession.objects.get(journey=journey)
    editor_client.post(reverse("workshop:vote_close", args=[journey.pk, session.pk]), **htmx)
    response = editor_client.post(url, {"target": "opportunities", "dots_per_person": 4})
    assert response.status_code == 302
    assert response["Location"] == reverse("workshop:facilitate", args=[journey.pk]) + "#vote"
    assert VoteSession.objects.filter(journey=journey, closed_at=None).get().target == "opportunities"


def test_an_invalid_vote_form_answers_422_with_the_error(editor_client, journey, htmx):
    response = editor_client.post(reverse("workshop:vote_open", args=[journey.pk]),
                                  {"target": "friction", "dots_per_person": 50}, **htmx)
    assert response.status_code == 422 and "errorlist" in response.content.decode()
    assert not VoteSession.objects.exists()


def test_a_viewer_cannot_open_or_close_a_vote(viewer_client, journey, session):
    response = viewer_client.post(reverse("workshop:vote_open", args=[journey.pk]),
                                  {"target": "friction", "dots_per_person": 3})
    assert response.status_code == 403
    assert viewer_client.post(reverse("workshop:vote_close", args=[journey.pk, session.pk])).status_code == 403
    assert VoteSession.objects.get().is_open


def test_a_viewer_spends_and_takes_back_dots(viewer_client, viewer, journey, session, friction, htmx):
    add = reverse("workshop:vote_add", args=[journey.pk, session.pk, friction.pk])
    remove = reverse("workshop:vote_remove", args=[journey.pk, session.pk, friction.pk])
    response = viewer_client.post(add, **htmx)
    assert response.status_code == 200 and "You have 2 dots left" in response.content.decode()
    assert viewer_client.post(add).status_code == 302
    viewer_client.post(remove, **htmx)
    assert Vote.objects.get(voter=viewer).dots == 1


def test_a_fourth_dot_is_refused_with_a_message(viewer_client, viewer, journey, session, friction, htmx):
    add = reverse("workshop:vote_add", args=[journey.pk, session.pk, friction.pk])
    for _ in range(3):
        viewer_client.post(add, **htmx)
    response = viewer_client.post(add, **htmx)
    assert response.status_code == 400 and "spent all your 3 dots" in response.content.decode()
    assert Vote.objects.get(voter=viewer).dots == 3


def test_votes_and_sessions_of_another_map_are_not_found(owner_client, journey, other_journey, session, friction):
    their_session = services.vote_session_open(actor=other_journey.created_by, journey=other_journey,
                                               target=VoteTarget.FRICTION, dots_per_person=3)
    assert owner_client.get(reverse("workshop:facilitate", args=[other_journey.pk])).status_code == 404
    assert owner_client.post(
        reverse("workshop:vote_add", args=[journey.pk, their_session.pk, friction.pk])).status_code == 404
    close_theirs = reverse("workshop:vote_close", args=[other_journey.pk, their_session.pk])
    assert owner_client.post(close_theirs).status_code == 404
    assert not Vote.objects.exists() and VoteSession.objects.get(pk=their_session.pk).is_open


# --- the facilitator's page: the timer ------------------------------------------------------


def test_the_timer_starts_and_stops_from_the_page(editor_client, journey, htmx):
    response = editor_client.post(reverse("workshop:timer_start", args=[journey.pk]), {"minutes": 7}, **htmx)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="timer"') and "data-ends-at" in html
    assert WorkshopTimer.objects.get(journey=journey).duration_seconds == 420
    response = editor_client.post(reverse("workshop:timer_stop", args=[journey.pk]))
    assert response.status_code == 302 and WorkshopTimer.objects.get(journey=journey).ends_at is None


def test_a_timer_form_out_of_range_answers_422(editor_client, journey):
    response = editor_client.post(reverse("workshop:timer_start", args=[journey.pk]), {"minutes": 0})
    assert response.status_code == 422 and not WorkshopTimer.objects.exists()


def test_a_viewer_cannot_start_the_timer(viewer_client, journey):
    assert viewer_client.post(reverse("workshop:timer_start", args=[journey.pk]), {"minutes": 5}).status_code == 403
    assert viewer_client.post(reverse("workshop:timer_start", args=[journey.pk]), {"minutes": 0}).status_code == 403
    assert not WorkshopTimer.objects.exists()


# --- share links --------------------------------------------------------------------------


def test_the_owner_lists_creates_and_revokes_links(owner_client, journey, htmx):
    page = owner_client.get(reverse("workshop:share_links", args=[journey.pk]))
    assert page.status_code == 200 and "No working share link" in page.content.decode()
    response = owner_client.post(reverse("workshop:share_link_create", args=[journey.pk]),
                                 {"label": "Room 4", "days": 3}, **htmx)
    link = ShareLink.objects.get()
    token = selectors.share_link_token(link=link)
    assert response.status_code == 200 and token in response.content.decode()
    response = owner_client.post(reverse("workshop:share_link_revoke", args=[journey.pk, link.pk]))
    assert response.status_code == 302 and ShareLink.objects.get().revoked_at is not None
    assert token not in owner_client.get(reverse("workshop:share_links", args=[journey.pk])).content.decode()


def test_editors_and_viewers_cannot_see_or_make_links(editor_client, viewer_client, journey, share_url):
    link = ShareLink.objects.get()
    for client in (editor_client, viewer_client):
        assert client.get(reverse("workshop:share_links", args=[journey.pk])).status_code == 403
        assert client.post(reverse("workshop:share_link_create", args=[journey.pk]), {"days": 3}).status_code == 403
        assert client.post(reverse("workshop:share_link_revoke", args=[journey.pk, link.pk])).status_code == 403
    assert ShareLink.objects.count() == 1 and ShareLink.objects.get().revoked_at is None


def test_another_workspace_cannot_touch_this_maps_links(client, journey, share_url, other_journey):
    stranger = other_journey.created_by
    client.force_login(stranger)
    link = ShareLink.objects.get()
    assert client.get(reverse("workshop:share_links", args=[journey.pk])).status_code == 404
    assert client.post(reverse("workshop:share_link_revoke", args=[journey.pk, link.pk])).status_code == 404
    assert client.post(reverse("workshop:share_link_revoke", args=[other_journey.pk, link.pk])).status_code == 404
    assert ShareLink.objects.get().revoked_at is None


def test_a_guest_sees_the_presentation_without_an_account(client, journey, share_url, friction):
    response = client.get(share_url)
    html = response.content.decode()
    assert response.status_code == 200 and "Hidden price" in html and journey.title in html
    # Nothing but this presentation: no editing, no board, no other map, no workspace page.
    assert "<form" not in html and "Exit" not in html
    for url in _hrefs(html):
        assert url.startswith(share_url) or url.startswith("/static/"), url
    stage = journey.stages.first()
    assert client.get(f"{share_url}?stage={stage.pk}").status_code == 200
    assert client.get(f"{share_url}?card={friction.pk}").status_code == 200


def test_a_guest_partial_for_htmx(client, share_url):
    html = client.get(share_url, HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<div id="presentation"') and f'hx-get="{share_url}"' in html


def test_a_share_link_never_shows_another_map(client, share_url, other_journey):
    their_stage = other_journey.stages.first()
    their_card = factories.make_card(other_journey, other_journey.created_by, title="Their secret")
    assert client.get(f"{share_url}?stage={their_stage.pk}").status_code == 404
    response = client.get(f"{share_url}?card={their_card.pk}")
    assert response.status_code == 404 and "Their secret" not in response.content.decode()


def test_posting_to_a_share_link_changes_nothing(client, journey, share_url, session, friction):
    state = factories.map_state(journey)
    assert client.post(share_url, {"title": "Hacked"}).status_code == 405
    assert client.post(share_url, {"title": "Hacked"}, HTTP_HX_REQUEST="true").status_code == 405
    assert factories.map_state(journey) == state and not Vote.objects.exists()


def test_revoked_expired_and_forged_links_are_not_found(client, journey, owner, share_url):
    link = ShareLink.objects.get()
    assert client.get(share_url).status_code == 200
    services.share_link_revoke(actor=owner, link=link)
    assert client.get(share_url).status_code == 404
    assert client.get(share_url, HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(share_url.replace("/share/", "/share/x")).status_code == 404
    assert client.get(reverse("workshop:share_present", args=["1"])).status_code == 404



def test_the_presentation_costs_the_same_queries_whatever_the_map_size(owner_client, owner, workspace, journey):
    big = factories.make_journey(workspace, owner, title="Big")
    for journey_ in (journey, big):
        services.timer_start(actor=owner, journey=journey_, minutes=5)
        services.vote_session_open(actor=owner, journey=journey_, target=VoteTarget.FRICTION, dots_per_person=3)
    session = VoteSession.objects.get(journey=big)
    for stage in big.stages.all():
        friction = factories.make_card(big, owner, kind=LaneKind.FRICTION, stage=stage)
        factories.make_card(big, owner, kind=LaneKind.USER_STATE, stage=stage, confidence=-2)
        factories.make_card(big, owner, kind=LaneKind.HANDOFFS, stage=stage)
        if stage.position < session.dots_per_person:
            services.vote_add(actor=owner, session=session, card_id=friction.pk)
    counts = []
    for journey_ in (journey, big):
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(_present(journey_)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
