"""Where the AI share of tactical work comes from: the figures behind calibrate's 'ai-share' explanations.

    python examples/ai_share.py regional-hospital espionage-tech --runs 100

For each calibration target (a bundled scenario or generated-N), ai-orchestrated against the baseline preset, as
`tabletop calibrate` runs it: the runs that break out and those that never do, apart; in each, AI and human actions
a run before the objective and after it (a run's timeline split at its time to objective), and the people's checks
of harvested credentials (T1078) against the AI's dumps and file searches (T1003, T1552), the ratio that sets the
share in the runs that break out.
"""

from __future__ import annotations

import argparse
from collections import Counter

from simulator.calibration import load_target, presets_only
from simulator.engine import Run
from simulator.result import RunResult
from simulator.sweep import apply_cell


def _split(results: list[RunResult]) -> list[str]:
    n = len(results)
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    checks = harvests = 0
    shares = []
    for r in results:
        cut = r.time_to_objective if r.time_to_objective is not None else float("inf")
        for e in r.timeline:
            if e.actor not in ("ai", "human") or e.phase == "planning":
                continue
            (before if e.time <= cut else after)[e.actor] += 1
            checks += e.actor == "human" and e.technique == "T1078"
            harvests += e.actor == "ai" and e.technique in ("T1003", "T1552")
        if r.actions_ai + r.actions_human:
            shares.append(r.actions_ai / (r.actions_ai + r.actions_human))

    def part(c: Counter[str]) -> str:
        t = c["ai"] + c["human"]
        return f"{c['ai'] / n:.0f} AI / {c['human'] / n:.0f} human" + (f" ({c['ai'] / t:.1%} AI)" if t else "")

    ratio = f"one per {harvests / checks:.1f}" if checks else "none"
    return [f"mean share {sum(shares) / len(shares):.1%}" if shares else "no actions",
            f"before the objective {part(before)}; after it {part(after)}",
            f"checks of harvested credentials {checks / n:.1f} a run to {harvests / n:.1f} dumps and file searches "
            f"({ratio})"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("targets", nargs="+", help="bundled scenario names or generated-N (as tabletop calibrate)")
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0, help="root seed (runs are its replicates, as calibrate)")
    a = ap.parse_args(argv)
    for name in a.targets:
        loaded = apply_cell(presets_only(load_target(name)), (("automation", "ai-orchestrated"),
                                                              ("posture", "baseline")))
        results = [Run(loaded, a.seed, i).execute() for i in range(a.runs)]
        out = [r for r in results if r.breakout_time is not None]
        stuck = [r for r in results if r.breakout_time is None]
        ai = sum(r.actions_ai for r in results)
        tactical = ai + sum(r.actions_human for r in results)
        print(f"{name}, ai-orchestrated vs baseline, {a.runs} runs, seed {a.seed}: "
              + (f"{ai / tactical:.1%} AI pooled over the runs" if tactical else "no tactical actions"))
        for label, group in (("broke out", out), ("never broke out", stuck)):
            if group:
                print(f"  {label} ({len(group)}): " + "\n    ".join(_split(group)))
    return 0


if __name__ == "__main__":
    from simulator.errors import script

    raise SystemExit(script(main))
