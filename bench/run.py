"""`make bench`: server-side timings of the board and of an inline edit.

Builds a small map (the telehealth template with a few cards) and a large one
(12 stages, 10 lanes, 480 cards) in a throwaway test database, then measures in
process, through Django's full request stack (middleware, view, templates):

- board_small_ms / board_large_ms: median time to render the board page;
- queries_small / queries_large: SQL queries per board render (must be equal);
- edit_ms: median time of one inline card edit (HTMX POST, request to response), each on a server done
  publishing the edit before it (its live render runs after its response).
- portfolio_ms / portfolio_queries: median time to render the workspace portfolio page of a workspace of
  30 maps (the gallery's full templates in turn, some with a year of monthly counts), and its SQL queries
  (as many as for 3 maps: the page reads every map at once).
- pdf_large_s / pdf_large_cpu_s / pdf_large_pages: wall and CPU time to render the large map's full PDF
  report (reports.pdf.render_pdf, called directly), and its page count.

Then against a real uvicorn process (Redis if REDIS_URL is set, in-process otherwise):

- sse_fanout_p95_ms: from an edit's HTTP response to its `changed` event reaching each
  of 50 connected event streams, 95th percentile;
- edit_ms_http / edit_ms_with_200_listeners: median edit over HTTP with no stream open,
  then while 200 event streams are open;
- live_visible_p95_ms_100 / live_visible_p95_ms_500 (the large map) and live_visible_p95_ms_50_small: from
  the start of an edit request until the card's new text is on each of 100 (500, 50) open boards, each
  board a listener doing what board.js does with an event (apply its regions, or on a catch-up or a gap
  re-read the board over HTTP), 95th percentile over boards and edits; live_board_reads counts those re-reads;
- stream_threads_500: the server process's threads with 500 open streams minus its threads with none;
- load_*: on the large map, 8 editors, each with its own session and event stream (plus 42 more listeners:
  50 in all), edit their own cards back to back for 10 s and every fifth action move one shared card:
  load_edits_per_s (accepted changes per second), load_p95_ms (their request-to-response time),
  load_conflicts (409s on the shared card: real conflicts, re-read and retried), load_errors
  (anything else but 200: must be 0) and load_streams_caught_up (streams that heard the last
  revision).

Then the event-log import (bench/events.py, in a process of its own): events_import_per_s on a generated
10-million-event CSV (events_file_mb), events_import_peak_mb, and the csv-module baseline's rate
(events_baseline_per_s) with the ratio of the two (events_speedup).

The last line printed is one JSON object with every figure.
"""

import asyncio
import json
import os
import re
import statistics
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journeymap.settings.test")

import django  # noqa: E402

import events as events_bench  # noqa: E402 -- bench/events.py, beside this file

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

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


def _quiet_server() -> None:
    """Lets this process finish publishing the changes made before (their live regions render after
    each response, on a thread of their own), so a figure times its page, not the seeding's backlog."""
    from live.receivers import settled

    settled(timeout=300)


def _timed_page(client, url: str) -> tuple[float, int]:
    _quiet_server()
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


def time_board(client, journey):
    return _timed_page(client, f"/maps/{journey.pk}/")


PORTFOLIO_MAPS = 30


def time_portfolio() -> tuple[float, int]:
    """The portfolio page of a workspace of PORTFOLIO_MAPS maps: median render time and queries per render."""
    import datetime

    from diagnostics.services import stage_metric_record
    from portfolio import services as portfolio_services
    from tests import factories

    owner = factories.make_user("bench-portfolio")
    workspace = factories.make_workspace(owner=owner, name="Bench portfolio")
    keys = ["product-adoption", "remote-monitoring", "clinician-onboarding", "telehealth"]
    for n in range(PORTFOLIO_MAPS):
        journey = portfolio_services.journey_from_template(actor=owner, workspace=workspace, key=keys[n % len(keys)],
                                                           title=f"Map {n + 1}")
        if n % 3 == 0:  # a year of counts on a third of the maps, declining on some
            first = journey.stages.order_by("position").first()
            for month in range(12):
                rate = 0.70 - (0.01 * max(0, month - 6) if n % 2 else 0)
                stage_metric_record(actor=owner, journey=journey, stage=first, period=datetime.date(2025, month + 1, 1),
                                    entered=1000, progressed=round(1000 * rate))
    client = Client()
    client.force_login(owner)
    return _timed_page(client, reverse("portfolio:portfolio", args=[workspace.slug]))


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
        _quiet_server()  # one person's edit: the one before it has reached the others' boards
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


