"""Memory: peak resident memory of `tabletop sweep` (one worker, so the sweep runs in that process) at 10,000 and
100,000 runs of the tiny scenario, JSON Lines plus the CSV and Parquet derived at the end.

    .venv/bin/python benchmarks/memory.py [--sizes 10000,100000]

Rows are streamed to disk as they are made and the exports read them back in batches, so the peak should stay flat
as the number of runs grows.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    args = ap.parse_args()
    tabletop = str(Path(sys.executable).parent / "tabletop")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.sizes.split(",")):
            sweep = Path(tmp) / f"s{n}.yaml"
            sweep.write_text(f"scenario: {ROOT / 'tests' / 'data' / 'tiny.yaml'}\nreplicates: {n // 2}\nseed: 1\n"
                             "grid:\n  automation: [manual, autonomous]\n")
            out = Path(tmp) / f"o{n}.jsonl"
            t0 = time.perf_counter()
            proc = subprocess.Popen([tabletop, "sweep", str(sweep), "--out", str(out), "--workers", "1"], cwd=ROOT,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(proc.pid, 0)
            dt = time.perf_counter() - t0
            rows = sum(1 for _ in open(out))
            print(f"{n:>7} runs: peak {usage.ru_maxrss / 1024:6.0f} MiB, {dt:6.0f} s, {rows} rows, "
                  f"exit {os.waitstatus_to_exitcode(status)}", flush=True)


if __name__ == "__main__":
    main()
