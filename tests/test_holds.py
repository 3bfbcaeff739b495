"""What a hold is and how it ends: sessions through a box, isolations taken over, resets met again, encrypted
hosts (the fourth review of issue 13: each test fails on the commit before its fix)."""

from __future__ import annotations

from pathlib import Path

from defenses.base import Action, Alert
from defenses.incident_response import IncidentResponse
from defenses.monitoring import Monitoring
from simulator.attack.base import RELOGON_MINUTES
from simulator.engine import Run
from simulator.loader import load
from tests.conftest import compiled


def _run(automation: str = "ai-orchestrated", posture: str = "baseline") -> Run:
    """A run not begun (no campaign, no SOC: no benign alerts), with incident response started, to drive by hand."""
    r = Run(compiled(load("espionage-tech"), automation, posture), 0)
    r._catch_up.clear()
    _ir(r).start()
    next(c for c in r.controls if isinstance(c, Monitoring)).start()  # (which hosts run EDR: no alerts raised)
    return r


def _ir(r: Run) -> IncidentResponse:
    return next(c for c in r.controls if isinstance(c, IncidentResponse))


def _queued(r: Run) -> list[tuple]:
    return [entry[-1] for entry in r._tasks]


def test_a_session_through_an_appliance_can_still_become_a_shell():
    """A VPN user's session on vpn-01 is no shell: nothing is dumped there. The authentication bypass disclosed on
    day 3 gives admin rights on the box: the attacker plans it against the host it holds as a session (before, a
    held host was never a target again), and once it works the host is a shell to dump."""
    r = _run()
    net = r.net
    vpn = net.host_index["vpn-01"]
    bypass = next(i for i, v in enumerate(net.vulns) if v.id == "SYN-VPN-AUTH")
    r.env.run(until=4 * 1440)
    r._gain(vpn, "user", session=True)
    assert r._shell_less(vpn) and ("harvest", vpn) not in _queued(r)
    r._gain(net.host_index["web-portal-01"], "user")  # a second foothold in the DMZ to reach the box from
    r._tasks.clear()
    r.routes[vpn] = {"vpn": [net.hosts[vpn].zone]}
    r.known_targets.add(vpn)
    alice = next(i for i, a in enumerate(net.accounts) if a.id == "alice")
    r.harvested.add(alice)
    r._plan(vpn, None)
    queued = _queued(r)
    assert ("move_exploit", vpn, bypass) in queued
    assert not any(t[0] == "move_cred" and t[1] == vpn for t in queued)  # another VPN logon is one more session
    assert r._would_gain(vpn, "admin", False) and not r._would_gain(vpn, "user", False)
    assert not r._would_gain(vpn, "admin", True)
    ws = net.host_index["ws-eng-01"]
    r._gain(ws, "user")
    r._moved(vpn, "admin", ws, "exploit")
    assert not r._shell_less(vpn) and ("harvest", vpn) in _queued(r)


def test_a_dump_is_never_made_on_a_session():
    """A re-harvest after a reset dumps held hosts where the account is cached: not one held as a session."""
    r = _run()
    net = r.net
    mail = net.host_index["mail-01"]
    carol = next(i for i, a in enumerate(net.accounts) if a.id == "carol")
    r._gain(mail, "user", session=True)
    r._tasks.clear()
    r.contain(set(), {carol})
    r.env.process(r._dump_again(carol, r.belief.reset_at[carol] + RELOGON_MINUTES))
    r.env.run(until=RELOGON_MINUTES + 1)
    assert ("harvest", mail) not in _queued(r)
    before = len(r.timeline)
    r.env.process(r._harvest(mail))
    r.env.run(until=RELOGON_MINUTES + 600)
    assert len(r.timeline) == before  # no dump attempted


def test_a_session_cut_off_by_the_automation_comes_back_as_a_session():
    r = _run()
    mail = r.net.host_index["mail-01"]
    r._gain(mail, "user", session=True)
    r.contain({mail}, set(), until=60.0, eradicate=False)
    assert mail not in r.owned
    r.env.run(until=120)
    assert r.owned.get(mail) == "user" and mail in r.sessions and r._shell_less(mail)


