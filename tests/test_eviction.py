"""A coordinated eviction (``incident_response.evict_after_retakes``): after the attacker's N-th retake the team stops
containing piecemeal, plans for ``eviction_planning_hours`` (no isolation by a round, no resets that would tip the
attacker off), then isolates everything its assessment found at once, resets every privileged account, disables
the attacker's accounts, patches the perimeter and watches every host. The gap a practitioner reviewer named in the
README's whack-a-mole paragraph (issue 13). Each test fails without the change."""

from __future__ import annotations

from types import SimpleNamespace

from defenses.base import Alert
from simulator.engine import Run
from simulator.loader import load
from tests.conftest import compiled
from tests.test_response_trail import _h, _ir, _mon, _move_seen, _started

PLAN = dict(contain_hours=1.0, spread=0.0, edr_isolation="none", scoping=0.0, scoping_trace=0.0,
            scoping_false_positive=0.0, eviction_planning_hours=10.0, eviction_scoping=1.0, watch_days=7.0)


def _retake(r, src: str, dst: str) -> None:
    """The attacker seen back: a move from ``src``, a host the response restored before, to ``dst``."""
    r.belief.rebuilt[_h(r, src)] = r.env.now - 1  # (restored a minute ago)
    r._gain(_h(r, src), "admin")
    r._gain(_h(r, dst), "admin")
    _move_seen(r, src, dst)


def _patched(r, host: str, vuln: str) -> bool:
    v = next(i for i, x in enumerate(r.net.vulns) if x.id == vuln)
    action = SimpleNamespace(host=_h(r, host), src_host=None, infrastructure=None, account=None,
                             phase="initial-access", vuln=v, forged=False)
    return _ir(r).check(action) == "patched"


def test_after_the_second_retake_the_team_plans_then_evicts_everything_it_found_at_once():
    r = _started(evict_after_retakes=2, **PLAN)
    ir = _ir(r)
    _retake(r, "ws-eng-01", "ws-eng-02")
    r.env.run(until=r.env.now + 61)  # the first retake's round contains piecemeal, as before
    assert {_h(r, "ws-eng-01"), _h(r, "ws-eng-02")} <= r.belief.contained_hosts
    assert ir.retakes == 1 and not ir.planning

    quiet = _h(r, "ws-it-01")  # held, with no evidence and no trail: only the assessment's sweep finds it
    r._gain(quiet, "admin")
    _mon(r)._edr[quiet] = True  # (over its EDR agent's telemetry)
    r.backdoors.add(quiet)
    _retake(r, "ws-sales-01", "file-01")
    r.env.run(until=r.env.now + 61)  # the second retake's round: planning, nothing touched
    assert ir.planning
    assert not {_h(r, "ws-sales-01"), _h(r, "file-01")} & r.belief.contained_hosts
    assert _h(r, "file-01") in r.owned
    resets = set(r.belief.reset_credentials)
    assert not _patched(r, "web-portal-01", "SYN-PORTAL-RCE")

    r.env.run(until=r.env.now + 10 * 60)  # the eviction: everything found at once
    assert not ir.planning and ir.retakes == 0
    assert not r.owned  # the hosts in evidence and the quiet one the assessment swept
    assert {_h(r, "ws-sales-01"), _h(r, "file-01"), quiet} <= r.belief.contained_hosts
    privileged = {a for a, x in enumerate(r.net.accounts) if x.kind in ("admin", "service")} - ir.decoys
    assert privileged <= r.belief.reset_credentials and not privileged <= resets
    assert not r.backdoors and r.backdoors_disabled  # the audit of the accounts created
    assert _patched(r, "web-portal-01", "SYN-PORTAL-RCE")  # disclosed by then: closed on the perimeter
    assert not _patched(r, "vpn-01", "SYN-VPN-AUTH")  # disclosed on day 3, after it: the schedule's
    assert not _patched(r, "git-01", "SYN-GIT-RCE")  # not a way in from outside: the schedule's
    zones = {r.net.hosts[h].zone for h in r.belief.known_hosts}  # (corp and servers here)
    watched = {h for h in range(len(r.net.hosts)) if r.belief.watched.get(h, 0) > r.env.now}
    assert watched == {h for h, x in enumerate(r.net.hosts) if x.zone in zones} and len(zones) < 4


def test_without_eviction_every_round_contains_at_once():
    r = _started(evict_after_retakes=0, **PLAN)
    _retake(r, "ws-eng-01", "ws-eng-02")
    r.env.run(until=r.env.now + 61)
    _retake(r, "ws-sales-01", "file-01")
    r.env.run(until=r.env.now + 61)
    assert {_h(r, "ws-sales-01"), _h(r, "file-01")} <= r.belief.contained_hosts
    assert not _ir(r).planning


