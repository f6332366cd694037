"""Moving a stage, lane or card under the production settings (DEBUG off, hashed static files from a
manifest, HTTPS-only cookies and redirects), through the real views, as full page and as HTMX."""

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from maps.models import Card, Lane, Stage

from .factories import make_card
from .production import production_settings


def _production_settings(static_root) -> dict:
    """journeymap.settings.production as it runs, but on the test database and a private static root."""
    production = production_settings("SESSION_", "CSRF_", "SECURE_", "MIDDLEWARE", "STORAGES", "WHITENOISE",
                                     "STATIC", "DEBUG", "TEMPLATES")
    return production | {"STATIC_ROOT": str(static_root), "WHITENOISE_USE_FINDERS": False,
                         "WHITENOISE_AUTOREFRESH": False}


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    settings = _production_settings(tmp_path_factory.mktemp("staticfiles"))
    with override_settings(**settings):
        call_command("collectstatic", interactive=False, verbosity=0)
    return settings


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client, url, data, as_htmx):
    headers = {"HX-Request": "true", "X-Forwarded-Proto": "https"} if as_htmx else {"X-Forwarded-Proto": "https"}
    return client.post(url, data, secure=True, headers=headers)


def test_importing_the_production_settings_changes_no_other_settings_module(production):
    """production.py once changed base's STORAGES in place, so reading it switched every later test
    to the manifest storage."""
    from django.conf import settings

    assert settings.STORAGES["staticfiles"]["BACKEND"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert production["STORAGES"]["staticfiles"]["BACKEND"].startswith("whitenoise.")


@pytest.mark.parametrize("as_htmx", [False, True], ids=["page", "htmx"])
def test_stage_lane_and_card_moves_work_under_production_settings(production, journey, owner, as_htmx):
    stage = journey.stages.get(position=0)
    lane = journey.lanes.get(position=0)
    card = make_card(journey, owner, stage=stage, title="Moves")
    with override_settings(**production):
        client = _client(owner)
        board = client.get(reverse("maps:board", args=[journey.pk]), secure=True)
        assert board.status_code == 200
        for url, data, model, pk in [
            (reverse("maps:stage_move", args=[journey.pk, stage.pk]), {"version": 1, "step": 1}, Stage, stage.pk),
            (reverse("maps:lane_move", args=[journey.pk, lane.pk]), {"version": 1, "step": 1}, Lane, lane.pk),
            (reverse("maps:card_move", args=[journey.pk, card.pk]),
             {"version": Card.objects.get(pk=card.pk).version, "stage": journey.stages.get(position=0).pk,
              "lane": card.lane_id, "position": 0}, Card, card.pk),
        ]:
            response = _post(client, url, data, as_htmx)
            assert response.status_code in (200, 302), (url, response.status_code, response.content[:500])
            assert model.objects.get(pk=pk).version == data["version"] + 1
            if not as_htmx:
                assert client.get(response["Location"], secure=True).status_code == 200


@pytest.mark.parametrize("as_htmx", [False, True], ids=["page", "htmx"])
def test_refused_moves_answer_a_message_under_production_settings(production, journey, owner, viewer, as_htmx):
    stage = journey.stages.get(position=0)
    last = journey.stages.order_by("-position").first()
    lane = journey.lanes.get(position=0)
    card = make_card(journey, owner, stage=stage, title="Moves")
    with override_settings(**production):
        client, viewer_client = _client(owner), _client(viewer)
        cases = [
            (client, reverse("maps:stage_move", args=[journey.pk, stage.pk]), {"version": 7, "step": 1}, 409),
            (client, reverse("maps:stage_move", args=[journey.pk, stage.pk]), {"version": 1}, 400),
            (client, reverse("maps:stage_move", args=[journey.pk, stage.pk]), {"version": 1, "step": -1}, 200),
            (client, reverse("maps:stage_move", args=[journey.pk, last.pk]), {"version": 1, "step": 1}, 200),
            (client, reverse("maps:stage_move", args=[journey.pk, 999999]), {"version": 1, "step": 1}, 404),
            (client, reverse("maps:lane_move", args=[journey.pk, lane.pk]), {"version": 1, "position": 99}, 200),
            # a lane never on this map is bad input (a deleted one is a 404 that says so: test_deleted_targets)
            (client, reverse("maps:card_move", args=[journey.pk, card.pk]), {"version": 1, "lane": 999999,
                                                                             "position": 0}, 400),
            (viewer_client, reverse("maps:card_move", args=[journey.pk, card.pk]), {"version": 1, "step": 1}, 403),
        ]
        for who, url, data, status in cases:
            response = _post(who, url, data, as_htmx)
            if status == 200 and not as_htmx:
                status = 302
            assert response.status_code == status, (url, data, response.status_code, response.content[:300])
