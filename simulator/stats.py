"""Statistics over run results: pure functions, no I/O."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from simulator.result import RunResult

Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (95% by default)."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def median(values: Sequence[float]) -> float | None:
    """The median, or None for no values."""
    if not values:
        return None
    s = sorted(values)
    n = len(s)
    mid = n // 2
    return s[mid] if n % 2 else (s[mid - 1] + s[mid]) / 2


def median_ci(values: Sequence[float], z: float = Z95) -> tuple[float | None, float | None]:
    """Distribution-free interval for the median from order statistics (normal approximation to the binomial)."""
    n = len(values)
    if n == 0:
        return (None, None)
    s = sorted(values)
    half = z * math.sqrt(n) / 2
    lo = max(0, math.floor(n / 2 - half))
    hi = min(n - 1, math.ceil(n / 2 + half) - 1)
    return (s[lo], s[hi])


@dataclass(frozen=True)
class Estimate:
    """A point estimate with a 95% interval and the number of runs it rests on."""

    value: float | None
    low: float | None
    high: float | None
    n: int


@dataclass(frozen=True)
class CellSummary:
    """One cell (automation x posture) summarised over its replicates."""

    automation: str
    posture: str
    runs: int
    success: Estimate
    """Share of runs where the objective was met."""
    detected: Estimate
    """Share of runs with a recognised detection."""
    contained: Estimate
    """Share of runs ending with the attacker evicted."""
    time_to_objective: Estimate
    """Median minutes, over the runs where it happened."""
    time_to_detection: Estimate
    time_to_containment: Estimate
    dwell_time: Estimate
    breakout_time: Estimate
    hosts_compromised: float
    records_exfiltrated: float
    ai_share: float | None
    decision_points: float
    peak_requests_per_second: float


def _share(results: Sequence[RunResult], pred) -> Estimate:
    k = sum(1 for r in results if pred(r))
    n = len(results)
    lo, hi = wilson(k, n)
    return Estimate(k / n if n else None, lo, hi, n)


def _median(values: list[float]) -> Estimate:
    lo, hi = median_ci(values)
    return Estimate(median(values), lo, hi, len(values))


def summarize(results: Sequence[RunResult]) -> CellSummary:
    """Summary of one cell's runs."""
    if not results:
        raise ValueError("no results to summarise")
    n = len(results)
    tactical = sum(r.actions_ai + r.actions_human for r in results)
    return CellSummary(
        automation=results[0].automation,
        posture=results[0].posture,
        runs=n,
        success=_share(results, lambda r: r.outcome == "objective_met"),
        detected=_share(results, lambda r: r.time_to_first_detection is not None),
        contained=_share(results, lambda r: r.outcome == "contained"),
        time_to_objective=_median([r.time_to_objective for r in results if r.time_to_objective is not None]),
        time_to_detection=_median([r.time_to_first_detection for r in results
                                   if r.time_to_first_detection is not None]),
        time_to_containment=_median([r.time_to_containment for r in results if r.time_to_containment is not None]),
        dwell_time=_median([r.dwell_time for r in results if r.dwell_time is not None]),
        breakout_time=_median([r.breakout_time for r in results if r.breakout_time is not None]),
        hosts_compromised=sum(r.hosts_compromised for r in results) / n,
        records_exfiltrated=sum(r.records_exfiltrated for r in results) / n,
        ai_share=None if tactical == 0 else sum(r.actions_ai for r in results) / tactical,
        decision_points=sum(r.human_decision_points for r in results) / n,
        peak_requests_per_second=median([r.peak_requests_per_minute / 60 for r in results]) or 0.0,
    )
