"""pyproject.toml names every runtime dependency; requirements/base.txt pins exactly those and what they pull in.

The closure is computed from the metadata of the installed distributions (the virtualenv is built from
the pins), so a dependency added to base.txt but not to pyproject.toml, or the other way round, fails here.
"""

import ast
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(settings.BASE_DIR)


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(line) for line in project["dependencies"]]


def _pins(name: str) -> dict[str, str]:
    pins = {}
    for raw in (ROOT / "requirements" / name).read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-r"):
            continue
        requirement = Requirement(line)
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"{line!r} in {name} is not an exact pin"
        pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


def _closure(requirements: list[Requirement]) -> set[str]:
    """Every distribution the requirements pull in, extras and environment markers honoured."""
    seen: set[str] = set()
    pending = [(requirement, "") for requirement in requirements]
    while pending:
        requirement, parent_extra = pending.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": parent_extra}):
            continue
        name = canonicalize_name(requirement.name)
        extras = sorted(requirement.extras)
        key_extras = [f"{name}[{extra}]" for extra in extras]
        if name in seen and all(key in seen for key in key_extras):
            continue
        seen.add(name)
        seen.update(key_extras)
        for line in metadata.requires(requirement.name) or []:
            child = Requirement(line)
            for extra in ["", *extras]:
                pending.append((child, extra))
    return {name for name in seen if "[" not in name}


def test_every_declared_dependency_is_pinned_within_its_range():
    pins = _pins("base.txt")
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is declared in pyproject.toml but not pinned in base.txt"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside {requirement}"


def test_base_pins_are_exactly_the_declared_dependencies_and_what_they_pull_in():
    pins = set(_pins("base.txt"))
    closure = _closure(_declared())
    assert closure - pins == set(), "pulled in by pyproject.toml's dependencies but not pinned in base.txt"
    assert pins - closure == set(), "pinned in base.txt but nothing in pyproject.toml's dependencies needs it"


def test_the_virtualenv_runs_the_pinned_versions():
    for name, version in _pins("base.txt").items():
        assert metadata.version(name) == version, f"{name}: installed {metadata.version(name)}, pinned {version}"


# Every top-level package of the checkout is an app that ships (setup.py excludes only these).
APP_PACKAGES = sorted(path.parent.name for path in ROOT.glob("*/__init__.py")
                      if path.parent.name not in {"tests", "bench", "scripts", "docs"})


def test_the_libraries_the_app_imports_are_declared():
    """Each third-party module imported by the app packages comes from a declared distribution (or its closure)."""
    imported: set[str] = set()
    for package in APP_PACKAGES:
        for source in (ROOT / package).rglob("*.py"):
            tree = ast.parse(source.read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    imported.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - set(APP_PACKAGES)
    providers = metadata.packages_distributions()
    closure = _closure(_declared())
    for module in sorted(third_party):
        distributions = {canonicalize_name(name) for name in providers.get(module, [])}
        assert distributions & closure, f"the app imports {module!r} but pyproject.toml does not bring it in"
    assert {"celery", "redis", "weasyprint", "cairosvg"} <= third_party  # the scan sees the heavy imports
