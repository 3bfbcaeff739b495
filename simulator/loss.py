"""Business cost in money: an optional loss model in the scenario, FAIR-style (every figure a range: minimum, most
likely, maximum), applied to what each run cost the business.

Per run, loss = records taken x a cost per record + host-hours out of service (every isolation, of compromised and
clean hosts alike, and every host ransomware encrypted until restored or rebuilt) x a cost per host-hour + hours of
blocked outbound traffic x a cost per hour + isolations x a cost per host cleaned and rebuilt + credentials reset x a
cost per reset. Each cost per unit is drawn per run from
its triangular distribution (minimum, most likely, maximum) by a keyed draw of the run's seed and replicate, so
every cell of a comparison draws the same costs for the same replicate (common random numbers): a difference
between cells is the difference in what happened, not in the prices drawn. A cell's figure is the mean loss per run
with a 95% interval (normal approximation over the runs) and the 90th percentile (the bad year's run).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from simulator.seeds import keyed_uniform, run_key
from simulator.stats import Z95

U_LOSS = 71
"""Purpose of the keyed draws of the costs per unit (one per term)."""

TERMS = (("per_record", "records_exfiltrated"), ("per_downtime_hour", "isolated_host_hours"),
         ("per_egress_hour", "egress_blocked_hours"), ("per_isolation", "hosts_isolated"),
         ("per_credential_reset", "credentials_reset"), ("per_process_hour", "process_hours_disrupted"))
"""(the scenario's cost per unit, the run's count of units)."""


def triangular(u: float, low: float, likely: float, high: float) -> float:
    """The inverse CDF of the triangular distribution at ``u``."""
    if high <= low:
        return low
    c = (likely - low) / (high - low)
    if u < c:
        return low + math.sqrt(u * (high - low) * (likely - low))
    return high - math.sqrt((1 - u) * (high - low) * (high - likely))


def run_loss(row: Mapping[str, Any], loss) -> float:
    """The money one run cost, under the scenario's loss model ``loss``."""
    key = run_key(int(row["seed"]), int(row.get("replicate", 0)))
    total = 0.0
    for i, (term, count) in enumerate(TERMS):
        r = getattr(loss, term)
        if r is None:
            continue
        units = float(row.get(count) or 0)
        if count == "isolated_host_hours":  # ransomware's downtime is host-hours out of service too
            units += float(row.get("downtime_hours") or 0)
        if units:
            total += units * triangular(keyed_uniform(key, U_LOSS, i), r.low, r.likely, r.high)
    return total


@dataclass(frozen=True)
class LossEstimate:
    mean: float
    low: float
    high: float
    p90: float
    n: int
    currency: str


def estimate(rows: Sequence[Mapping[str, Any]], loss) -> LossEstimate | None:
    """Mean loss per run [95% interval] and the 90th percentile over ``rows`` (None without runs)."""
    values = sorted(run_loss(r, loss) for r in rows)
    n = len(values)
    if not n:
        return None
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    half = Z95 * sd / math.sqrt(n)
    p90 = values[min(n - 1, math.ceil(0.9 * n) - 1)]
    return LossEstimate(mean, max(0.0, mean - half), mean + half, p90, n, loss.currency)


def money(x: float, currency: str) -> str:
    """'1.2M EUR', '350k EUR', '900 EUR' (two or three significant figures)."""
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            v = x / size
            return f"{v:.2g}{suffix} {currency}" if v < 10 else f"{v:.0f}{suffix} {currency}"
    return f"{x:.0f} {currency}"


def text(e: LossEstimate) -> str:
    """'1.2M EUR [0.9M-1.5M], P90 3.1M'."""
    def short(x: float) -> str:
        return money(x, e.currency).rsplit(" ", 1)[0]
    return f"{money(e.mean, e.currency)} [{short(e.low)}-{short(e.high)}], P90 {short(e.p90)}"
