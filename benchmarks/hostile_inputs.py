"""Hostile inputs: wall time and peak memory of `tabletop validate` on each hostile file of tests/test_hostile.py.

    .venv/bin/python benchmarks/hostile_inputs.py [--repeat 3]

Each case runs in its own process; prints the median wall time and the peak resident memory, and the exit code
(2 expected). Target: each within a second (process start included) and bounded memory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_hostile import hostile_cases  # noqa: E402


def measure(path: Path) -> tuple[float, int, int]:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "simulator.cli", "validate", str(path)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    return elapsed, usage.ru_maxrss // 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        baseline = Path(tmp) / "ok.yaml"
        baseline.write_text((ROOT / "tests" / "data" / "tiny.yaml").read_text())
        rows = [("valid tiny scenario (reference)", baseline)]
        for name, (content, _) in hostile_cases().items():
            p = Path(tmp) / f"{name.replace(' ', '-')}.yaml"
            p.write_bytes(content)
            rows.append((name, p))
        print(f"{'case':<34} {'median s':>9} {'peak MiB':>9} {'exit':>5}")
        worst = 0.0
        for name, p in rows:
            runs = [measure(p) for _ in range(args.repeat)]
            med = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            worst = max(worst, med)
            print(f"{name:<34} {med:9.2f} {peak:9d} {runs[0][2]:5d}")
        print(f"slowest median: {worst:.2f} s")


if __name__ == "__main__":
    main()
