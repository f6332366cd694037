"""Tiny but real export formats for the export job tests (the real renderers live in other apps).

State that must survive a worker process (how often a format was called) is kept in files
under $EXPORT_TEST_DIR, which the tests set for themselves and for the workers they start.
"""

import os
import time
from pathlib import Path

from interchange.formats import EXPORT_FORMATS, ExportFormat, register_export_format

# What the title format saw of its own job while rendering: (status, progress) pairs.
SEEN_WHILE_RENDERING: list[tuple[str, int]] = []


def _calls(name: str, journey_id: int) -> int:
    """Counts this call of `name` for the journey and returns how many came before it."""
    log = Path(os.environ["EXPORT_TEST_DIR"]) / f"{name}-{journey_id}.log"
    before = len(log.read_text().splitlines()) if log.exists() else 0
    with log.open("a") as file:
        file.write("render\n")
    return before


def calls(name: str, journey_id: int) -> int:
    log = Path(os.environ["EXPORT_TEST_DIR"]) / f"{name}-{journey_id}.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def render_title(journey_id: int) -> bytes:
    # Imported here: a worker registers these formats before Django has loaded its apps.
    from maps.models import Journey
    from reports.models import ExportJob

    SEEN_WHILE_RENDERING.extend(ExportJob.objects.filter(journey_id=journey_id).values_list("status", "progress"))
    journey = Journey.objects.get(pk=journey_id)
    return f"{journey.title} r{journey.revision}\n".encode()


def render_flaky(journey_id: int) -> bytes:
    if _calls("flaky", journey_id) == 0:
        raise ConnectionError("the rendering service did not answer")
    return render_title(journey_id)


def render_always_transient(journey_id: int) -> bytes:
    _calls("always-transient", journey_id)
    raise TimeoutError("the rendering service timed out")


def render_broken(journey_id: int) -> bytes:
    raise ValueError("this renderer cannot draw a map without a persona")


def render_slow_once(journey_id: int) -> bytes:
    """Hangs on its first call (long enough for the test to kill its worker), renders on the next."""
    if _calls("slow-once", journey_id) == 0:
        time.sleep(600)
    return render_title(journey_id)


def render_gated(journey_id: int) -> bytes:
    """Renders once the test opens the gate (creates the file), so a page can be seen mid-render."""
    gate = Path(os.environ["EXPORT_TEST_DIR"]) / "gate"
    for _ in range(600):
        if gate.exists():
            break
        time.sleep(0.1)
    return render_title(journey_id)


TEST_FORMATS = [
    ExportFormat("test-title", "Title and revision", "txt", "text/plain", render_title),
    ExportFormat("test-flaky", "Flaky once", "txt", "text/plain", render_flaky),
    ExportFormat("test-always-transient", "Always times out", "txt", "text/plain", render_always_transient),
    ExportFormat("test-broken", "Always broken", "txt", "text/plain", render_broken),
    ExportFormat("test-slow-once", "Hangs once", "txt", "text/plain", render_slow_once),
    ExportFormat("test-gated", "Waits for the test", "txt", "text/plain", render_gated),
]


def register() -> None:
    for export_format in TEST_FORMATS:
        register_export_format(export_format)


def unregister() -> None:
    for export_format in TEST_FORMATS:
        EXPORT_FORMATS.pop(export_format.name, None)
