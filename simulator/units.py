"""Human units for simulation minutes."""

from __future__ import annotations


def duration(minutes: float | None) -> str:
    """'27 s', '14 min', '3.2 h', '4.5 d' (or '-' for None)."""
    if minutes is None:
        return "-"
    if minutes < 1:
        return f"{minutes * 60:.0f} s"
    if minutes < 90:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} d"


def clock(minutes: float) -> str:
    """Campaign clock: 'd3 14:05' (day number from 0, UTC)."""
    day, rest = divmod(int(minutes), 1440)
    return f"d{day} {rest // 60:02d}:{rest % 60:02d}"


def unit_of(minutes: float) -> tuple[str, float]:
    """The unit ``duration`` would use for ``minutes`` and its size in minutes."""
    if minutes < 1:
        return "s", 1 / 60
    if minutes < 90:
        return "min", 1.0
    if minutes < 48 * 60:
        return "h", 60.0
    return "d", 1440.0


UNITS = ("s", "min", "h", "d")


def span(value: float | None, low: float | None, high: float | None) -> str:
    """'8.7 d [4.2-10.3]': a value and its interval in the value's unit ('8.7 d' alone without an interval). When a
    bound reads badly there (two or more units away, or 100 or more of the value's unit while a larger one is its
    own) every part gets its own unit: '38 min [11 min-5.1 d]', not '38 min [11-7410]'."""
    if value is None:
        return "-"
    unit, size = unit_of(value)
    digits = 0 if unit in ("s", "min") else 1
    fmt = f"{{:.{digits}f}}"
    if low is None or high is None:
        return f"{fmt.format(value / size)} {unit}"
    def far(b: float) -> bool:
        steps = UNITS.index(unit_of(b)[0]) - UNITS.index(unit)
        return abs(steps) >= 2 or (steps == 1 and b / size >= 100)

    if far(low) or far(high):
        return f"{duration(value)} [{duration(low)}-{duration(high)}]"
    return f"{fmt.format(value / size)} {unit} [{fmt.format(low / size)}-{fmt.format(high / size)}]"
