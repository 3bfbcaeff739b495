"""Statistics over run results: pure functions, no I/O."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from simulator.result import END_REASONS

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


EXACT_UP_TO = 1000
"""Sample sizes up to which the median's interval uses exact binomial order statistics (above: the normal
approximation, by then within a hair of it)."""


def median_ci(values: Sequence[float], z: float = Z95) -> tuple[float | None, float | None]:
    """Distribution-free 95% interval for the median from order statistics: [x_(a), x_(n+1-a)] with the largest ``a``
    such that P(Bin(n, 1/2) < a) <= 2.5%, so it covers the median at least 95% of the time. With fewer than six values
    no such interval exists (even [min, max] covers less often): (None, None). Above EXACT_UP_TO values ``a`` comes
    from the normal approximation. ``z`` is used only there (the exact branch is at 95%)."""
    n = len(values)
    if n == 0:
        return (None, None)
    s = sorted(values)
    if n <= EXACT_UP_TO:
        tail = 0.025 * 2**n  # P(B < a) <= 2.5%, in counts of the 2**n equally likely outcomes
        a, below, term = 0, 0, 1  # below: the count of outcomes with B < a; term: comb(n, a)
        while below + term <= tail:
            below += term
            term = term * (n - a) // (a + 1)
            a += 1
        if a == 0:
            return (None, None)
        return (s[a - 1], s[n - a])
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
    """One cell (a group of runs sharing parameters) summarised over its replicates."""

    label: tuple[tuple[str, Any], ...]
    """(column, value) pairs naming the cell, e.g. (("automation", "manual"), ("posture", "baseline"))."""
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
    """Kaplan-Meier median minutes from initial access to detection over the breached runs, a run never detected
    counted as censored at the horizon (value None when over half were never detected); ``n`` is the breached runs."""
    breakout_time: Estimate
    hosts_compromised: float
    """Mean hosts compromised per run."""
    records_exfiltrated: float
    """Mean records of the objective exfiltrated per run."""
    ai_share: float | None
    """Pooled share of tactical actions done by AI."""
    decision_points: float
    """Mean human decision points per run."""
    peak_requests_per_second: float
    """Median peak request rate."""
    blocked_share: dict[str, float] = field(default_factory=dict)
    """Per control outcome (patched, mfa, tiering, reset, contained, egress): share of runs where it stopped at
    least one attacker action."""
    detection_sources: dict[str, float] = field(default_factory=dict)
    """Among detected runs, the share whose first recognised alert came from each source."""
    alerts_dropped_share: float = 0.0
    """Share of runs where alerts were auto-closed untriaged."""
    soc_backlog_share: float = 0.0
    """Share of runs where the SOC queue backed up."""
    breached: Estimate | None = None
    """Share of runs where the attacker gained initial access (None in comparisons saved before it was added)."""
    undetected: Estimate | None = None
    """Among breached runs, the share never detected before the run ended (the censored share of ``dwell_time``)."""
    hosts_encrypted: float = 0.0
    """Mean hosts encrypted per run (a ransomware objective)."""
    downtime_hours: float = 0.0
    """Mean host-hours down per run because of encryption (restore or rebuild)."""
    process_hours_disrupted: float = 0.0
    """Mean hours per run the OT process was down (an ot-disruption objective)."""
    objectives: tuple[Estimate, ...] = ()
    """With several objectives: the share of runs that met each (met in order, so each share is at most the one
    before; the last is ``success``). Empty for one objective."""
    response: dict[str, float] = field(default_factory=dict)
    """Means per run of the response's business costs (RunResult's hosts_isolated, clean_hosts_isolated,
    isolated_host_hours, clean_isolated_host_hours, egress_blocked_hours, credentials_reset, infrastructure_blocks)."""
    ended: dict[str, float] = field(default_factory=dict)
    """Share of runs by why they ended (RunResult.end_reason: objective_met, evicted, no_path_left, horizon); empty
    in a comparison saved before it was counted."""

    def value(self, name: str) -> Any:
        """A label value by column name (None if the cell has no such column)."""
        return dict(self.label).get(name)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, estimates as {value, low, high, n}."""
        return asdict(self)


def _share(rows: Sequence[Mapping[str, Any]], pred) -> Estimate:
    k = sum(1 for r in rows if pred(r))
    n = len(rows)
    lo, hi = wilson(k, n)
    return Estimate(k / n if n else None, lo, hi, n)


def _median(values: list[float]) -> Estimate:
    lo, hi = median_ci(values)
    return Estimate(median(values), lo, hi, len(values))