def test_a_response_that_takes_over_an_isolation_releases_the_host_on_its_own_clock():
    """The automation cuts a host off for an hour; incident response takes the isolation over to clean it, for ten
    hours: the host stays isolated until the response is done (before, the automation's release at one hour
    handed it back, 'cleaned', nine hours early), and the isolated hours count to the response's end."""
    r = _run()
    ws = r.net.host_index["ws-eng-01"]
    r._gain(ws, "user")
    r.contain({ws}, set(), until=60.0, eradicate=False)
    r.contain({ws}, set(), until=600.0)
    r.env.run(until=120)
    assert ws in r.belief.contained_hosts and ws not in r.owned and ws not in r.belief.rebuilt
    r.env.run(until=700)
    assert ws not in r.belief.contained_hosts and ws not in r.owned and r.belief.rebuilt[ws] == 600.0
    assert abs(r.isolated_minutes - 600.0) < 1e-9 and r.clean_isolated_minutes == 0.0


def test_a_second_reset_before_the_user_logs_on_again_still_leads_to_a_dump():
    """Reset, refused, reset again before the user's next logon: the dump waits for the logon after the last reset
    (before, it ran after the first, found only the old password, and was never queued again)."""
    r = _run()
    net = r.net
    ws = net.host_index["ws-eng-01"]
    alice = next(i for i, a in enumerate(net.accounts) if a.id == "alice")
    r._gain(ws, "admin")
    r._tasks.clear()
    r._harvest_queued.clear()
    r.contain(set(), {alice})
    r.env.process(r._dump_again(alice, r.belief.reset_at[alice] + RELOGON_MINUTES))
    r.env.run(until=100)
    r.contain(set(), {alice})
    r.env.run(until=RELOGON_MINUTES + 50)
    assert ("redump", ws, alice) not in _queued(r)
    r.env.run(until=100 + RELOGON_MINUTES + 1)
    assert ("redump", ws, alice) in _queued(r)


def test_a_password_phished_after_its_reset_works():
    """A phished password is the one the user has now: a reset before the lure does not stop it."""
    r = _run()
    net = r.net
    dave = next(i for i, a in enumerate(net.accounts) if a.id == "dave")
    r.contain(set(), {dave})
    r._harvest_account(dave, fresh=True)
    ir = _ir(r)
    logon = Action(10.0, "lateral-movement", "T1021", "ai", net.host_index["file-01"], "corp", "corp", 1.0, 1.0,
                   account=dave)
    assert ir.check(logon) != "reset"
    r._harvest_account(dave)  # bought or dumped before: the old one
    assert dave in r.fresh_credentials


def test_a_refused_logon_does_not_count_as_the_account_used_again():
    """A logon refused because the password was reset shows the attacker has the old password, not that it uses
    the new one: the account is not due for another reset (before, every refused try counted as use)."""
    r = _run()
    net = r.net
    ir = _ir(r)
    dave = next(i for i, a in enumerate(net.accounts) if a.id == "dave")
    ws = net.host_index["ws-sales-01"]
    r.contain(set(), {dave})
    r.env.run(until=30)
    refused = Alert(30.0, "high", True, "edr", net.host_index["file-01"], dave, "T1021", src_host=ws, src_zone="corp",
                    success=False, phase="lateral-movement")
    ir.in_progress = True  # (no response round: only what the alert teaches)
    ir.on_escalation(refused)
    assert dave in r.belief.known_credentials and not r.belief.due_for_reset({dave})
    used = Alert(40.0, "high", True, "edr", net.host_index["file-01"], dave, "T1021", src_host=ws, src_zone="corp",
                 success=True, phase="lateral-movement")
    ir.on_escalation(used)
    assert r.belief.due_for_reset({dave})


def test_encrypted_hosts_come_back_rebuilt_and_their_data_can_be_read_again():
    """Hosts ransomware encrypted are back in service when restored or rebuilt: logged; those rebuilt from a clean
    image (no usable backup) in ``belief.rebuilt`` (the patches a managed host has by then); and, held again later,
    readable again (before, once encrypted, a host's data could never be collected or taken out)."""

    c = compiled(load("regional-manufacturer"), "ai-orchestrated", "weak")
    seen = 0
    for s in range(12):
        r = Run(c, s)
        res = r.execute()
        if not r.encrypted:
            continue
        back = {x: t for x, t in r.down_until.items() if t < min(c.net.horizon, res.end_time)}  # (back in the run)
        restore = c.posture.incident_response.restore_hours
        for x, t in back.items():
            times = r.encrypted[x] / restore  # (hours down, over every time it was hit: a host back may be hit again)
            if abs(times - round(times)) > 1e-9:  # rebuilt from a clean image once at least, not only restored
                assert x in r.belief.rebuilt, (s, x)
                if abs(r.encrypted[x] - c.posture.incident_response.rebuild_hours) < 1e-9:  # (hit once)
                    assert r.belief.rebuilt[x] >= t, (s, x)  # (or cleaned again later by the response)
        if back:
            seen += 1
            assert any(e.kind == "restored" and "encrypted host" in e.detail for e in res.log)
            x = min(back)
            r.owned[x] = "admin"  # held again once back: nothing stops the work on it
            assert not r._down(x)
    assert seen


