"""The confidence / emotion curve: user states' scores across the stages."""

import re

from django.urls import reverse

from maps import selectors, services
from maps.curve import COLUMN_WIDTH, HEIGHT, PAD, confidence_curve
from maps.models import LaneKind

from .factories import make_card


def test_plus_five_is_the_top_and_minus_five_the_bottom():
    curve = confidence_curve([("A", [5]), ("B", [-5]), ("C", [0])])
    top, bottom, middle = curve.points
    assert top.y == PAD
    assert bottom.y == HEIGHT - PAD
    assert middle.y == curve.zero_y == HEIGHT / 2
    assert top.y < middle.y < bottom.y


def test_several_user_states_of_a_stage_are_averaged():
    curve = confidence_curve([("Intake", [4, -2, 1])])
    [point] = curve.points
    assert point.confidence == 1.0
    assert point.y == confidence_curve([("x", [1])]).points[0].y


def test_stages_without_scores_are_skipped_not_drawn_as_zero():
    curve = confidence_curve([("A", [2]), ("B", []), ("C", [-4]), ("D", [])])
    assert [p.stage_name for p in curve.points] == ["A", "C"]
    # Each point sits in the middle of its own stage's column.
    assert [p.x for p in curve.points] == [COLUMN_WIDTH / 2, 2 * COLUMN_WIDTH + COLUMN_WIDTH / 2]
    assert curve.width == 4 * COLUMN_WIDTH
    assert curve.path.startswith("M") and curve.path.count("L") == 1
    assert curve.summary == "A: +2; C: -4"


def test_no_scores_no_points():
    curve = confidence_curve([("A", []), ("B", [])])
    assert curve.points == [] and curve.path == ""
    assert "No user states" in curve.summary


def _circles(html):
    svg = re.search(r'<figure id="curve".*?</figure>', html, re.S).group(0)
    return [(float(x), float(y)) for x, y in re.findall(r'<circle[^>]*cx="([\d.]+)" cy="([\d.]+)"', svg)], svg


def test_the_board_draws_a_point_per_stage_with_scores(owner_client, journey, owner):
    stages = list(journey.stages.all())
    make_card(journey, owner, kind=LaneKind.USER_STATE, stage=stages[0], confidence=5)
    make_card(journey, owner, kind=LaneKind.USER_STATE, stage=stages[2], confidence=-4)
    make_card(journey, owner, kind=LaneKind.USER_STATE, stage=stages[2], confidence=0)
    gone = make_card(journey, owner, kind=LaneKind.USER_STATE, stage=stages[4], confidence=3)
    services.card_delete(actor=owner, card=gone, version=1)  # deleted cards do not count
    make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, stage=stages[3])  # nor do other kinds

    html = owner_client.get(reverse("maps:board", args=[journey.pk])).content.decode()
    points, svg = _circles(html)
    expected = confidence_curve([(s.name, {0: [5], 2: [-4, 0]}.get(i, [])) for i, s in enumerate(stages)])
    assert points == [(p.x, p.y) for p in expected.points]
    assert len(points) == 2
    assert points[0][1] == PAD  # +5 at the top
    assert points[1][0] == 2 * COLUMN_WIDTH + COLUMN_WIDTH / 2
    assert f'd="{expected.path}"' in svg
    assert "Acquisition: +5; Consultation: -2" in svg

    # The curve sent after an edit is the same as the board's.
    assert selectors.curve_get(journey=journey) == selectors.board_get(journey=journey).curve


def test_the_board_curve_follows_an_edit(owner_client, journey, owner):
    card = make_card(journey, owner, kind=LaneKind.USER_STATE, confidence=-5)
    services.card_update(actor=owner, card=card, version=1, data={"confidence": 5})
    points, _ = _circles(owner_client.get(reverse("maps:board", args=[journey.pk])).content.decode())
    assert points == [(COLUMN_WIDTH / 2, PAD)]


def test_a_board_without_scores_has_no_points(owner_client, journey):
    points, svg = _circles(owner_client.get(reverse("maps:board", args=[journey.pk])).content.decode())
    assert points == []
    assert "No user states with a confidence score yet." in svg
