"""Where a run's time goes, on the bundled default scenario against `baseline` (one process).

    .venv/bin/python benchmarks/breakdown.py [--level ai-orchestrated] [--runs 200] [--repeat 3]

Prints medians over the repeats of a run's time split into: set-up (Run() and its controls' start), the SOC's own
benign-alert processing (timed around its catch-up), the result record, and the rest (the attacker's actions and the
controls' hooks on them) per action. Then the same runs with the controls' checks and observers switched off (the
attacker's machinery alone; nothing is blocked or detected, so those runs go on longer: compare per action).

Last, the budget issue 7's targets leave: at 1 ms per run (1,000 runs/s per core) and at 3x a bare simpy timeout per
simulated event, the microseconds left for each action once set-up, benign alerts and the result are paid, against
what an action's unavoidable parts cost alone, measured in the same process: its share of simpy events (each at the
bare timeout's cost), its two random draws (duration jitter and outcome roll) and its two records (the Action the
controls see and the timeline entry).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import random  # noqa: E402
import timeit  # noqa: E402

from defenses.base import Action  # noqa: E402
from defenses.soc import Soc  # noqa: E402
from simulator.build import compile_scenario  # noqa: E402
from simulator.engine import Run  # noqa: E402
from simulator.loader import load  # noqa: E402
from simulator.result import TimelineEvent  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import bare_simpy_us  # noqa: E402


def measure(compiled, runs: int, bare: bool) -> dict[str, float]:
    setup = result = soc = 0.0
    actions = simpy_events = benign = 0
    original = Soc.catch_up

    def timed_catch_up(self, now):
        nonlocal soc
        t = time.perf_counter()
        original(self, now)
        soc += time.perf_counter() - t

    Run(compiled, runs).execute()  # warm up: the first run imports what the SOC's benign draws need
    Soc.catch_up = timed_catch_up
    try:
        t0 = time.perf_counter()
        for seed in range(runs):
            t = time.perf_counter()
            r = Run(compiled, seed)
            if bare:
                r._check, r._observe, r._catch_up = [], [], []
            r.begin()
            setup += time.perf_counter() - t
            r.env.run(until=r.stop)
            t, before = time.perf_counter(), soc
            res = r.result()
            result += time.perf_counter() - t - (soc - before)
            actions += len(res.timeline)
            simpy_events += next(r.env._eid)
            benign += res.alerts_benign
        total = time.perf_counter() - t0
    finally:
        Soc.catch_up = original
    attacker = total - setup - result - soc
    return {"run_ms": total / runs * 1e3, "actions": actions / runs, "action_us": attacker / actions * 1e6,
            "setup_us": setup / runs * 1e6, "result_us": result / runs * 1e6, "soc_us": soc / runs * 1e6,
            "simpy_events": simpy_events / runs, "benign": benign / runs}


def per_call_us(fn, number: int = 100_000) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def unavoidable_us() -> tuple[float, float]:
    """An action's two random draws, and its two records, in microseconds."""
    rng = random.Random(1)
    draws = per_call_us(lambda: (rng.lognormvariate(0.0, 0.5), rng.random())) - per_call_us(lambda: None)
    records = per_call_us(lambda: (
        Action(1.0, "lateral-movement", "T1021", "ai", 3, "corp", "servers", 2.0, 3.0, 1, 4, None, "smb", 0,
               False, False),
        TimelineEvent(1.0, "lateral-movement", "T1021", "srv-01", "ai", True, False, None, False),
    )) - per_call_us(lambda: None)
    return draws, records


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--level", default="ai-orchestrated")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    loaded = load("espionage-tech").with_presets(automation=args.level, posture="baseline")
    compiled = compile_scenario(loaded.scenario, loaded.attacker, loaded.posture)
    for bare in (False, True):
        reps = [measure(compiled, args.runs, bare) for _ in range(args.repeat)]
        m = {k: statistics.median(r[k] for r in reps) for k in reps[0]}
        what = "attacker machinery alone (controls' hooks off)" if bare else "whole run"
        print(f"{args.level}, {what}: {m['run_ms']:.2f} ms/run = set-up {m['setup_us']:.0f} us + SOC benign "
              f"alerts {m['soc_us']:.0f} us + result {m['result_us']:.0f} us (SOC excluded) + the rest, "
              f"{m['action_us']:.1f} us for each of {m['actions']:.0f} actions")
        if not bare:
            whole = m
    bare_us = statistics.median(bare_simpy_us() for _ in range(args.repeat))
    draws, records = unavoidable_us()
    m = whole
    per_action_events = m["simpy_events"] / m["actions"]
    floor = per_action_events * bare_us + draws + records
    fixed = m["setup_us"] + m["soc_us"] + m["result_us"]
    print(f"{args.level}, an action's unavoidable parts: {per_action_events:.1f} simpy events x {bare_us:.2f} us + "
          f"two draws {draws:.2f} us + two records {records:.2f} us = {floor:.1f} us (measured now: "
          f"{m['action_us']:.1f} us per action, all included)")
    events = m["simpy_events"] + m["benign"]
    for target, run_us in (("1,000 runs/s per core", 1000.0), ("3x bare simpy per event", 3 * bare_us * events)):
        budget = (run_us - fixed) / m["actions"]
        print(f"{args.level}, target {target}: {run_us / 1e3:.2f} ms/run; after set-up, benign alerts and result "
              f"({fixed / 1e3:.2f} ms) that leaves {budget:.1f} us per action, {budget - floor:.1f} us beyond its "
              f"unavoidable parts for all its logic (task, planning, control checks, detection)")


if __name__ == "__main__":
    main()
