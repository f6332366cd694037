"""The dependency direction of the apps (pyproject.toml, [tool.importlinter]) holds: `make test` runs
import-linter, so an import against the layering fails the suite the day it is written."""

import subprocess
import sys
from pathlib import Path

from tests.servers import PROJECT


def test_the_apps_depend_downwards_only():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint_imports), "--no-cache"], cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout
