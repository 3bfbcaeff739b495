"""Why a cell comes out as it does: the mechanism figures behind the README's explanations, from engine runs.

    python examples/mechanisms.py espionage-tech --posture hardened --runs 100

For each automation level against the posture, over the same seeds: the share of runs kept out at the perimeter and
how the initial-access attempts ended, how soon the crew got in (runs in within 12 hours, the median time to initial
access), false findings acted on and caught, the time from initial access to the objective, hosts held once in, dwell
(Kaplan-Meier median), time from initial access to the first containment, why runs ended, the runs where a warning
from outside was escalated, and what the response cost
(isolations, clean ones apart, host-hours, egress-blocked hours, infrastructure blocks, re-entries); where the
network has a domain controller, the runs with a DCSync, the logons refused after a password reset and the runs
whose encryptor a held domain controller pushed by Group Policy, and the golden tickets: the runs where a forged
ticket got past a reset, and the response's krbtgt resets.
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter

from simulator.engine import Run
from simulator.loader import load
from simulator.stats import dwell_estimate
from simulator.sweep import apply_cell
from simulator.units import duration


def cell(scenario: str, level: str, posture: str, runs: int, seed: int) -> list[str]:
    """The mechanism lines of one cell."""
    c = apply_cell(load(scenario), (("automation", level), ("posture", posture)))
    results = [Run(c, seed, i).execute() for i in range(runs)]
    attempts: Counter[str] = Counter()
    ends: Counter[str] = Counter()
    for r in results:
        ends[r.end_reason] += 1
        for e in r.timeline:
            if e.phase == "initial-access":
                attempts[e.blocked or ("succeeded" if e.success else "failed")] += 1
    inside = [r for r in results if r.time_to_initial_access is not None]
    to_obj = [r.time_to_objective - r.time_to_initial_access for r in inside if r.time_to_objective is not None]
    to_contain = [r.time_to_containment - r.time_to_initial_access for r in inside if r.time_to_containment]
    dwell = dwell_estimate([r.row() for r in results])
    n = len(results)

    def mean(name: str) -> float:
        return sum(getattr(r, name) for r in results) / n

    def warned(text: str) -> int:
        return sum(any(e.kind == "escalation" and text in e.detail for e in r.log) for r in results)

    def contained_first(r) -> bool:
        return r.time_to_containment is not None and (r.time_to_objective is None
                                                      or r.time_to_containment < r.time_to_objective)

    def before(r, kind: str, text: str = "") -> bool:
        """A log event of ``kind`` (its detail holding ``text``) after initial access and before the objective."""
        start = r.time_to_initial_access
        cut = r.time_to_objective if r.time_to_objective is not None else float("inf")
        return start is not None and any(e.kind == kind and text in e.detail and start <= e.time < cut
                                         for e in r.log)

    success = sum(r.outcome == "objective_met" for r in results) / n
    syncs = [[e for e in r.log if e.kind == "dcsync"] for r in results]
    synced = [x for x in syncs if x]
    refused = sum(1 for r in results for e in r.timeline if e.blocked == "reset") / n
    pushed = sum(any(e.technique == "T1484.001" and e.success for e in r.timeline) for r in results)
    dc_line = [
        (f"  domain controllers: a DCSync in {len(synced)} of {n} runs ({sum(map(len, synced)) / len(synced):.1f} a "
         f"run there, {sum(1 for x in synced for e in x if '(from ' in e.detail)} from a host other than a domain "
         "controller)" if synced else "  domain controllers: no DCSync")
        + f"; logons refused after a password reset {refused:.1f} a run"
        + (f"; the encryptor pushed by Group Policy in {pushed} runs" if pushed else ""),
        f"  golden tickets: forged logons past a reset in {sum(r.forged_logons > 0 for r in results)} runs "
        f"({mean('forged_logons'):.1f} a run); krbtgt reset {mean('krbtgt_resets'):.1f} times a run "
        f"(twice or more in {sum(r.krbtgt_resets >= 2 for r in results)} runs)",
    ] if any(h.role == "domain-controller" for h in c.net.hosts) else []
    return [
        f"{level} vs {posture}, {n} runs: attacker success {success:.0%}",
        f"  kept out at the perimeter: {1 - len(inside) / n:.0%} of runs; initial-access attempts: "
        + ", ".join(f"{k} {v}" for k, v in attempts.most_common()),
        f"  getting in: within 12 h in {sum(r.time_to_initial_access <= 720 for r in inside)} of {n} runs, median "
        f"{duration(statistics.median(r.time_to_initial_access for r in inside)) if inside else '-'}; false findings "
        f"acted on {mean('false_findings_acted'):.1f} a run, caught {mean('false_findings_caught'):.1f}; initial "
        f"access to objective {duration(statistics.median(to_obj)) if to_obj else '-'} (median of {len(to_obj)})",
        f"  once in: {statistics.mean(r.hosts_compromised for r in inside) if inside else 0:.1f} hosts compromised "
        f"on average; dwell (Kaplan-Meier median) {duration(dwell.value)}; initial access to first containment "
        f"{duration(statistics.median(to_contain)) if to_contain else '-'} (median of {len(to_contain)})",
        "  runs ended: " + ", ".join(f"{k} {v}" for k, v in ends.most_common()),
        f"  warnings from outside escalated (no evidence of a foothold): in {warned(' from outside escalated')} of "
        f"{n} runs, the mail gateway's (a caught phishing campaign) in {warned('mail alert')}",
        f"  response per run: {mean('hosts_isolated'):.1f} isolations ({mean('clean_hosts_isolated'):.1f} clean), "
        f"{mean('isolated_host_hours'):.0f} host-hours isolated, egress blocked {mean('egress_blocked_hours'):.1f} h, "
        f"{mean('credentials_reset'):.1f} credentials reset, {mean('infrastructure_blocks'):.1f} infrastructure "
        f"blocks; re-entries {mean('reentries'):.2f}",
        f"  before the objective (or the end): the first containment (an order that took a held host or a password "
        f"from the attacker) in {sum(contained_first(r) for r in results)} of {n} runs, an analyst's EDR isolation "
        f"in {sum(before(r, 'containment', 'EDR') for r in results)}; the "
        f"crew lay low after noticing the response in {sum(before(r, 'lying-low') for r in results)}",
    ] + dc_line


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--levels", default="manual,ai-orchestrated,autonomous")
    ap.add_argument("--posture", default="hardened")
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    for level in a.levels.split(","):
        print("\n".join(cell(a.scenario, level, a.posture, a.runs, a.seed)))


if __name__ == "__main__":
    from simulator.errors import script

    raise SystemExit(script(main))