def test_a_retake_is_the_attacker_seen_back_not_a_first_sighting_nor_a_refused_logon():
    """Evidence on a host never restored is no retake; nor is a logon refused for a reset password (the reset
    held); a logon that worked with an account reset before is one."""
    r = _started(evict_after_retakes=1, **PLAN)
    ir = _ir(r)
    r._gain(_h(r, "ws-eng-01"), "admin")
    _move_seen(r, "ws-eng-01", "ws-eng-02")
    r.env.run(until=r.env.now + 61)
    assert ir.retakes == 0 and not ir.planning

    alice = r.net.account_index["alice"] if hasattr(r.net, "account_index") else next(
        a for a, x in enumerate(r.net.accounts) if x.id == "alice")
    r.belief.reset_credentials.add(alice)
    r.belief.reset_at[alice] = r.env.now
    r.env.run(until=r.env.now + 1)
    src = _h(r, "ws-eng-03")
    r._gain(src, "admin")
    refused = Alert(r.env.now, "low", True, "edr", _h(r, "git-01"), technique="T1021", src_host=src,
                    src_zone=r.net.hosts[src].zone, success=False, account=alice, phase="lateral-movement")
    ir.on_escalation(refused)
    assert not ir.retake_seen  # refused for the old password: the reset held (its source is a first sighting)
    worked = Alert(r.env.now, "low", True, "edr", _h(r, "git-01"), technique="T1021", src_host=None,
                   success=True, account=alice, phase="lateral-movement")
    ir.on_escalation(worked)
    assert ir.retake_seen
    r.env.run(until=r.env.now + 61)
    assert ir.retakes == 1 and ir.planning


def test_theft_seen_while_the_eviction_is_planned_blocks_egress_at_once():
    r = _started(evict_after_retakes=1, block_egress=True, **PLAN)
    ir = _ir(r)
    _retake(r, "ws-eng-01", "ws-eng-02")
    r.env.run(until=r.env.now + 61)
    assert ir.planning and not r.belief.egress_blocked
    ir.on_escalation(Alert(r.env.now, "low", True, "network", _h(r, "ws-eng-02"), technique="T1041",
                           src_host=_h(r, "ws-eng-02"), src_zone="corp", success=True, phase="exfiltration"))
    assert r.belief.egress_blocked
    assert _h(r, "ws-eng-02") not in r.belief.contained_hosts  # the hosts wait for the eviction


def test_the_sweep_runs_without_new_evidence_and_finds_hosts_an_agent_runs_on_with_eviction_scoping():
    """An eviction whose planning saw no new evidence still sweeps the estate (a reviewer saw one find nothing while
    the attacker held three hosts); a held host an agent can run on is found with ``eviction_scoping`` whether or not
    the posture's EDR covered it (the responders deploy theirs), an appliance with the round's ``scoping``."""
    r = _started(evict_after_retakes=1, **PLAN)
    ir = _ir(r)
    _retake(r, "ws-eng-01", "ws-eng-02")
    r.env.run(until=r.env.now + 61)
    assert ir.planning
    ir.pending.clear()  # (as if what was in evidence had been dealt with: nothing new for the eviction)
    bare_ws, appliance = _h(r, "ws-it-01"), _h(r, "vpn-01")
    for h in (bare_ws, appliance):
        r._gain(h, "admin")
        _mon(r)._edr[h] = False  # (no EDR from the posture on either)
    r.env.run(until=r.env.now + 10 * 60)
    assert not ir.planning
    assert bare_ws in r.belief.contained_hosts and bare_ws not in r.owned
    assert appliance in r.owned and appliance not in r.belief.contained_hosts  # scoping 0 here: no agent runs there


def test_theft_seen_before_the_plan_blocks_egress_when_planning_starts():
    """Theft seen in the round that starts the planning is not left for the eviction, days later."""
    r = _started(evict_after_retakes=1, block_egress=True, **PLAN)
    _retake(r, "ws-eng-01", "ws-eng-02")
    _ir(r).on_escalation(Alert(r.env.now, "low", True, "network", _h(r, "ws-eng-02"), technique="T1041",
                               src_host=_h(r, "ws-eng-02"), src_zone="corp", success=True, phase="exfiltration"))
    assert not r.belief.egress_blocked
    r.env.run(until=r.env.now + 61)
    assert _ir(r).planning and r.belief.egress_blocked