def test_nothing_is_done_on_or_from_a_host_encrypted_while_the_step_waited():
    """A step that waited (for a shift, an operator, new infrastructure) finds its host encrypted meanwhile: it is
    cut short, as it would have been had the encryption come during it (before, it ran on a host out of service)."""
    r = _run(automation="manual")
    ws = r.net.host_index["ws-eng-01"]
    r._gain(ws, "admin")
    zone = r.net.hosts[ws].zone
    r.down_until[ws] = r.env.now + 10_000.0  # encrypted: out of service for a week
    done = []

    def step():
        a = yield from r.act("credential-access", "T1003", 30.0, host=ws, src_host=ws, src_zone=zone, dst_zone=zone)
        done.append(a)

    r.env.process(step())
    r.env.run(until=5_000)
    assert done and done[0].blocked == "contained" and not done[0].success and done[0].duration == 0.0


def test_a_response_that_takes_over_may_release_the_host_sooner_and_the_hours_follow():
    """The response's cleanup may end before the automation's day would have: the host is back then, and the hours
    counted shrink to match (before, only a later release moved them)."""
    r = _run()
    ws = r.net.host_index["ws-eng-01"]
    r.contain({ws}, set(), until=600.0, eradicate=False)  # a clean host, cut off for ten hours
    r.contain({ws}, set(), until=300.0)
    r.env.run(until=400)
    assert ws not in r.belief.contained_hosts and r.belief.rebuilt[ws] == 300.0
    assert abs(r.isolated_minutes - 300.0) < 1e-9 and abs(r.clean_isolated_minutes - 300.0) < 1e-9


def test_an_encrypted_host_s_isolation_counts_from_when_it_is_back():
    """An isolation of a host out of service after encryption counts its hours from when the host is back (its
    downtime is counted as such), and it is not a clean host; once back it is clean again (before, any host ever
    encrypted counted no isolated hours at all)."""
    r = _run()
    ws = r.net.host_index["ws-eng-01"]
    r.encrypted[ws] = 1.0
    r.down_until[ws] = 60.0
    r.contain({ws}, set(), until=600.0)
    assert abs(r.isolated_minutes - 540.0) < 1e-9 and r.clean_isolations == 0
    r.env.run(until=700)
    r.contain({ws}, set(), until=1000.0)
    assert abs(r.isolated_minutes - 840.0) < 1e-9 and r.clean_isolations == 1


def test_a_shell_beside_an_admin_session_has_the_shell_s_rights_and_no_host_is_its_own_source():
    """An admin's web session on a gateway and a user's shell beside it make a user shell, not an admin one; a host
    held as a session is a target for a shell, never its own source; nothing is escalated or planted through a
    session."""
    r = Run(compiled(load("regional-hospital"), "ai-orchestrated", "baseline"), 0)
    r._catch_up.clear()
    gw = r.net.host_index["appgw-01"]
    r._gain(gw, "admin", session=True)
    assert r._shell_less(gw) and r._would_gain(gw, "user", False)
    r._tasks.clear()
    r.routes[gw] = {"rdp": [r.net.hosts[gw].zone]}
    assert r._route(gw, "rdp") is None  # its only held host in that zone is itself
    before = len(r.timeline)
    r.env.process(r._escalate(gw, 0))
    r.env.process(r._backdoor(gw))
    r.env.run(until=60)
    assert len(r.timeline) == before
    r._gain(gw, "user")
    assert r.owned[gw] == "user" and not r._shell_less(gw) and ("harvest", gw) in _queued(r)


