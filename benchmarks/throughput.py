"""Throughput and engine overhead on the bundled default scenario, in one process.

    .venv/bin/python benchmarks/throughput.py [--runs 200] [--repeat 3]

Prints, per automation level against `baseline`: median runs per second on one core, milliseconds per run, simulated
events per run and microseconds per event; and the same microseconds per event for bare simpy timeouts, with the
ratio (issue target: at most 3x; throughput target: at least 1,000 runs/s per core).

Simulated events are of two kinds, both counted: simpy events (every event the run's Environment scheduled) and the
benign SOC alerts the SOC brings in itself, one discrete event each, without simpy (defenses/soc.py). The columns show
both, and the ratio per simpy event alone as well, so neither count hides the other.
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
        Run(compiled, args.runs).execute()  # warm up (lazy imports), outside the timed runs
        rates, per_event, per_simpy, simpy_events, soc_events = [], [], [], [], []
        for _ in range(args.repeat):
            n_simpy = n_soc = 0
            t0 = time.perf_counter()
            for seed in range(args.runs):
                r = Run(compiled, seed)
                result = r.execute()
                n_simpy += next(r.env._eid)  # events scheduled in this run's environment
                n_soc += result.alerts_benign  # the SOC's own events: one per benign alert
            dt = time.perf_counter() - t0
            rates.append(args.runs / dt)
            per_event.append(dt / (n_simpy + n_soc) * 1e6)
            per_simpy.append(dt / n_simpy * 1e6)
            simpy_events.append(n_simpy / args.runs)
            soc_events.append(n_soc / args.runs)
        us, us_simpy = statistics.median(per_event), statistics.median(per_simpy)
        print(f"{level:<16} {statistics.median(rates):6.1f} runs/s/core {1000 / statistics.median(rates):5.2f} ms/run  "
              f"events/run {statistics.median(simpy_events):4.0f} simpy + {statistics.median(soc_events):4.0f} SOC  "
              f"{us:5.2f} us/event  ratio {us / bare:4.1f}x  (per simpy event {us_simpy:5.2f} us, "
              f"{us_simpy / bare:4.1f}x)")


if __name__ == "__main__":
    main()
