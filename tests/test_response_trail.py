"""Containment as a practitioner runs it (a practitioner reviewer's findings on issue 13): the analyst who escalates a
compromised endpoint cuts it off from the EDR console in minutes, not at the round's containment hours later; and the
round's scoping follows the attacker's trail (logons with accounts known stolen, connections EDR recorded) before
its forensic coin for every other held host. Each test fails on the commit before the change."""

from __future__ import annotations

from defenses.base import Alert
from defenses.incident_response import IncidentResponse
from defenses.monitoring import Monitoring
from simulator.engine import Run
from simulator.loader import load
from tests.conftest import compiled


def _started(posture: str = "baseline", **ir) -> Run:
    """A run with its controls started and no campaign (the attacker driven by hand), incident response set."""
    r = Run(compiled(load("espionage-tech"), "ai-orchestrated", posture), 0)
    for start in r._start:
        start()
    resp = _ir(r)
    resp.config = resp.config.model_copy(update=ir)
    r.t_initial_access = 0.0  # (the attacker is in: an order that takes a held host is a containment)
    return r


def _ir(r: Run) -> IncidentResponse:
    return next(c for c in r.controls if isinstance(c, IncidentResponse))


def _mon(r: Run) -> Monitoring:
    return next(c for c in r.controls if isinstance(c, Monitoring))


def _h(r: Run, name: str) -> int:
    return r.net.host_index[name]


def _move_seen(r: Run, src: str, dst: str) -> None:
    """Escalate an EDR alert on a lateral move from ``src`` to ``dst`` that succeeded: both are in evidence."""
    _ir(r).on_escalation(Alert(r.env.now, "low", True, "edr", _h(r, dst), technique="T1021", src_host=_h(r, src),
                               src_zone=r.net.hosts[_h(r, src)].zone, success=True, phase="lateral-movement"))


def test_the_analyst_cuts_off_an_endpoint_in_evidence_from_the_edr_console_before_the_round():
    """baseline: the analyst may isolate a user's device (ws-eng-01) 30 minutes after the escalation; the file
    server in the same evidence waits for the round (its owner's approval). The round, 12 h later (median), takes the
    network isolation over and cleans both. 'all' cuts off the server too, never a domain controller; 'none' (the
    commit before: no isolation until the round) cuts off nothing."""
    r = _started(contain_hours=12.0, spread=0.0, edr_isolation="workstations", edr_isolate_minutes=30.0)
    ws, fs = _h(r, "ws-eng-01"), _h(r, "file-01")
    for h in (ws, fs):
        r._gain(h, "admin")
        _mon(r)._edr[h] = True
    _move_seen(r, "ws-eng-01", "file-01")
    r.env.run(until=r.env.now + 31)
    assert ws in r.belief.network_isolated and ws not in r.owned  # the attacker's work there cut off
    assert fs not in r.belief.contained_hosts and r.owned.get(fs) == "admin"
    assert r.t_containment is not None  # the first order that took something from the attacker
    r.env.run(until=r.env.now + 12 * 60)
    assert {ws, fs} <= r.belief.contained_hosts and not r.belief.network_isolated  # the round took it over
    assert ws not in r._soft  # to clean: nothing comes back when it is restored

    r = _started(contain_hours=12.0, spread=0.0, edr_isolation="all", edr_isolate_minutes=30.0)
    dc = _h(r, "dc-01")
    for h in (ws, fs, dc):
        r._gain(h, "admin")
        _mon(r)._edr[h] = True
    _move_seen(r, "ws-eng-01", "file-01")
    _move_seen(r, "file-01", "dc-01")
    r.env.run(until=r.env.now + 31)
    assert {ws, fs} <= r.belief.network_isolated and dc not in r.belief.contained_hosts

    r = _started(contain_hours=12.0, spread=0.0, edr_isolation="all", edr_isolate_minutes=30.0)
    r._gain(ws, "admin")
    _mon(r)._edr[ws] = _mon(r)._edr[fs] = False  # no agent, nothing to isolate from
    _move_seen(r, "ws-eng-01", "file-01")
    r.env.run(until=r.env.now + 31)
    assert not r.belief.contained_hosts

    r = _started(contain_hours=12.0, spread=0.0, edr_isolation="none")
    r._gain(ws, "admin")
    _mon(r)._edr[ws] = True
    _move_seen(r, "ws-eng-01", "file-01")
    r.env.run(until=r.env.now + 11 * 60)
    assert not r.belief.contained_hosts and ws in r.owned


