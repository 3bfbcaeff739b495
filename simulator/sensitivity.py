"""Sensitivity: which parameters (posture and automation) move attacker success and time to detection most?

Two methods over the same runner (every point replays the same seeds):
- ``morris``: the Morris elementary-effects screening, sampled and analysed by SALib (a well-kept library that
  implements it with its published refinements); ranks by mu* (mean absolute effect) with sigma (interactions).
- ``oat``: one at a time, each factor at its low and its high end with the others at the base; ranks by the swing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from simulator.loader import Loaded


@dataclass(frozen=True)
class Factor:
    """A parameter and the range it is varied over."""

    path: str
    low: float
    high: float
    integer: bool = False

    def value(self, x: float) -> float | int:
        return int(round(x)) if self.integer else float(x)


FACTORS: tuple[Factor, ...] = (
    Factor("posture.patching.days_to_patch.critical", 3, 90),
    Factor("posture.patching.coverage", 0.3, 1.0),
    Factor("posture.access_control.mfa_coverage", 0.0, 1.0),
    Factor("posture.access_control.dump_yield", 0.1, 0.9),
    Factor("posture.monitoring.edr_coverage", 0.1, 1.0),
    Factor("posture.soc.analysts", 1, 6, integer=True),
    Factor("posture.soc.recognition", 0.1, 0.8),
    Factor("posture.incident_response.contain_hours", 1, 72),
    Factor("posture.incident_response.scoping", 0.0, 0.8),
    Factor("attacker.speed", 1, 50),
    Factor("attacker.concurrency", 1, 30, integer=True),
    Factor("attacker.false_finding_rate", 0.0, 0.3),
)
"""Default factors and ranges (assumption: the span between the weak and hardened presets, and the automation
table's range for attacker speed and concurrency)."""

OUTPUTS = ("attacker success", "time to detection (h)")


@dataclass(frozen=True)
class Effect:
    """One factor's ranked effect on one output."""

    factor: str
    output: str
    effect: float
    """Morris mu* or the one-at-a-time swing (high minus low), in the output's unit."""
    spread: float | None
    """Morris sigma (non-linearity and interactions); None for one-at-a-time."""
    conf: float | None
    """Morris bootstrap 95% half-width of mu*; None for one-at-a-time."""


def base_params(loaded: Loaded, automation: str | None, posture: str | None) -> tuple:
    return (("automation", automation or loaded.attacker.preset), ("posture", posture or loaded.posture.preset))


def oat_points(base: tuple, factors: Sequence[Factor]) -> list[tuple]:
    """The base point, then each factor at its low and high end (the others at the base)."""
    points = [base]
    for f in factors:
        points.append(base + ((f.path, f.value(f.low)),))
        points.append(base + ((f.path, f.value(f.high)),))
    return points


def problem(factors: Sequence[Factor]) -> dict[str, Any]:
    return {"num_vars": len(factors), "names": [f.path for f in factors],
            "bounds": [[f.low, f.high] for f in factors]}


def morris_points(base: tuple, factors: Sequence[Factor], trajectories: int, seed: int):
    """SALib's Morris sample as cells, and the sample matrix for the analysis."""
    try:
        from SALib.sample.morris import sample
    except ImportError as e:
        raise RuntimeError("--method morris needs SALib: pip install 'ai-tabletop[sensitivity]' (or use --method "
                           "oat)") from e
    x = sample(problem(factors), N=trajectories, num_levels=4, seed=seed)
    points = [base + tuple((f.path, f.value(v)) for f, v in zip(factors, row, strict=True)) for row in x]
    return points, x


def outputs(rows: Sequence[Mapping[str, Any]], horizon: float) -> tuple[float, float]:
    """(attacker success share, mean hours to first detection with undetected runs at the horizon)."""
    n = len(rows)
    success = sum(r["outcome"] == "objective_met" for r in rows) / n
    detect = sum(horizon if r["time_to_first_detection"] is None else r["time_to_first_detection"]
                 for r in rows) / n / 60
    return success, detect


def analyse_oat(factors: Sequence[Factor], ys: Sequence[tuple[float, float]]) -> list[Effect]:
    out = []
    for i, f in enumerate(factors):
        lo, hi = ys[1 + 2 * i], ys[2 + 2 * i]
        for j, name in enumerate(OUTPUTS):
            out.append(Effect(f.path, name, hi[j] - lo[j], None, None))
    return rank(out)


def analyse_morris(factors: Sequence[Factor], x, ys: Sequence[tuple[float, float]], seed: int) -> list[Effect]:
    import numpy as np
    from SALib.analyze.morris import analyze

    out = []
    for j, name in enumerate(OUTPUTS):
        y = np.array([v[j] for v in ys])
        si = analyze(problem(factors), x, y, num_levels=4, seed=seed)
        for i, f in enumerate(factors):
            out.append(Effect(f.path, name, float(si["mu_star"][i]), float(si["sigma"][i]),
                              float(si["mu_star_conf"][i])))
    return rank(out)


def rank(effects: Sequence[Effect]) -> list[Effect]:
    """By output, then by the size of the effect."""
    return sorted(effects, key=lambda e: (OUTPUTS.index(e.output), -abs(e.effect), e.factor))


def sensitivity(loaded: Loaded, method: str = "morris", runs: int = 20, trajectories: int = 8, seed: int = 0,
                workers: int = 1, automation: str | None = None, posture: str | None = None,
                factors: Sequence[Factor] = FACTORS, progress: Callable[[int], None] | None = None,
                cancel: Any = None) -> list[Effect]:
    """Run the design and rank the factors for each output (``cancel``: a threading.Event checked between chunks)."""
    from simulator.sweep import collect, spec_for

    base = base_params(loaded, automation, posture)
    if method == "oat":
        points, x = oat_points(base, factors), None
    elif method == "morris":
        points, x = morris_points(base, factors, trajectories, seed)
    else:
        raise ValueError(f"unknown method '{method}' (morris or oat)")
    by_cell = collect(spec_for(loaded, points, runs, seed), workers, progress=progress, cancel=cancel)
    horizon = loaded.scenario.horizon_days * 1440
    ys = [outputs(by_cell[i], horizon) for i in range(len(points))]
    return analyse_oat(factors, ys) if method == "oat" else analyse_morris(factors, x, ys, seed)


def available_method() -> str:
    """'morris' when SALib is installed, else 'oat'."""
    import importlib.util

    return "morris" if importlib.util.find_spec("SALib") is not None else "oat"


def design_size(method: str, trajectories: int, factors: Sequence[Factor] = FACTORS) -> int:
    """How many points the design has."""
    return 1 + 2 * len(factors) if method == "oat" else trajectories * (len(factors) + 1)


def table(effects: Sequence[Effect], title: str) -> str:
    """Two ranked tables, one per output."""
    out = [title]
    for name in OUTPUTS:
        rows = [e for e in effects if e.output == name]
        out += ["", f"{name}:", f"  {'rank':<5}{'factor':<44}{'effect':>10}{'sigma':>10}{'+-':>9}"]
        for i, e in enumerate(rows, 1):
            spread = "-" if e.spread is None else f"{e.spread:.3f}"
            conf = "-" if e.conf is None else f"{e.conf:.3f}"
            out.append(f"  {i:<5}{e.factor:<44}{e.effect:>10.3f}{spread:>10}{conf:>9}")
    return "\n".join(out)


def chart_data(effects: Sequence[Effect]) -> dict[str, list[dict[str, Any]]]:
    """Per output, the ranked effects as plain data (for the TUI and reports)."""
    return {name: [asdict(e) for e in effects if e.output == name] for name in OUTPUTS}


