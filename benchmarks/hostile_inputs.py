"""Hostile and large inputs: wall time and peak memory of every case of tests/test_hostile_corpus.py (each command on
each hostile file, exit 2 expected) and of `tabletop validate` on large files (a 100,000-host scenario, and with
1,000 accounts that log on to the whole group, refused; the most hosts entries the node cap lets through; 200 zones,
and 1,003 zones, refused).

    .venv/bin/python benchmarks/hostile_inputs.py [--repeat 1] [--all] [--only SUBSTRING]

Each case runs in its own process (`python -m simulator.cli ...`, so a process start is included); the time is the
median of the repeats, the memory the largest peak resident set (getrusage of the child). Prints the slowest cases,
the peak memory over all, and any case past the issue's bounds (5 s, 1 GiB) or with an unexpected exit code.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_hostile_corpus import CASES, make_good  # noqa: E402

LIMIT_S = 5.0
LIMIT_MIB = 1024
TINY = (ROOT / "tests" / "data" / "tiny.yaml").read_text(encoding="utf-8")


def _big(hosts: int = 100_000, accounts: int = 0) -> str:
    text = TINY.replace("    count: 3\n", f"    count: {hosts - 2}\n")
    extra = "".join(f"  - {{id: admin-{i}, kind: admin, logon: [ws, db-01], tier_zones: [corp]}}\n"
                    for i in range(accounts))
    return text.replace("accounts:\n", "accounts:\n" + extra)


def _entries(n: int) -> str:
    """``n`` more single-host entries (28,000 is about the most the 200,000-node cap lets through)."""
    return TINY.replace("hosts:\n", "hosts:\n" + "".join(f"  - {{id: h{i}, zone: corp, role: ws}}\n"
                                                         for i in range(n)))


def _zones(n: int) -> str:
    return TINY.replace("zones:\n", "zones:\n" + "".join(f"  - {{id: z{i}}}\n" for i in range(n)))


LARGE: dict[str, Callable[[], str]] = {
    "valid tiny scenario (reference)": lambda: TINY,
    "100,000 hosts (one group)": _big,
    "100,000 hosts, 1,000 accounts on them (refused)": lambda: _big(accounts=1000),
    "100,001 hosts (refused)": lambda: _big(100_001),
    "28,000 host entries": lambda: _entries(28_000),
    "200 zones": lambda: _zones(197),
    "1,003 zones (refused)": lambda: _zones(1000),
}
"""Large files for `validate`: name -> text (exit 0 expected, 2 for the refused ones)."""


def measure(argv: list[str], cwd: Path) -> tuple[float, int, int]:
    """(wall seconds, peak MiB, exit code) of ``tabletop ARGV`` in its own process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "simulator.cli", *argv], cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    _, status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - t0, usage.ru_maxrss // 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1, help="runs per case (the median time is kept)")
    ap.add_argument("--all", action="store_true", help="print every case, not only the slowest")
    ap.add_argument("--only", default="", help="only cases whose name contains this")
    args = ap.parse_args()
    large: list[tuple[str, float, int, int, int]] = []  # name, median s, peak MiB, exit code, expected code
    hostile: list[tuple[str, float, int, int, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        (base / "good").mkdir()
        good = make_good(base / "good")
        for i, (name, text) in enumerate(LARGE.items()):
            if args.only not in name:
                continue
            p = base / f"large-{i}.yaml"
            p.write_text(text(), encoding="utf-8")
            runs = [measure(["validate", str(p)], ROOT) for _ in range(args.repeat)]
            large.append((f"validate: {name}", statistics.median(r[0] for r in runs), max(r[1] for r in runs),
                         runs[0][2], 2 if "refused" in name else 0))
        for n, (name, make) in enumerate(sorted(CASES.items())):
            if args.only not in name:
                continue
            runs = []
            for k in range(args.repeat):
                d = base / f"case-{n}-{k}"
                d.mkdir()
                runs.append(measure(make(d, good), d))
            hostile.append((name, statistics.median(r[0] for r in runs), max(r[1] for r in runs), runs[0][2], 2))
    rows = large + hostile
    if not rows:
        sys.exit("no case matches --only")
    shown = rows if args.all else large + sorted(hostile, key=lambda r: -r[1])[:10]
    width = max(len(r[0]) for r in shown)
    print(f"{'case':<{width}} {'median s':>9} {'peak MiB':>9} {'exit':>5}")
    for name, sec, mib, code, _ in shown:
        print(f"{name:<{width}} {sec:9.2f} {mib:9d} {code:5d}")
    slow = max(rows, key=lambda r: r[1])
    big = max(rows, key=lambda r: r[2])
    print(f"\n{len(rows)} cases ({len(hostile)} of the hostile corpus), repeat {args.repeat}")
    print(f"slowest median: {slow[1]:.2f} s ({slow[0]}); median of all: {statistics.median(r[1] for r in rows):.2f} s")
    if hostile:
        worst = max(hostile, key=lambda r: r[1])
        print(f"slowest hostile case: {worst[1]:.2f} s ({worst[0]}), peak {max(r[2] for r in hostile)} MiB")
    print(f"peak memory: {big[2]} MiB ({big[0]})")
    bad = [r for r in rows if r[1] >= LIMIT_S or r[2] >= LIMIT_MIB or r[3] != r[4]]
    for name, sec, mib, code, want in bad:
        print(f"PAST A BOUND: {name}: {sec:.2f} s, {mib} MiB, exit {code} (expected {want})")
    if not bad:
        print(f"every case under {LIMIT_S:g} s and {LIMIT_MIB} MiB with the expected exit code")


if __name__ == "__main__":
    main()
