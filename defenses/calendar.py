"""Work calendars: when a human (attacker operator or SOC analyst) can act.

Simulation time is in minutes from the campaign start, which is a Monday at 00:00 UTC. A calendar has a UTC offset, a
shift (local hours, may cross midnight) and the weekdays it works; AI agents and 24/7 teams use ``always``.

The shifts repeat every week, so a calendar precomputes its work windows once (one week, unrolled over the weeks before
and after so that shifts crossing Sunday midnight and back-to-back shifts merge into one window); every query is then a
binary search in that table. The engine asks these questions for most actions, so this is on the hot path.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from functools import cache
from typing import Literal

from pydantic import Field, model_validator

from defenses.base import Frozen

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY = 1440.0
WEEK = 7 * DAY


class Calendar(Frozen):
    """A work calendar."""

    always: bool = False
    """Works around the clock, every day (the other fields are then ignored)."""
    utc_offset: float = Field(0.0, ge=-12, le=14)
    """Hours ahead of UTC of the team's local time."""
    shift_start: float = Field(9.0, ge=0, lt=24)
    """Local hour the shift starts."""
    shift_end: float = Field(18.0, ge=0, le=24)
    """Local hour the shift ends (earlier than the start: the shift crosses midnight)."""
    workdays: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
    """Days on which a shift starts."""

    @model_validator(mode="after")
    def _check(self) -> Calendar:
        if not self.always:
            if self.shift_start == self.shift_end:
                raise ValueError("shift_start and shift_end are equal: use 'always: true' for a 24-hour team")
            if not self.workdays:
                raise ValueError("workdays is empty: the team would never work")
        return self

    @property
    def schedule(self) -> Schedule:
        """The precomputed weekly windows that answer this calendar's questions (built once per calendar)."""
        return _schedule(self)

    def on_shift(self, t: float) -> bool:
        """Whether the team is at work at minute ``t``."""
        return self.schedule.next_on_shift(t) == t

    def next_on_shift(self, t: float) -> float:
        """The first minute at or after ``t`` at which the team is at work."""
        return self.schedule.next_on_shift(t)

    def next_off_shift(self, t: float) -> float:
        """The first minute at or after ``t`` at which the team is not at work (inf if it never stops)."""
        return self.schedule.next_off_shift(t)

    def add_work(self, t: float, minutes: float) -> float:
        """The minute at which ``minutes`` of work started at ``t`` are done, counting only time on shift."""
        return self.schedule.add_work(t, minutes)

    def work_between(self, t0: float, t1: float) -> float:
        """Minutes on shift between ``t0`` and ``t1``."""
        return self.schedule.work_between(t0, t1)


@cache
def _schedule(calendar: Calendar) -> Schedule:
    return Schedule(calendar)


class Schedule:
    """A calendar's work windows as sorted tables (a plain class: the engine queries it for most actions)."""

    __slots__ = ("always", "offset", "starts", "ends", "per_week", "wrap", "windows")

    def __init__(self, c: Calendar) -> None:
        self.offset = c.utc_offset * 60
        self.starts: list[float] = []
        self.ends: list[float] = []
        self.per_week = self.wrap = 0
        self.windows: tuple[float, list[float], list[float]] | None = None
        self.always = c.always
        if c.always:
            return
        start = c.shift_start * 60
        end = c.shift_end * 60 if c.shift_end > c.shift_start else c.shift_end * 60 + DAY
        raw = sorted((w * WEEK + d * DAY + start, w * WEEK + d * DAY + end)
                     for w in (-1, 0, 1, 2) for d in range(7) if WEEKDAYS[d] in c.workdays)
        merged: list[list[float]] = []
        for a, b in raw:
            if merged and a <= merged[-1][1]:  # overlapping or back to back: one stretch of work
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self.starts = [a for a, _ in merged]
        self.ends = [b for _, b in merged]
        self.always = len(merged) == 1  # every week chained into one stretch: a team that never stops
        self.windows = (float(self.offset), [float(a) for a in self.starts], [float(b) for b in self.ends])
        """The offset and the windows, as the SOC's compiled kernel reads them (defenses/_socfast.c)."""
        # windows starting in week 1 repeat those starting in week 0, one week later
        self.per_week = sum(1 for a in self.starts if 0 <= a < WEEK)
        self.wrap = bisect_right(self.starts, WEEK - 1e-9) + self.per_week

    def _locate(self, t: float) -> tuple[float, int]:
        """(start of the local week holding ``t``, in simulation minutes; index of the first window ending after
        ``t``)."""
        local = t + self.offset
        week = math.floor(local / WEEK) * WEEK
        return week - self.offset, bisect_right(self.ends, local - week)

    def next_on_shift(self, t: float) -> float:
        if self.always:
            return t
        base, i = self._locate(t)
        start = base + self.starts[i]
        return t if start <= t else start

    def next_off_shift(self, t: float) -> float:
        if self.always:
            return math.inf
        base, i = self._locate(t)
        return base + self.ends[i] if base + self.starts[i] <= t else t

    def add_work(self, t: float, minutes: float) -> float:
        if self.always:
            return t + minutes
        base, i = self._locate(t)
        starts, ends, per_week, wrap = self.starts, self.ends, self.per_week, self.wrap
        while True:  # walks the windows in order: each pass consumes a whole shift
            if i >= wrap:
                i -= per_week
                base += WEEK
            start = base + starts[i]
            if t < start:
                t = start
            end = base + ends[i]
            if t + minutes <= end:
                return t + minutes
            minutes -= end - t
            t = end
            i += 1

    def work_between(self, t0: float, t1: float) -> float:
        """Minutes on shift between ``t0`` and ``t1``."""
        if self.always:
            return max(0.0, t1 - t0)
        total = 0.0
        base, i = self._locate(t0)
        t = t0
        while t < t1:
            if i >= self.wrap:
                i -= self.per_week
                base += WEEK
            start, end = base + self.starts[i], base + self.ends[i]
            if start >= t1:
                break
            total += min(end, t1) - max(start, t)
            t = end
            i += 1
        return total
