"""The package list for ``pip install .``; everything else is in pyproject.toml.

The app packages are found; the project-wide templates/ and static/ folders are added as two
packages of data under journeymap (mapped in pyproject.toml's package-dir).
"""

from setuptools import find_packages, setup

NOT_SHIPPED = ["tests", "tests.*", "bench", "bench.*", "scripts", "scripts.*", "docs", "docs.*"]

setup(packages=find_packages(exclude=NOT_SHIPPED) + ["journeymap.site_templates", "journeymap.site_static"])
