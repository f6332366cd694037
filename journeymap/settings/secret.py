"""A random SECRET_KEY for local and test settings, made on first run and kept in a git-ignored file.

Share links and sessions are signed with SECRET_KEY: a key published with the source would let anyone
forge them, so no default key exists. Production settings take it only from the environment."""

import os
import secrets
from pathlib import Path


def local_secret_key(path: Path) -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        key = ""
    if len(key) >= 50:
        return key
    key = secrets.token_urlsafe(50)
    # Created readable by its owner only; O_EXCL so two processes starting together keep one key.
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip() or key
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(key + "\n")
    return key
