"""What the response's first order after initial access hit: why a run's time to containment is what it is.

    python examples/first_containment.py regional-manufacturer --automation ai-orchestrated --posture weak --runs 100

Time to containment is the first order after initial access that takes something from the attacker: a host it holds
isolated, a password it holds reset (the automation's false isolations never count). For each run this reports the
response's first order after initial access and what it hit: hosts the attacker held, hosts encrypted and out of
service (the attacker lost them at the encryption), clean hosts (scoping's mistakes), and credentials reset; and how
many runs' first containment comes with a later order than that first one.
"""

from __future__ import annotations

import argparse
from collections import Counter

from simulator.engine import Run
from simulator.loader import load
from simulator.sweep import apply_cell


class _Watched(Run):
    """A run that notes the first order after initial access (not a false alarm) and what its hosts were."""

    first: tuple[float, Counter[str], int] | None = None

    def contain(self, hosts, credentials, block_egress=False, until=None, egress_until=None, false_alarm=False,
                eradicate=True):
        if self.first is None and not false_alarm and self.t_initial_access is not None and (hosts or credentials):
            new = hosts - self.belief.contained_hosts
            kinds = Counter("held" if h in self.owned else "encrypted" if self._down(h) else "clean" for h in new)
            self.first = (self.env.now, kinds, len(credentials))
        super().contain(hosts, credentials, block_egress, until, egress_until, false_alarm, eradicate)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--automation", default="ai-orchestrated")
    ap.add_argument("--posture", default="baseline")
    ap.add_argument("--runs", type=int, default=100)
    a = ap.parse_args()
    compiled = apply_cell(load(a.scenario), (("automation", a.automation), ("posture", a.posture)))
    what: Counter[str] = Counter()
    later = ordered = none = 0
    for seed in range(a.runs):
        run = _Watched(compiled, seed)
        result = run.execute()
        if run.first is None:
            continue
        ordered += 1
        at, kinds, creds = run.first
        if kinds["held"]:
            what["a held host among them"] += 1
        elif kinds["encrypted"]:
            what["encrypted hosts only" + (" (and credentials)" if creds else "")] += 1
        elif kinds["clean"]:
            what["clean hosts only" + (" (and credentials)" if creds else "")] += 1
        else:
            what["credentials only"] += 1
        if result.time_to_containment is None:
            none += 1
        elif result.time_to_containment > round(at, 4):
            later += 1
    print(f"{a.scenario}, {a.automation} against {a.posture}, seeds 0-{a.runs - 1}: {ordered} runs with an order after "
          f"initial access")
    for k, n in what.most_common():
        print(f"  first order hit {k}: {n}")
    print(f"  first containment from a later order: {later}; none at all (nothing ever taken from the attacker): "
          f"{none}")


if __name__ == "__main__":
    from simulator.errors import script

    raise SystemExit(script(main))
