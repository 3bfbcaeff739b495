"""The inject book: the default injects (simulator/data/injects.yaml) merged with a scenario's own, and the
defender's clock (local time with the weekday) that injects and the player view speak in."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import yaml

from simulator import techniques

if TYPE_CHECKING:
    from simulator.scenario import Exercise

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
"""Minute 0 of a run is a Monday 00:00 UTC (the calendars' convention)."""

PLAYER_TRIGGERS = frozenset({"first-escalation", "lateral-evidence", "theft-evidence", "perimeter-block",
                             "containment", "restored", "soc-backlog", "order-done", "outside-notice", "end"})
"""Triggers about what the defender can know (an inject on any other trigger must be facilitator-only)."""


@dataclass(frozen=True)
class InjectSpec:
    """One inject of the book."""

    id: str
    on: str | None
    """A trigger (see simulator.scenario.TRIGGERS), or None for one at a time."""
    audience: str
    title: str
    questions: tuple[str, ...]
    every: bool = False
    handout: str = ""
    at: float | None = None
    """For an inject at a time: the simulation minute."""
    custom: bool = False
    """From the scenario file."""


@cache
def book() -> dict[str, InjectSpec]:
    """The default book, by id."""
    text = (resources.files("simulator") / "data" / "injects.yaml").read_text(encoding="utf-8")
    out = {}
    for d in yaml.safe_load(text)["injects"]:
        out[d["id"]] = InjectSpec(d["id"], d["trigger"], d["audience"], d["title"], tuple(d["questions"]),
                                  bool(d.get("every", False)), d.get("handout", ""))
    return out


def merged(exercise: Exercise, utc_offset: float) -> list[InjectSpec]:
    """The default book with a scenario's changes and additions (validated by the scenario's schema)."""
    specs = dict(book())
    for inj in exercise.injects:
        base = specs.get(inj.id)
        if base is not None:
            specs[inj.id] = replace(
                base, title=inj.title or base.title, questions=inj.questions or base.questions,
                audience=inj.audience or base.audience, handout=inj.handout or base.handout,
                every=base.every if inj.every is None else inj.every, custom=True)
        else:
            at = inj.at_minutes(utc_offset)
            audience = inj.audience or ("players" if at is not None or inj.trigger in PLAYER_TRIGGERS
                                        else "facilitator")
            specs[inj.id] = InjectSpec(inj.id, inj.trigger, audience, inj.title or inj.id, tuple(inj.questions or ()),
                                       bool(inj.every), inj.handout or "", at, custom=True)
    return list(specs.values())


def technique(tid: str | None) -> str:
    """'T1021 Remote Services' (the id alone when unknown; '-' for none)."""
    if not tid:
        return "-"
    name = techniques.name(tid)
    return tid if name == tid else f"{tid} {name}"


def local_clock(minutes: float, utc_offset: float, day: bool = True) -> str:
    """The defender's clock: 'Tue 10:40 (day 2)' (day 1 is the run's first day, in local time)."""
    local = int(minutes + utc_offset * 60)
    d, rest = divmod(local, 1440)
    text = f"{WEEKDAY_NAMES[d % 7]} {rest // 60:02d}:{rest % 60:02d}"
    return f"{text} (day {d + 1})" if day else text
