"""Work calendars: when a human (attacker operator or SOC analyst) can act.

Simulation time is in minutes from the campaign start, which is a Monday at 00:00 UTC. A calendar has a UTC offset, a
shift (local hours, may cross midnight) and the weekdays it works; AI agents and 24/7 teams use ``always``.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, model_validator

from defenses.base import Frozen

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY = 1440.0


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

    def _windows(self, local: float) -> list[tuple[float, float]]:
        day = math.floor(local / DAY)
        start = self.shift_start * 60
        end = self.shift_end * 60 if self.shift_end > self.shift_start else self.shift_end * 60 + DAY
        out = []
        for d in range(day - 1, day + 9):
            if WEEKDAYS[d % 7] in self.workdays:
                out.append((d * DAY + start, d * DAY + end))
        return out

    def on_shift(self, t: float) -> bool:
        """Whether the team is at work at minute ``t``."""
        return self.next_on_shift(t) == t

    def next_on_shift(self, t: float) -> float:
        """The first minute at or after ``t`` at which the team is at work."""
        if self.always:
            return t
        local = t + self.utc_offset * 60
        best = math.inf
        for a, b in self._windows(local):
            if a <= local < b:
                return t
            if a > local and a < best:
                best = a
        return best - self.utc_offset * 60

    def add_work(self, t: float, minutes: float) -> float:
        """The minute at which ``minutes`` of work started at ``t`` are done, counting only time on shift."""
        if self.always:
            return t + minutes
        for _ in range(10_000):  # bounded: each pass consumes a whole shift
            t = self.next_on_shift(t)
            if math.isinf(t):
                return t
            end = self.next_off_shift(t)
            if t + minutes <= end:
                return t + minutes
            minutes -= end - t
            t = end
        return math.inf

    def next_off_shift(self, t: float) -> float:
        """The first minute at or after ``t`` at which the team is not at work (inf if it never stops)."""
        if self.always:
            return math.inf
        local = t + self.utc_offset * 60
        for _ in range(9):  # back-to-back windows (a 24 h shift every day) chain; bounded by a week
            ends = [b for a, b in self._windows(local) if a <= local < b]
            if not ends:
                return local - self.utc_offset * 60
            local = max(ends)
        return math.inf
