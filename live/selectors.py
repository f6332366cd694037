"""Reads of presence, from the point of view of one stream (so it can leave its own person out)."""

from dataclasses import dataclass, field

from . import presence
from .people import avatar_hue, initials
from .presence import Watcher


@dataclass(frozen=True)
class Person:
    name: str
    initials: str
    hue: int
    editing: bool


@dataclass(frozen=True)
class Editing:
    card_id: int
    name: str


@dataclass
class Presence:
    people: list[Person] = field(default_factory=list)  # everyone else with the map open
    editing: list[Editing] = field(default_factory=list)  # cards others have open in an edit form


def presence_get(*, watcher: Watcher) -> Presence:
    entries, _ = presence.entries_read(journey_id=watcher.journey_id)

    def is_me(user_id: int | None, field_name: str) -> bool:
        if watcher.user_id is not None:
            return user_id == watcher.user_id
        return field_name == watcher.field

    views = {f: v for f, v in entries.items() if f.startswith("view:") and not is_me(v["user"], f)}
    present_users = {v["user"] for v in views.values() if v["user"] is not None}
    # An edit form counts while its person still has a stream open (a closed laptop stops counting).
    edits = [v for f, v in entries.items() if f.startswith("edit:") and v["user"] in present_users]
    editing_users = {v["user"] for v in edits}

    people, seen = [], set()
    for view_field, value in sorted(views.items(), key=lambda item: item[1]["name"].lower()):
        key = value["user"] if value["user"] is not None else view_field
        if key in seen:
            continue  # one avatar per person, however many tabs
        seen.add(key)
        people.append(Person(name=value["name"], initials=initials(value["name"]), hue=avatar_hue(str(key)),
                             editing=value["user"] in editing_users))
    return Presence(people=people, editing=[Editing(card_id=v["card"], name=v["name"]) for v in edits])
