"""This working tree against an earlier commit, side by side in one run: cost per run and per attacker action in
every cell of espionage-tech, and whether every result is byte-identical (issue 18: every speed-up must be exact).

    .venv/bin/python benchmarks/versus.py [--against COMMIT] [--runs 30] [--repeat 3] [--check 4]
    .venv/bin/python benchmarks/versus.py --instructions [--cells manual/baseline,...] [--runs 10]
    .venv/bin/python benchmarks/versus.py --differ 60 [--against COMMIT]

The commit is unpacked with `git archive` into a temporary folder and imported from there (pure Python: a compiled
kernel is only built by an install); this tree runs as installed (with the SOC's kernel when it is built). Repeats
are interleaved (then, now, then, now, ...) and each figure is the median over the repeats, CPU time. The check runs
``--check`` seeds of every cell on every bundled scenario on both sides and compares the full results (timeline and
log included), byte for byte.

``--instructions`` counts instructions instead of time, with valgrind's callgrind (which the machine's load does not
move): each side runs the chosen cells ``--runs`` times and once with no runs, and the difference per run is
reported (imports, loading and compiling cancel out; hash seed fixed and no bytecode written, so the two
invocations differ only by the runs: use enough runs that they dwarf the few million instructions an import can
still vary by).

``--differ N`` counts what a model change moved: seeds 0..N-1 of every cell (four levels x three postures) on every
bundled scenario, the scenarios in ``examples/scenarios`` and ``generated-50`` and ``generated-200``, on both sides,
and prints per scenario how many runs' results differ (the outputs both trees have, without the log, whose words may
change).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MEASURE = r"""
import hashlib, json, sys, time
root, runs, check = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sys.path.insert(0, root)
from simulator.build import compile_scenario
from simulator.engine import Run
from simulator.loader import bundled_names, load
import simulator.engine
assert simulator.engine.__file__.startswith(root), simulator.engine.__file__
LEVELS = ("manual", "ai-assisted", "ai-orchestrated", "autonomous")
POSTURES = ("weak", "baseline", "hardened")
def cells(name):
    loaded = load(name)
    for po in POSTURES:
        for lv in LEVELS:
            x = loaded.with_presets(automation=lv, posture=po)
            yield f"{lv}/{po}", compile_scenario(loaded.scenario, x.attacker, x.posture)
out = {"cells": {}, "hash": None}
for key, c in cells("espionage-tech"):
    Run(c, 999).execute()  # warm up
    actions, t0 = 0, time.process_time()
    for seed in range(runs):
        actions += len(Run(c, seed).execute().timeline)
    dt = time.process_time() - t0
    out["cells"][key] = [dt / runs * 1e3, dt / max(actions, 1) * 1e6]
if check:
    h = hashlib.sha256()
    for name in bundled_names():
        for key, c in cells(name):
            for seed in range(check):
                h.update(Run(c, seed).execute().to_json(indent=None).encode())
    out["hash"] = h.hexdigest()
print(json.dumps(out))
"""


COUNT = r"""
import os, subprocess, sys
root, runs, cells = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
sys.path.insert(0, root)
from simulator.build import compile_scenario
from simulator.engine import Run
from simulator.loader import load
import simulator.engine
assert simulator.engine.__file__.startswith(root), simulator.engine.__file__
loaded = load("espionage-tech")
for cell in cells:
    level, posture = cell.split("/")
    x = loaded.with_presets(automation=level, posture=posture)
    c = compile_scenario(loaded.scenario, x.attacker, x.posture)
    Run(c, 999).execute()  # warm up, not counted
    subprocess.run(["callgrind_control", "--instr=on", str(os.getpid())], check=True, capture_output=True)
    for seed in range(runs):
        Run(c, seed).execute()
    subprocess.run(["callgrind_control", "--instr=off", str(os.getpid())], check=True, capture_output=True)
