"""The CSV tables: cards, checkpoints and the ranked fix list, safe to open in a spreadsheet."""

import csv
import io
import zipfile

from compliance.services import checkpoint_create
from interchange.tables import cards_rows, checkpoints_rows, csv_table, fixes_rows, render_csv_zip
from maps.models import LaneKind

from . import factories


def test_cells_that_would_run_as_formulas_are_neutralised(journey, owner):
    factories.make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="=HYPERLINK(\"http://x\")",
                        expectation="+1 for speed", experience="@SUM(A1)")
    factories.make_card(journey, owner, kind=LaneKind.USER_STATE, title="-2 mood", confidence=-2)
    rows = cards_rows(journey)
    header = rows[0]
    touchpoint = next(r for r in rows if r[header.index("kind")] == "Touchpoints")
    assert touchpoint[header.index("title")] == "'=HYPERLINK(\"http://x\")"
    assert touchpoint[header.index("Touchpoints: expectation")] == "'+1 for speed"
    assert touchpoint[header.index("Touchpoints: experience")] == "'@SUM(A1)"
    state = next(r for r in rows if r[header.index("kind")] == "User state")
    assert state[header.index("title")] == "'-2 mood"
    assert state[header.index("User state: confidence / trust")] == "-2"  # a number stays a number


def test_cards_rows_show_choices_by_label_and_leave_other_kinds_blank(journey, owner):
    factories.make_card(journey, owner, kind=LaneKind.FRICTION, title="Slow intake", severity="high")
    rows = cards_rows(journey)
    header, row = rows[0], rows[1]
    assert row[header.index("Friction: severity")] == "High"
    assert row[header.index("Touchpoints: channel")] == ""
    assert row[header.index("stage")] == "Acquisition" and row[header.index("position")] == "1"


def test_fixes_are_ranked_best_first_and_done_ones_left_out(journey, owner):
    for title, impact, effort, status in [("Small win", 2, 1, "idea"), ("Big bet", 5, 5, "idea"),
                                          ("Quick and great", 5, 1, "planned"), ("Shipped", 5, 1, "done")]:
        factories.make_card(journey, owner, kind=LaneKind.OPPORTUNITIES, title=title, impact=impact, effort=effort,
                            status=status)
    rows = fixes_rows(journey)
    assert [r[1] for r in rows[1:]] == ["Quick and great", "Small win", "Big bet"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    assert rows[1][rows[0].index("score")] == "15.00"


def test_checkpoints_rows_name_where_each_checkpoint_sits(journey, owner):
    touchpoint = factories.make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Consent form")
    checkpoint_create(actor=owner, journey=journey, data={"type": "consent", "title": "Consent captured",
                                                          "touchpoint": touchpoint})
    header, row = checkpoints_rows(journey)
    assert row[header.index("place")] == "Consent form"
    assert row[header.index("stage")] == "Acquisition"
    assert row[header.index("status")] == "Not assessed"


def test_the_csv_export_is_a_zip_of_the_three_tables(journey, owner):
    factories.make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Café booking")
    archive = zipfile.ZipFile(io.BytesIO(render_csv_zip(journey.pk)))
    assert sorted(archive.namelist()) == ["cards.csv", "checkpoints.csv", "fixes.csv"]
    cards = list(csv.reader(io.StringIO(archive.read("cards.csv").decode("utf-8-sig"))))
    assert cards[1][cards[0].index("title")] == "Café booking"
    assert archive.read("fixes.csv") == csv_table(journey, "fixes")