def test_a_session_on_the_ransomware_target_does_not_stop_the_crew_looking_for_a_shell_there():
    """Holding the ransomware target with an admin's session is not holding it: the crew does not focus on it (it
    could not encrypt through a session and would stop moving), and a logon planned before the session may be planned
    again over a service that gives a shell, a shell service first (a reviewer's scenario stalled on both)."""
    r = Run(compiled(load("regional-hospital"), "ai-orchestrated", "baseline"), 0)
    r._catch_up.clear()
    gw = r.net.host_index["appgw-01"]
    admin = next(i for i, a in enumerate(r.net.accounts) if a.kind == "admin" and gw in a.logon)
    r.obj_kind, r.obj_host = "ransomware", gw
    r.tried.add(("c", gw, admin))
    r._gain(gw, "admin", session=True)
    assert not r._focused()
    assert ("c", gw, admin) not in r.tried
    r._gain(r.net.host_index["portal-01"], "user")  # a foothold in the DMZ to reach the gateway from
    r._tasks.clear()
    zone = r.net.hosts[gw].zone
    r.routes[gw] = {"sso": [zone], "rdp": [zone]}
    r.harvested.add(admin)
    r._plan(gw, None)
    assert ("move_cred", gw, admin, "rdp") in _queued(r)
    r._gain(gw, "admin")
    assert r._focused()


def test_an_encrypted_host_whose_isolation_ends_first_is_not_back_yet():
    """An isolation that ends while the host is still encrypted does not bring it back: not logged as cleaned, not
    marked rebuilt (a restore from a backup later does not make it patched from then)."""
    r = _run()
    ws = r.net.host_index["ws-eng-01"]
    r.encrypted[ws] = 100.0
    r.down_until[ws] = 6000.0
    r.contain({ws}, set(), until=600.0)
    r.env.run(until=700)
    assert ws not in r.belief.contained_hosts and ws not in r.belief.rebuilt
    assert not any(e.kind == "restored" and "cleaned" in e.detail for e in r.log)


def _mfa_logon(r: Run, reset: bool, fresh: bool) -> tuple[str | None, Action]:
    """An outside VPN logon to vpn-01 with an account MFA covers, after a reset or not, with the old or new password:
    the reason the first blocking control gives."""
    from defenses.access_control import AccessControl

    net = r.net
    ac = next(c for c in r.controls if isinstance(c, AccessControl))
    vpn = net.host_index["vpn-01"]
    acct = next(i for i, a in enumerate(net.accounts) if vpn in a.logon and ac.has_mfa(i))
    if reset:
        r.belief.reset_credentials.add(acct)
        r.belief.reset_at[acct] = r.env.now
    if fresh:
        r.fresh_credentials.add(acct)
    a = Action(r.env.now, "initial-access", "T1133", "ai", vpn, "internet", net.hosts[vpn].zone, 1.0, account=acct,
               service="vpn")
    return next((reason for check in r._check if (reason := check(a)) is not None), None), a


def test_a_reset_password_is_refused_before_mfa_is_asked_and_an_mfa_refusal_shows_the_password_known():
    """A logon with a password reset since is refused for the password (the attacker learns it changed), not by MFA,
    which is only asked for once the password is right (before, access control answered first: 'mfa', and the
    attacker never learnt of the reset). So a logon MFA refuses is one whose password was right: its alert says so,
    and incident response counts it as the credential seen used, after its reset too (before, only a logon that
    succeeded did, so a reset the attacker had already dumped again was not redone on that evidence)."""

    r = _run()
    reason, _ = _mfa_logon(r, reset=True, fresh=False)
    assert reason == "reset"
    r = _run()
    reason, a = _mfa_logon(r, reset=True, fresh=True)  # the new password, dumped where the user logged on since
    assert reason == "mfa"
    a.blocked = reason
    mon = next(c for c in r.controls if isinstance(c, Monitoring))
    alert = mon._alert(a, "low", "edr")
    assert alert.password_ok and not alert.success
    r.env.run(until=r.env.now + 60)
    alert.time = r.env.now
    _ir(r).on_escalation(alert)
    assert a.account in r.belief.known_credentials and a.account in r.belief.due_for_reset({a.account})
    r = _run()
    reason, a = _mfa_logon(r, reset=False, fresh=False)
    assert reason == "mfa"
    a.blocked = reason
    _ir(r).on_escalation(mon._alert(a, "low", "edr"))  # an outside logon refused by MFA: the password is known
    assert a.account in r.belief.known_credentials


