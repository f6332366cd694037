"""Comment views as HTMX fragments and full pages, scoping, inert bodies, and the board's badges."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import services
from comments.models import Comment, Mention
from maps.extensions import BOARD_BADGE_SOURCES
from maps.models import LaneKind
from tests import factories
from workspaces.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(journey, owner):
    return factories.make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Intake form")


def _panel(journey, kind, pk):
    return reverse("comments:panel", args=[journey.pk, kind, pk])


def _create(journey, kind, pk):
    return reverse("comments:create", args=[journey.pk, kind, pk])


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _comment(actor, journey, target, body="Why twenty-two questions?", parent=None):
    return services.comment_create(actor=actor, journey=journey, target=target, body=body, parent=parent)


# --- the panel ---------------------------------------------------------------------------------


def test_panel_full_page_lists_threads_with_replies(owner_client, journey, owner, editor, card):
    root = _comment(owner, journey, card)
    _comment(editor, journey, card, "Because of the payer", parent=root)
    response = owner_client.get(_panel(journey, "card", card.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<!doctype html>" in html and 'id="comments-panel"' in html
    assert "Why twenty-two questions?" in html and "Because of the payer" in html
    assert f'id="thread-{root.pk}"' in html


def test_panel_fragment_is_only_the_panel(owner_client, journey, card, htmx):
    response = owner_client.get(_panel(journey, "card", card.pk), **htmx)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<!doctype html>" not in html and html.lstrip().startswith('<div class="dialog comments-panel"')
    assert "hx-swap-oob" not in html  # opened from elsewhere than the board: no badge to update


def test_post_plain_redirects_to_the_panel_page(viewer_client, journey, viewer, card):
    response = viewer_client.post(_create(journey, "card", card.pk), {"body": "Viewers may comment"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _panel(journey, "card", card.pk) + f"#comment-{comment.pk}"
    assert comment.author == viewer


def test_post_from_the_board_answers_the_panel_and_the_cards_badge_out_of_band(owner_client, journey, card, htmx):
    board_url = "http://testserver" + reverse("maps:board", args=[journey.pk])
    response = owner_client.post(_create(journey, "card", card.pk), {"body": "First thread"},
                                 HTTP_HX_CURRENT_URL=board_url, **htmx)
    html = response.content.decode()
    assert response.status_code == 200
    assert "First thread" in html
    assert f'id="comments-badge-card-{card.pk}"' in html and 'hx-swap-oob="true"' in html
    assert "1 open comment thread" in html


def test_a_reply_by_form(owner_client, journey, owner, card, htmx):
    root = _comment(owner, journey, card)
    response = owner_client.post(_create(journey, "card", card.pk), {"body": "A reply", "parent": root.pk}, **htmx)
    assert response.status_code == 200
    assert Comment.objects.get(body="A reply").parent_id == root.pk


def test_an_empty_comment_is_answered_with_the_form_and_its_error(owner_client, journey, card, htmx):
    response = owner_client.post(_create(journey, "stage", journey.stages.first().pk), {"body": " "}, **htmx)
    assert response.status_code == 422
    assert "errorlist" in response.content.decode()
    assert not Comment.objects.exists()


def test_edit_own_comment_fragment_and_save(editor_client, journey, editor, card, htmx):
    comment = _comment(editor, journey, card, "Typo hree")
    url = reverse("comments:edit", args=[journey.pk, comment.pk])
    form = editor_client.get(url, **htmx)
    assert form.status_code == 200 and "Typo hree</textarea>" in form.content.decode()
    saved = editor_client.post(url, {"body": "Typo here", "version": 1}, **htmx)
    assert saved.status_code == 200 and "Typo here" in saved.content.decode() and "(edited)" in saved.content.decode()


def test_a_stale_edit_answers_409_with_theirs_and_yours(editor_client, journey, editor, card, htmx):
    comment = _comment(editor, journey, card, "Original")
    services.comment_update(actor=editor, comment=comment, version=1, body="Theirs now")
    url = reverse("comments:edit", args=[journey.pk, comment.pk])
    response = editor_client.post(url, {"body": "Mine from before", "version": 1}, **htmx)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Theirs now" in html and "Mine from before</textarea>" in html and 'value="2"' in html
    assert Comment.objects.get(pk=comment.pk).body == "Theirs now"


def test_editing_someone_elses_comment_is_403(owner_client, journey, editor, card):
    comment = _comment(editor, journey, card, "Mine")
    assert owner_client.get(reverse("comments:edit", args=[journey.pk, comment.pk])).status_code == 403
    response = owner_client.post(reverse("comments:edit", args=[journey.pk, comment.pk]), {"body": "x", "version": 1})
    assert response.status_code == 403
    assert Comment.objects.get(pk=comment.pk).body == "Mine"


def test_resolve_and_reopen_by_form(editor_client, journey, owner, card, htmx):
    root = _comment(owner, journey, card)
    resolved = editor_client.post(reverse("comments:resolve", args=[journey.pk, root.pk]), {"version": 1}, **htmx)
    assert resolved.status_code == 200 and "Resolved by editor" in resolved.content.decode()
    assert Comment.objects.get(pk=root.pk).resolved_at is not None
    reopened = editor_client.post(reverse("comments:reopen", args=[journey.pk, root.pk]), {"version": 2})
    assert reopened.status_code == 302
    assert Comment.objects.get(pk=root.pk).reopened_by.username == "editor"


def test_a_stale_resolve_answers_409(editor_client, journey, owner, card, htmx):
    root = _comment(owner, journey, card)
    services.thread_resolve(actor=owner, root=root, version=1)
    response = editor_client.post(reverse("comments:resolve", args=[journey.pk, root.pk]), {"version": 1}, **htmx)
    assert response.status_code == 409 and "Someone changed this thread" in response.content.decode()


def test_a_viewer_cannot_resolve_someone_elses_thread_and_sees_no_button(viewer_client, journey, owner, card):
    root = _comment(owner, journey, card)
    page = viewer_client.get(_panel(journey, "card", card.pk)).content.decode()
    assert "thread-resolve" not in page
    response = viewer_client.post(reverse("comments:resolve", args=[journey.pk, root.pk]), {"version": 1})
    assert response.status_code == 403
    assert Comment.objects.get(pk=root.pk).resolved_at is None


# --- scoping -----------------------------------------------------------------------------------


def test_another_workspaces_comments_are_404(owner_client, other_journey, htmx):
    stranger = other_journey.workspace.memberships.get().user
    stage = other_journey.stages.first()
    theirs = _comment(stranger, other_journey, stage, "Private to them")
    for response in (
        owner_client.get(_panel(other_journey, "stage", stage.pk)),
        owner_client.get(_panel(other_journey, "stage", stage.pk), **htmx),
        owner_client.post(_create(other_journey, "stage", stage.pk), {"body": "hi"}),
        owner_client.post(reverse("comments:resolve", args=[other_journey.pk, theirs.pk]), {"version": 1}),
        owner_client.get(reverse("comments:edit", args=[other_journey.pk, theirs.pk])),
        owner_client.get(reverse("comments:open_list", args=[other_journey.pk])),
    ):
        assert response.status_code == 404
        assert "Private to them" not in response.content.decode()


def test_a_target_of_another_map_is_404_even_on_my_map(owner_client, journey, other_journey):
    response = owner_client.get(_panel(journey, "stage", other_journey.stages.first().pk))
    assert response.status_code == 404


def test_a_comment_id_of_another_map_is_404(owner_client, journey, other_journey):
    stranger = other_journey.workspace.memberships.get().user
    theirs = _comment(stranger, other_journey, other_journey.stages.first())
    response = owner_client.get(reverse("comments:edit", args=[journey.pk, theirs.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("name, args", [
    ("comments:panel", lambda j: [j.pk, "stage", j.stages.first().pk]),
    ("comments:open_list", lambda j: [j.pk]),
    ("comments:mentions", lambda j: []),
    ("comments:mentions_count", lambda j: []),
])
def test_signed_out_is_sent_to_login(client, journey, name, args):
    response = client.get(reverse(name, args=args(journey)))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_removed_member_sees_neither_the_mention_nor_the_thread(journey, owner, editor, card):
    comment = _comment(owner, journey, card, "@editor have a look")
    mention = Mention.objects.get(user=editor)
    Membership.objects.filter(user=editor, workspace=journey.workspace).delete()
    client = _client_for(editor)
    mentions_page = client.get(reverse("comments:mentions")).content.decode()
    assert "have a look" not in mentions_page and f"mention-{mention.pk}" not in mentions_page
    assert client.get(reverse("comments:mentions_count")).content.decode().count(">1<") == 0
    assert client.get(_panel(journey, "card", card.pk) + f"#comment-{comment.pk}").status_code == 404


# --- hostile bodies ----------------------------------------------------------------------------


def test_a_hostile_body_is_rendered_inert(owner_client, journey, owner, editor, card):
    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)> "quoted" @editor<b>bold</b>'
    _comment(owner, journey, card, hostile)
    for url in (_panel(journey, "card", card.pk), reverse("comments:open_list", args=[journey.pk])):
        html = owner_client.get(url).content.decode()
        assert "<script>alert(1)" not in html and "<img src=x" not in html and "<b>bold" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    panel = owner_client.get(_panel(journey, "card", card.pk)).content.decode()
    assert '<span class="mention">@editor</span>&lt;b&gt;bold' in panel
    mentions = _client_for(editor).get(reverse("comments:mentions")).content.decode()
    assert "<script>alert(1)" not in mentions and "&lt;script&gt;" in mentions


def test_only_members_are_highlighted(owner_client, journey, owner, editor, card):
    _comment(owner, journey, card, "@editor and @nobody\nsecond line")
    panel = owner_client.get(_panel(journey, "card", card.pk)).content.decode()
    assert '<span class="mention">@editor</span> and @nobody<br>second line' in panel


# --- lists -------------------------------------------------------------------------------------


def test_open_comments_of_a_map_list_open_threads_only(viewer_client, journey, owner, card):
    stage = journey.stages.last()
    _comment(owner, journey, card, "Open on a card")
    _comment(owner, journey, stage, "Open on a stage")
    done = _comment(owner, journey, card, "Already settled")
    services.thread_resolve(actor=owner, root=done, version=1)
    html = viewer_client.get(reverse("comments:open_list", args=[journey.pk])).content.decode()
    assert "Open on a card" in html and "Open on a stage" in html and "Already settled" not in html
    assert "Intake form" in html and stage.name in html


def test_the_board_links_to_the_open_comments(owner_client, journey):
    html = owner_client.get(reverse("maps:board", args=[journey.pk])).content.decode()
    assert reverse("comments:open_list", args=[journey.pk]) in html


def test_mentions_of_me_and_marking_them_seen(editor_client, journey, owner, editor, card, htmx):
    first = _comment(owner, journey, card, "@editor first")
    _comment(owner, journey, journey.stages.first(), "@editor second")
    count = editor_client.get(reverse("comments:mentions_count"), **htmx).content.decode()
    assert 'id="mentions-unseen"' in count and ">2<" in count
    page = editor_client.get(reverse("comments:mentions")).content.decode()
    assert "@editor first" in page and "@editor second" in page and page.count("mention-row unseen") == 2
    assert _panel(journey, "card", card.pk) + f"#comment-{first.pk}" in page
    one = Mention.objects.get(comment=first)
    response = editor_client.post(reverse("comments:mentions_seen"), {"mention": one.pk}, **htmx)
    html = response.content.decode()
    assert response.status_code == 200 and html.count("mention-row unseen") == 1
    assert 'id="mentions-unseen"' in html and 'hx-swap-oob="true"' in html
    plain = editor_client.post(reverse("comments:mentions_seen"))
    assert plain.status_code == 302
    assert not Mention.objects.filter(user=editor, seen=False).exists()


def test_the_top_bar_links_to_my_mentions(owner_client):
    html = owner_client.get(reverse("maps:list")).content.decode()
    assert reverse("comments:mentions") in html and reverse("comments:mentions_count") in html


# --- the board's badges -------------------------------------------------------------------------


def test_the_board_shows_open_thread_counts_on_cards_and_stages(owner_client, journey, owner, card):
    stage = journey.stages.last()
    _comment(owner, journey, card)
    _comment(owner, journey, card, "second")
    _comment(owner, journey, stage)
    resolved = _comment(owner, journey, stage, "done")
    services.thread_resolve(actor=owner, root=resolved, version=1)
    html = owner_client.get(reverse("maps:board", args=[journey.pk])).content.decode()
    assert 'aria-label="2 open comment threads"' in html
    assert 'aria-label="1 open comment thread"' in html
    assert f'id="comments-badge-card-{card.pk}"' in html and f'id="comments-badge-stage-{stage.pk}"' in html
    assert f'href="{_panel(journey, "card", card.pk)}"' in html


def test_the_badge_survives_an_inline_card_edit(owner_client, journey, owner, card, htmx):
    _comment(owner, journey, card)
    data = {"version": card.version, "title": "Intake form v2", "body": "", "channel": "web", "expectation": "",
            "experience": "", "data_classification": "none", "communication_sensitivity": "low"}
    response = owner_client.post(reverse("maps:card_edit", args=[journey.pk, card.pk]), data, **htmx)
    assert response.status_code == 200
    assert 'aria-label="1 open comment thread"' in response.content.decode()


def _board_queries(client, journey) -> int:
    # Counted on a warm board: a render that misses the cell cache reads the missing cells' cards in one more query.
    client.get(reverse("maps:board", args=[journey.pk]))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("maps:board", args=[journey.pk])).status_code == 200
    return len(queries)


def test_the_badges_cost_one_query_per_board_whatever_its_size(owner_client, journey, owner, monkeypatch):
    small = _board_queries(owner_client, journey)
    for stage in journey.stages.all():
        for kind in (LaneKind.TOUCHPOINTS, LaneKind.FRICTION, LaneKind.HANDOFFS):
            card = factories.make_card(journey, owner, kind=kind, stage=stage)
            _comment(owner, journey, card)
        _comment(owner, journey, stage)
    assert _board_queries(owner_client, journey) == small
    sources = len(BOARD_BADGE_SOURCES)  # comments' threads and diagnostics' evidence
    monkeypatch.setattr("maps.selectors.BOARD_BADGE_SOURCES", [])  # the board as it was before any badge
    assert _board_queries(owner_client, journey) == small - sources  # one query per source
