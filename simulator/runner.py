"""Cells of a comparison: every cell replays replicates 0..N-1 of the same root seed (common random numbers)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    """One combination of presets."""

    index: int
    automation: str
    posture: str


def cells(automations: Iterable[str], postures: Iterable[str]) -> list[Cell]:
    """The grid automation x posture, posture-major so a posture's levels sit together."""
    out: list[Cell] = []
    for p in postures:
        for a in automations:
            out.append(Cell(len(out), a, p))
    return out
