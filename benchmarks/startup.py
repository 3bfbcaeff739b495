"""What users wait for: wall time of `tabletop --help`, of the TUI's first screen (headless), the fixed cost of a
comparison (`tabletop compare espionage-tech --runs 1`: imports, loading, compiling 12 cells, 12 short runs, and with
two workers their start), each in a fresh process; then a whole comparison (`tabletop compare espionage-tech --runs
200`, 12 cells, two workers), and the TUI's comparisons on its warm pool of workers (the first, and the ones after).

    .venv/bin/python benchmarks/startup.py [--repeat 7] [--runs 200]

Targets (issues): --help within 150 ms; the TUI's first screen within 1 s; a command's fixed cost (imports, pool
start) under 0.4 s; `compare --runs 200` under 3 s on 2 cores; a 12-cell x 200-run comparison in the TUI under 2 s
after the first (issue 18).
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
TUI = """
import asyncio, time
t0 = time.perf_counter()
from tui import create_app
async def main():
    app = create_app("espionage-tech", workers=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        print(time.perf_counter() - t0)
asyncio.run(main())
"""


IMPORTS = """
import time
t0 = time.perf_counter()
import simulator.cli, simulator.loader, simulator.sweep, simulator.engine, simulator.stats, simulator.tables
print(time.perf_counter() - t0)
"""


WARM = """
import sys, threading, time
from simulator import sweep
from simulator.loader import load
from tui.screens.compare import compare_params


class Settings:  # the TUI's defaults: four levels, three postures, no upgrades
    levels = ["manual", "ai-assisted", "ai-orchestrated", "autonomous"]
    postures = ["weak", "baseline", "hardened"]
    upgrades = []


def main():
    runs, repeat = int(sys.argv[1]), int(sys.argv[2])
    threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()  # a thread beside, as in the TUI
    loaded = load("espionage-tech")
    for i in range(min(repeat, 3)):  # without a kept pool: each comparison starts (and stops) its own workers
        t0 = time.perf_counter()
        sweep.collect(sweep.spec_for(loaded, compare_params(Settings), runs, 100 + i), 2, max_chunk=20)
        print("cold", time.perf_counter() - t0, flush=True)
    sweep.keep_warm(2)  # what the TUI does when it opens
    for i in range(repeat + 1):  # a new root seed each time: nothing is reused but the workers and compiled cells
        t0 = time.perf_counter()
        sweep.collect(sweep.spec_for(loaded, compare_params(Settings), runs, i), 2, max_chunk=20)
        print("warm", time.perf_counter() - t0, flush=True)
    sweep.release_warm()


if __name__ == "__main__":
    main()
"""


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--runs", type=int, default=200)
    args = ap.parse_args()
    tabletop = str(Path(sys.executable).parent / "tabletop")
    helps = [timed([tabletop, "--help"]) for _ in range(args.repeat)]
    print(f"tabletop --help: median {statistics.median(helps) * 1000:.0f} ms (target 150 ms)")
    firsts = []
    for _ in range(args.repeat):
        out = subprocess.run([sys.executable, "-c", TUI], cwd=ROOT, check=True, capture_output=True, text=True)
        firsts.append(float(out.stdout.strip().splitlines()[-1]))
    print(f"TUI first screen (imports, app, first paint, headless): median {statistics.median(firsts):.2f} s "
          "(target 1 s)")
    imports = []
    for _ in range(args.repeat):
        out = subprocess.run([sys.executable, "-c", IMPORTS], cwd=ROOT, check=True, capture_output=True, text=True)
        imports.append(float(out.stdout.strip().splitlines()[-1]))
    print(f"imports a comparison needs (cli, loader, sweep, engine, stats, tables): median "
          f"{statistics.median(imports):.2f} s")
    for workers in (1, 2):
        fixed = [timed([tabletop, "compare", "espionage-tech", "--runs", "1", "--workers", str(workers)])
                 for _ in range(args.repeat)]
        print(f"tabletop compare espionage-tech --runs 1 --workers {workers} (12 cells, one run each): median "
              f"{statistics.median(fixed):.2f} s (target for a command's fixed cost: 0.4 s)")
    whole = [timed([tabletop, "compare", "espionage-tech", "--runs", str(args.runs), "--workers", "2"])
             for _ in range(args.repeat)]
    print(f"tabletop compare espionage-tech --runs {args.runs} --workers 2 (12 cells): median "
          f"{statistics.median(whole):.2f} s (target at 200 runs: 3 s)")
    script = Path(tempfile.mkdtemp()) / "warm.py"  # a file, so the spawned workers can import the main module
    script.write_text(WARM)
    out = subprocess.run([sys.executable, str(script), str(args.runs), str(args.repeat)], cwd=ROOT, check=True,
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    lines = [line.split() for line in out.stdout.splitlines()]
    cold = [float(t) for k, t in lines if k == "cold"]
    warm = [float(t) for k, t in lines if k == "warm"]
    print(f"TUI comparison on its warm pool (12 cells x {args.runs} runs, 2 workers): first {warm[0]:.2f} s, "
          f"then median {statistics.median(warm[1:]):.2f} s (target at 200 runs: 2 s after the first); with a pool "
          f"started per comparison instead: median {statistics.median(cold):.2f} s")


if __name__ == "__main__":
    main()
