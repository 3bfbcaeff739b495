"""The operators validate the accesses the agents report, not only their credentials and data findings (GTG-1002:
"careful validation of all claimed results"), and an agent that reports a failed step as done wastes a step on it.
Before, the people's work in an ai-orchestrated campaign grew with the accounts it found and the AI's with the hosts
it took, so the AI share of actions rose with the network (90% on espionage-tech, 93-94% on the other calibration
targets). Each test fails on the commit before the change."""

from __future__ import annotations

from types import SimpleNamespace

from simulator.engine import Run
from simulator.loader import load
from tests.conftest import compiled


def _run(automation: str = "ai-orchestrated", **profile) -> Run:
    """A run with its controls started and no campaign (the attacker driven by hand); durations without spread."""
    r = Run(compiled(load("espionage-tech"), automation, "baseline"), 0)
    r.p = r.p.model_copy(update={"duration_spread": 0.0, **profile})
    for start in r._start:
        start()
    return r


def _h(r: Run, name: str) -> int:
    return r.net.host_index[name]


AI = SimpleNamespace(actor="ai")


def _human(r: Run, technique: str) -> list:
    return [e for e in r.timeline if e.actor == "human" and e.technique == technique]


def test_an_operator_checks_each_access_the_agents_report_apart_from_their_work():
    """verification 1.0: every access the AI reports is checked by hand (T1033 on the host, at human speed), while
    the agents go on; verification 0 (autonomous) and an access gained by hand are not checked."""
    r = _run()
    hosts = [_h(r, n) for n in ("ws-eng-01", "ws-eng-02", "file-01")]
    for h in hosts:
        r._gain(h, "admin")
        r._claimed(h, AI)
    r._claimed(_h(r, "ws-eng-01"), SimpleNamespace(actor="human"))  # (an operator's own takeover: nothing to check)
    r.env.run(until=3 * 1440)
    checks = _human(r, "T1033")
    assert sorted(e.host for e in checks) == sorted(r.net.hosts[h].id for h in hosts)
    assert all(e.success and e.actor == "human" for e in checks)
    off = _run(verification=0.0)
    off._gain(hosts[0], "admin")
    off._claimed(hosts[0], AI)
    off.env.run(until=3 * 1440)
    assert not _human(off, "T1033")


def test_a_check_nothing_waits_for_queues_behind_one_the_agents_wait_for():
    """Two operators busy with access checks, two more queued: a credential check the agents wait for (T1078)
    goes next, before the queued access checks."""
    r = _run()
    for name in ("ws-eng-01", "ws-eng-02", "ws-eng-03", "ws-eng-04"):
        h = _h(r, name)
        r._gain(h, "admin")
        r._claimed(h, AI)
    h = _h(r, "file-01")
    zone = r.net.hosts[h].zone
    r.env.process(r.act("credential-access", "T1078", r.p.efforts.verify, actor="human", host=h, src_host=h,
                        src_zone=zone, dst_zone=zone))
    r.env.run(until=3 * 1440)
    spot = sorted(e.time for e in _human(r, "T1033"))
    cred = _human(r, "T1078")[0].time
    assert len(spot) == 4 and spot[1] < cred < spot[3]
    assert cred <= spot[2]  # (it started when the first operator was free, the third check with the second)


def test_an_access_lost_before_an_operator_gets_to_it_is_not_checked():
    r = _run()
    for name in ("ws-eng-01", "ws-eng-02", "file-01"):
        h = _h(r, name)
        r._gain(h, "admin")
        r._claimed(h, AI)
    r.env.run(until=r.env.now + 1)
    r._lose(_h(r, "file-01"))  # (isolated while both operators were at the first two)
    r.env.run(until=3 * 1440)
    assert sorted(e.host for e in _human(r, "T1033")) == ["ws-eng-01", "ws-eng-02"]


def test_a_failed_step_the_agent_reports_done_costs_a_wasted_step():
    """false_finding_rate 1: the agent reports the failed move onto file-01 as done and acts on it, a command over a
    remote session from ws-eng-01 that is not there (T1021, failing: noise), before the move is tried again; for a
    failed escalation, a dump with the user's rights on the host itself. At 0 nothing follows the failure."""
    for rate, wasted in ((1.0, 1), (0.0, 0)):
        r = _run("autonomous", false_finding_rate=rate)
        src, t = _h(r, "ws-eng-01"), _h(r, "file-01")
        r._gain(src, "user")
        r.env.process(r._overstated(t, src, AI))
        r.env.process(r._overstated(src, src, AI))
        r.env.run(until=1440)
        fakes = [(e.technique, e.host) for e in r.timeline if e.false_finding and e.actor == "ai" and not e.success]
        assert r.false_acted == 2 * wasted
        assert sorted(fakes) == ([("T1003", "ws-eng-01"), ("T1021", "file-01")] if wasted else [])


def test_every_access_the_ai_gains_is_reported_for_a_check():
    """Through the real paths (a logon or an exploit from outside, a move by logon or exploit, an escalation by
    exploit or by an admin account's logon): every successful AI step of those phases in whole runs is reported
    (``_claimed``) at the time it ends. Before, only credentials and data findings were checked."""
    reported = set()
    seen = set()
    for seed in range(3):
        r = Run(compiled(load("espionage-tech"), "ai-orchestrated", "baseline"), seed)
        claimed = r._claimed

        def spy(t, a, claimed=claimed, r=r, seed=seed):
            if a.actor == "ai" and a.success:
                reported.add((seed, round(r.env.now, 4), r.net.hosts[t].id, a.technique))
            claimed(t, a)

        r._claimed = spy
        res = r.execute()
        steps = {(seed, e.time, e.host, e.technique) for e in res.timeline if e.actor == "ai" and e.success
                 and e.phase in ("initial-access", "lateral-movement", "privilege-escalation")}
        assert steps <= reported, sorted(steps - reported)[:5]
        seen |= {(e[3]) for e in steps}
    assert {"T1190", "T1021", "T1210", "T1068", "T1078"} <= seen, seen


def test_a_check_waits_for_the_shift_before_it_takes_an_operator():
    """Off shift, two access checks wait for the operators' shift without taking one, so a credential check the
    agents wait for, asked for later in the night, goes first in the morning (before, the checks held both
    operators through the night and the credential check came after one of them)."""
    r = _run()
    night = next(t for t in range(0, 7 * 1440, 30) if r.shifts.next_on_shift(t) > t + 120)
    r.env.run(until=night)
    for name in ("ws-eng-01", "ws-eng-02"):
        h = _h(r, name)
        r._gain(h, "admin")
        r._claimed(h, AI)
    r.env.run(until=night + 10)
    h = _h(r, "file-01")
    zone = r.net.hosts[h].zone
    r.env.process(r.act("credential-access", "T1078", r.p.efforts.verify, actor="human", host=h, src_host=h,
                        src_zone=zone, dst_zone=zone))
    r.env.run(until=night + 3 * 1440)
    spot = sorted(e.time for e in _human(r, "T1033"))
    cred = _human(r, "T1078")[0].time
    assert len(spot) == 2 and cred <= spot[0] + 1e-6 and cred < spot[1]