def _trail_round(trace: float, edr: bool = True) -> Run:
    """The attacker holds ws-eng-01 (in evidence: a dump there seen), ws-sales-01 (moved to from it), ws-sales-02
    (moved to from ws-sales-01), file-01 (logged on to with alice, known stolen) and ws-it-01 (no trail). No forensic
    coin (scoping 0), no mistakes."""
    r = _started(scoping=0.0, scoping_false_positive=0.0, scoping_trace=trace, edr_isolation="none",
                 contain_hours=1.0, spread=0.0)
    names = ("ws-eng-01", "ws-sales-01", "ws-sales-02", "file-01", "ws-it-01")
    for n in names:
        r._gain(_h(r, n), "admin")
        _mon(r)._edr[_h(r, n)] = edr
    for a, b in (("ws-eng-01", "ws-sales-01"), ("ws-sales-01", "ws-sales-02")):
        r.trail_links.setdefault(_h(r, a), set()).add(_h(r, b))
        r.trail_links.setdefault(_h(r, b), set()).add(_h(r, a))
    alice = next(i for i, x in enumerate(r.net.accounts) if x.id == "alice")
    r.trail_logons[alice] = {_h(r, "file-01")}
    r.belief.known_credentials.add(alice)  # (an earlier alert showed alice's logon by the attacker)
    _ir(r).on_escalation(Alert(r.env.now, "low", True, "edr", _h(r, "ws-eng-01"), technique="T1003", success=True,
                               src_host=_h(r, "ws-eng-01"), src_zone="corp", phase="credential-access"))
    r.env.run(until=r.env.now + 3 * 60)
    return r


def test_scoping_follows_the_trail_from_the_hosts_in_evidence():
    """With the trail followed for certain: the host moved to from the one in evidence, the one moved to from that
    (a pivot), and the one logged on to with a stolen account are all isolated; the held host with no trail to it is
    not (no forensic coin). Without EDR at either end of a move, its connection is in no record: only the logon with
    the known account leads anywhere. Not following the trail (the commit before: a coin per host, 0 here) finds
    only the host in evidence."""
    r = _trail_round(1.0)
    found = r.belief.contained_hosts
    assert {_h(r, n) for n in ("ws-eng-01", "ws-sales-01", "ws-sales-02", "file-01")} <= found
    assert _h(r, "ws-it-01") not in found and _h(r, "ws-it-01") in r.owned
    r = _trail_round(1.0, edr=False)
    found = r.belief.contained_hosts
    assert {_h(r, "ws-eng-01"), _h(r, "file-01")} <= found
    assert not {_h(r, "ws-sales-01"), _h(r, "ws-sales-02")} & found
    r = _trail_round(0.0)
    assert r.belief.contained_hosts & set(r.compromised) == {_h(r, "ws-eng-01")}


def test_a_run_records_the_trail_it_leaves():
    """The trail the scoping reads is the attacker's own successful actions: every host in it was compromised, and
    a run that moved laterally left links both ways."""
    r = Run(compiled(load("espionage-tech"), "ai-orchestrated", "weak"), 0)
    r.execute()
    assert r.trail_links and r.trail_logons
    for h, others in r.trail_links.items():
        for o in others:
            assert h in r.trail_links[o]
    assert set().union(*r.trail_logons.values()) <= set(r.compromised)


def test_a_team_s_isolation_order_takes_the_edr_console_s_minutes_where_the_playbook_allows():
    """In an exercise, an order to isolate a workstation that runs EDR takes the analyst's minutes
    (``edr_isolate_minutes``) under baseline; a server, or a workstation with no agent, takes the round's
    containment hours; under weak (no EDR isolation) every isolation takes the round's hours."""
    from simulator.facilitator import Facilitator

    fac = Facilitator(load("espionage-tech"), 0, "ai-orchestrated")
    ir = fac.compiled.posture.incident_response
    mon = _mon(fac.run)
    ws = [h.id for i, h in enumerate(fac.compiled.net.hosts) if h.role == "workstation"]
    with_edr = [w for w in ws if mon.has_edr(fac.compiled.net.host_index[w])]
    without = [w for w in ws if w not in with_edr]
    assert with_edr and without and ir.edr_isolation == "workstations"
    assert fac.plan("isolate_host", with_edr[0])[0] == ir.edr_isolate_minutes
    assert fac.plan("isolate_host", without[0])[0] == ir.contain_hours * 60
    assert fac.plan("isolate_host", "file-01")[0] == ir.contain_hours * 60
    weak = Facilitator(load("espionage-tech").with_presets(posture="weak"), 0, "ai-orchestrated")
    assert weak.plan("isolate_host", with_edr[0])[0] == weak.compiled.posture.incident_response.contain_hours * 60
