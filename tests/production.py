"""journeymap.settings.production, read as it runs: for the tests that check what it sets."""

import importlib
import os

SECRET = "p" * 20 + "-a-long-random-production-secret-for-the-tests-" + "q" * 10


def production_settings(*prefixes: str) -> dict:
    """The settings whose names start with one of `prefixes`, as journeymap.settings.production sets
    them. It refuses to load without a real SECRET_KEY: one is lent for the import, then taken back."""
    previous = os.environ.get("SECRET_KEY")
    os.environ["SECRET_KEY"] = SECRET
    try:
        module = importlib.import_module("journeymap.settings.production")
    finally:
        if previous is None:
            del os.environ["SECRET_KEY"]
        else:
            os.environ["SECRET_KEY"] = previous
    return {name: getattr(module, name) for name in dir(module) if name.isupper() and name.startswith(prefixes)}
