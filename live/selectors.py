"""Reads of presence, from the point of view of one stream (so it can leave its own person out)."""

from dataclasses import dataclass, field

from . import presence
from .people import avatar_hue, initials
from .presence import Watcher


@dataclass(frozen=True)
class Person:
    key: str  # "u<user id>" for a member, the connection for a named guest: board.js hides its own
    name: str
    initials: str
    hue: int
    editing: bool


@dataclass(frozen=True)
class Editing:
    card_id: int
    name: str
    key: str


@dataclass
class Presence:
    people: list[Person] = field(default_factory=list)  # everyone with the map open
    editing: list[Editing] = field(default_factory=list)  # cards people have open in an edit form


def _person_key(user_id: int | None, field_name: str) -> str:
    return f"u{user_id}" if user_id is not None else field_name


def presence_everyone(*, journey_id: int) -> Presence:
    """Everyone with the map open, one entry per person however many tabs: rendered once and sent to
    every stream of the map, each board leaving its own person out."""
    entries, _ = presence.entries_read(journey_id=journey_id)
    views = {f: v for f, v in entries.items() if f.startswith("view:")}
    present_users = {v["user"] for v in views.values() if v["user"] is not None}
    # An edit form counts while its person still has a stream open (a closed laptop stops counting).
    edits = [v for f, v in entries.items() if f.startswith("edit:") and v["user"] in present_users]
    editing_users = {v["user"] for v in edits}

    people, seen = [], set()
    for view_field, value in sorted(views.items(), key=lambda item: item[1]["name"].lower()):
        key = _person_key(value["user"], view_field)
        if key in seen:
            continue  # one avatar per person, however many tabs
        seen.add(key)
        people.append(Person(key=key, name=value["name"], initials=initials(value["name"]),
                             hue=avatar_hue(str(value["user"] if value["user"] is not None else view_field)),
                             editing=value["user"] in editing_users))
    return Presence(people=people, editing=[Editing(card_id=v["card"], name=v["name"], key=_person_key(v["user"], ""))
                                            for v in edits])


def presence_get(*, watcher: Watcher) -> Presence:
    """Presence as one stream's person sees it: everyone else."""
    me = _person_key(watcher.user_id, watcher.field)
    everyone = presence_everyone(journey_id=watcher.journey_id)
    return Presence(people=[p for p in everyone.people if p.key != me],
                    editing=[e for e in everyone.editing if e.key != me])