# The listeners share a few sessions: past the per-person cap of open streams they would be refused.
ONE_PERSON_MANY_STREAMS = {"LIVE_STREAMS_PER_PERSON": "1000"}
FANOUT_LISTENERS = 50
LOAD_LISTENERS = 200
CONNECT_WAVE = 25
LIVE_EDITS = 20


async def _listen(base_url: str, path: str, cookie: str, arrivals: dict, subscribed: asyncio.Event,
                  presence_seen: list) -> None:
    """One event stream over a raw connection; records when each `changed` revision arrives."""
    parts = urllib.parse.urlsplit(base_url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    # HTTP/1.0: the stream comes unchunked, one event after another until the connection closes.
    writer.write(f"GET {path} HTTP/1.0\r\nHost: {parts.netloc}\r\nCookie: {cookie}\r\n\r\n".encode())
    try:
        while (await reader.readline()) not in (b"\r\n", b""):
            pass  # the response headers
        event_id, name = None, None
        while line := await reader.readline():
            line = line.rstrip(b"\r\n")
            if line.startswith(b"id: "):
                event_id = int(line[4:])
            elif line.startswith(b"event: "):
                name = line[7:]
            elif not line:
                if name == b"changed":
                    arrivals[event_id] = time.perf_counter()
                elif name == b"presence":
                    subscribed.set()
                    presence_seen[0] = time.perf_counter()
                event_id, name = None, None
    finally:
        writer.close()


def _edit_over_http(base_url: str, edit_path: str, cookies: dict, version: int, title: str) -> float:
    """One inline card edit; returns the perf_counter time of its response."""
    from tests.servers import http_request

    status, body = http_request(base_url, "POST", edit_path, cookies=cookies,
                                data={"version": version, "title": title, "body": ""},
                                headers={"X-CSRFToken": cookies["csrftoken"], "HX-Request": "true"})
    assert status == 200, body[:300]
    return time.perf_counter()


async def _live_figures(base_url: str, journey, card, cookies: dict) -> dict:
    """Every edit bumps the card's version and the map's revision by one: counted here, not re-read."""
    from tests.servers import cookie_header

    path = f"/maps/{journey.pk}/events/"
    cookie = cookie_header(cookies)
    edit_path = f"/maps/{journey.pk}/cards/{card.pk}/edit/"
    state = {"version": card.version, "revision": journey.revision}

    async def edit(title):
        responded = await asyncio.to_thread(_edit_over_http, base_url, edit_path, cookies, state["version"], title)
        state["version"] += 1
        state["revision"] += 1
        return responded

    async def open_streams(count):
        arrivals = [{} for _ in range(count)]
        subscribed = [asyncio.Event() for _ in range(count)]
        presence_seen = [time.perf_counter()]
        tasks = []
        # People arrive in waves, not all in one millisecond: each connecting request holds a database
        # connection for its access check, and 200 at once would exceed PostgreSQL's default 100.
        for wave in range(0, count, CONNECT_WAVE):
            members = range(wave, min(wave + CONNECT_WAVE, count))
            tasks += [asyncio.create_task(_listen(base_url, path, cookie, arrivals[i], subscribed[i], presence_seen))
                      for i in members]
            await asyncio.wait_for(asyncio.gather(*(subscribed[i].wait() for i in members)), 60)
        # Measure the steady state: wait until every stream has heard of every other one joining.
        while time.perf_counter() - presence_seen[0] < 1:
            await asyncio.sleep(0.1)
        return tasks, arrivals

    async def timed_edits(rounds):
        samples = []
        for i in range(rounds):
            start = time.perf_counter()
            samples.append(await edit(f"Live edit {i}") - start)
        return samples

    edit_ms_http = median_ms(await timed_edits(ROUNDS))

    tasks, arrivals = await open_streams(FANOUT_LISTENERS)
    latencies, from_request = [], []
    for i in range(LIVE_EDITS):
        sent = time.perf_counter()
        responded = await edit(f"Fan-out {i}")
        revision = state["revision"]
        deadline = time.perf_counter() + 10
        while not all(revision in a for a in arrivals) and time.perf_counter() < deadline:
            await asyncio.sleep(0.002)
        # The event is sent on commit, before the response is rendered: it often beats the response home,
        # which counts as no delay. From the request's start, the figure includes the edit itself.
        latencies += [max(0.0, a[revision] - responded) if revision in a else 10.0 for a in arrivals]
        from_request += [a[revision] - sent if revision in a else 10.0 for a in arrivals]
    for task in tasks:
        task.cancel()

    tasks, _ = await open_streams(LOAD_LISTENERS)
    edit_ms_with_listeners = median_ms(await timed_edits(ROUNDS))
    for task in tasks:
        task.cancel()
    return {
        "sse_fanout_p95_ms": round(statistics.quantiles(latencies, n=20)[-1] * 1000, 2),
        "sse_fanout_from_request_p95_ms": round(statistics.quantiles(from_request, n=20)[-1] * 1000, 2),
        "sse_fanout_listeners": FANOUT_LISTENERS,
        "edit_ms_http": edit_ms_http,
        "edit_ms_with_200_listeners": edit_ms_with_listeners,
    }


def time_live(owner, journey) -> dict:
    """The live-update figures against a real uvicorn process on the bench database."""
    from maps.models import LaneKind
    from tests import factories
    from tests.servers import uvicorn_process

    card = factories.make_card(journey, owner, kind=LaneKind.ACTIONS, title="Live bench card")
    journey.refresh_from_db()
    client = Client()
    client.force_login(owner)
    client.get(f"/maps/{journey.pk}/")  # sets the CSRF cookie
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    env = {"LIVE_CHANNEL_PREFIX": f"bench-{uuid.uuid4().hex}:", **ONE_PERSON_MANY_STREAMS}
    with uvicorn_process(env=env) as base_url:
        figures = asyncio.run(_live_figures(base_url, journey, card, cookies))
    return figures | {"live_bus": "redis" if settings.REDIS_URL else "in-process"}


LOAD_EDITORS = 8
LOAD_EXTRA_LISTENERS = 42
LOAD_SECONDS = 10
SHARED_MOVE_EVERY = 5  # each editor moves the one shared card on every fifth action
VERSION_FIELD = re.compile(rb'name="version" value="(\d+)"')


def _session_cookies(user, journey) -> dict:
    client = Client()
    client.force_login(user)
    client.get(f"/maps/{journey.pk}/")  # sets the CSRF cookie
    return {name: morsel.value for name, morsel in client.cookies.items()}


async def _load_figures(base_url: str, journey, editors: list, shared_card, stages: list) -> dict:
    """Editors edit their own cards back to back and now and then move the shared one, each over its own
    session while its own event stream (and extra listeners) stay open; a 409 on the shared card is a real
    conflict, anything else but 200 an error."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.servers import cookie_header, http_request

    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=len(editors))
    shared = {"version": shared_card.version}
    counts = {"accepted": 0, "conflicts": 0, "errors": 0}
    samples, error_samples = [], []

    async def call(method, path, cookies, data=None):
        headers = {"X-CSRFToken": cookies["csrftoken"], "HX-Request": "true"}
        start = time.perf_counter()
        status, body = await loop.run_in_executor(
            pool, lambda: http_request(base_url, method, path, cookies=cookies, data=data, headers=headers))
        return status, body, time.perf_counter() - start

    async def editor(index, cookies, card, stop_at):
        version, action = card.version, 0
        while time.perf_counter() < stop_at:
            action += 1
            if action % SHARED_MOVE_EVERY == 0:
                stage = stages[action // SHARED_MOVE_EVERY % len(stages)]
                path = f"/maps/{journey.pk}/cards/{shared_card.pk}/move/"
                status, body, took = await call("POST", path, cookies,
                                                {"version": shared["version"], "stage": stage.pk, "position": 0})
                if status == 200:
                    shared["version"] += 1
                elif status == 409:  # someone moved it first: read the card again, as the conflict view offers
                    counts["conflicts"] += 1
                    _, form, _ = await call("GET", f"/maps/{journey.pk}/cards/{shared_card.pk}/edit/", cookies)
                    shared["version"] = max(shared["version"], int(VERSION_FIELD.search(form).group(1)))
                    continue
            else:
                path = f"/maps/{journey.pk}/cards/{card.pk}/edit/"
                status, body, took = await call("POST", path, cookies,
                                                {"version": version, "title": f"Editor {index} edit {action}",
                                                 "body": ""})
                version += status == 200
            if status == 200:
                counts["accepted"] += 1
                samples.append(took)
            else:
                counts["errors"] += 1
                error_samples.append(f"{status} {path}: {body[:200]!r}")

    streams, arrivals = [], []
    cookie_sets = [cookies for _, cookies, _ in editors]
    for cookies in cookie_sets + [cookie_sets[i % len(cookie_sets)] for i in range(LOAD_EXTRA_LISTENERS)]:
        arrivals.append({})
        subscribed = asyncio.Event()
        streams.append(asyncio.create_task(_listen(base_url, f"/maps/{journey.pk}/events/", cookie_header(cookies),
                                                   arrivals[-1], subscribed, [0.0])))
        await asyncio.wait_for(subscribed.wait(), 60)

    started = time.perf_counter()
    await asyncio.gather(*(editor(i, cookies, card, started + LOAD_SECONDS)
                           for i, (_, cookies, card) in enumerate(editors)))
    elapsed = time.perf_counter() - started
    # Every open stream must end up at the map's last revision (bursts are coalesced, nothing is lost);
    # each accepted change bumps the revision by one, a refused one leaves it.
    final = journey.revision + counts["accepted"]
    deadline = time.perf_counter() + 10
    while not all(final in a for a in arrivals) and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    for task in streams:
        task.cancel()
    pool.shutdown()
    for line in error_samples[:5]:
        print(f"load error: {line}", file=sys.stderr)
    return {
        "load_editors": len(editors),
        "load_listeners": len(streams),
        "load_seconds": round(elapsed, 1),
        "load_edits_per_s": round(counts["accepted"] / elapsed, 1),
        "load_p95_ms": round(statistics.quantiles(samples, n=20)[-1] * 1000, 2),
        "load_errors": counts["errors"],
        "load_conflicts": counts["conflicts"],
        "load_streams_caught_up": sum(final in a for a in arrivals),
    }


ROOM_EDITS = 8
ROOM_CONNECT_WAVE = 50


async def _board(base_url: str, path: str, cookie: str, seen: dict, watched: dict) -> None:
    """One open board, as board.js runs it: events in revision order; a change's regions are applied
    from the event; a catch-up, or a gap, makes it re-read the board over HTTP. Records when each
    watched text is first on this board."""
    parts = urllib.parse.urlsplit(base_url)
    since = int(urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)["since"][0])
    state = {"shown": since}

    def look(html: str) -> None:
        title = watched.get("title")
        if title and title not in seen and title in html:
            seen[title] = time.perf_counter()

    async def read_board() -> None:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        board = path.split("events/")[0].replace("/events", "")
        writer.write(f"GET {board} HTTP/1.0\r\nHost: {parts.netloc}\r\nCookie: {cookie}\r\n"
                     f"HX-Request: true\r\n\r\n".encode())
        body = (await reader.read()).decode()
        writer.close()
        watched["board_reads"] += 1
        state["shown"] = int(re.search(r'data-revision="(\d+)"', body).group(1))
        look(body)

    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    writer.write(f"GET {path} HTTP/1.0\r\nHost: {parts.netloc}\r\nCookie: {cookie}\r\n\r\n".encode())
    try:
        status = await reader.readline()
        assert b" 200 " in status, status
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        name, data = None, []
        watched["connected"] += 1
        while line := await reader.readline():
            line = line.rstrip(b"\r\n")
            if line.startswith(b"event: "):
                name = line[7:]
            elif line.startswith(b"data: "):
                data.append(line[6:].decode())
            elif not line:
                if name == b"changed":
                    change = json.loads("\n".join(data))
                    if change["revision"] > state["shown"]:
                        if change.get("reload") or change["revision"] > state["shown"] + 1:
                            await read_board()
                        else:
                            look(change.get("html", ""))
                            state["shown"] = change["revision"]
                name, data = None, []
    finally:
        writer.close()


async def _room_figures(base_url: str, journey, card, cookies: dict, boards: int) -> dict:
    from tests.servers import cookie_header, thread_count

    cookie = cookie_header(cookies)
    watched = {"title": None, "board_reads": 0, "connected": 0}
    threads_before = thread_count(base_url)
    seen = [{} for _ in range(boards)]
    tasks = []
    path = f"/maps/{journey.pk}/events/?since={journey.revision}"
    for wave in range(0, boards, ROOM_CONNECT_WAVE):
        tasks += [asyncio.create_task(_board(base_url, path, cookie, seen[i], watched))
                  for i in range(wave, min(wave + ROOM_CONNECT_WAVE, boards))]
        deadline = time.perf_counter() + 60
        while watched["connected"] < min(wave + ROOM_CONNECT_WAVE, boards) and time.perf_counter() < deadline:
            await asyncio.sleep(0.02)
    await asyncio.sleep(1.5)  # presence settles
    threads = thread_count(base_url) - threads_before
    edit_path = f"/maps/{journey.pk}/cards/{card.pk}/edit/"
    samples, version = [], card.version
    for i in range(ROOM_EDITS):
        title = watched["title"] = f"Room edit {boards}-{i} {uuid.uuid4().hex[:6]}"
        start = time.perf_counter()
        await asyncio.to_thread(_edit_over_http, base_url, edit_path, cookies, version, title)
        version += 1
        deadline = time.perf_counter() + 20
        while not all(title in s for s in seen) and time.perf_counter() < deadline:
            await asyncio.sleep(0.005)
        samples += [s[title] - start if title in s else 20.0 for s in seen]
        await asyncio.sleep(0.3)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"p95_ms": round(statistics.quantiles(samples, n=20)[-1] * 1000, 1), "threads": threads,
            "board_reads": watched["board_reads"]}


def time_room(owner, large, small) -> dict:
    """Rooms of open boards following one editor's edits, against a real uvicorn process."""
    from maps.models import LaneKind
    from tests import factories
    from tests.servers import uvicorn_process

    figures = {}
    env = {"LIVE_CHANNEL_PREFIX": f"bench-room-{uuid.uuid4().hex}:", **ONE_PERSON_MANY_STREAMS}
    for journey, boards, key in ((small, 50, "live_visible_p95_ms_50_small"), (large, 100, "live_visible_p95_ms_100"),
                                 (large, 500, "live_visible_p95_ms_500")):
        card = factories.make_card(journey, owner, kind=LaneKind.ACTIONS, title=f"Room card {boards}")
        journey.refresh_from_db()
        with uvicorn_process(env=env) as base_url:
            from tests.servers import http_request

            http_request(base_url, "GET", "/accounts/login/", cookies={})  # loads the URLs: not on the clock
            room = asyncio.run(_room_figures(base_url, journey, card, _session_cookies(owner, journey), boards))
        figures[key] = room["p95_ms"]
        figures[f"live_board_reads_{boards}"] = room["board_reads"]
        if boards == 500:
            figures["stream_threads_500"] = room["threads"]
    return figures


def time_load(owner, journey) -> dict:
    """Several editors at once on one map, against a real uvicorn process."""
    from maps.models import LaneKind
    from tests import factories
    from tests.servers import uvicorn_process
    from workspaces.models import Role

    stages = list(journey.stages.all()[:2])
    shared_card = factories.make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Shared card")
    editors = []
    for i in range(LOAD_EDITORS):
        user = factories.add_member(journey.workspace, role=Role.EDITOR)
        card = factories.make_card(journey, owner, kind=LaneKind.ACTIONS, title=f"Editor {i} card")
        editors.append((user, _session_cookies(user, journey), card))
    shared_card.refresh_from_db()
    for _, _, card in editors:
        card.refresh_from_db()
    journey.refresh_from_db()

    env = {"LIVE_CHANNEL_PREFIX": f"bench-load-{uuid.uuid4().hex}:", **ONE_PERSON_MANY_STREAMS}
    with uvicorn_process(env=env) as base_url:
        return asyncio.run(_load_figures(base_url, journey, editors, shared_card, stages))


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
        portfolio_ms, portfolio_queries = time_portfolio()
        json_roundtrip_large_s = time_json_roundtrip(owner, large)
        pdf_large_s, pdf_large_cpu_s, pdf_large_pages = time_pdf(large)
        live = time_live(owner, small)
        room = time_room(owner, large, small)
        load = time_load(owner, large)
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
        "portfolio_ms": portfolio_ms,
        "portfolio_queries": portfolio_queries,
        "portfolio_maps": PORTFOLIO_MAPS,
        "json_roundtrip_large_s": json_roundtrip_large_s,
        "pdf_large_s": pdf_large_s,
        "pdf_large_cpu_s": pdf_large_cpu_s,
        "pdf_large_pages": pdf_large_pages,
        **live,
        **room,
        **load,
        **events_bench.run(),  # its own process: the import's peak memory is its own
        "cpu_count": os.cpu_count(),
        "debug": settings.DEBUG,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