def test_an_outside_mfa_refusal_alone_gets_the_password_reset_and_isolates_nothing():
    """A logon from the internet refused only by MFA shows the account's password known outside: incident response
    resets it after ``reset_hours``, a helpdesk task with no round (before, the account was marked stolen but reset
    only when some later alert put a host in evidence, so an attacker with no foothold kept a working password), and
    it isolates no host, the refused logon's target (the VPN concentrator) included; a second refusal while the reset
    is under way adds nothing. Before the attacker is in, such a reset is a cost (one credential reset) but no
    containment of an intrusion: the run's time to containment stays empty."""

    r = _run()
    reason, a = _mfa_logon(r, reset=False, fresh=False)
    assert reason == "mfa"
    a.blocked = reason
    mon = next(c for c in r.controls if isinstance(c, Monitoring))
    alert = mon._alert(a, "low", "edr")
    assert alert.outside and alert.password_ok and not alert.evidence_hosts()
    ir = _ir(r)
    ir.on_escalation(alert)
    ir.on_escalation(alert)  # refused again (a push declined) before the reset: the same one task
    assert not ir.in_progress and ir.resets_pending == {a.account}  # no round: nothing to scope or isolate
    r.env.run(until=r.env.now + 10 * 24 * 60)  # well past the delay (median 4 h with baseline)
    assert a.account in r.belief.reset_credentials and r.credentials_reset == 1
    assert not r.belief.contained_hosts and r.isolations == 0
    assert r.t_containment is None  # the attacker is not in: a reset prevents, it is no time to containment
    assert _mfa_logon(r, reset=False, fresh=False)[0] == "reset"  # the old password no longer works
    r = _run()  # a logon refused for a password that was wrong shows nothing known: nothing to reset
    reason, a = _mfa_logon(r, reset=True, fresh=False)
    assert reason == "reset"
    a.blocked = reason
    mon = next(c for c in r.controls if isinstance(c, Monitoring))
    _ir(r).on_escalation(mon._alert(a, "low", "edr"))
    r.env.run(until=r.env.now + 10 * 24 * 60)
    assert r.credentials_reset == 0


def test_the_first_containment_is_the_first_order_that_takes_something_from_the_attacker():
    """Time to containment counts from the first order, after initial access, that isolates a host the attacker
    holds or resets a password it holds: isolating only clean hosts (scoping's mistakes) or resetting a password the
    attacker does not have contains nothing."""
    r = _run()
    net = r.net
    held, clean = net.host_index["ws-eng-01"], net.host_index["ws-eng-02"]
    r.t_initial_access = r.env.now
    r._gain(held, "user")
    acct = 0
    r.contain({clean}, {acct})  # a clean host and a password the attacker never had
    assert r.t_containment is None and r.isolations == 1 and r.credentials_reset == 1
    r.env.run(until=r.env.now + 60)
    r._harvest_account(acct, fresh=True)  # it has the new password (a re-harvest)
    r.contain(set(), {acct})
    assert r.t_containment == r.env.now
    r = _run()
    r.t_initial_access = r.env.now
    r._gain(held, "user")
    r.env.run(until=r.env.now + 60)
    r.contain({held}, set())
    assert r.t_containment == r.env.now and held not in r.owned


def test_what_is_not_reached_is_blocked_first_and_a_declined_push_or_a_tiering_refusal_shows_the_password():
    """Blocked addresses and isolated hosts come before a reset password (the attacker learns nothing of a password
    through a connection the perimeter dropped, and rotates its addresses); a push-bombing run the user declined and
    a logon refused by admin tiering each show the password right (from a review of the check order)."""

    r = _run()
    r.belief.blocked_infrastructure.add(0)
    reason, a = _mfa_logon(r, reset=True, fresh=False)
    a.infrastructure = 0
    assert next(x for c in r._check if (x := c(a)) is not None) == "infrastructure"
    mon = next(c for c in r.controls if isinstance(c, Monitoring))
    push = Action(r.env.now, "credential-access", "T1621", "ai", a.host, "internet", a.dst_zone, 1.0,
                  account=a.account, service="vpn")
    assert mon._alert(push, "low", "edr").password_ok  # declined: not blocked, not a success
    push.success = True
    assert not mon._alert(push, "low", "edr").password_ok  # approved: a logon that worked, counted as such
    tiered = Action(r.env.now, "lateral-movement", "T1021", "ai", a.host, "dmz", a.dst_zone, 1.0, src_host=a.host,
                    account=a.account, service="rdp")
    tiered.blocked = "tiering"
    assert mon._alert(tiered, "low", "edr").password_ok


