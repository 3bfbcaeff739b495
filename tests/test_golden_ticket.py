"""Golden tickets (T1558.001): the krbtgt key a DCSync brings forges Kerberos tickets for any domain account, which no
password reset refuses until the key is reset twice; incident response resets it on evidence of a domain controller
compromise, and a tabletop team can order it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from simulator.engine import Run, run
from simulator.facilitator import Facilitator
from simulator.loader import load
from simulator.techniques import planned
from tests.conftest import compiled

ROOT = Path(__file__).resolve().parent.parent
UNIVERSITY = str(ROOT / "examples" / "scenarios" / "university.yaml")


def _logon(r: Run, account: int, target: int, src: int, service: str = "smb"):
    r.env.process(r.act("lateral-movement", "T1021", 10.0, host=target, src_host=src, src_zone=r._zone(src),
                        dst_zone=r._zone(target), account=account, service=service))
    n = len(r.timeline)
    r.env.run(until=r.env.now + 60)
    name = r.net.hosts[target].id
    return next(e for e in r.timeline[n:] if e.host == name and e.technique in ("T1021", "T1558.001"))


def _reset(r: Run, account: int, order: int) -> None:
    r.belief.reset_credentials.add(account)
    r.belief.reset_at[account] = r.env.now
    r._reset_by[account] = order
    r.fresh_credentials.discard(account)


def test_a_forged_ticket_gets_past_a_reset_until_the_krbtgt_key_is_reset_twice():
    """With the krbtgt key, a logon with a reset domain account over a Kerberos service succeeds as a golden ticket
    (T1558.001); one krbtgt reset leaves the previous key valid; the second refuses it. Without the key, or over a
    session service (a VPN's logon checks the password, not a ticket), a reset refuses the logon."""
    c = compiled(load("espionage-tech"), "ai-orchestrated", "weak")
    c = dataclasses.replace(c, attacker=c.attacker.model_copy(update={"notices_response": 0.0}))  # (no lying low)
    r = Run(c, 0)
    r.begin()  # (no lines of work running: they start at initial access)
    net = r.net
    alice = next(a for a, x in enumerate(net.accounts) if x.id == "alice")
    assert alice in net.domain_account_set
    src = r.net.host_index["dc-01"]
    r.owned[src] = "admin"
    targets = [i for i, h in enumerate(net.hosts) if h.zone == "corp" and alice in net.logon_accounts[i]
               and h.domain]
    r.harvested.add(alice)
    _reset(r, alice, 1)
    r.krbtgt_held = None
    assert _logon(r, alice, targets[0], src).blocked == "reset"  # (no key: refused)

    r.harvested.add(alice)
    r.krbtgt_held = r.krbtgt_version  # a DCSync brought it
    e = _logon(r, alice, targets[1], src)
    assert e.success and e.technique == "T1558.001" and r.forged_logons == 1
    assert any(x.kind == "golden-ticket" for x in r.log)
    r.reset_krbtgt()
    assert _logon(r, alice, targets[2], src).success and r.forged_logons == 2  # (the previous key still valid)
    r.reset_krbtgt()
    e = _logon(r, alice, targets[3], src)
    assert e.blocked == "reset" and e.technique == "T1021" and r.forged_logons == 2

    # a session service checks the password: a forged ticket does not help there
    r.krbtgt_held = r.krbtgt_version
    r.harvested.add(alice)
    _reset(r, alice, 3)  # (the refusal above had the crew sync the new password from the domain controller it holds)
    vpn = r.net.host_index["vpn-01"]
    assert _logon(r, alice, vpn, src, service="vpn").blocked == "reset"


@pytest.fixture(scope="module")
def university():
    return load(UNIVERSITY)


def test_incident_response_resets_krbtgt_twice_on_a_domain_controller_compromise(university):
    """ai-orchestrated vs baseline on the university: where a round sees a domain controller compromised (a DCSync
    alert, a domain controller in evidence), the key is reset twice, ``krbtgt_interval_hours`` apart, and a forged
    ticket is never used after a second reset unless a sync since brought the new key. With ``reset_krbtgt`` off,
    none is reset and forged tickets are used more."""
    on = compiled(university, "ai-orchestrated", "baseline")
    off = compiled(university, "ai-orchestrated", "baseline", incident_response={"reset_krbtgt": False})
    gap = on.posture.incident_response.krbtgt_interval_hours * 60
    pairs = forged_on = forged_off = 0
    for seed in range(6):
        r = run(on, seed)
        resets = [e.time for e in r.log if e.kind == "containment" and "krbtgt" in e.detail]
        assert len(resets) == r.krbtgt_resets
        for i in range(0, len(resets) - 1, 2):
            assert resets[i + 1] - resets[i] == pytest.approx(gap, abs=1e-3)
            pairs += 1
        for t in resets[1::2]:  # after a second reset, a forged logon needs a sync since
            later = [e.time for e in r.log if e.kind == "golden-ticket" and e.time > t]
            assert not later or any(e.kind == "dcsync" and t < e.time <= later[0] for e in r.log)
        forged_on += r.forged_logons
        x = run(off, seed)
        assert x.krbtgt_resets == 0
        forged_off += x.forged_logons
    assert pairs > 0 and forged_off > forged_on


def test_a_team_can_order_a_krbtgt_reset_where_there_is_a_domain(university):
    fac = Facilitator(university, 0, "ai-orchestrated")
    assert "krbtgt" in fac.targets("reset_credentials")
    o = fac.decide("reset_credentials", "krbtgt")
    while o.status != "done" and not fac.done:
        fac.advance()
    assert o.done.startswith("reset the krbtgt key") and fac.run.krbtgt_resets >= 1
    tiny = load(str(ROOT / "tests" / "data" / "tiny.yaml"))
    fac = Facilitator(tiny, 0, "ai-orchestrated")
    assert "krbtgt" not in fac.targets("reset_credentials")
    with pytest.raises(ValueError, match="unknown account 'krbtgt'"):
        fac.decide("reset_credentials", "krbtgt")


def test_golden_tickets_are_planned_where_a_domain_controller_is():
    assert "T1558.001" in planned(load("espionage-tech").scenario)
    assert "T1558.001" not in planned(load(str(ROOT / "tests" / "data" / "tiny.yaml")).scenario)


def test_a_compromise_seen_between_the_two_resets_brings_another_pair(university):
    """A reviewer's find: evidence of a domain controller compromise during the 12 hours between the two resets was
    dropped, so a sync in that gap (the old key still valid) brought a key the second reset left valid for good. Now
    another pair follows, and the round resets every domain account with it."""
    from defenses.base import Alert
    from defenses.incident_response import IncidentResponse

    c = compiled(university, "ai-orchestrated", "baseline", incident_response={"contain_hours": 0.1, "spread": 0.0})
    r = Run(c, 0)
    r.begin()
    ir = next(x for x in r.controls if isinstance(x, IncidentResponse))
    dc = r.net.domain_controllers[0]

    def seen() -> None:
        ir.on_escalation(Alert(r.env.now, "high", True, "edr", dc, None, "T1003.006", dc, r._zone(dc), True,
                               "credential-access"))

    seen()
    r.env.run(until=r.env.now + 30)
    assert r.krbtgt_resets == 1
    assert set(r.net.domain_accounts) - {a for a, x in enumerate(r.net.accounts) if x.honeytoken} <= \
        r.belief.reset_credentials
    r.env.run(until=r.env.now + 60)
    r.krbtgt_held = r.krbtgt_version  # a sync in the gap: the key after the first reset
    seen()
    r.env.run(until=r.env.now + 13 * 60)
    assert r.krbtgt_resets == 3 and not r.ticket_valid()  # (the pair's second reset alone would leave it valid)
    r.env.run(until=r.env.now + 13 * 60)
    assert r.krbtgt_resets == 4
    times = [e.time for e in r.log if e.kind == "containment" and "krbtgt" in e.detail]
    assert times[1] - times[0] == pytest.approx(720) and times[2] == pytest.approx(times[1])
    assert times[3] - times[2] == pytest.approx(720)
