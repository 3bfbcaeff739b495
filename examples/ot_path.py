"""How far an orchestrated crew gets along tiny-plant's path to the line: the figures behind the README's OT paragraph.

    python examples/ot_path.py --runs 200

Per posture (ai-orchestrated, root seed 0, replicates 0..N-1): runs that get in, that hold the engineering
workstation (eng-01, where the OT engineer's account is cached), that get onto the jump host (ot-jump-01), in which MFA
refused a logon to the jump host, that stop the line, and the median hours from getting in to the stopped line.
"""

from __future__ import annotations

import argparse
import statistics

from simulator.engine import Run
from simulator.loader import load
from simulator.sweep import apply_cell

HELD = ("lateral-movement", "initial-access", "privilege-escalation")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--postures", default="baseline,weak,hardened")
    a = ap.parse_args(argv)
    loaded = load("examples/scenarios/tiny-plant.yaml")
    for posture in a.postures.split(","):
        c = apply_cell(loaded, (("automation", "ai-orchestrated"), ("posture", posture)))
        got_in = eng = jump = mfa = stopped = 0
        hours = []
        for i in range(a.runs):
            r = Run(c, 0, i).execute()
            if r.time_to_initial_access is None:
                continue
            got_in += 1
            held = {e.host for e in r.timeline if e.success and e.phase in HELD}
            eng += "eng-01" in held
            jump += "ot-jump-01" in held
            mfa += any(e.host == "ot-jump-01" and e.blocked == "mfa" for e in r.timeline)
            if r.outcome == "objective_met":
                stopped += 1
                hours.append((r.time_to_objective - r.time_to_initial_access) / 60)
        median = f"{statistics.median(hours):.0f} h" if hours else "-"
        print(f"{posture}: {got_in} of {a.runs} get in, {eng} hold eng-01, {jump} get onto ot-jump-01 (MFA refused a "
              f"logon there in {mfa}), {stopped} stop the line, a median {median} after getting in")


if __name__ == "__main__":
    from simulator.errors import script

    raise SystemExit(script(main))
