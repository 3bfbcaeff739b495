"""What a coordinated eviction changes: piecemeal rounds against one planned eviction, on common seeds.

    python examples/eviction.py espionage-tech --posture baseline --runs 100
    python examples/eviction.py espionage-tech --levels ai-orchestrated --ir hardened --runs 300

For each attacker level, the posture as its preset sets it (``incident_response.evict_after_retakes``, baseline 2)
against the same posture containing piecemeal (0), and with the eviction but without its perimeter patching
(``eviction_patches_perimeter`` false): attacker success, the share of runs the attacker is evicted at least once
(holds no host), coordinated evictions a run and how many of them left it nothing, its re-entries from outside,
hosts it holds at the end, and what the response cost (isolations, host-hours out of service, credentials reset).
With ``--ir PRESET`` the posture's incident response is that preset's (as ``tabletop fundamentals`` upgrades it), and
a first row shows the posture as it was: what in the upgraded response does the work.
"""

from __future__ import annotations

import argparse

from simulator.calibration import load_target
from simulator.engine import Run
from simulator.loader import preset_data
from simulator.sweep import apply_cell

EVICTED = "coordinated eviction:"


def _cells(levels: list[str], posture: str, ir: str | None) -> list[tuple[str, str, tuple[tuple[str, object], ...]]]:
    out = []
    swap = tuple((f"posture.incident_response.{k}", v) for k, v in preset_data("posture", ir)["incident_response"]
                 .items()) if ir else ()
    for level in levels:
        base = (("automation", level), ("posture", posture))
        if ir:
            out.append((level, f"{posture} as it is", base))
            base += swap
        out.append((level, f"{ir} response" if ir else "as the preset", base))
        out.append((level, "piecemeal (0)", base + (("posture.incident_response.evict_after_retakes", 0),)))
        out.append((level, "no perimeter patch", base + (("posture.incident_response.eviction_patches_perimeter",
                                                          False),)))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("scenario", help="a bundled scenario name, a scenario file or generated-N")
    ap.add_argument("--levels", default="ai-orchestrated,autonomous", help="comma-separated automation levels")
    ap.add_argument("--posture", default="baseline")
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--ir", default=None, help="a posture preset whose incident response replaces the posture's")
    a = ap.parse_args(argv)
    base = load_target(a.scenario)
    print(f"{a.scenario}, posture {a.posture}, {a.runs} runs a row on common seeds (root seed {a.seed})")
    head = (f"{'level':16s} {'response':19s} {'success':>7s} {'evicted':>7s} {'evictions':>13s} {'re-entries':>10s} "
            f"{'held at end':>11s} {'isolations':>10s} {'host-hours':>10s} {'resets':>6s}")
    print(head)
    print("-" * len(head))
    for level, name, cell in _cells(a.levels.split(","), a.posture, a.ir):
        loaded = apply_cell(base, cell)
        n = a.runs
        won = evicted = planned = emptied = reentries = held = isolations = resets = 0
        hours = 0.0
        for i in range(n):
            res = Run(loaded, a.seed, i).execute()
            won += res.objectives_met == res.objectives
            log = res.log
            evicted += any(e.kind == "evicted" for e in log)
            for k, e in enumerate(log):
                if e.kind == "response" and e.detail.startswith(EVICTED):
                    planned += 1
                    # the eviction left the attacker nothing: 'evicted' logged at the same minute
                    emptied += any(x.kind == "evicted" and x.time == e.time for x in log[k:])
            reentries += res.reentries
            held += len(res.owned_hosts)
            isolations += res.hosts_isolated
            hours += res.isolated_host_hours
            resets += res.credentials_reset
        ev = f"{planned / n:.2f} ({emptied}/{planned})" if planned else "0"
        print(f"{level:16s} {name:19s} {won / n:7.0%} {evicted / n:7.0%} {ev:>13s} {reentries / n:10.2f} "
              f"{held / n:11.1f} {isolations / n:10.1f} {hours / n:10.0f} {resets / n:6.1f}")
    print("\nevicted: runs where the attacker held no host at some time; evictions: coordinated evictions a run "
          "(of them, those that left it nothing); held at end, isolations, host-hours, resets: means a run.")
    return 0


if __name__ == "__main__":
    from simulator.errors import script

    raise SystemExit(script(main))
