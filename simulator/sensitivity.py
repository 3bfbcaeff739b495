"""Sensitivity: which posture and attacker levers move attacker success and time to detection, which way, how much.

Every factor is a field a scenario file can set (``posture.FIELD`` or ``attacker.FIELD``), varied between a low and a
high level: numbers over a range, booleans and choices at two levels, a table (days to patch, per-technique detection
content) switched between two presets' tables. Each factor says where its range comes from (``source``): the span of
the posture presets (scenarios/presets/posture.yaml, weak to hardened), the automation table (DESIGN.md section 4)
and the automation presets, or an assumption where the presets agree.

Effects are signed: the output at the factor's high level minus at its low level, in points of attacker success
(percentage points) and in hours of time to detection (from initial access to the first detection of the intrusion,
an undetected one counted to the horizon, over the runs where the attacker got in: a lever that keeps the attacker out
does not read as slower detection). A negative effect on success means the high level helps the defender.

Two methods over the same runner; every cell replays the same seeds (common random numbers):
- ``oat`` (default): one at a time around the base (the scenario's attacker and posture, or those chosen): each factor
  at its low and its high level, the others at the base; the effect is the mean of the paired per-run differences with
  a normal 95% interval (simulator.stats.paired_difference). A level equal to the base's value reuses the base cell.
  After a first round, the cells of the factors whose interval straddles the top-five boundary get twice the runs,
  round after round up to a cap, so the top five settle where the effects differ (``undecided`` names the factors
  still within noise of the boundary; near-equal effects never separate, and the output says so).
  Effects are local to the base: a lever whose effect hinges on another (blocking egress only acts on evidence of
  theft) is measured as the base sets the other.
- ``morris``: Morris elementary effects over the whole box (SALib's trajectory sample, 4 levels): the signed mean
  effect per full low-to-high span, sigma (interactions and non-linearity) and a bootstrap 95% interval over
  trajectories.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from simulator.loader import Loaded, preset_data
from simulator.stats import paired_difference

OUTPUTS = ("attacker success", "time to detection (h)")
UNITS = {"attacker success": "points", "time to detection (h)": "hours from initial access"}


@dataclass(frozen=True)
class Factor:
    """A scenario field and the two ends it is varied between."""

    path: str
    """Dotted path as a sweep takes it: ``posture.incident_response.block_egress``, ``attacker.speed``."""
    low: Any
    """Value at the low level (the smaller number, false, off/None, or the first choice)."""
    high: Any
    """Value at the high level."""
    source: str
    """Where the range comes from."""
    kind: str = "number"
    """``number`` (``integer``: rounded), ``choice`` (two levels), ``table`` (a mapping, interpolated per key)."""
    log: bool = False
    """Numbers spaced geometrically between the ends (Morris's inner levels; the ends are the same)."""
    names: tuple[str, str] | None = None
    """How the two levels are shown (tables), else from the values."""
    requires: tuple[tuple[str, Any], ...] = ()
    """Settings the factor needs to act (restricting admin services needs zones). One at a time sets them on both
    levels; Morris leaves the factor unset at a point where another factor contradicts them (it has no effect there)."""

    def at(self, x: float) -> Any:
        """The value at ``x`` in [0, 1] (0: low, 1: high)."""
        if self.kind == "choice":
            return self.high if x >= 0.5 else self.low
        if self.kind == "table":
            return {k: round(_between(self.low[k], self.high[k], x, True), 6) for k in self.low}
        v = _between(self.low, self.high, x, self.log)
        return int(round(v)) if self.kind == "integer" else round(v, 6)

    def levels(self) -> str:
        """'low -> high' for tables and reports."""
        lo, hi = self.names or (_show(self.low), _show(self.high))
        return f"{lo} -> {hi}"


def _between(lo: float, hi: float, x: float, log: bool) -> float:
    if x <= 0:
        return lo
    if x >= 1:
        return hi
    if log and lo > 0 and hi > 0:
        return lo * (hi / lo) ** x
    return lo + x * (hi - lo)


def _show(v: Any) -> str:
    if v is None:
        return "off"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


_POSTURES = ("weak", "baseline", "hardened")


def _preset_value(name: str, path: str) -> Any:
    data: Any = preset_data("posture", name)
    for p in path.split(".")[1:]:
        data = data.get(p) if isinstance(data, dict) else None
    return data


def _span(path: str, kind: str = "number", log: bool = False, note: str = "") -> Factor:
    """A number ranging over the posture presets' values (a preset that leaves it unset does not count)."""
    values = [(v, n) for n in _POSTURES if (v := _preset_value(n, path)) is not None]
    (lo, lo_name), (hi, hi_name) = min(values, key=lambda t: t[0]), max(values, key=lambda t: t[0])
    return Factor(path, lo, hi, f"posture presets: {lo_name} {_show(lo)}, {hi_name} {_show(hi)}{note}", kind, log)


def _ends(path: str, requires: tuple[tuple[str, Any], ...] = ()) -> Factor:
    """Two levels: the weak preset's value and the hardened one's (where weak cannot have the field, baseline's)."""
    names = [n for n in _POSTURES if not requires or _preset_value(n, path) is not None]
    lo, hi = _preset_value(names[0], path), _preset_value(names[-1], path)
    return Factor(path, lo, hi, f"posture presets: {names[0]} {_show(lo)}, {names[-1]} {_show(hi)}", "choice",
                  requires=requires)


def _detection_tables() -> tuple[dict[str, float], dict[str, float]]:
    """The weak and hardened presets' per-technique detection content over every technique any preset lists (a
    technique a preset leaves out is detected at that preset's default_detection, as the engine does)."""
    weak, hard = (preset_data("posture", p)["monitoring"] for p in ("weak", "hardened"))
    keys = sorted({k for p in _POSTURES for k in preset_data("posture", p)["monitoring"].get("detection", {})})
    return ({k: weak.get("detection", {}).get(k, weak["default_detection"]) for k in keys},
            {k: hard.get("detection", {}).get(k, hard["default_detection"]) for k in keys})


FACTORS: tuple[Factor, ...] = (
    # segmentation
    _ends("posture.segmentation.mode"),
    _ends("posture.segmentation.restrict_admin_services", requires=(("posture.segmentation.mode", "zones"),)),
    # patching
    Factor("posture.patching.days_to_patch", _preset_value("hardened", "posture.patching.days_to_patch"),
           _preset_value("weak", "posture.patching.days_to_patch"), "posture presets: hardened's table to weak's",
           "table", names=("hardened", "weak")),
    _span("posture.patching.edge_days_to_patch", log=True),
    _span("posture.patching.coverage"),
    _span("posture.patching.spread"),
    _ends("posture.patching.emergency_days"),
    # access control
    _span("posture.access_control.mfa_coverage"),
    _ends("posture.access_control.admin_tiering"),
    _span("posture.access_control.dump_yield"),
    # monitoring
    _span("posture.monitoring.edr_coverage"),
    _ends("posture.monitoring.network_sensors"),
    _span("posture.monitoring.default_detection"),
    Factor("posture.monitoring.detection", *_detection_tables(), "posture presets: weak's per-technique table to "
           "hardened's", "table", names=("weak", "hardened")),
    Factor("posture.monitoring.footprint_gain", 0.25, 1.0, "assumption: half to twice the presets' common 0.5",
           log=True),
    _span("posture.monitoring.failure_noise"),
    _ends("posture.monitoring.rate_threshold"),
    _ends("posture.monitoring.honeytokens"),
    Factor("posture.monitoring.outside_notice_days", 10, 60, "assumption: an outside party's notice from 10 to 60 days "
           "after initial access (median), around the presets' 25 [MT]", log=True),
    # SOC
    _span("posture.soc.analysts", "integer"),
    _ends("posture.soc.hours"),
    _span("posture.soc.triage_minutes"),
    Factor("posture.soc.benign_per_hour", 2, 12, "assumption: the presets' 3-4 widened to a tuned (2) and a noisy "
           "(12) alert stream", log=True),
    _span("posture.soc.recognition"),
    _span("posture.soc.recognition_high"),
    # incident response
    _span("posture.incident_response.contain_hours", log=True),
    Factor("posture.incident_response.isolate_hosts", False, True, "assumption: every preset isolates; false "
           "removes the playbook", "choice"),
    _ends("posture.incident_response.reset_credentials"),
    _ends("posture.incident_response.block_egress"),
    Factor("posture.incident_response.egress_block_hours", 48, 72, "hardened preset 48, the schema's default 72"),
    _span("posture.incident_response.scoping"),
    _span("posture.incident_response.scoping_trace"),
    _ends("posture.incident_response.edr_isolation"),
    _span("posture.incident_response.scoping_false_positive"),
    _span("posture.incident_response.cleanup_hours", log=True),
    _ends("posture.incident_response.block_infrastructure"),
    _span("posture.incident_response.block_infra_minutes"),
    _span("posture.incident_response.watch_days"),
    Factor("posture.incident_response.evict_after_retakes", 0, 1, "assumption: never (piecemeal rounds) or after "
           "the first retake (hardened)", "choice"),
    Factor("posture.incident_response.eviction_planning_hours", 24, 336, "assumption: a day to two weeks (the weak "
           "preset's outside firm)", log=True),
    Factor("posture.incident_response.eviction_scoping", 0.5, 0.95, "assumption: an assessment that finds half the "
           "held hosts running EDR the trail misses, to the hardened preset's 0.95"),
    Factor("posture.incident_response.eviction_patches_perimeter", False, True, "assumption: every preset's eviction "
           "patches the perimeter; false leaves it to the patching schedule", "choice"),
    # egress
    _ends("posture.egress.rate_cap_records_per_hour"),
    _ends("posture.egress.large_transfer_records"),
    _ends("posture.egress.filtering"),
    # attacker
    Factor("attacker.speed", 1, 50, "DESIGN 4: manual 1x to AI 10-50x", log=True),
    Factor("attacker.concurrency", 1, 30, "DESIGN 4: manual 1-2 to autonomous 30+", "integer", log=True),
    Factor("attacker.footprint", 4, 9, "automation presets: manual 4, AI 9 requests per action"),
    Factor("attacker.works_off_shift", False, True, "DESIGN 4: humans work shifts, AI does not", "choice"),
    Factor("attacker.false_finding_rate", 0.0, 0.2, "DESIGN 4: manual ~0 to AI 5-20%"),
    Factor("attacker.review_catch", 0.0, 0.8, "automation presets: autonomous 0, ai-orchestrated-skeptic 0.8"),
    Factor("attacker.verification", 0.0, 1.0, "automation presets: autonomous 0, ai-orchestrated 1"),
    Factor("attacker.takeover", 0.0, 0.8, "automation presets: autonomous 0, ai-orchestrated-skeptic 0.8"),
    Factor("attacker.pace_minutes", 0, 960, "automation presets: AI 0, manual 960"),
    Factor("attacker.retry_days", 1, 3, "automation presets: AI 1, human 3"),
    Factor("attacker.exfil_records_per_hour", 200000, 400000, "automation presets: human 200,000, AI 400,000"),
    Factor("attacker.stuffing_success", 0.01, 0.06, "assumption: a third to twice the presets' common 3%"),
    Factor("attacker.spraying_success", 0.0, 0.2, "assumption: no spraying to four times the presets' common 5% of "
           "accounts with a password in the spray's list"),
    Factor("attacker.rotation_hours", 4, 72, "assumption: hours (cloud addresses) to three days around the "
           "default 24", log=True),
    Factor("attacker.lie_low_hours", 0, 96, "assumption: carries on to four days quiet after a noticed response, "
           "around the presets' 48"),
    Factor("attacker.notices_response", 0.0, 1.0, "automation presets: autonomous 0, ai-orchestrated 0.5, human "
           "crews 1"),
    Factor("attacker.public_exploit_days", 0, 90, "assumption: a public exploit the day a flaw is disclosed to a "
           "quarter after, around the presets' 30 (exploitation in the wild came 5 days after disclosure on average "
           "in 2023 [TTE])"),
)
"""Default factors: the posture and attacker fields a scenario file can set that change a run, with their ranges."""


@dataclass(frozen=True)
class Effect:
    """One factor's signed effect on one output."""

    factor: str
    output: str
    effect: float
    """High level minus low level, in points of attacker success or hours of time to detection (one at a time: the
    mean paired difference; Morris: the mean elementary effect per full low-to-high span)."""
    ci_low: float
    """95% interval, lower end."""
    ci_high: float
    """95% interval, upper end."""
    levels: str
    """'low -> high' as varied."""
    n: int
    """Paired runs (one at a time) or trajectories (Morris) the effect rests on."""
    spread: float | None = None
    """Morris sigma of the elementary effects; None for one at a time."""


@dataclass
class Design:
    """The cells to run and how to read them back."""

    method: str
    base: tuple
    factors: tuple[Factor, ...]
    points: list[tuple] = field(default_factory=list)
    """Cells (sweep parameters), the base first."""
    pairs: list[tuple[int, int]] = field(default_factory=list)
    """One at a time: (low cell, high cell) per factor."""
    x: Any = None
    """Morris: the sample matrix (rows match ``points``)."""
    trajectories: int = 0


def base_params(loaded: Loaded, automation: str | None, posture: str | None) -> tuple:
    """The base cell: the chosen presets, else the scenario's."""
    return (("automation", automation or loaded.attacker.preset), ("posture", posture or loaded.posture.preset))


def base_values(loaded: Loaded, base: tuple) -> dict[str, Any]:
    """The resolved attacker and posture at the base as {'attacker': {...}, 'posture': {...}} (plain data)."""
    from simulator.loader import resolve_preset
    from simulator.sweep import cell_overrides

    automation, att, posture, pos, _ = cell_overrides(loaded, base)
    return {"attacker": resolve_preset("automation", automation, att).model_dump(mode="json"),
            "posture": resolve_preset("posture", posture, pos).model_dump(mode="json")}


def value_at(values: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of ``base_values`` (None where absent)."""
    data: Any = values
    for p in path.split("."):
        if not isinstance(data, Mapping) or p not in data:
            return None
        data = data[p]
    return data


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return set(a) == set(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a is b or a == b and type(a) is type(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def oat_design(loaded: Loaded, base: tuple, factors: Sequence[Factor]) -> Design:
    """The base cell, then each factor's low and high level as cells (a level equal to the base reuses it)."""
    values = base_values(loaded, base)
    d = Design("oat", base, tuple(factors), [base])
    index = {_key(()): 0}
    for f in factors:
        pair = []
        for v in (f.low, f.high):
            settings = [(p, rv) for p, rv in f.requires] + [(f.path, v)]
            changed = tuple((p, sv) for p, sv in settings if not _same(value_at(values, p), sv))
            k = _key(changed)
            if k not in index:
                index[k] = len(d.points)
                d.points.append(base + changed)
            pair.append(index[k])
        d.pairs.append((pair[0], pair[1]))
    return d


def _key(settings: tuple) -> str:
    return json.dumps([list(s) for s in settings], sort_keys=True)


def morris_design(loaded: Loaded, base: tuple, factors: Sequence[Factor], trajectories: int, seed: int) -> Design:
    """SALib's Morris trajectories over [0, 1] per factor, as cells."""
    try:
        from SALib.sample.morris import sample
    except ImportError as e:
        raise RuntimeError("--method morris needs SALib: pip install 'ai-tabletop[sensitivity]' (or use --method "
                           "oat)") from e
    problem = {"num_vars": len(factors), "names": [f.path for f in factors], "bounds": [[0.0, 1.0]] * len(factors)}
    x = sample(problem, N=trajectories, num_levels=4, seed=seed)
    values = base_values(loaded, base)
    points = []
    for row in x:
        chosen = {f.path: f.at(float(v)) for f, v in zip(factors, row, strict=True)}
        settings = []
        for f in factors:
            if all(_same(chosen[p] if p in chosen else value_at(values, p), rv) for p, rv in f.requires):
                settings.append((f.path, chosen[f.path]))
        points.append(base + tuple(settings))
    return Design("morris", base, tuple(factors), points, x=x, trajectories=trajectories)


def plan(loaded: Loaded, method: str = "oat", automation: str | None = None, posture: str | None = None,
         factors: Sequence[Factor] = FACTORS, trajectories: int = 10, seed: int = 0) -> Design:
    """The design, every cell checked against the scenario schema (ValueError naming the factor and level if one
    does not apply to this scenario)."""
    from simulator.sweep import _cell_error

    base = base_params(loaded, automation, posture)
    if method == "oat":
        design = oat_design(loaded, base, factors)
    elif method == "morris":
        design = morris_design(loaded, base, factors, trajectories, seed)
    else:
        raise ValueError(f"unknown method '{method}' (oat or morris)")
    checked: set[str] = set()
    for point in design.points:
        k = _key(point)
        if k in checked:
            continue
        checked.add(k)
        err = _cell_error(loaded, point)
        if err:
            where = ", ".join(f"{p}={_show(v)}" for p, v in point[2:]) or "the base"
            raise ValueError(f"sensitivity cell {where} does not apply to this scenario: {err}")
    return design


def per_run(rows: Sequence[Mapping[str, Any]], horizon_minutes: float) -> tuple[list[float], list[float | None]]:
    """Per run, in replicate order: attacker success in points (100 or 0), and hours from initial access to the
    first detection of the intrusion (to the horizon when never detected; None when the attacker never got in)."""
    rows = sorted(rows, key=lambda r: r["replicate"])
    success = [100.0 if r["outcome"] == "objective_met" else 0.0 for r in rows]
    detect: list[float | None] = []
    for r in rows:
        access, seen = r.get("time_to_initial_access"), r.get("time_to_first_detection")
        detect.append(None if access is None else ((horizon_minutes if seen is None else seen) - access) / 60)
    return success, detect


def analyse_oat(design: Design, ys: Sequence[tuple[list[float], list[float | None]]]) -> list[Effect]:
    """Per factor and output, the paired difference high minus low over the replicates both cells ran."""
    out = []
    for f, (lo, hi) in zip(design.factors, design.pairs, strict=True):
        for j, name in enumerate(OUTPUTS):
            # the replicates both cells ran (the same seeds); for detection, those where both were intruded
            pairs = [(a, b) for a, b in zip(ys[lo][j], ys[hi][j], strict=False) if a is not None and b is not None]
            if len(pairs) < 2:
                out.append(Effect(f.path, name, 0.0, 0.0, 0.0, f.levels(), len(pairs)))
                continue
            d = paired_difference([a for a, _ in pairs], [b for _, b in pairs])
            out.append(Effect(f.path, name, d.mean, d.low, d.high, f.levels(), d.n))
    return rank(out)


def analyse_morris(design: Design, ys: Sequence[tuple[list[float], list[float | None]]], seed: int,
                   resamples: int = 2000) -> list[Effect]:
    """Signed elementary effects per trajectory, their mean, sigma, and a percentile bootstrap over trajectories."""
    import numpy as np

    k = len(design.factors)
    x = np.asarray(design.x)
    r = len(x) // (k + 1)

    def mean(values: Sequence[float | None]) -> float:
        known = [v for v in values if v is not None]
        return float(np.mean(known)) if known else math.nan  # detection: no run got in at this point

    means = np.array([[mean(y[j]) for j in range(len(OUTPUTS))] for y in ys])
    ee = np.zeros((r, k, len(OUTPUTS)))
    for t in range(r):
        for s in range(k):
            a, b = t * (k + 1) + s, t * (k + 1) + s + 1
            i = int(np.argmax(np.abs(x[b] - x[a])))
            step = float(x[b, i] - x[a, i])
            f = design.factors[i]
            scale = math.copysign(1.0, step) if f.kind == "choice" else step
            ee[t, i] = (means[b] - means[a]) / scale
    rng = np.random.default_rng(seed)
    out = []
    for i, f in enumerate(design.factors):
        for j, name in enumerate(OUTPUTS):
            e = ee[:, i, j]
            e = e[~np.isnan(e)]  # a step where a point had no intrusion says nothing about detection
            if len(e) < 2:
                out.append(Effect(f.path, name, 0.0, 0.0, 0.0, f.levels(), len(e), 0.0))
                continue
            dist = e[rng.integers(0, len(e), size=(resamples, len(e)))].mean(axis=1)
            lo, hi = np.percentile(dist, [2.5, 97.5])
            out.append(Effect(f.path, name, float(e.mean()), float(lo), float(hi), f.levels(), len(e),
                              float(e.std(ddof=1))))
    return rank(out)


def rank(effects: Sequence[Effect]) -> list[Effect]:
    """By output, then by the size of the effect (either sign)."""
    return sorted(effects, key=lambda e: (OUTPUTS.index(e.output), -abs(e.effect), e.factor))


OAT_RUNS = 200
"""One at a time: runs per cell in the first round."""
REFINE = 16
"""One at a time: the refinement's cap on runs per cell, as a multiple of the first round's (200 -> 3200)."""
MORRIS_RUNS = 20
"""Morris: runs per point (a screening design wants many points more than many runs per point)."""
TOP = 5
"""The ranking the refinement settles: which factors are the top five."""

NOTES = {
    "oat": ("effect: the output with the factor at its high level minus at its low level, the others at the base, "
            "as the mean of paired runs on common seeds; 95% interval: normal, on the paired differences; n: the "
            "pairs. Negative on attacker success: the high level helps the defender. Time to detection: hours from "
            "initial access to the first detection of the intrusion (undetected: to the horizon), over the pairs "
            "where the attacker got in at both levels."),
    "morris": ("effect: the mean elementary effect per full low-to-high span over the whole box (signed); sigma: "
               "interactions and non-linearity; 95% interval: bootstrap over trajectories; n: trajectories. Time "
               "to detection: hours from initial access (undetected: to the horizon), over the runs that got in."),
}


def undecided(effects: Sequence[Effect], k: int = TOP, output: str = OUTPUTS[0]) -> list[str]:
    """Factors whose interval leaves open whether they are in the top ``k`` (empty: the top k are set apart)."""
    rows = [e for e in rank(effects) if e.output == output]
    if len(rows) <= k:
        return []
    floor = min(_least(e) for e in rows[:k])
    ceiling = max(_most(e) for e in rows[k:])
    return [e.factor for e in rows[:k] if _least(e) <= ceiling] + [e.factor for e in rows[k:] if _most(e) >= floor]


def _least(e: Effect) -> float:
    """The smallest size (absolute effect) the interval allows."""
    return 0.0 if e.ci_low <= 0 <= e.ci_high else min(abs(e.ci_low), abs(e.ci_high))


def _most(e: Effect) -> float:
    return max(abs(e.ci_low), abs(e.ci_high))


def run_design(loaded: Loaded, design: Design, runs: int = OAT_RUNS, seed: int = 0, workers: int = 1,
               progress: Callable[[int], None] | None = None, cancel: Any = None, max_runs: int | None = None,
               on_round: Callable[[int, int, int], None] | None = None) -> list[Effect]:
    """Run the cells on common seeds and analyse. One at a time refines: after a first round of ``runs`` per cell,
    the cells of the factors whose interval straddles the top-five boundary get twice the runs, round after round,
    until the top five are set apart or those cells reach ``max_runs`` (default ``runs``: no refinement).
    ``on_round(round, factors refined, runs planned)`` is called before each round; ``cancel`` (a threading.Event)
    is checked between chunks."""
    from simulator.sweep import Cancelled, execute, spec_for

    max_runs = max(runs, max_runs or runs) if design.method == "oat" else runs
    spec = spec_for(loaded, design.points, max_runs, seed)
    horizon = loaded.scenario.horizon_days * 1440
    rows: dict[int, list] = {i: [] for i in range(len(design.points))}
    have = [0] * len(design.points)

    def grow(cells: Sequence[int], n: int) -> None:
        todo = sum(max(0, n - have[c]) for c in cells)
        size = max(1, min(250, math.ceil(todo / max(1, workers * 8))))
        tasks = [(c, tuple(range(i, min(n, i + size)))) for c in cells for i in range(have[c], n, size)]
        if progress is not None:
            progress(0)
        for chunk in execute(spec, tasks, workers):
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            for r in chunk:
                rows[r["cell"]].append(r)
            if progress is not None:
                progress(len(chunk))
        for c in cells:
            have[c] = max(have[c], n)

    def analyse() -> list[Effect]:
        ys = [per_run(rows[i], horizon) for i in range(len(design.points))]
        if design.method == "morris":
            return analyse_morris(design, ys, seed)
        return analyse_oat(design, ys)

    cells = list(range(len(design.points)))
    if on_round is not None:
        on_round(1, len(design.factors), len(cells) * runs)
    grow(cells, runs)
    effects = analyse()
    n, round_ = runs, 1
    index = {f.path: i for i, f in enumerate(design.factors)}
    while design.method == "oat" and n < max_runs:
        open_ = undecided(effects)
        if not open_:
            break
        n, round_ = min(max_runs, 2 * n), round_ + 1
        cells = sorted({c for f in open_ for c in design.pairs[index[f]]})
        if on_round is not None:
            on_round(round_, len(open_), sum(max(0, n - have[c]) for c in cells))
        grow(cells, n)
        effects = analyse()
    return effects


def sensitivity(loaded: Loaded, method: str = "oat", runs: int = OAT_RUNS, trajectories: int = 10, seed: int = 0,
                workers: int = 1, automation: str | None = None, posture: str | None = None,
                factors: Sequence[Factor] = FACTORS, progress: Callable[[int], None] | None = None,
                cancel: Any = None, max_runs: int | None = None) -> list[Effect]:
    """Plan, run and rank: the factors' signed effects on each output."""
    design = plan(loaded, method, automation, posture, factors, trajectories, seed)
    return run_design(loaded, design, runs, seed, workers, progress, cancel, max_runs)


def top(effects: Sequence[Effect], output: str = OUTPUTS[0], k: int = 5) -> list[str]:
    """The ``k`` factors with the largest effect on ``output``, largest first."""
    return [e.factor for e in rank(effects) if e.output == output][:k]


def separated(effects: Sequence[Effect], output: str = OUTPUTS[0], k: int = TOP) -> bool:
    """Whether the top ``k`` stand apart from the rest at 95%: the smallest size the top k's intervals allow is above
    the largest the others' allow (non-overlap: conservative)."""
    return not undecided(effects, k, output)


def top_sentence(effects: Sequence[Effect], k: int = TOP, short: Callable[[str], str] = str,
                 limit: int | None = None) -> str:
    """Which factors are in the top ``k`` at 95%, and which ones share the remaining places within noise (at most
    ``limit`` of them named)."""
    open_ = undecided(effects, k)
    if not open_:
        return f"Top {k} set apart from the rest at 95%."
    sure = [f for f in top(effects, k=k) if f not in open_]
    head = f"In the top {k} at 95%: {', '.join(map(short, sure))}; " if sure else ""
    named = open_ if limit is None else open_[:limit]
    more = f" and {len(open_) - len(named)} more" if len(named) < len(open_) else ""
    left = k - len(sure)
    places = "the last place goes" if left == 1 else f"the other {left} places go"
    if not head:
        places = places[0].upper() + places[1:]
    return (f"{head}{places} to {left} of {len(open_)} factors within noise of each other: "
            f"{', '.join(map(short, named))}{more}.")


def stability(first: Sequence[Effect], second: Sequence[Effect], seeds: tuple[int, int], k: int = TOP,
              short: Callable[[str], str] = str, limit: int = 6) -> tuple[bool | None, str]:
    """Whether two root seeds' rankings agree on the top ``k`` (attacker success), and one sentence saying how.
    They disagree when a factor one seed sets apart in its top ``k`` at 95% is set apart outside the other's (neither
    in its top ``k`` nor undecided at its boundary), or when a factor both set apart changes sign; a seed that leaves
    more factors undecided does not disagree (near-equal effects never separate, and each run names them). Where
    neither seed sets any factor apart there is nothing to agree on: None, with advice. (stable, sentence); at most
    ``limit`` factors named per list."""
    a, b = seeds
    sure = [[f for f in top(e, k=k) if f not in undecided(e, k)] for e in (first, second)]
    room = [set(top(e, k=k)) | set(undecided(e, k)) for e in (first, second)]
    outside = [[f for f in sure[0] if f not in room[1]], [f for f in sure[1] if f not in room[0]]]
    sign = [{e.factor: e.effect > 0 for e in x if e.output == OUTPUTS[0]} for x in (first, second)]
    both = [f for f in sure[0] if f in sure[1]]
    flipped = [f for f in both if sign[0][f] != sign[1][f]]

    def listed(fs: Sequence[str]) -> str:
        named = ", ".join(map(short, fs[:limit])) or "none"
        return named + (f" and {len(fs) - limit} more" if len(fs) > limit else "")

    if outside[0] or outside[1] or flipped:
        why = [f"seed {seed} sets apart {listed(out)} in its top {k}, seed {other} outside its own"
               for seed, other, out in ((a, b, outside[0]), (b, a, outside[1])) if out]
        why += [f"{listed(flipped)} changes sign"] if flipped else []
        return False, f"Not stable across root seeds {a} and {b}: {'; '.join(why)}."
    if not sure[0] and not sure[1]:
        return None, (f"Undecided at root seeds {a} and {b}: neither sets any factor apart in its top {k} at 95%; "
                      "more runs per cell (--runs, --max-runs) narrow the intervals.")
    order = "in the same order" if both == [f for f in sure[1] if f in sure[0]] else "in another order"
    if sure[0] == sure[1] and len(both) == k:
        return True, f"Stable across root seeds {a} and {b}: the same top {k} set apart, {order} ({listed(both)})."
    only = [f"seed {seed} also sets apart {listed(extra)}"
            for seed, extra in ((a, [f for f in sure[0] if f not in both]), (b, [f for f in sure[1] if f not in both]))
            if extra]
    shared = [f for f in top(first, k=len(first)) if f in set(undecided(first, k)) & set(undecided(second, k))]
    return True, (f"Stable across root seeds {a} and {b}: neither sets apart in its top {k} a factor the other sets "
                  f"apart outside it; both set apart {listed(both)}" + (f", {order}" if len(both) > 1 else "")
                  + (f"; {'; '.join(only)}" if only else "")
                  + (f"; within noise at the boundary at both: {listed(shared)}" if shared else "") + ".")


def table(effects: Sequence[Effect], title: str, k: int = TOP) -> str:
    """Two ranked tables, one per output: signed effect, its 95% interval and the runs it rests on."""
    out = [title]
    for name in OUTPUTS:
        rows = [e for e in rank(effects) if e.output == name]
        out += ["", f"{name}, high minus low ({UNITS[name]}):",
                f"  {'rank':<5}{'factor':<50}{'low -> high':<19}{'effect':>8}  {'95% interval':<17}{'n':>5}"]
        for i, e in enumerate(rows, 1):
            interval = f"[{e.ci_low:+.1f}, {e.ci_high:+.1f}]"
            out.append(f"  {i:<5}{e.factor:<50}{e.levels[:18]:<19}{e.effect:>+8.1f}  {interval:<17}{e.n:>5}")
        if name == OUTPUTS[0] and len(rows) > k:
            out.append("  " + top_sentence(effects, k))
    return "\n".join(out)


def chart_data(effects: Sequence[Effect]) -> dict[str, list[dict[str, Any]]]:
    """Per output, the ranked effects as plain data (for the TUI and reports)."""
    return {name: [asdict(e) for e in rank(effects) if e.output == name] for name in OUTPUTS}


def factor_data(factors: Sequence[Factor] = FACTORS) -> list[dict[str, Any]]:
    """The factors as plain data: path, levels, kind, source."""
    return [{"path": f.path, "low": f.low, "high": f.high, "kind": f.kind, "source": f.source} for f in factors]
