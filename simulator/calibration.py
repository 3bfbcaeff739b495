"""Calibration: does the model reproduce the published figures its presets cite (DESIGN.md section 9)?

Each check names a figure, its source, a target range and how the simulated value is measured; ``calibrate`` runs the
cells it needs on common seeds and returns one row per check. Nothing here sets an output: the values come from runs
(and, for the patch figures, from the patch times the runs sample).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from simulator.loader import Loaded
from simulator.seeds import keyed_uniform, run_key
from simulator.stats import Z95, median, median_ci, wilson

CS = "CrowdStrike Global Threat Report 2025/2026: average eCrime breakout 29-62 min (2023-2025)"
GTG = ("Anthropic, 'Disrupting the first reported AI-orchestrated cyber espionage campaign', Nov 2025 "
       "(contested: no IOCs published)")
MT = "Mandiant M-Trends 2025: global median dwell 10-11 days; 43% detected internally"
DBIR = "Verizon DBIR 2025: median 32 days to patch edge-device vulnerabilities; about 54% fully remediated"

CELLS = {"manual": "manual", "assisted": "ai-assisted", "orchestrated": "ai-orchestrated"}
"""The automation levels calibration needs, each against the `baseline` posture."""


@dataclass(frozen=True)
class Row:
    """One figure: the target, what the runs gave, and whether it falls in range."""

    figure: str
    source: str
    target: str
    low: float | None
    high: float | None
    value: float | None
    ci_low: float | None
    ci_high: float | None
    unit: str
    n: int
    info: bool = False
    """Reported for reference only (no range to meet)."""

    @property
    def ok(self) -> bool | None:
        if self.info or self.value is None:
            return None if self.info else False
        return (self.low is None or self.value >= self.low) and (self.high is None or self.value <= self.high)

    def widened(self, factor: float) -> Row:
        """The same row with its range widened by ``factor`` of its width on each side (reduced runs in tests)."""
        if self.low is None or self.high is None:
            return self
        pad = (self.high - self.low) * factor
        return Row(self.figure, self.source, self.target, self.low - pad, self.high + pad, self.value, self.ci_low,
                   self.ci_high, self.unit, self.n, self.info)


def _median_row(figure, source, target, low, high, values: list[float], unit: str, scale: float = 1.0) -> Row:
    lo, hi = median_ci(values)
    m = median(values)
    def f(x: float | None) -> float | None:
        return None if x is None else x / scale

    return Row(figure, source, target, low, high, f(m), f(lo), f(hi), unit, len(values))


def _mean_row(figure, source, target, low, high, values: list[float], unit: str) -> Row:
    n = len(values)
    if n == 0:
        return Row(figure, source, target, low, high, None, None, None, unit, 0)
    m = sum(values) / n
    sd = math.sqrt(sum((x - m) ** 2 for x in values) / (n - 1)) if n > 1 else 0.0
    half = Z95 * sd / math.sqrt(n)
    return Row(figure, source, target, low, high, m, m - half, m + half, unit, n)


def patch_sample(loaded: Loaded, runs: int, seed: int) -> tuple[list[float], int, int]:
    """Delays (days) the baseline posture samples for critical edge-device vulnerabilities, with the engine's own
    draws (the Patching control's rule and keyed uniforms), over ``runs`` replicates; and the count remediated within
    a year out of the total."""
    from defenses.base import U_PATCH_COVERED, U_PATCH_DELAY
    from simulator.build import build_network

    pos = loaded.with_presets(posture="baseline").posture
    net = build_network(loaded.scenario, pos)
    pairs = [(h, v) for h, host in enumerate(net.hosts) for v in host.network_vulns
             if net.vulns[v].edge and net.vulns[v].severity == "critical"]
    delays: list[float] = []
    fixed = total = 0
    for r in range(runs):
        key = run_key(seed, r)
        for h, v in pairs:
            d = pos.patching.delay_days(net.vulns[v].severity, net.vulns[v].disclosed_day >= 0,
                                        keyed_uniform(key, U_PATCH_COVERED, h, v),
                                        keyed_uniform(key, U_PATCH_DELAY, h, v))
            total += 1
            if math.isfinite(d):
                delays.append(d)
                fixed += d <= 365
    return delays, fixed, total


def rows_from(runs_by_level: Mapping[str, Sequence[Mapping[str, Any]]], patch: tuple[list[float], int, int]
              ) -> list[Row]:
    """The calibration table from run rows (by automation level, against baseline) and the patch sample."""
    manual, assisted, orch = (runs_by_level[CELLS[k]] for k in ("manual", "assisted", "orchestrated"))

    def breakouts(rows):
        return [r["breakout_time"] for r in rows if r["breakout_time"] is not None]

    out = [
        _median_row("Breakout, manual vs baseline (median)", CS, "20-90 min", 20, 90, breakouts(manual), "min"),
        _median_row("Breakout, ai-assisted vs baseline (median)", CS, "20-90 min", 20, 90, breakouts(assisted),
                    "min"),
    ]
    actions = [(r["actions_ai"], r["actions_ai"] + r["actions_human"]) for r in orch]
    shares = [a / t for a, t in actions if t]
    out.append(_mean_row("AI share of tactical actions, ai-orchestrated (mean per run)", GTG, "80-90%", 0.80, 0.90,
                         shares, "share"))
    out.append(_mean_row("Human decision points per campaign, ai-orchestrated (mean)", GTG, "4-6", 4, 6,
                         [r["human_decision_points"] for r in orch], "count"))
    out.append(_median_row("Peak request rate, ai-orchestrated (median)", GTG, "several per second: 2-10/s", 2, 10,
                           [r["peak_requests_per_minute"] / 60 for r in orch], "req/s"))
    m_orch, m_manual = median(breakouts(orch)), median(breakouts(manual))
    ratio = None if not m_orch or not m_manual else m_orch / m_manual
    out.append(Row("Breakout, ai-orchestrated / manual (ratio of medians)", GTG, "well under manual: <= 0.5", None,
                   0.5, ratio, None, None, "ratio", len(breakouts(orch))))
    dwell = [r["dwell_time"] for r in manual if r["dwell_time"] is not None]
    out.append(_median_row("Dwell time, manual vs baseline (median, detected runs)", MT, "5-20 days", 5, 20, dwell,
                           "days", scale=1440.0))
    breached = [r for r in manual if r["time_to_initial_access"] is not None]
    k = sum(1 for r in breached if r["dwell_time"] is not None)
    lo, hi = wilson(k, len(breached))
    out.append(Row("Breached runs detected before the horizon, manual vs baseline", MT, "reported (43% internal)",
                   None, None, k / len(breached) if breached else None, lo, hi, "share", len(breached), info=True))
    delays, fixed, total = patch
    out.append(_median_row("Patch delay, critical edge-device vulns, baseline (median of patched)", DBIR,
                           "about 32 days: 25-40", 25, 40, delays, "days"))
    lo, hi = wilson(fixed, total)
    out.append(Row("Critical edge-device vulns remediated within a year, baseline", DBIR, "about half: 45-65%",
                   0.45, 0.65, fixed / total if total else None, lo, hi, "share", total))
    return out


def calibrate(loaded: Loaded, runs: int, seed: int = 0, workers: int = 1,
              progress: Callable[[int], None] | None = None) -> list[Row]:
    """Run the cells calibration needs (the three levels against `baseline`, same seeds) and build the table."""
    from simulator.sweep import collect, spec_for

    levels = list(CELLS.values())
    spec = spec_for(loaded, [(("automation", a), ("posture", "baseline")) for a in levels], runs, seed)
    by_cell = collect(spec, workers, progress=progress)
    return rows_from({a: by_cell[i] for i, a in enumerate(levels)}, patch_sample(loaded, runs, seed))


def _fmt(x: float | None, unit: str) -> str:
    if x is None:
        return "-"
    if unit == "share":
        return f"{x:.0%}"
    if unit in ("min", "count", "req/s", "ratio", "days"):
        return f"{x:.2f}" if unit == "ratio" else f"{x:.1f}"
    return f"{x:.2f}"


def table(rows: Sequence[Row], scenario: str, runs: int, seed: int) -> str:
    """The calibration table as text."""
    head = ["figure", "target", "simulated [95% interval]", "n", "in range"]
    body = []
    for r in rows:
        sim = f"{_fmt(r.value, r.unit)} {'' if r.unit in ('share', 'ratio', 'count') else r.unit}".strip()
        if r.ci_low is not None:
            sim += f" [{_fmt(r.ci_low, r.unit)}-{_fmt(r.ci_high, r.unit)}]"
        verdict = "info" if r.info else ("yes" if r.ok else "NO")
        body.append([r.figure, r.target, sim, str(r.n), verdict])
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]

    def line(cells):
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    sources = []
    for r in rows:
        if r.source not in sources:
            sources.append(r.source)
    out = [f"Calibration on {scenario}: {runs} runs per level against 'baseline', root seed {seed}.", "",
           line(head), "-" * len(line(head)), *[line(b) for b in body], "", "Sources:"]
    out += [f"  - {s}" for s in sources]
    ok = sum(1 for r in rows if r.ok)
    checked = sum(1 for r in rows if not r.info)
    out += ["", f"{ok} of {checked} figures in range."]
    return "\n".join(out)