"""


DIFFER = r"""
import hashlib, json, sys
from pathlib import Path
root, seeds, names, keep = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(","), set(sys.argv[4].split(","))
sys.path.insert(0, root)
from simulator.build import compile_scenario
from simulator.calibration import load_target
from simulator.engine import Run
import simulator.engine
assert simulator.engine.__file__.startswith(root), simulator.engine.__file__
out = {}
for name in names:
    loaded = load_target(name)
    rows = out[Path(name).stem] = []
    for po in ("weak", "baseline", "hardened"):
        for lv in ("manual", "ai-assisted", "ai-orchestrated", "autonomous"):
            x = loaded.with_presets(automation=lv, posture=po)
            c = compile_scenario(loaded.scenario, x.attacker, x.posture)
            for seed in range(seeds):
                d = Run(c, seed).execute().to_dict()
                d = {k: v for k, v in d.items() if k in keep}
                rows.append(hashlib.sha256(json.dumps(d).encode()).hexdigest()[:16])
print(json.dumps(out))
"""


def differ_main(args: argparse.Namespace, sides: dict[str, Path], tmp: Path) -> None:
    names = ["espionage-tech", "regional-hospital", "regional-manufacturer", "small-business"]
    names += [str(p.relative_to(ROOT)) for p in sorted((ROOT / "examples" / "scenarios").glob("*.yaml"))
              if (sides["then"] / p.relative_to(ROOT)).exists()]
    names += ["generated-50", "generated-200"]
    script = tmp / "differ.py"
    script.write_text(DIFFER)
    fields = []
    for root in sides.values():  # the outputs both trees have (a new output is not a change in behaviour)
        done = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import dataclasses; "
                               "from simulator.result import RunResult; "
                               "print(','.join(f.name for f in dataclasses.fields(RunResult)))", str(root)],
                              capture_output=True, text=True, cwd=root)
        if done.returncode != 0:
            raise SystemExit(f"versus.py: reading the outputs in {root} failed:\n{done.stderr[-2000:]}")
        fields.append(set(done.stdout.strip().split(",")))
    keep = ",".join(sorted((fields[0] & fields[1]) - {"log"}))
    got = {}
    for side, root in sides.items():
        done = subprocess.run([sys.executable, str(script), str(root), str(args.differ), ",".join(names), keep],
                              capture_output=True, text=True, cwd=root)
        if done.returncode != 0:
            raise SystemExit(f"versus.py: the runs in {root} failed:\n{done.stderr[-2000:]}")
        got[side] = json.loads(done.stdout)
    print(f"{args.against} ('then') against this tree ('now'): results that differ (the outputs both trees have, "
          f"without the log), seeds "
          f"0-{args.differ - 1} of 12 cells per scenario")
    total = moved = 0
    for name, then in got["then"].items():
        now = got["now"][name]
        k = sum(a != b for a, b in zip(then, now, strict=True))
        total, moved = total + len(now), moved + k
        print(f"{name:28}{k:>6} of {len(now)}")
    print(f"{'all':28}{moved:>6} of {total}")


def instructions(root: Path, runs: int, cell: str, script: Path, tmp: Path) -> int:
    """Instructions callgrind counts for ``runs`` runs of ``cell`` in the tree at ``root``."""
    out = tmp / f"callgrind.{abs(hash((str(root), runs, cell)))}"
    done = subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                           sys.executable, str(script),
                           str(root), str(runs), cell], capture_output=True, text=True, cwd=root,
                          env={**os.environ, "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"})
    if done.returncode != 0:
        raise SystemExit(f"versus.py: callgrind in {root} failed:\n{done.stderr[-2000:]}")
    for line in out.read_text().splitlines():
        if line.startswith("totals:"):  # (with instrumentation switched on late, 'summary:' reads 0)
            return int(line.split()[1])
    raise SystemExit(f"versus.py: no totals in {out}")


def count_main(args: argparse.Namespace, sides: dict[str, Path], tmp: Path) -> None:
    if shutil.which("valgrind") is None:
        raise SystemExit("versus.py: --instructions needs valgrind (Debian: apt-get install valgrind)")
    script = tmp / "count.py"
    script.write_text(COUNT)
    print(f"{args.against} ('then') against this tree ('now'), espionage-tech, instructions per run (callgrind, "
          f"{args.runs} runs a cell less none)")
    print(f"{'cell':28}{'then':>14}{'now':>14}{'now/then':>10}")
    for cell in args.cells.split(","):
        per = {side: (instructions(root, args.runs, cell, script, tmp) - instructions(root, 0, cell, script, tmp))
               / args.runs for side, root in sides.items()}
        print(f"{cell:28}{per['then'] / 1e6:>13.1f}M{per['now'] / 1e6:>13.1f}M{per['now'] / per['then']:>10.2f}")


def measure(root: Path, runs: int, check: int, script: Path) -> dict:
    done = subprocess.run([sys.executable, str(script), str(root), str(runs), str(check)], capture_output=True,
                          text=True, cwd=root)
    if done.returncode != 0:
        raise SystemExit(f"versus.py: the run in {root} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", default="a96a2ee", help="the earlier commit (default: the start of issue 18's work)")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--check", type=int, default=4, help="seeds per cell compared byte for byte (0: none)")
    ap.add_argument("--differ", type=int, default=0, metavar="N",
                    help="count runs whose results differ, seeds 0..N-1 of every cell on every scenario")
    ap.add_argument("--instructions", action="store_true", help="count instructions (callgrind) instead of time")
    ap.add_argument("--cells", default="manual/baseline,manual/weak,ai-orchestrated/baseline",
                    help="cells for --instructions, LEVEL/POSTURE, comma-separated")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        then = Path(tmp) / "then"
        then.mkdir()
        archive = subprocess.run(["git", "archive", args.against], cwd=ROOT, capture_output=True)
        if archive.returncode != 0:
            raise SystemExit(f"versus.py: git archive {args.against}: {archive.stderr.decode().strip()}")
        subprocess.run(["tar", "-x", "-C", str(then)], input=archive.stdout, check=True)
        if args.differ:
            differ_main(args, {"then": then, "now": ROOT}, Path(tmp))
            return
        if args.instructions:
            count_main(args, {"then": then, "now": ROOT}, Path(tmp))
            return
        script = Path(tmp) / "measure.py"
        script.write_text(MEASURE)
        sides = {"then": then, "now": ROOT}
        got: dict[str, list[dict]] = {k: [] for k in sides}
        for i in range(args.repeat):
            for side, root in sides.items():
                got[side].append(measure(root, args.runs, args.check if i == 0 else 0, script))
    print(f"{args.against} ('then') against this tree ('now'), espionage-tech, {args.runs} runs a cell, median of "
          f"{args.repeat} interleaved repeats, CPU time")
    print(f"{'cell':28}{'then ms/run':>12}{'now ms/run':>12}{'now/then':>10}{'then us/action':>16}"
          f"{'now us/action':>15}")
    ratios = []
    for cell in got["now"][0]["cells"]:
        t = [statistics.median(g["cells"][cell][k] for g in got["then"]) for k in (0, 1)]
        n = [statistics.median(g["cells"][cell][k] for g in got["now"]) for k in (0, 1)]
        ratios.append(n[0] / t[0])
        print(f"{cell:28}{t[0]:>12.2f}{n[0]:>12.2f}{n[0] / t[0]:>10.2f}{t[1]:>16.1f}{n[1]:>15.1f}")
    print(f"median now/then per run: {statistics.median(ratios):.2f} (lowest {min(ratios):.2f}, highest "
          f"{max(ratios):.2f})")
    if args.check:
        same = got["then"][0]["hash"] == got["now"][0]["hash"]
        print(f"results of {args.check} seeds x 12 cells x every bundled scenario byte-identical: {same}")
        if not same:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
