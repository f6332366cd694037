"""Imports refuse bad files with a clear message and change nothing."""

import json

import pytest
from django.test import override_settings

from compliance.models import Checkpoint
from compliance.services import checkpoint_create
from core.errors import ApplicationError, NotFound, PermissionDenied
from interchange.native import journey_document
from interchange.parsing import nesting_depth
from interchange.services import map_file_import
from maps.models import Card, Journey, LaneKind
from stakeholders.models import Stakeholder
from workspaces.models import Team

from . import factories


@pytest.fixture
def document(journey, owner):
    """A small valid export with a touchpoint, a checkpoint on it and a new team."""
    touchpoint = factories.make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Booking page")
    factories.make_card(journey, owner, kind=LaneKind.USER_STATE, title="Hopeful", confidence=2)
    checkpoint_create(actor=owner, journey=journey, data={"type": "consent", "title": "Consent", "touchpoint":
                                                          touchpoint})
    return journey_document(journey.pk)


def _stored(workspace) -> tuple:
    return (Journey.objects.count(), Card.objects.count(), Checkpoint.objects.count(),
            Team.objects.filter(workspace=workspace).count(), Stakeholder.objects.filter(workspace=workspace).count())


def _refused(owner, workspace, data: bytes, message: str, filename: str = "map.json") -> None:
    before = _stored(workspace)
    with pytest.raises(ApplicationError) as refused:
        map_file_import(actor=owner, workspace=workspace, data=data, filename=filename)
    assert message in refused.value.message
    assert type(refused.value) is ApplicationError
    assert _stored(workspace) == before


def _card(document: dict, kind: str) -> dict:
    return next(c for c in document["cards"] if c["kind"] == kind)


def _touchpoint(document: dict) -> dict:
    return _card(document, LaneKind.TOUCHPOINTS)


def _user_state(document: dict) -> dict:
    return _card(document, LaneKind.USER_STATE)


def _with(document: dict, change) -> bytes:
    copy = json.loads(json.dumps(document))
    change(copy)
    return json.dumps(copy).encode()


def test_the_fixture_document_itself_imports(owner, workspace, document):
    result = map_file_import(actor=owner, workspace=workspace, data=json.dumps(document).encode())
    assert result.journey.cards.count() == 2


@pytest.mark.parametrize(("data", "message"), [
    (b"", "not JSON"),
    (b"<html>not a map</html>", "not JSON"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    (b"[1, 2, 3]", "not a map"),
    (b'{"journey": {"title": "x"}}', "no “schema_version”"),
    (b"[" * 50 + b"]" * 50, "nests deeper than 20 levels"),
])
def test_files_that_are_not_maps_are_refused(owner, workspace, data, message):
    _refused(owner, workspace, data, message)


def test_a_deeply_nested_value_inside_a_valid_map_is_refused(owner, workspace, document):
    def nest(d):
        d["journey"]["description"] = {"a": [[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]}
    _refused(owner, workspace, _with(document, nest), "nests deeper")


@override_settings(INTERCHANGE_MAX_UPLOAD_BYTES=1000)
def test_an_oversized_file_is_refused_before_parsing(owner, workspace, document):
    _refused(owner, workspace, json.dumps(document).encode().ljust(2000), "largest map file accepted")


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.update(schema_version=2), "schema version is 2"),
    (lambda d: d.update(schema_version="1"), "schema version is '1'"),
    (lambda d: d.update(schema="someone.else"), "schema version"),
    (lambda d: d.update(stages=[]), "at least one entry in “stages”"),
    (lambda d: d.update(cards={"c1": {}}), "“cards” must be a list of objects"),
    (lambda d: d["cards"][0].update(stage="s99"), "“stage” refers to “s99”, which is not in the file"),
    (lambda d: d["cards"][0].update(lane="nowhere"), "“lane” refers to “nowhere”"),
    (lambda d: d["cards"][0].pop("stage"), "“stage” cannot be empty"),
    (lambda d: d["checkpoints"][0].update(touchpoint=_user_state(d)["id"]), "“touchpoint” refers to “c1”"),
    (lambda d: d["cards"][1].update(id="c1"), "the id “c1” is used twice"),
    (lambda d: d["cards"][0].update(title=42), "“title” must be text, not 42"),
    (lambda d: _touchpoint(d).update(needs_legal_review="yes"), "must be true or false"),
    (lambda d: _user_state(d).update(confidence="high"), "must be a whole number"),
    (lambda d: _user_state(d).update(confidence=9), "Ensure this value is less than or equal to 5"),
    (lambda d: _touchpoint(d).update(channel="pigeon"), "not a valid choice"),
    (lambda d: _touchpoint(d).update(kind="friction"), "cannot sit in the 'touchpoints' lane"),
    (lambda d: d["journey"].update(last_reviewed_at="yesterday"), "a date like 2026-03-31"),
    (lambda d: d["checkpoints"][0].update(stage="s1"), "exactly one “stage”, “touchpoint” or “step”"),
    (lambda d: d["checkpoints"][0].update(status="approved"), "Approving a checkpoint needs evidence"),
], ids=lambda value: value if isinstance(value, str) else "")
def test_broken_maps_are_refused_with_a_clear_message_and_change_nothing(owner, workspace, document, change,
                                                                       message):
    document["cards"][0]["owner_team"] = "A team the import would add"  # and must not, once refused
    _refused(owner, workspace, _with(document, change), message)


def test_a_broken_ojf_is_refused(owner, workspace):
    ojf = {"stages": [{"id": "s1", "name": "One"}], "swimlanes": [{"id": "l1", "name": "Lane"}],
           "nodes": [{"id": "n1", "stageId": "s9", "swimlaneId": "l1", "title": "Lost"}]}
    _refused(owner, workspace, json.dumps(ojf).encode(), "“stageId” refers to “s9”", filename="map.ojf")
    _refused(owner, workspace, b"[]", "not an OpenJourney map", filename="map.ojf")


def test_a_viewer_cannot_import_and_a_stranger_does_not_see_the_workspace(viewer, workspace, document):
    data = json.dumps(document).encode()
    with pytest.raises(PermissionDenied):
        map_file_import(actor=viewer, workspace=workspace, data=data)
    with pytest.raises(NotFound):
        map_file_import(actor=factories.make_user(), workspace=workspace, data=data)


def test_nesting_depth_ignores_brackets_inside_strings():
    assert nesting_depth('{"a": "[[[[{{{{", "b": [1, {"c": "]]]"}]}') == 3
    assert nesting_depth('"\\"[[["') == 0
