"""Where presence is kept: Redis when configured (shared by every web process), this process otherwise.

Per journey, a small table of entries, each with its own expiry: `view:<connection>`
for every open stream (refreshed by the stream's heartbeat) and `edit:<user id>` for
the card a person has open in an edit form. Readers drop expired entries, so a browser
that vanished without saying goodbye disappears after the TTL.
"""

import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from . import bus


@dataclass(frozen=True)
class Watcher:
    """One open stream: a person (or a named guest, user_id None) watching a journey."""

    journey_id: int
    connection: str
    user_id: int | None
    name: str

    @property
    def field(self) -> str:
        return f"view:{self.connection}"


# The whole table of a journey outlives its longest entry, then Redis drops it by itself.
TABLE_TTL_SECONDS = 3600


def _table_key(journey_id: int) -> str:
    return f"{settings.LIVE_CHANNEL_PREFIX}presence:{journey_id}"


class _InProcessTables:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tables: dict[str, dict[str, dict[str, Any]]] = {}

    def put(self, key: str, field: str, value: dict[str, Any]) -> None:
        with self._lock:
            self._tables.setdefault(key, {})[field] = value

    def remove(self, key: str, fields: list[str]) -> None:
        with self._lock:
            table = self._tables.get(key, {})
            for field in fields:
                table.pop(field, None)

    def read(self, key: str) -> dict[str, dict[str, Any]]:
        with self._lock:
            return dict(self._tables.get(key, {}))


_in_process = _InProcessTables()


def entry_put(*, journey_id: int, field: str, value: dict[str, Any], ttl: float) -> None:
    value = value | {"expires": time.time() + ttl}
    key = _table_key(journey_id)
    if settings.REDIS_URL:
        pipe = bus.redis_client().pipeline()
        pipe.hset(key, field, json.dumps(value))
        pipe.expire(key, TABLE_TTL_SECONDS)
        pipe.execute()
    else:
        _in_process.put(key, field, value)


def entries_remove(*, journey_id: int, fields: list[str]) -> None:
    if not fields:
        return
    key = _table_key(journey_id)
    if settings.REDIS_URL:
        bus.redis_client().hdel(key, *fields)
    else:
        _in_process.remove(key, fields)


def entries_read(*, journey_id: int) -> tuple[dict[str, dict[str, Any]], bool]:
    """The live entries by field, and whether expired ones were just dropped (others should hear of it)."""
    key = _table_key(journey_id)
    if settings.REDIS_URL:
        table = {field.decode(): json.loads(raw) for field, raw in bus.redis_client().hgetall(key).items()}
    else:
        table = _in_process.read(key)
    now = time.time()
    expired = [field for field, value in table.items() if value["expires"] <= now]
    entries_remove(journey_id=journey_id, fields=expired)
    return {field: value for field, value in table.items() if value["expires"] > now}, bool(expired)
