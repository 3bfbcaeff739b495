"""Sweep scaling: wall time of the same sweep on 1 worker and on N workers, in one process, and their ratio.

    .venv/bin/python benchmarks/sweep_scaling.py [--runs 10000] [--workers 2] [--repeat 1]

The sweep is the bundled default scenario at the four automation levels against `baseline`, runs/4 replicates each.
Prints the median wall time per worker count and the speed-up; the rows written by both are checked identical.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulator.loader import load  # noqa: E402
from simulator.sweep import run_sweep, spec_for  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--scenario", default="espionage-tech")
    args = ap.parse_args()
    loaded = load(args.scenario)
    levels = ["manual", "ai-assisted", "ai-orchestrated", "autonomous"]
    spec = spec_for(loaded, [(("automation", a), ("posture", "baseline")) for a in levels], args.runs // 4, 0)
    times: dict[int, list[float]] = {1: [], args.workers: []}
    outputs: dict[int, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(args.repeat):
            for w in (1, args.workers):
                out = Path(tmp) / f"w{w}-{rep}.jsonl"
                t0 = time.perf_counter()
                run_sweep(spec, out, workers=w)
                times[w].append(time.perf_counter() - t0)
                outputs[w] = out.read_bytes()
                print(f"  {spec.total} runs on {w} worker(s): {times[w][-1]:.1f} s", flush=True)
    one, many = statistics.median(times[1]), statistics.median(times[args.workers])
    same = outputs[1] == outputs[args.workers]
    print(f"sweep of {spec.total} runs ({args.scenario}): 1 worker {one:.1f} s, {args.workers} workers {many:.1f} s, "
          f"speed-up {one / many:.2f}x; rows identical: {same}")


if __name__ == "__main__":
    main()
