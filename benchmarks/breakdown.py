"""Where a run's time goes, on the bundled default scenario against `baseline` (one process).

    .venv/bin/python benchmarks/breakdown.py [--level ai-orchestrated] [--runs 200] [--repeat 3]

Prints medians over the repeats of a run's time split into: set-up (Run() and its controls' start), the SOC's own
benign-alert processing (timed around its catch-up), the result record, and the rest (the attacker's actions and the
controls' hooks on them) per action. Then the same runs with the controls' checks and observers switched off (the
attacker's machinery alone; nothing is blocked or detected, so those runs go on longer: compare per action).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from defenses.soc import Soc  # noqa: E402
from simulator.build import compile_scenario  # noqa: E402
from simulator.engine import Run  # noqa: E402
from simulator.loader import load  # noqa: E402


def measure(compiled, runs: int, bare: bool) -> dict[str, float]:
    setup = result = soc = 0.0
    actions = 0
    original = Soc.catch_up

    def timed_catch_up(self, now):
        nonlocal soc
        t = time.perf_counter()
        original(self, now)
        soc += time.perf_counter() - t

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
        total = time.perf_counter() - t0
    finally:
        Soc.catch_up = original
    attacker = total - setup - result - soc
    return {"run_ms": total / runs * 1e3, "actions": actions / runs, "action_us": attacker / actions * 1e6,
            "setup_us": setup / runs * 1e6, "result_us": result / runs * 1e6, "soc_us": soc / runs * 1e6}


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


if __name__ == "__main__":
    main()
