"""Overstated access (DESIGN's third kind of false finding, with hallucinated credentials and misread data): an AI
agent may report a move or an escalation that failed as done, and the agents then act on the access they believe
they have, a wasted step that fails and makes the noise a failed one does. Before, a failed step was simply retried;
the kind existed in DESIGN only. Each test fails on the commit before the change."""

from __future__ import annotations

from types import SimpleNamespace

from simulator.engine import Run
from simulator.loader import load
from tests.conftest import compiled

AI = SimpleNamespace(actor="ai")


def _run(automation: str = "autonomous", **profile) -> Run:
    """A run with its controls started and no campaign (the attacker driven by hand)."""
    r = Run(compiled(load("espionage-tech"), automation, "baseline"), 0)
    r.p = r.p.model_copy(update=profile)
    for start in r._start:
        start()
    return r


def test_a_failed_step_reported_done_costs_a_wasted_step():
    """false_finding_rate 1: the agent reports the failed move onto file-01 as done and acts on it, a command over a
    remote session from ws-eng-01 that is not there (T1021, failing: noise), before the move is tried again; for a
    failed escalation on ws-eng-01, a dump there with the user's rights (T1003). At 0, or for a step an operator did
    by hand, nothing follows the failure."""
    for rate, wasted in ((1.0, 1), (0.0, 0)):
        r = _run(false_finding_rate=rate)
        src, t = r.net.host_index["ws-eng-01"], r.net.host_index["file-01"]
        r._gain(src, "user")
        r.env.process(r._overstated(t, src, AI))
        r.env.process(r._overstated(src, src, AI))
        r.env.process(r._overstated(t, src, SimpleNamespace(actor="human")))
        r.env.run(until=1440)
        fakes = sorted((e.technique, e.host, e.actor, e.success, e.false_finding) for e in r.timeline)
        assert r.false_acted == 2 * wasted
        assert fakes == ([("T1003", "ws-eng-01", "ai", False, True), ("T1021", "file-01", "ai", False, True)]
                         if wasted else [])


def test_every_failed_ai_move_or_escalation_may_be_reported_done():
    """Through the real paths (a move by logon or exploit, an escalation by exploit or an admin account's logon):
    every AI step of those phases that failed by chance (no control refused it) meets the false-finding draw, at the
    time it ends; and, at the autonomous preset's 12%, some of them were acted on in a handful of runs."""
    met = set()
    seen = set()
    acted = 0
    for seed in range(4):
        r = Run(compiled(load("espionage-tech"), "autonomous", "baseline"), seed)
        real = r._overstated

        def spy(t, src, a, real=real, r=r, seed=seed):
            met.add((seed, round(r.env.now, 4), r.net.hosts[t].id, a.technique))
            yield from real(t, src, a)

        r._overstated = spy
        res = r.execute()
        failed = {(seed, e.time, e.host, e.technique) for e in res.timeline
                  if e.actor == "ai" and not e.success and e.blocked is None and not e.false_finding
                  and e.phase in ("lateral-movement", "privilege-escalation")}
        assert failed <= met, sorted(failed - met)[:5]
        seen |= {f[3] for f in failed}
        acted += res.false_findings_acted
    assert {"T1021", "T1210", "T1068"} <= seen, seen
    assert acted > 0
