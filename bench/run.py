"""`make bench`: server-side timings of the board and of an inline edit.

Builds a small map (the telehealth template with a few cards) and a large one
(12 stages, 10 lanes, 480 cards) in a throwaway test database, then measures in
process, through Django's full request stack (middleware, view, templates):

- board_small_ms / board_large_ms: median time to render the board page;
- queries_small / queries_large: SQL queries per board render (must be equal);
- edit_ms: median time of one inline card edit (HTMX POST, request to response).
- pdf_large_s / pdf_large_cpu_s / pdf_large_pages: wall and CPU time to render the large map's full PDF
  report (reports.pdf.render_pdf, called directly), and its page count.

The last line printed is one JSON object with every figure.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journeymap.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ROUNDS = 30


def build_maps():
    from maps import services
    from maps.models import Card, LaneKind
    from tests import factories

    owner = factories.make_user("bench-owner")
    workspace = factories.make_workspace(owner=owner, name="Bench")
    small = factories.make_journey(workspace, owner, title="Small")
    for kind in (LaneKind.USER_STATE, LaneKind.TOUCHPOINTS, LaneKind.FRICTION):
        for stage in small.stages.all()[:3]:
            factories.make_card(small, owner, kind=kind, stage=stage)

    large = factories.make_journey(workspace, owner, title="Large")
    for i in range(6, 12):
        services.stage_create(actor=owner, journey=large, data={"name": f"Stage {i + 1}"})
    for name, kind in [("Backstage", LaneKind.BACKSTAGE), ("Notes", LaneKind.NOTES),
                       ("Support", LaneKind.NOTES), ("Systems", LaneKind.BACKSTAGE)]:
        services.lane_create(actor=owner, journey=large, data={"name": name, "kind": kind})
    stages = list(large.stages.all())
    lanes = list(large.lanes.all())
    assert len(stages) == 12 and len(lanes) == 10
    per_cell = 4
    for stage in stages:
        for lane in lanes:
            for n in range(per_cell):
                data = {"title": f"{lane.name} {stage.name} #{n}", "body": "Details of this moment. " * 3}
                services.card_create(actor=owner, journey=large, stage_id=stage.pk, lane_id=lane.pk, data=data)
    cards = Card.objects.filter(journey=large, deleted_at=None).count()
    return owner, small, large, cards


def median_ms(samples):
    return round(statistics.median(samples) * 1000, 2)


def time_board(client, journey):
    url = f"/maps/{journey.pk}/"
    client.get(url)  # warm the template cache
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        client.get(url)
        samples.append(time.perf_counter() - start)
    return median_ms(samples), len(queries)


def time_edit(client, journey):
    from maps.models import Card, LaneKind, Touchpoint

    card = Touchpoint.objects.filter(journey=journey, kind=LaneKind.TOUCHPOINTS).first() or Card.objects.filter(
        journey=journey).first()
    url = f"/maps/{journey.pk}/cards/{card.pk}/edit/"
    samples = []
    version = card.version
    for i in range(ROUNDS):
        data = {"version": version, "title": f"Edited {i}", "body": "", "channel": "web", "expectation": "",
                "experience": "", "data_classification": "none", "communication_sensitivity": "low"}
        queries = []
        start = time.perf_counter()
        with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
            response = client.post(url, data, HTTP_HX_REQUEST="true")
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content[:500]
        version += 1
    return median_ms(samples), len(queries)


def time_json_roundtrip(owner, journey):
    """Seconds to export the map as native JSON and import it back as a new map (median of 3)."""
    from interchange.native import render_json
    from interchange.services import map_file_import

    samples = []
    for _ in range(3):
        start = time.perf_counter()
        map_file_import(actor=owner, workspace=journey.workspace, data=render_json(journey.pk), filename="map.json")
        samples.append(time.perf_counter() - start)
    return round(statistics.median(samples), 3)


def time_pdf(journey):
    """Wall and CPU seconds of one report: on a shared machine the CPU time is the steadier figure."""
    import io

    from pypdf import PdfReader

    from reports.pdf import render_pdf

    render_pdf(journey.pk)  # warm templates and fonts
    start, cpu = time.perf_counter(), time.process_time()
    data = render_pdf(journey.pk)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return round(wall, 2), round(cpu, 2), len(PdfReader(io.BytesIO(data)).pages)


def main() -> None:
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        owner, small, large, cards = build_maps()
        print(f"seeded maps in {time.perf_counter() - started:.1f}s; large map has {cards} cards", file=sys.stderr)
        client = Client()
        client.force_login(owner)
        board_small_ms, queries_small = time_board(client, small)
        board_large_ms, queries_large = time_board(client, large)
        edit_ms, edit_queries = time_edit(client, small)
        json_roundtrip_large_s = time_json_roundtrip(owner, large)
        pdf_large_s, pdf_large_cpu_s, pdf_large_pages = time_pdf(large)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    result = {
        "database": connection.vendor,
        "board_small_ms": board_small_ms,
        "board_large_ms": board_large_ms,
        "queries_small": queries_small,
        "queries_large": queries_large,
        "large_map_cards": cards,
        "edit_ms": edit_ms,
        "edit_queries": edit_queries,
        "json_roundtrip_large_s": json_roundtrip_large_s,
        "pdf_large_s": pdf_large_s,
        "pdf_large_cpu_s": pdf_large_cpu_s,
        "pdf_large_pages": pdf_large_pages,
        "cpu_count": os.cpu_count(),
        "debug": settings.DEBUG,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