def _times(rows: Sequence[Mapping[str, Any]], name: str) -> list[float]:
    return [r[name] for r in rows if r.get(name) is not None]


RESPONSE_COSTS = ("hosts_isolated", "clean_hosts_isolated", "isolated_host_hours", "clean_isolated_host_hours",
                  "egress_blocked_hours", "credentials_reset", "infrastructure_blocks")


def dwell_estimate(rows: Sequence[Mapping[str, Any]]) -> Estimate:
    """Dwell as a censored figure (DESIGN.md 5.2): the Kaplan-Meier median over the breached runs, a run never
    detected censored at the horizon (minus initial access). Never a median of the detected runs alone."""
    times, observed = [], []
    for r in rows:
        ia = r.get("time_to_initial_access")
        if ia is None:
            continue
        dwell = r.get("dwell_time")
        end = r.get("horizon", r.get("end_time", ia))  # nothing can happen after an early end: censor at the horizon
        times.append(dwell if dwell is not None else max(0.0, end - ia))
        observed.append(dwell is not None)
    if not times:
        return Estimate(None, None, None, 0)
    med, lo, hi = km_median(times, observed)
    if med is not None and sum(observed) < 6:
        lo = hi = None  # too few detections for an interval (as for medians)
    return Estimate(med, lo, hi, len(times))


def summarize(rows: Sequence[Mapping[str, Any]], by: Sequence[str] = ("automation", "posture")) -> CellSummary:
    """Summary of one cell's rows (``RunResult.row()`` dicts or sweep rows); ``by`` names the label columns."""
    if not rows:
        raise ValueError("no results to summarise")
    n = len(rows)
    ai = sum(r["actions_ai"] for r in rows)
    tactical = ai + sum(r["actions_human"] for r in rows)
    return CellSummary(
        label=tuple((b, rows[0].get(b)) for b in by),
        runs=n,
        success=_share(rows, lambda r: r["outcome"] == "objective_met"),
        detected=_share(rows, lambda r: r.get("time_to_first_detection") is not None),
        contained=_share(rows, lambda r: r["outcome"] == "contained"),
        time_to_objective=_median(_times(rows, "time_to_objective")),
        time_to_detection=_median(_times(rows, "time_to_first_detection")),
        time_to_containment=_median(_times(rows, "time_to_containment")),
        dwell_time=dwell_estimate(rows),
        breakout_time=_median(_times(rows, "breakout_time")),
        hosts_compromised=sum(r["hosts_compromised"] for r in rows) / n,
        records_exfiltrated=sum(r["records_exfiltrated"] for r in rows) / n,
        ai_share=None if tactical == 0 else ai / tactical,
        decision_points=sum(r["human_decision_points"] for r in rows) / n,
        peak_requests_per_second=median([r["peak_requests_per_minute"] / 60 for r in rows]) or 0.0,
        blocked_share={k: sum(1 for r in rows if r.get(f"blocked_{k}", 0)) / n for k in BLOCKS},
        detection_sources=_sources(rows),
        alerts_dropped_share=sum(1 for r in rows if r.get("alerts_dropped", 0)) / n,
        soc_backlog_share=sum(1 for r in rows if r.get("soc_backlogs", 0)) / n,
        breached=_share(rows, lambda r: r.get("time_to_initial_access") is not None),
        undetected=_share([r for r in rows if r.get("time_to_initial_access") is not None],
                          lambda r: r.get("dwell_time") is None) if any(
            r.get("time_to_initial_access") is not None for r in rows) else None,
        response={k: sum(r.get(k, 0) or 0 for r in rows) / n for k in RESPONSE_COSTS},
        ended={k: sum(r.get("end_reason") == k for r in rows) / n for k in END_REASONS},
        hosts_encrypted=sum(r.get("hosts_encrypted", 0) or 0 for r in rows) / n,
        downtime_hours=sum(r.get("downtime_hours", 0) or 0 for r in rows) / n,
        process_hours_disrupted=sum(r.get("process_hours_disrupted", 0) or 0 for r in rows) / n,
        objectives=_objectives(rows),
    )


def _objectives(rows: Sequence[Mapping[str, Any]]) -> tuple[Estimate, ...]:
    """Per objective of a scenario with several, the share of runs that met it (met in order: at least k met)."""
    goals = max(int(r.get("objectives") or 1) for r in rows)
    if goals < 2:
        return ()
    return tuple(_share(rows, lambda r, k=k: int(r.get("objectives_met") or 0) >= k) for k in range(1, goals + 1))


