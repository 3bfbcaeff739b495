"""Scale: per-run cost on generated organisations of 100, 1,000 and 10,000 hosts (scenario build timed apart).

    .venv/bin/python benchmarks/scale.py [--runs 30] [--repeat 3] [--sizes 100,1000,10000]

The scenario is built once per size (graph, reachability); then runs of the ai-orchestrated attacker against
`baseline` are timed. Target (issue 7): a 10,000-host run within 10x the cost of a 100-host run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulator.build import compile_scenario  # noqa: E402
from simulator.engine import run  # noqa: E402
from simulator.generate import generate, to_yaml  # noqa: E402
from simulator.loader import load  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sizes", default="100,1000,10000")
    args = ap.parse_args()
    base = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.sizes.split(",")):
            path = Path(tmp) / f"g{n}.yaml"
            path.write_text(to_yaml(generate(n, 4, 0), n, 4, 0))
            loaded = load(path)
            t0 = time.perf_counter()
            compiled = compile_scenario(loaded.scenario, loaded.attacker, loaded.posture)
            build = time.perf_counter() - t0
            per_run = []
            hosts = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                results = [run(compiled, s) for s in range(args.runs)]
                per_run.append((time.perf_counter() - t0) / args.runs)
                hosts.append(sum(r.hosts_compromised for r in results) / args.runs)
            med = statistics.median(per_run)
            base = base or med
            print(f"{n:>6} hosts: build {build * 1000:7.1f} ms once; {med * 1000:7.1f} ms per run "
                  f"({med / base:4.1f}x the smallest); {statistics.median(hosts):.1f} hosts compromised per run")


if __name__ == "__main__":
    main()
