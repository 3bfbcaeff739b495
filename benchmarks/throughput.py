"""Throughput and engine overhead on the bundled default scenario, in one process.

    .venv/bin/python benchmarks/throughput.py [--runs 200] [--repeat 3]

Prints, per automation level against `baseline`: median runs per second on one core, milliseconds per run, simulated
events per run and microseconds per event; and the same microseconds per event for bare simpy timeouts, with the
ratio (issue target: at most 3x; throughput target: at least 1,000 runs/s per core).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import simpy  # noqa: E402

from simulator.build import compile_scenario  # noqa: E402
from simulator.engine import Run  # noqa: E402
from simulator.loader import load  # noqa: E402


def bare_simpy_us(events: int = 200_000) -> float:
    env = simpy.Environment()

    def proc():
        for _ in range(events):
            yield env.timeout(1)

    env.process(proc())
    t0 = time.perf_counter()
    env.run()
    return (time.perf_counter() - t0) / events * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scenario", default="espionage-tech")
    args = ap.parse_args()
    loaded = load(args.scenario)
    bare = statistics.median(bare_simpy_us() for _ in range(args.repeat))
    print(f"bare simpy timeout: {bare:.2f} us/event")
    for level in ("manual", "ai-assisted", "ai-orchestrated", "autonomous"):
        l2 = loaded.with_presets(automation=level, posture="baseline")
        compiled = compile_scenario(l2.scenario, l2.attacker, l2.posture)
        rates, per_event, events = [], [], []
        for _ in range(args.repeat):
            n_events = 0
            t0 = time.perf_counter()
            for seed in range(args.runs):
                r = Run(compiled, seed)
                r.execute()
                n_events += next(r.env._eid)  # events scheduled in this run's environment
            dt = time.perf_counter() - t0
            rates.append(args.runs / dt)
            per_event.append(dt / n_events * 1e6)
            events.append(n_events / args.runs)
        us = statistics.median(per_event)
        print(f"{level:<16} {statistics.median(rates):7.1f} runs/s/core  {1000 / statistics.median(rates):6.1f} "
              f"ms/run  {statistics.median(events):7.0f} events/run  {us:5.2f} us/event  ratio {us / bare:4.1f}x")


if __name__ == "__main__":
    main()