BLOCKS = ("patched", "mfa", "tiering", "reset", "contained", "egress", "infrastructure", "decoy")
"""Why controls stop attacker actions (RunResult.blocked_*)."""


def _sources(rows: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    detected = [r.get("first_detection_source") for r in rows if r.get("first_detection_source")]
    out: dict[str, float] = {}
    for s in detected:
        out[s] = out.get(s, 0) + 1 / len(detected)
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def group(rows: Iterable[Mapping[str, Any]], by: Sequence[str]) -> dict[tuple, list[Mapping[str, Any]]]:
    """Rows grouped by the values of ``by`` columns, groups in order of first appearance."""
    out: dict[tuple, list[Mapping[str, Any]]] = {}
    for r in rows:
        out.setdefault(tuple(r.get(b) for b in by), []).append(r)
    return out


@dataclass(frozen=True)
class PairedDifference:
    """Mean of paired differences (b - a) over common seeds, with a normal 95% interval."""

    mean: float
    low: float
    high: float
    n: int


def paired_difference(a: Sequence[float], b: Sequence[float], z: float = Z95) -> PairedDifference:
    """Mean of b[i] - a[i] with a normal-approximation interval on the paired differences."""
    if len(a) != len(b) or not a:
        raise ValueError("paired samples must be non-empty and of equal length")
    d = [y - x for x, y in zip(a, b, strict=True)]
    n = len(d)
    m = sum(d) / n
    sd = math.sqrt(sum((x - m) ** 2 for x in d) / (n - 1)) if n > 1 else 0.0
    half = z * sd / math.sqrt(n)
    return PairedDifference(m, m - half, m + half, n)


@dataclass(frozen=True)
class KMStep:
    """One step of a Kaplan-Meier curve, at a time where at least one event happened."""

    time: float
    at_risk: int
    """Subjects still under observation just before ``time``."""
    events: int
    survival: float
    """S(t): the estimated share with no event up to and including ``time``."""
    log_var: float
    """Greenwood's variance of log S(t): the sum of d / (n (n - d)) so far (inf once S reaches 0)."""


def kaplan_meier(times: Sequence[float], observed: Sequence[bool]) -> list[KMStep]:
    """The Kaplan-Meier estimate of the survival curve from right-censored data: ``times[i]`` is when subject i had
    its event (``observed[i]``) or left observation without one (censored). At tied times, events come before
    censorings, as usual."""
    if len(times) != len(observed):
        raise ValueError("times and observed must be of equal length")
    order = sorted(zip(times, observed, strict=True), key=lambda x: (x[0], not x[1]))
    n = len(order)
    steps: list[KMStep] = []
    s, v, i = 1.0, 0.0, 0
    while i < len(order):
        t = order[i][0]
        d = c = 0
        while i < len(order) and order[i][0] == t:
            d += order[i][1]
            c += not order[i][1]
            i += 1
        if d:
            s *= 1 - d / n
            v = v + d / (n * (n - d)) if n > d else math.inf
            steps.append(KMStep(t, n, d, s, v))
        n -= d + c
    return steps


def km_median(times: Sequence[float], observed: Sequence[bool], z: float = Z95
              ) -> tuple[float | None, float | None, float | None]:
    """The Kaplan-Meier median with a 95% interval: (median, low, high), None where the curve never gets there.

    The median is the first time S(t) <= 1/2 (the midpoint to the next event time where S(t) is exactly 1/2, so with
    no censoring it is the ordinary sample median). The interval is Brookmeyer-Crowley's, read off the pointwise band
    S(t) exp(+-z sqrt(Greenwood var of log S)) (R survival's default "log" band): low is the first time the band's
    lower edge is <= 1/2, high the first time its upper edge is."""
    steps = kaplan_meier(times, observed)

    def first(pred) -> int | None:
        return next((i for i, st in enumerate(steps) if pred(st)), None)

    def edge(st: KMStep, sign: float) -> float:
        if st.survival <= 0 or math.isinf(st.log_var):
            return 0.0
        return min(1.0, st.survival * math.exp(sign * z * math.sqrt(st.log_var)))

    m = first(lambda st: st.survival <= 0.5 + 1e-12)
    if m is None:
        med = None
    elif abs(steps[m].survival - 0.5) <= 1e-12 and m + 1 < len(steps):
        med = (steps[m].time + steps[m + 1].time) / 2
    else:
        med = steps[m].time
    lo = first(lambda st: edge(st, -1) <= 0.5)
    hi = first(lambda st: edge(st, 1) <= 0.5)
    return med, None if lo is None else steps[lo].time, None if hi is None else steps[hi].time