def test_storage_appliances_are_encrypted_and_other_appliances_are_not():
    from simulator.scenario import encryptable

    assert encryptable("appliance", "backup") and encryptable("appliance", "nas") and encryptable("other", "vpn")
    assert not encryptable("appliance", "vpn") and not encryptable("network", "infusion-pump")


def test_a_watched_decoy_account_seen_used_is_left_set_as_a_tripwire():
    """Where monitoring watches decoy (honeytoken) accounts (`hardened`), one whose logon from outside MFA refused is
    known stolen but not reset, neither then nor by a later response round: its use is watched, not stopped (from a
    practitioner's review: before, the outside reset and every round after it took the tripwire away). Where nobody
    watches them (`baseline`), it is an account like any other, and reset."""

    for posture, watched in (("hardened", True), ("baseline", False)):
        r = _run(posture=posture)
        reason, a = _mfa_logon(r, reset=False, fresh=False)
        a.blocked = reason
        mon = next(c for c in r.controls if isinstance(c, Monitoring))
        alert = mon._alert(a, "low", "edr")
        honey = next(i for i, x in enumerate(r.net.accounts) if x.honeytoken)
        alert.account = honey  # (honey-admin logs on only to file-01: the refusal is staged, its handling is not)
        ir = _ir(r)
        ir.on_escalation(alert)
        r.env.run(until=r.env.now + 2 * 24 * 60)
        assert honey in r.belief.known_credentials
        assert (honey in r.belief.reset_credentials) is not watched
        if watched:  # a round on other evidence resets what it has seen used, not the decoy
            ws = r.net.host_index["ws-eng-01"]
            r._gain(ws, "user")
            ir.on_escalation(Alert(r.env.now, "high", True, "edr", ws, src_host=ws, src_zone=r.net.hosts[ws].zone,
                                   success=True))
            r.env.run(until=r.env.now + 2 * 24 * 60)
            assert r.belief.contained_hosts and honey not in r.belief.reset_credentials


def _started(automation: str = "ai-orchestrated", posture: str = "baseline") -> Run:
    """A run with its controls started (sensors, SOC, response) and no campaign: the attacker driven by hand."""
    r = Run(compiled(load("espionage-tech"), automation, posture), 0)
    for start in r._start:
        start()
    return r


def test_an_entry_host_held_as_a_session_is_tried_again_from_outside_for_a_shell():
    """A VPN user's session on vpn-01 is all the attacker holds, and nothing inside leads on. Back at the perimeter,
    the campaign tries the authentication bypass disclosed on day 3 against the concentrator it holds as a session:
    it gives admin rights there, a shell to dump (before, a held entry host was skipped, so the flaw was never used
    from outside and the run sat on the session until the horizon). Another VPN logon is no candidate: it would only
    be one more session."""
    from simulator.attack.vectors.valid_accounts import RemoteLogon

    r = _started()
    net = r.net
    vpn = net.host_index["vpn-01"]
    r.env.run(until=4 * 1440)
    r._gain(vpn, "user", session=True)
    assert not list(RemoteLogon().candidates(r, vpn, ("vpn",)))
    alice = next(i for i, a in enumerate(net.accounts) if a.id == "alice")
    r.harvested.add(alice)  # a user's logon over ssh on an appliance is no shell either: no blind stuffing run
    assert not list(RemoteLogon().candidates(r, vpn, ("ssh",)))
    for h, svcs in net.entry:  # every other way in closed: the held concentrator is the only candidate
        if h != vpn:
            r.dead.update((h, v) for v in net.hosts[h].network_vulns)
            r.dead.update((h, s) for s in svcs)
    got = r.env.process(r._get_in())
    r.env.run(until=got)
    assert got.value == vpn and r.owned[vpn] == "admin" and not r._shell_less(vpn)
    shell = next(e.time for e in r.timeline if e.phase == "initial-access" and e.host == "vpn-01" and e.success)
    assert ("harvest", vpn) in _queued(r)
    assert round(r.entered_at[vpn], 4) == shell > 4 * 1440  # a way in of its own: breakout counts from it


def test_a_host_lost_and_held_again_while_the_campaign_is_at_the_perimeter_is_a_gain():
    """The campaign is back at the perimeter holding a session on mail-01; the session is cut and the attacker logs on
    again: that is a host gained (the loop ends and the campaign goes back to work; before, a host held when the loop
    began never counted again, so the campaign went on scanning daily to the horizon)."""
    r = _started()
    mail = r.net.host_index["mail-01"]
    r._gain(mail, "user", session=True)
    r._scan_start, r._scan_shells = set(r.owned), set()
    assert not r._gained()
    r._lose(mail)
    r._gain(mail, "user", session=True)
    assert r._gained() == {mail}


