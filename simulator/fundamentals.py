"""The fundamentals analysis: which change moves the outcome most?

From a base posture, each control is upgraded alone to its setting in the upgrade preset (``hardened``), against a
reference attacker; separately, the attacker moves from ``manual`` to ``ai-orchestrated`` against the base posture.
Every change is measured as a paired difference on common seeds, then ranked. The closing sentence is computed from
the numbers: nothing in it is written in advance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from defenses.posture import CONTROL_NAMES
from simulator.loader import Loaded, preset_data
from simulator.stats import PairedDifference, paired_difference
from simulator.sweep import Params


@dataclass(frozen=True)
class Change:
    """One change and its paired effects (changed minus base)."""

    name: str
    kind: str
    """'control' or 'automation'."""
    base: int
    """Index of the base cell."""
    changed: int
    """Index of the changed cell."""
    success: PairedDifference
    """Attacker success (share of runs, -1..1)."""
    detection: PairedDifference
    """Minutes to first detection, an undetected run counted at the horizon."""
    data_lost: PairedDifference
    """Records of the objective exfiltrated."""


@dataclass(frozen=True)
class Plan:
    """The cells of a fundamentals analysis and which pairs make each change."""

    cells: tuple[Params, ...]
    changes: tuple[tuple[str, str, int, int], ...]
    """(name, kind, base cell, changed cell)."""


def plan(loaded: Loaded, base: str = "baseline", attacker: str = "ai-orchestrated", upgrade: str = "hardened",
         low: str = "manual", high: str = "ai-orchestrated") -> Plan:
    """The cells to run: the base, one per control upgrade, and the two automation levels (deduplicated)."""
    hardened = preset_data("posture", upgrade)
    cells: list[Params] = []
    changes: list[tuple[str, str, int, int]] = []

    def cell(params: Params) -> int:
        if params not in cells:
            cells.append(params)
        return cells.index(params)

    ref = cell((("automation", attacker), ("posture", base)))
    for control in CONTROL_NAMES:
        changed = cell((("automation", attacker), ("posture", base), (f"posture.{control}", hardened[control])))
        changes.append((f"{control} -> {upgrade}", "control", ref, changed))
    a = cell((("automation", low), ("posture", base)))
    b = cell((("automation", high), ("posture", base)))
    changes.append((f"attacker {low} -> {high}", "automation", a, b))
    return Plan(tuple(cells), tuple(changes))


def analyse(p: Plan, rows_by_cell: Mapping[int, Sequence[Mapping[str, Any]]], horizon: float) -> list[Change]:
    """Paired differences for every change, ranked: the largest cut in attacker success first."""
    def series(cell: int, name: str) -> list[float]:
        rows = sorted(rows_by_cell[cell], key=lambda r: r["replicate"])
        if name == "success":
            return [1.0 if r["outcome"] == "objective_met" else 0.0 for r in rows]
        if name == "detection":
            return [horizon if r["time_to_first_detection"] is None else r["time_to_first_detection"] for r in rows]
        return [float(r["records_exfiltrated"]) for r in rows]

    out = []
    for name, kind, a, b in p.changes:
        out.append(Change(name, kind, a, b,
                          paired_difference(series(a, "success"), series(b, "success")),
                          paired_difference(series(a, "detection"), series(b, "detection")),
                          paired_difference(series(a, "data"), series(b, "data"))))
    return rank(out)


def rank(changes: Sequence[Change]) -> list[Change]:
    """Controls by how much they cut attacker success, then by how much sooner they detect; the automation change is
    ranked by the size of its effect among them."""
    return sorted(changes, key=lambda c: (-abs(c.success.mean), c.detection.mean, c.name))


def _pts(d: PairedDifference) -> str:
    return f"{d.mean * 100:+.0f} points [{d.low * 100:+.0f}, {d.high * 100:+.0f}]"


def _levels(c: Change) -> str:
    return c.name.removeprefix("attacker ").replace(" -> ", " to ")


def verdict(changes: Sequence[Change], runs: int) -> str:
    """One sentence, computed from the numbers, on which change mattered most (the first of the ranking, and any
    change tied with it)."""
    if not changes:
        return "No change was measured."
    ranked = rank(changes)
    top = ranked[0]
    noisy = all(c.success.low <= 0 <= c.success.high for c in changes)
    auto = next((c for c in ranked if c.kind == "automation"), None)
    controls = [c for c in ranked if c.kind == "control"]
    if noisy:
        return f"No single change moved attacker success beyond sampling noise at {runs} runs per cell."
    if top.kind == "automation":
        best = controls[0] if controls else None
        tail = f" (the largest control effect, {best.name}: {_pts(best.success)})" if best else ""
        return (f"Moving the attacker from {_levels(top)} changed attacker success by "
                f"{_pts(top.success)}, more than upgrading any single control{tail}.")
    tied = [c for c in controls if abs(c.success.mean) == abs(top.success.mean)]
    if len(tied) > 1:
        upgrade = top.name.split(" -> ")[1]
        names = ", ".join(c.name.split(" -> ")[0] for c in tied[:-1]) + f" or {tied[-1].name.split(' -> ')[0]}"
        effects = ", ".join(f"{_pts(c.success)} ({c.name.split(' -> ')[0]})" for c in tied)
        text = f"Upgrading {names} to {upgrade} mattered most, tied: attacker success {effects}"
    else:
        text = (f"Upgrading {top.name.replace(' -> ', ' to ')} mattered most: attacker success "
                f"{_pts(top.success)}")
    if auto is not None:
        text += f", against {_pts(auto.success)} for moving the attacker from {_levels(auto)}"
    return text + "."
