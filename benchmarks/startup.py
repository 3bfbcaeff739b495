"""Start-up: wall time of `tabletop --help`, of the TUI's first screen (headless), and the fixed cost of a comparison
(`tabletop compare espionage-tech --runs 1`: imports, loading, compiling 12 cells, 12 short runs, and with two
workers their start), each in a fresh process.

    .venv/bin/python benchmarks/startup.py [--repeat 7]

Targets (issues): --help within 150 ms; the TUI's first screen within 1 s; a command's fixed cost (imports, pool
start) under 0.4 s (issue 18).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
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


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
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


if __name__ == "__main__":
    main()
