"""The JSON API fuzzed with Schemathesis from its own /api/openapi.json, through the WSGI app.

Every operation, with generated bodies, parameters and ids, answers without a server error, with a
status code, content type and body that the document describes. (Valid-looking data may still be
refused: a card for a lane of another kind is a 400 by a rule across rows, so "positive data is
accepted" is not checked.)"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from api.services import api_token_create
from reports.services import export_job_request

from . import factories

FUZZ = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def connection_kept_across_requests():
    """Like Django's test client: the WSGI app must not close the connection holding the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_world(db, connection_kept_across_requests, owner, workspace):
    """The schema served by the app, a token of the owner, and real ids of their map (so generated requests
    also reach past the 404s) and of another workspace's (which must stay 404s)."""
    from journeymap.wsgi import application

    journey = factories.make_journey(workspace, owner, title="Fuzzed over the API")
    card = factories.make_card(journey, owner, title="Video visit")
    export = export_job_request(actor=owner, journey_id=journey.pk, format="json")
    _token, secret = api_token_create(user=owner, name="schemathesis")
    return {
        "schema": schemathesis.openapi.from_wsgi("/api/openapi.json", application),
        "headers": {"Authorization": f"Bearer {secret}"},
        "ids": {"map_id": journey.pk, "stage_id": card.stage_id, "lane_id": card.lane_id, "card_id": card.pk,
                "export_id": export.pk},
    }


def test_api_answers_as_its_openapi_document_says(api_world):
    operations = [result.ok() for result in api_world["schema"].get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:
        @FUZZ
        @given(case=st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                              operation.as_strategy(GenerationMode.NEGATIVE)))
        def call(case):
            # Half the generated ids (the even ones) are swapped for real ones.
            for name, value in (case.path_parameters or {}).items():
                if isinstance(value, int) and value % 2 == 0 and name in api_world["ids"]:
                    case.path_parameters[name] = api_world["ids"][name]
            case.call_and_validate(headers=api_world["headers"], checks=CHECKS)

        call()
