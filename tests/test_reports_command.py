"""`export_map MAP_ID --format NAME -o PATH`: a render now, through the same format registry."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from reports import services
from reports.models import ExportJob
from tests import export_formats


@pytest.fixture(autouse=True)
def test_formats():
    export_formats.register()
    yield
    export_formats.unregister()


def test_it_writes_the_rendered_map(journey, tmp_path, capsys):
    out = tmp_path / "map.txt"
    call_command("export_map", str(journey.pk), "--format", "test-title", "-o", str(out))
    assert out.read_text() == f"Telehealth journey r{journey.revision}\n"
    assert f"to {out}" in capsys.readouterr().out


def test_an_unknown_format_lists_the_known_ones(journey, tmp_path):
    with pytest.raises(CommandError, match=r"Unknown export format 'docx'\. Known formats: .*test-title"):
        call_command("export_map", str(journey.pk), "--format", "docx", "-o", str(tmp_path / "x"))
    assert not (tmp_path / "x").exists()


def test_an_unknown_map_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="There is no map with id 999999"):
        call_command("export_map", "999999", "--format", "test-title", "-o", str(tmp_path / "x"))


def test_the_help_lists_the_known_formats(capsys):
    with pytest.raises(SystemExit):
        call_command("export_map", "--help")
    assert "test-title" in " ".join(capsys.readouterr().out.split())


def test_clean_exports_deletes_old_exports_now(owner, journey, settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path
    job = services.export_job_request(actor=owner, journey_id=journey.pk, format="test-title")
    services.export_job_run(job_id=job.pk)
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=3))
    call_command("clean_exports", "--days", "5")
    assert ExportJob.objects.filter(pk=job.pk).exists()
    call_command("clean_exports", "--days", "2")
    assert not ExportJob.objects.exists()
    assert "deleted 1 export(s) older than 2 days" in capsys.readouterr().out
