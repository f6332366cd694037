"""Faults: the database dropping a connection mid-request, Redis restarting under open event streams.

(A Celery worker killed mid-export is proven in tests/test_reports_runners.py:
`test_a_worker_killed_mid_export_leaves_a_job_that_a_new_worker_finishes`.)
"""

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from maps import services
from maps.models import Card, Change, Journey

from .factories import make_card
from .test_maps_views import card_post_data

pytestmark = pytest.mark.django_db(transaction=True)


def _terminate_own_backend() -> None:
    """Ends this thread's PostgreSQL session from a second connection, as a server restart would."""
    pid = connection.connection.info.backend_pid
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                         password=db["PASSWORD"] or None, dbname=db["NAME"], autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.parametrize("hx", [False, True], ids=["page", "htmx"])
def test_a_database_lost_mid_save_answers_503_and_leaves_nothing_half_written(owner_client, journey, owner,
                                                                            monkeypatch, hx):
    assert connection.vendor == "postgresql", "this proves PostgreSQL's rollback: run it on PostgreSQL"
    card = make_card(journey, owner, title="Consent")
    revision_before = Journey.objects.get(pk=journey.pk).revision
    changes_before = Change.objects.filter(journey=journey).count()
    record = services._record

    def record_after_losing_the_database(**kwargs):
        # The card row is already written in this transaction; the connection dies before history is.
        _terminate_own_backend()
        return record(**kwargs)

    monkeypatch.setattr(services, "_record", record_after_losing_the_database)
    owner_client.raise_request_exception = False
    headers = {"HTTP_HX_REQUEST": "true"} if hx else {}
    response = owner_client.post(reverse("maps:card_edit", args=[journey.pk, card.pk]),
                                 card_post_data(journey, card, title="Half-written"), **headers)
    monkeypatch.undo()
    connection.close()  # the test's own connection died with the request's

    assert response.status_code == 503
    assert response["Retry-After"]
    html = response.content.decode()
    assert "The database did not answer" in html and "Nothing was saved" in html
    assert "Traceback" not in html and "OperationalError" not in html
    assert ("<html" in html) is not hx  # a full page, or the message fragment for htmx
    stored = Card.objects.get(pk=card.pk)
    assert (stored.title, stored.version) == ("Consent", 1)
    assert Journey.objects.get(pk=journey.pk).revision == revision_before
    assert Change.objects.filter(journey=journey).count() == changes_before
