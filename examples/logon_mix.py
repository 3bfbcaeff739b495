"""What the attacker's lateral logons were: successful logons with credentials (T1021) by service, the account's kind
and the target's OS, before the objective and in all, and how many of them gave a shell, a session or a share read.

    python examples/logon_mix.py espionage-tech --runs 20

ai-orchestrated against the baseline preset, as `tabletop calibrate` runs a target (bundled scenario or generated-N),
root seed 0. A user's or service account's logon over smb reads the host's file shares only (``services.share_only``),
and one over winrm is refused (``services.admin_only``); before the seventh December 5 session both were shells.
"""

from __future__ import annotations

import argparse
from collections import Counter

from simulator.calibration import load_target, presets_only
from simulator.engine import Run
from simulator.sweep import apply_cell


def mix(name: str, runs: int, automation: str = "ai-orchestrated", seed: int = 0) -> tuple[Counter, Counter, Counter]:
    """(all logons, logons before the objective, what they gave) over ``runs`` replicates."""
    loaded = apply_cell(presets_only(load_target(name)), (("automation", automation), ("posture", "baseline")))
    every: Counter = Counter()
    before: Counter = Counter()
    gave: Counter = Counter()
    for i in range(runs):
        r = Run(loaded, seed, i)
        real = r.act

        def spy(phase, technique, effort, r=r, real=real, **kw):
            a = yield from real(phase, technique, effort, **kw)
            acct = kw.get("account")
            if technique == "T1021" and a is not None and a.success and acct is not None and not a.false_finding:
                key = (kw.get("service"), r.net.accounts[acct].kind, r.net.hosts[kw["host"]].os)
                every[key] += 1
                if r.t_objective is None:
                    before[key] += 1
                r.env.process(after(r, kw["host"]))
            return a

        def after(r, host):
            yield r.env.timeout(0)  # (the move's gain follows its action in the same instant)
            gave["share read" if host in getattr(r, "shares", ()) else "session" if host in r.sessions
                 else "shell" if host in r.owned else "lost at once"] += 1

        r.act = spy
        r.execute()
    return every, before, gave


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("targets", nargs="+", help="bundled scenario names or generated-N (as tabletop calibrate)")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--automation", default="ai-orchestrated")
    a = ap.parse_args(argv)
    for name in a.targets:
        every, before, gave = mix(name, a.runs, a.automation)
        print(f"{name}: {a.automation} vs baseline, {a.runs} runs: {sum(before.values())} logons before the objective, "
              f"{sum(every.values())} in all; they gave: "
              + ", ".join(f"{k} {v}" for k, v in sorted(gave.items(), key=lambda x: -x[1])))
        print(f"  {'service':8} {'account':8} {'target os':10} {'before':>7} {'all':>7}")
        for key, n in sorted(every.items(), key=lambda x: (-before[x[0]], -x[1])):
            print(f"  {key[0]:8} {key[1]:8} {key[2]:10} {before[key]:7} {n:7}")
    return 0


if __name__ == "__main__":
    from simulator.errors import script

    raise SystemExit(script(main))