def test_a_decoy_account_used_points_the_response_at_where_it_was_planted():
    """A decoy (honeytoken) account is cached only where the defender planted it, so whoever uses it dumped one of
    those hosts: its alert names them as evidence, from inside and from outside alike, and the response isolates the
    one the attacker holds (before, the alert named only the source of the logon, and a decoy used from the
    internet, no own host in evidence, led to no containment at all); a host rebuilt since the decoy's first use is
    not named (the attacker's copy is older than the rebuild). The decoy itself is left set, and logs on nowhere: its
    logon is refused ('decoy') and alerts, so leaving it set opens no way in (the fix of a reviewer's finding). The
    breach
    corpus never holds a decoy (nobody ever used one), so no stuffing run can fake that evidence."""
    from simulator.attack.vectors.valid_accounts import RemoteLogon

    r = _started(posture="hardened")
    net = r.net
    mon = next(c for c in r.controls if isinstance(c, Monitoring))
    honey = next(i for i, x in enumerate(net.accounts) if x.honeytoken)
    planted = {h for h, host in enumerate(net.hosts) if honey in host.credentials}
    ws_it = net.host_index["ws-it-01"]
    assert ws_it in planted and len(planted) == 5  # the four IT workstations and file-01
    raised: list[Alert] = []
    r._on_alert.append(raised.append)
    src, fs = net.host_index["ws-eng-01"], net.host_index["file-01"]
    inside = Action(r.env.now, "lateral-movement", "T1021", "ai", fs, net.hosts[src].zone, net.hosts[fs].zone, 1.0,
                    account=honey, src_host=src, honeytoken=True)
    assert mon.check(inside) == "decoy"  # a deployed decoy logs on nowhere (no backdoor), and alerts
    base = _started(posture="baseline")  # where no decoy is deployed, the account is an account like any other
    assert next(c for c in base.controls if isinstance(c, Monitoring)).check(inside) is None
    mon.observe(inside)
    alert = raised[-1]
    assert alert.source == "honeytoken" and set(alert.planted) == planted
    assert alert.evidence_hosts(planted=False) == (src,) and set(alert.evidence_hosts()) == {src} | planted
    ws_it2 = net.host_index["ws-it-02"]  # back clean since the decoy's first use: the attacker's copy is older
    r.belief.cleaned[ws_it2] = r.env.now
    mon.observe(inside)
    assert set(raised[-1].planted) == planted - {ws_it2}
    # from outside (as if file-01 took logons from the internet), in a run of its own: the planted hosts are the only
    # evidence
    r = _started(posture="hardened")
    mon = next(c for c in r.controls if isinstance(c, Monitoring))
    raised.clear()
    r._on_alert.append(raised.append)
    r._gain(ws_it, "admin")
    mon._edr[ws_it] = True  # (its dump is in the EDR's record: the round's triage of the planted hosts finds it)
    outside = Action(r.env.now, "initial-access", "T1078", "ai", fs, "internet", net.hosts[fs].zone, 1.0,
                     account=honey, honeytoken=True, infrastructure=0)
    mon.observe(outside)
    alert = raised[-1]
    assert alert.outside and not alert.evidence_hosts(planted=False) and set(alert.evidence_hosts()) == planted
    _ir(r).on_escalation(alert)
    r.env.run(until=r.env.now + 10 * 24 * 60)
    assert ws_it in r.belief.known_hosts and ws_it in r.belief.rebuilt and ws_it not in r.owned  # isolated, cleaned
    assert 0 in r.belief.blocked_infrastructure  # the outside handling still blocks the addresses it came from
    assert honey not in r.belief.reset_credentials
    # no stuffing run finds a decoy, even one that logs on to an internet-facing host
    from simulator.loader import load_document, parse_yaml

    text = (Path(__file__).resolve().parent.parent / "scenarios" / "espionage-tech.yaml").read_text(encoding="utf-8")
    text = text.replace("honeytoken: true, logon: [file-01]", "honeytoken: true, logon: [file-01, vpn-01]")
    r = Run(compiled(load_document(parse_yaml(text, "decoy.yaml")), "ai-orchestrated", "hardened"), 0)
    r.p = r.p.model_copy(update={"stuffing_success": 1.0})
    vpn = r.net.host_index["vpn-01"]
    assert vpn in r.net.accounts[honey].logon
    valid, stuffed = RemoteLogon._accounts(r, vpn, "vpn")
    assert stuffed and honey not in stuffed


