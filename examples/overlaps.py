"""Actions onto one host that overlap in time: the counts behind the README's "one move onto a host at a time".

    python examples/overlaps.py espionage-tech regional-hospital --runs 20

Per scenario (ai-orchestrated against baseline, root seed 0, replicates 0..N-1), per run on average: lateral moves
(not hallucinated ones, not an operator's redo) and how many began while another move onto the same host was under
way (a failed AI step handed to the operators to redo by hand is no longer under way); privilege escalations, and
credential dumps (T1003, T1552), and how many overlapped another of their kind on the same host; local logons with
an admin account that upgraded a host held with user rights (T1078); hosts encrypted. It wraps the engine's action
(``Acting.act``) to watch, and changes nothing the runs do; run it at an earlier commit (``PYTHONPATH=...``) to
compare.
"""

from __future__ import annotations

import argparse
from collections import Counter

from simulator.attack.actions import Acting
from simulator.engine import Run
from simulator.loader import load
from simulator.sweep import apply_cell


def count(scenario: str, runs: int) -> Counter[str]:
    act = Acting.act
    stats: Counter[str] = Counter()
    under_way: Counter[tuple[str, int]] = Counter()
    counting: dict[object, tuple[str, int]] = {}  # process -> (kind, host) its counted action is under way on

    def watched(self, phase, technique, effort, **kw):
        h = kw.get("host")
        proc = self.env.active_process
        if kw.get("redo") and proc in counting:  # a failed AI step handed to the operators: no longer under way
            under_way[counting.pop(proc)] -= 1
        kind = {"lateral-movement": "moves", "privilege-escalation": "escalations"}.get(phase)
        if phase == "credential-access" and technique in ("T1003", "T1552"):
            kind = "dumps"
        if kind is None or kw.get("fake") or kw.get("redo"):
            return (yield from act(self, phase, technique, effort, **kw))
        stats[kind] += 1
        if under_way[kind, h]:
            stats[kind + " overlapping"] += 1
        under_way[kind, h] += 1
        counting[proc] = (kind, h)
        a = yield from act(self, phase, technique, effort, **kw)
        if counting.get(proc) == (kind, h):
            under_way[kind, h] -= 1
            del counting[proc]
        if kind == "escalations" and technique == "T1078" and a is not None and a.success:
            stats["admin-account upgrades"] += 1
        return a

    Acting.act = watched
    try:
        c = apply_cell(load(scenario), (("automation", "ai-orchestrated"), ("posture", "baseline")))
        for i in range(runs):
            under_way.clear()
            counting.clear()
            stats["hosts encrypted"] += Run(c, 0, i).execute().hosts_encrypted
    finally:
        Acting.act = act
    return stats


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenarios", nargs="+")
    ap.add_argument("--runs", type=int, default=20)
    a = ap.parse_args(argv)
    for name in a.scenarios:
        s = count(name, a.runs)
        per = {k: s[k] / a.runs for k in s}
        print(f"{name}, ai-orchestrated vs baseline, {a.runs} runs, a run: {per.get('moves', 0):.0f} moves "
              f"({per.get('moves overlapping', 0):.0f} begun while another onto the host was under way), "
              f"{per.get('escalations', 0):.0f} escalations ({per.get('escalations overlapping', 0):.0f} overlapping), "
              f"{per.get('dumps', 0):.0f} credential dumps ({per.get('dumps overlapping', 0):.0f} overlapping), "
              f"{per.get('admin-account upgrades', 0):.1f} admin-account upgrades, "
              f"{per.get('hosts encrypted', 0):.1f} hosts encrypted")


if __name__ == "__main__":
    from simulator.errors import script

    raise SystemExit(script(main))
