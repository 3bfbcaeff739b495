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
