"""`manage.py import_map PATH --workspace SLUG [--as USERNAME]`."""

import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from interchange.native import render_json
from maps.models import Journey

OJF = settings.BASE_DIR.parent / "shared" / "interop" / "ojf" / "self-guided-tutorial.ojf"


def test_imports_an_ojf_file_as_the_workspace_owner(workspace, owner):
    out = io.StringIO()
    call_command("import_map", str(OJF), workspace=workspace.slug, stdout=out)
    journey = Journey.objects.get(workspace=workspace, title="Learning how to use Ptolemy")
    assert journey.created_by == owner
    assert f"as map {journey.pk}" in out.getvalue()
    assert "The board has no place for tags" in out.getvalue()


def test_imports_a_json_export_as_another_member(tmp_path, workspace, journey, editor):
    path = tmp_path / "map.json"
    path.write_bytes(render_json(journey.pk))
    call_command("import_map", str(path), "--workspace", workspace.slug, "--as", editor.username, stdout=io.StringIO())
    assert Journey.objects.filter(workspace=workspace, title=journey.title, created_by=editor).exists()


def test_refusals_are_clear_and_change_nothing(tmp_path, workspace, viewer):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1, "journey": ')
    before = Journey.objects.count()
    with pytest.raises(CommandError, match="bad.json was not imported: The file is not JSON"):
        call_command("import_map", str(bad), workspace=workspace.slug)
    with pytest.raises(CommandError, match="no workspace with the slug"):
        call_command("import_map", str(OJF), workspace="nope")
    with pytest.raises(CommandError, match="Viewers cannot change"):
        call_command("import_map", str(OJF), workspace=workspace.slug, username=viewer.username)
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_map", str(tmp_path / "missing.ojf"), workspace=workspace.slug)
    assert Journey.objects.count() == before
