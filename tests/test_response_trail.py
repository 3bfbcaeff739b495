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
    network isolation over and cleans both. 'servers' cuts off a server too, never a domain controller or a host
    holding the scenario's data (a practitioner reviewer: critical servers are on the playbook's exclusion list);
    'none' (the commit before: no isolation until the round) cuts off nothing."""
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

    r = _started(contain_hours=12.0, spread=0.0, edr_isolation="servers", edr_isolate_minutes=30.0)
    dc, backup = _h(r, "dc-01"), _h(r, "backup-01")
    for h in (ws, fs, dc, backup):
        r._gain(h, "admin")
        _mon(r)._edr[h] = True
    _move_seen(r, "ws-eng-01", "file-01")
    _move_seen(r, "file-01", "dc-01")
    _move_seen(r, "dc-01", "backup-01")
    r.env.run(until=r.env.now + 31)
    assert {ws, backup} <= r.belief.network_isolated  # a user's device and a server holding no data set
    assert not {fs, dc} & r.belief.contained_hosts  # the data store's owner and the directory wait for the round

    r = _started(contain_hours=12.0, spread=0.0, edr_isolation="servers", edr_isolate_minutes=30.0)
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


def _trail_round(trace: float, fp: float = 0.0) -> Run:
    """The attacker holds ws-eng-01 (in evidence: a dump there seen), ws-sales-01 (moved to from it), ws-sales-02
    (moved to from ws-sales-01), file-01 (logged on to with alice, known stolen) and ws-it-01 (no trail); ws-sales-03,
    the hop between the two sales workstations' records, it has left. No forensic coin (scoping 0)."""
    r = _started(scoping=0.0, scoping_false_positive=fp, scoping_trace=trace, edr_isolation="none",
                 contain_hours=1.0, spread=0.0)
    for n in ("ws-eng-01", "ws-sales-01", "ws-sales-02", "file-01", "ws-it-01"):
        r._gain(_h(r, n), "admin")
    for a, b in (("ws-eng-01", "ws-sales-01"), ("ws-sales-01", "ws-sales-03"), ("ws-sales-03", "ws-sales-02")):
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
    """With the trail followed for certain: the host moved to from the one in evidence, the one two hops on through
    a host the attacker has left (its records stay), and the one where alice's logon by the attacker is on record
    are all isolated; the held host with no trail to it is not (no forensic coin), nor the host it left. Not
    following the trail (the commit before: a coin per host, 0 here) finds only the host in evidence. The search
    for alice's logons also returns her own (the ws-eng workstations, git-01, mail-01): those are looked at, and a
    scoping that pulls every clean host it looks at by mistake pulls them too."""
    r = _trail_round(1.0)
    found = r.belief.contained_hosts
    assert {_h(r, n) for n in ("ws-eng-01", "ws-sales-01", "ws-sales-02", "file-01")} <= found
    assert not {_h(r, "ws-it-01"), _h(r, "ws-sales-03")} & found and _h(r, "ws-it-01") in r.owned
    alice = next(a for a in r.net.accounts if a.id == "alice")
    assert not (alice.logon - set(r.compromised)) & found  # her own logons' hosts looked at, none pulled (fp 0)
    r = _trail_round(0.0)
    assert r.belief.contained_hosts & set(r.compromised) == {_h(r, "ws-eng-01")}
    r = _trail_round(1.0, fp=1.0)
    assert {_h(r, "git-01"), _h(r, "ws-eng-05")} <= alice.logon <= r.belief.contained_hosts | set(r.owned)


def test_monitoring_keeps_the_records_the_trail_is_made_of():
    """A move between two hosts is on record only where either end ran EDR at the time; a logon with an account
    only where the domain controllers keep it (a domain-joined host) or the host's agent does; nothing for a move
    that failed."""
    from defenses.base import Action

    r = _started()
    mon = _mon(r)
    ws1, ws2, build = _h(r, "ws-eng-01"), _h(r, "ws-eng-02"), _h(r, "build-01")
    svc_ci = next(i for i, x in enumerate(r.net.accounts) if x.id == "svc-ci")
    alice = next(i for i, x in enumerate(r.net.accounts) if x.id == "alice")
    mon._edr.update({ws1: False, ws2: False, build: False})

    def move(src: int, dst: int, acct: int, ok: bool = True) -> None:
        a = Action(r.env.now, "lateral-movement", "T1021", "ai", dst, r.net.hosts[src].zone, r.net.hosts[dst].zone,
                   1.0, src_host=src, account=acct)
        a.success = ok
        mon.observe(a)

    move(ws1, ws2, alice)
    assert ws2 not in r.trail_links.get(ws1, ()) and ws2 in r.trail_logons[alice]  # a domain logon, no agent
    move(ws1, build, svc_ci)
    assert build not in r.trail_logons.get(svc_ci, ())  # a Linux host outside the domain, no agent: no record
    mon._edr[build] = True
    move(ws1, build, svc_ci, ok=False)
    assert build not in r.trail_logons.get(svc_ci, ())
    move(ws1, build, svc_ci)
    assert build in r.trail_logons[svc_ci] and build in r.trail_links[ws1] and ws1 in r.trail_links[build]


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
