"""Search: maps, cards, comments, checkpoints and personas of the person's workspaces, grouped by map,
each linking to its place; never anything of a workspace they are not in."""

import pytest
from django.db import connection
from django.urls import reverse

from comments.services import comment_create
from portfolio import services
from portfolio.search import search

from .factories import add_member, make_card, make_journey, make_user
from .healthcare import make_checkpoint


@pytest.fixture
def indexed(workspace, owner, journey, other_workspace):
    card = make_card(journey, owner, title="Pharmacy handoff", body="The prescription waits for a fax confirmation.")
    comment_create(actor=owner, journey=journey, target=journey.stages.first(), body="The pharmacy never calls back.")
    make_checkpoint(journey, owner, type="data_access", title="Pharmacy sees only the prescription")
    services.persona_create(actor=owner, workspace=workspace,
                            data={"name": "Rosa", "summary": "Picks up prescriptions for her mother"})
    stranger = other_workspace.memberships.get().user
    theirs = make_journey(other_workspace, stranger, title="Pharmacy pickup (theirs)")
    make_card(theirs, stranger, title="Pharmacy queue (theirs)")
    comment_create(actor=stranger, journey=theirs, target=theirs.stages.first(), body="Pharmacy secret (theirs)")
    services.persona_create(actor=stranger, workspace=other_workspace,
                            data={"name": "Pharmacist (theirs)", "summary": "prescription"})
    return {"card": card}


def test_results_are_grouped_by_map_and_link_to_the_place_on_the_board(owner, journey, indexed):
    results = search(user=owner, query="pharmacy")
    assert [group.journey for group in results.maps] == [journey]
    hits = {(hit.kind, hit.title): hit.url for hit in results.maps[0].hits}
    board = reverse("maps:board", args=[journey.pk])
    assert hits[("card", "Pharmacy handoff")] == f"{board}#card-{indexed['card'].pk}"
    assert hits[("comment", "Comment on “Acquisition”")] == f"{board}#stage-{journey.stages.first().pk}"
    assert ("checkpoint", "Pharmacy sees only the prescription") in hits
    assert results.personas == []
    by_goal = search(user=owner, query="prescriptions mother")  # every word must match
    assert [p.name for p in by_goal.personas] == ["Rosa"] and by_goal.maps == []


def test_a_search_never_returns_anything_of_another_workspace(owner, indexed):
    results = search(user=owner, query="pharmacy")
    everything = [h.title + h.text for m in results.maps for h in m.hits] + [p.name for p in results.personas]
    assert everything and not any("theirs" in text for text in everything)


def test_a_member_of_two_workspaces_finds_in_both(owner, other_workspace, indexed):
    add_member(other_workspace, owner)
    titles = {m.journey.title for m in search(user=owner, query="pharmacy").maps}
    assert titles == {"Telehealth journey", "Pharmacy pickup (theirs)"}


def test_deleted_cards_and_empty_queries_find_nothing(owner, journey, indexed):
    from maps import services as map_services

    map_services.card_delete(actor=owner, card=indexed["card"], version=indexed["card"].version)
    assert all(h.kind != "card" for m in search(user=owner, query="handoff").maps for h in m.hits)
    assert search(user=owner, query="   ").count == 0
    assert search(user=make_user("nobody"), query="pharmacy").count == 0


def test_the_search_page_and_its_fragment(owner_client, journey, indexed, htmx):
    page = owner_client.get(reverse("portfolio:search"), {"q": "pharmacy"})
    body = page.content.decode()
    assert page.status_code == 200 and "<html" in body and "Pharmacy handoff" in body
    assert "Rosa" in owner_client.get(reverse("portfolio:search"), {"q": "mother"}).content.decode()
    assert "theirs" not in body
    fragment = owner_client.get(reverse("portfolio:search"), {"q": "fax"}, **htmx)
    assert b"<html" not in fragment.content and b"Pharmacy handoff" in fragment.content
    assert b"1 result " in fragment.content
    nothing = owner_client.get(reverse("portfolio:search"), {"q": "zebra"}, **htmx)
    assert b"Nothing found" in nothing.content


def test_postgresql_stems_words_and_the_fallback_matches_them_as_typed(owner, journey, indexed):
    found = {h.title for m in search(user=owner, query="pharmacies").maps for h in m.hits}
    if connection.vendor == "postgresql":  # English stemming: "pharmacies" and "Pharmacy" are one word
        assert {"Pharmacy handoff", "Pharmacy sees only the prescription"} <= found
    else:
        assert found == set()
    assert "Pharmacy handoff" in {h.title for m in search(user=owner, query="PHARMACY").maps for h in m.hits}


def test_a_phrase_and_an_exclusion(owner, journey, indexed):
    assert search(user=owner, query='"fax confirmation"').count == 1
    assert all(h.title != "Pharmacy handoff" for m in search(user=owner, query="pharmacy -fax").maps for h in m.hits)