def test_a_decoy_planted_on_several_hosts_is_a_lead_the_round_triages_not_evidence_against_each():
    """A decoy cached on five hosts and seen used says one of them was dumped, not which: the round looks at each
    before isolating (a practitioner's triage), so the held one is found (it runs EDR: the dump is in the record)
    and the four clean ones stay in service unless scoping pulls one by mistake (before, all five were isolated,
    four of them clean). Without EDR the held one is found only with the round's forensic capacity (scoping). A decoy
    planted on one host leaves no doubt: that host is isolated whatever its sensors. A host restored from a backup
    since the decoy's first use is clean too, and named no more than a rebuilt one."""

    def decoy_round(edr: bool, scoping: float, fp: float, plant_on: str | None = None) -> Run:
        r = _started(posture="hardened")
        net = r.net
        honey = next(i for i, x in enumerate(net.accounts) if x.honeytoken)
        mon = next(c for c in r.controls if isinstance(c, Monitoring))
        ir = _ir(r)
        ir.config = ir.config.model_copy(update={"scoping": scoping, "scoping_false_positive": fp})
        ws_it = net.host_index["ws-it-01"]
        r._gain(ws_it, "admin")
        mon._edr[ws_it] = edr
        raised: list[Alert] = []
        r._on_alert.append(raised.append)
        fs = net.host_index["file-01"]
        mon.observe(Action(r.env.now, "initial-access", "T1078", "ai", fs, "internet", net.hosts[fs].zone, 1.0,
                           account=honey, honeytoken=True, infrastructure=0))
        alert = raised[-1]
        if plant_on is not None:  # as if the decoy were cached on that one host only
            alert.planted = (net.host_index[plant_on],)
        ir.on_escalation(alert)
        r.env.run(until=r.env.now + 10 * 24 * 60)
        return r

    r = decoy_round(edr=True, scoping=0.0, fp=0.0)
    ws_it = r.net.host_index["ws-it-01"]
    planted = {h for h, host in enumerate(r.net.hosts) if any(r.net.accounts[a].honeytoken for a in host.credentials)}
    assert len(planted) == 5 and ws_it in planted
    assert ws_it in r.belief.rebuilt and ws_it not in r.owned  # the held one, found by its EDR record
    assert not (planted - {ws_it}) & (set(r.belief.rebuilt) | r.belief.contained_hosts)  # the clean four left be
    r = decoy_round(edr=False, scoping=0.0, fp=0.0)  # no record, no forensic capacity: not found
    assert ws_it not in r.belief.known_hosts and r.owned.get(ws_it) == "admin"
    r = decoy_round(edr=False, scoping=1.0, fp=0.0)  # no record, but forensics find it
    assert ws_it in r.belief.rebuilt
    r = decoy_round(edr=True, scoping=0.0, fp=1.0)  # scoping pulling every clean lead by mistake: all five go
    assert planted <= set(r.belief.rebuilt) | r.belief.contained_hosts
    r = decoy_round(edr=False, scoping=0.0, fp=0.0, plant_on="ws-it-01")  # one planted host: no doubt
    assert ws_it in r.belief.rebuilt and ws_it not in r.owned
    # restored from a backup after ransomware since the decoy's first use: clean, not named
    r = _started(posture="hardened")
    net = r.net
    mon = next(c for c in r.controls if isinstance(c, Monitoring))
    honey = next(i for i, x in enumerate(net.accounts) if x.honeytoken)
    raised = []
    r._on_alert.append(raised.append)
    fs = net.host_index["file-01"]
    use = Action(r.env.now, "initial-access", "T1078", "ai", fs, "internet", net.hosts[fs].zone, 1.0,
                 account=honey, honeytoken=True, infrastructure=0)
    mon.observe(use)
    r.env.process(r._back_in_service([(ws_it, False)], r.env.now + 60))  # restored from its backup, not rebuilt
    r.env.run(until=r.env.now + 120)
    assert ws_it in r.belief.cleaned and ws_it not in r.belief.rebuilt
    mon.observe(use)
    assert ws_it in raised[0].planted and ws_it not in raised[-1].planted
