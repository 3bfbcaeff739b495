"""Does any single-control upgrade raise attacker success? Each control upgraded alone, paired on common seeds.

    python examples/upgrades.py espionage-tech --runs 1000

From the base posture (``--base``, default baseline) against the attacker (``--automation``, default
ai-orchestrated), each control is set to its ``--upgrade`` preset's setting (default hardened) alone; the paired
difference in attacker success (points, 95% interval) is printed per control, and the script exits 1 if any upgrade
raises attacker success beyond noise (the interval's low end above zero).
"""

from __future__ import annotations

import argparse

from defenses.posture import CONTROL_NAMES
from simulator.engine import Run
from simulator.loader import load, preset_data
from simulator.stats import paired_difference
from simulator.sweep import apply_cell


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--automation", default="ai-orchestrated")
    ap.add_argument("--base", default="baseline")
    ap.add_argument("--upgrade", default="hardened")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    loaded = load(a.scenario)
    upgraded = preset_data("posture", a.upgrade)
    cell = (("automation", a.automation), ("posture", a.base))

    def success(params) -> list[float]:
        c = apply_cell(loaded, params)
        return [float(Run(c, a.seed, i).execute().outcome == "objective_met") for i in range(a.runs)]

    base = success(cell)
    print(f"{a.scenario}: {a.automation} vs {a.base}, {a.runs} common seeds: attacker success "
          f"{sum(base) / a.runs:.0%}; each control upgraded alone to {a.upgrade}:")
    worse = []
    for control in CONTROL_NAMES:
        d = paired_difference(base, success(cell + ((f"posture.{control}", upgraded[control]),)))
        print(f"  {control:18} {d.mean * 100:+6.1f} points [{d.low * 100:+.1f}, {d.high * 100:+.1f}]")
        if d.low > 0:
            worse.append(control)
    print("no upgrade raised attacker success beyond noise" if not worse else
          f"raised attacker success beyond noise: {', '.join(worse)}")
    return 1 if worse else 0


if __name__ == "__main__":
    from simulator.errors import script

    raise SystemExit(script(main))
