"""Registers the formats this app renders with `interchange.formats`: the PDF report, the
board diagram as `svg` and `png`, and each chart on its own as `svg-<chart>` / `png-<chart>`."""

from collections.abc import Callable

import cairosvg

from diagnostics.selectors import friction_heatmap_get, funnel_get
from interchange.formats import ExportFormat, register_export_format
from maps.selectors import board_get, curve_get

from . import diagrams
from .content import journey_for_report
from .pdf import render_pdf


def board_diagram(journey_id: int) -> str:
    return diagrams.board_svg(board_get(journey=journey_for_report(journey_id=journey_id)))


def curve_diagram(journey_id: int) -> str:
    journey = journey_for_report(journey_id=journey_id)
    return diagrams.curve_svg(curve_get(journey=journey), list(journey.stages.values_list("name", flat=True)))


def funnel_diagram(journey_id: int) -> str:
    return diagrams.funnel_svg(funnel_get(journey=journey_for_report(journey_id=journey_id)))


def heatmap_diagram(journey_id: int) -> str:
    return diagrams.heatmap_svg(friction_heatmap_get(journey=journey_for_report(journey_id=journey_id)))


def svg_bytes(diagram: Callable[[int], str]) -> Callable[[int], bytes]:
    return lambda journey_id: diagram(journey_id).encode()


def png_bytes(diagram: Callable[[int], str]) -> Callable[[int], bytes]:
    # Twice the SVG's size, so text stays sharp when the picture is pasted into slides.
    return lambda journey_id: cairosvg.svg2png(bytestring=diagram(journey_id).encode(), scale=2)


DIAGRAMS = {  # name suffix, label, renderer
    "": ("Board diagram", board_diagram),
    "-curve": ("Confidence curve", curve_diagram),
    "-funnel": ("Funnel", funnel_diagram),
    "-heatmap": ("Friction heatmap", heatmap_diagram),
}

register_export_format(ExportFormat("pdf", "PDF report", "pdf", "application/pdf", render_pdf))
for suffix, (label, diagram) in DIAGRAMS.items():
    register_export_format(ExportFormat(f"svg{suffix}", f"{label} (SVG)", "svg", "image/svg+xml", svg_bytes(diagram)))
    register_export_format(ExportFormat(f"png{suffix}", f"{label} (PNG)", "png", "image/png", png_bytes(diagram)))