def test_the_perimeter_is_left_to_the_schedule_when_the_eviction_does_not_patch_it():
    r = _started(evict_after_retakes=1, eviction_patches_perimeter=False, **PLAN)
    _retake(r, "ws-eng-01", "ws-eng-02")
    r.env.run(until=r.env.now + 61 + 10 * 60)
    assert not _ir(r).planning and r.belief.contained_hosts
    assert not _patched(r, "web-portal-01", "SYN-PORTAL-RCE")


def test_an_old_alert_escalated_late_is_no_retake():
    """Evidence on a restored host from before its restore (an alert escalated late) shows nothing new."""
    r = _started(evict_after_retakes=1, **PLAN)
    src = _h(r, "ws-eng-01")
    r.env.run(until=r.env.now + 5)
    r.belief.rebuilt[src] = r.env.now
    _ir(r).on_escalation(Alert(r.env.now - 3, "low", True, "edr", _h(r, "ws-eng-02"), technique="T1021",
                               src_host=src, src_zone="corp", success=True, phase="lateral-movement"))
    assert not _ir(r).retake_seen


def test_whole_runs_plan_evictions_and_each_takes_hosts():
    """Whole runs under baseline (``evict_after_retakes`` 2) against the orchestrated crew: evictions happen, and
    each isolates hosts at once."""
    c = compiled(load("espionage-tech"), "ai-orchestrated", "baseline")
    evictions = 0
    for seed in range(6):
        r = Run(c, seed).execute()
        for e in r.log:
            if e.kind == "response" and e.detail.startswith("coordinated eviction:"):
                evictions += 1
                assert not e.detail.startswith("coordinated eviction: 0 hosts")
    assert evictions >= 2


def test_a_host_cut_off_while_the_eviction_is_planned_is_kept_and_cleaned_not_handed_back():
    """The analyst's EDR isolation (or the SOC's automation's) of a host in evidence while the eviction is planned
    is taken over and cleaned: released as it was, the attacker's hold would come back before the eviction."""
    r = _started(evict_after_retakes=1, **{**PLAN, "edr_isolation": "workstations", "edr_isolate_minutes": 5.0})
    _retake(r, "ws-eng-01", "ws-eng-02")
    r.env.run(until=r.env.now + 61)
    assert _ir(r).planning
    ws = _h(r, "ws-sales-03")
    r._gain(ws, "admin")
    _mon(r)._edr[ws] = True
    _move_seen(r, "ws-sales-03", "file-01")
    r.env.run(until=r.env.now + 60)
    assert ws in r.belief.contained_hosts and ws not in r.belief.network_isolated  # taken over: cleaned, not released
    assert ws not in r._soft


def test_a_password_seen_from_outside_while_the_eviction_is_planned_waits_for_it():
    """The helpdesk reset of a password an outside logon showed known is a reset like any other: while the eviction
    is planned it waits, and the eviction resets the account with the others."""
    r = _started(evict_after_retakes=1, **PLAN)
    ir = _ir(r)
    _retake(r, "ws-eng-01", "ws-eng-02")
    r.env.run(until=r.env.now + 61)
    assert ir.planning
    alice = next(a for a, x in enumerate(r.net.accounts) if x.id == "alice")
    ir.on_escalation(Alert(r.env.now, "low", True, "idp", _h(r, "vpn-01"), technique="T1133", success=False,
                           account=alice, password_ok=True, src_zone="internet", phase="initial-access"))
    assert alice in r.belief.known_credentials and not ir.resets_pending
    r.env.run(until=r.env.now + 10 * 60)
    assert alice in r.belief.reset_credentials


def test_a_domain_controller_a_round_found_has_the_later_eviction_reset_the_whole_directory():
    """A round's scoping that finds a held domain controller (no DCSync seen, no DC in the alert's evidence) marks
    the directory as once compromised: the eviction after it resets every domain account again, not only the
    privileged ones. Before, only a DCSync alert or a DC in evidence did."""
    r = _started(evict_after_retakes=1, **{**PLAN, "scoping": 1.0})
    ir = _ir(r)
    r._gain(_h(r, "dc-01"), "admin")  # held quietly: found only by the round's forensic capacity
    r._gain(_h(r, "ws-eng-01"), "admin")
    _move_seen(r, "ws-eng-01", "ws-eng-02")
    r.env.run(until=r.env.now + 61)
    assert _h(r, "dc-01") in r.belief.contained_hosts and not ir.planning

    _retake(r, "ws-sales-01", "file-01")
    r.env.run(until=r.env.now + 61)
    assert ir.planning
    start = r.env.now
    r.env.run(until=r.env.now + 10 * 60)  # the eviction
    assert not ir.planning
    users = [a for a in r.net.domain_accounts if r.net.accounts[a].kind == "user" and a not in ir.decoys]
    assert users and all(r.belief.reset_at.get(a, -1) > start for a in users)
