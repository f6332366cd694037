"""The map as spreadsheets: its cards, its compliance checkpoints and its ranked fix list.

Each is one CSV table; the `csv` export format is a zip of the three. Every text cell
goes through `spreadsheet_safe`, so no spreadsheet runs a cell as a formula.
"""

import csv
import datetime
import io
import zipfile
from collections.abc import Callable

from compliance.models import Checkpoint
from core.spreadsheet import spreadsheet_safe
from diagnostics.selectors import fix_list
from maps.models import CARD_MODELS, Card, Journey, LaneKind
from maps.selectors import cards_on_board
from maps.services import CARD_BASE_FIELDS, card_fields


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (datetime.date, int, float)):
        return str(value)
    return spreadsheet_safe(str(value))


def _shown(obj, name: str):
    """A field as a person reads it: a choice by its label, a related row by its name."""
    display = getattr(obj, f"get_{name}_display", None)
    return display() if display else getattr(obj, name)


# The kind-specific columns: (kind, field name, header), kinds in the board's order.
_KIND_COLUMNS = [(kind, name, f"{LaneKind(kind).label}: {model._meta.get_field(name).verbose_name}")
                 for kind, model in CARD_MODELS.items() for name in card_fields(model)[len(CARD_BASE_FIELDS):]]


def cards_rows(journey: Journey) -> list[list[str]]:
    stages = {s.pk: s for s in journey.stages.all()}
    lanes = {lane.pk: lane for lane in journey.lanes.all()}
    order = {pk: i for i, pk in enumerate(stages)}, {pk: i for i, pk in enumerate(lanes)}
    cards: list[Card] = sorted(cards_on_board(journey=journey),
                               key=lambda c: (order[0][c.stage_id], order[1][c.lane_id], c.position, c.pk))
    rows = [["stage", "lane", "kind", "position", "title", "details", "owner team"]
            + [header for _kind, _name, header in _KIND_COLUMNS]]
    for card in cards:
        rows.append([_cell(v) for v in (stages[card.stage_id].name, lanes[card.lane_id].name, card.get_kind_display(),
                                        card.position + 1, card.title, card.body, card.owner_team)]
                    + [_cell(_shown(card, name)) if card.kind == kind else "" for kind, name, _h in _KIND_COLUMNS])
    return rows


def checkpoints_rows(journey: Journey) -> list[list[str]]:
    rows = [["checkpoint", "type", "attached to", "place", "stage", "owner team", "status", "reviewer", "due date",
             "evidence", "notes"]]
    checkpoints = Checkpoint.objects.filter(journey=journey).select_related(
        "stage", "touchpoint__stage", "step__stage", "owner_team", "reviewer").order_by("due_date", "pk")
    for c in checkpoints:
        stage = c.stage or c.target.stage
        reviewer = c.reviewer.get_full_name() or c.reviewer.get_username() if c.reviewer else ""
        rows.append([_cell(v) for v in (c.title, c.get_type_display(), c.target_kind, c.target, stage, c.owner_team,
                                        c.get_status_display(), reviewer, c.due_date, c.evidence, c.notes)])
    return rows


def fixes_rows(journey: Journey) -> list[list[str]]:
    """The open fixes, best first (impact x confidence / effort), with the transition each repairs."""
    ranked = sorted(((group.transition, fix) for group in fix_list(journey=journey).groups for fix in group.fixes),
                    key=lambda pair: pair[1].rank)
    rows = [["rank", "fix", "stage", "transition", "owner team", "impact", "effort", "confidence", "score", "status",
             "details"]]
    for transition, fix in ranked:
        o = fix.opportunity
        rows.append([_cell(v) for v in (fix.rank, o.title, o.stage.name, transition or "", o.owner_team, o.impact,
                                        o.effort, o.confidence, f"{fix.score:.2f}", o.get_status_display(), o.body)])
    return rows


CSV_TABLES: dict[str, Callable[[Journey], list[list[str]]]] = {
    "cards": cards_rows,
    "checkpoints": checkpoints_rows,
    "fixes": fixes_rows,
}


def csv_table(journey: Journey, table: str) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(CSV_TABLES[table](journey))
    return out.getvalue().encode("utf-8-sig")  # the byte-order mark makes Excel read UTF-8


def render_csv_zip(journey_id: int) -> bytes:
    """The `csv` export: cards.csv, checkpoints.csv and fixes.csv in one zip."""
    journey = Journey.objects.get(pk=journey_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in CSV_TABLES:
            archive.writestr(f"{table}.csv", csv_table(journey, table))
    return buffer.getvalue()
