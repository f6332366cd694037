"""The package list for ``pip install .``; everything else is in pyproject.toml.

The app packages are found; the project-wide templates/ and static/ folders are added as two
packages of data under journeymap (mapped in pyproject.toml's package-dir).
"""

from setuptools import find_packages, setup

APPS = ["api", "comments", "compliance", "core", "diagnostics", "interchange", "journeymap", "live", "maps",
        "reports", "stakeholders", "workshop", "workspaces"]

setup(packages=find_packages(include=[pattern for app in APPS for pattern in (app, f"{app}.*")])
      + ["journeymap.site_templates", "journeymap.site_static"])
