"""Running cells: every cell replays replicates 0..N-1 of the same root seed (common random numbers)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from simulator.build import Compiled, compile_scenario
from simulator.engine import run
from simulator.loader import Loaded
from simulator.result import RunResult


@dataclass(frozen=True)
class Cell:
    """One combination of presets."""

    index: int
    automation: str
    posture: str


def cells(automations: Iterable[str], postures: Iterable[str]) -> list[Cell]:
    """The grid automation x posture, posture-major so a posture's levels sit together."""
    out = []
    for p in postures:
        for a in automations:
            out.append(Cell(len(out), a, p))
    return out


def compile_cell(loaded: Loaded, cell: Cell) -> Compiled:
    """The scenario with the cell's presets (the file's overrides still apply)."""
    l2 = loaded.with_presets(automation=cell.automation, posture=cell.posture)
    return compile_scenario(l2.scenario, l2.attacker, l2.posture)


def run_cell(compiled: Compiled, runs: int, seed: int,
             progress: Callable[[int], None] | None = None) -> list[RunResult]:
    """Replicates 0..runs-1 of one compiled cell."""
    out = []
    for r in range(runs):
        out.append(run(compiled, seed, r))
        if progress is not None:
            progress(1)
    return out
