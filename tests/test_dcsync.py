"""DCSync (T1003.006): a domain controller held with admin rights gives the directory's every password, and a reset
does not hold while the attacker holds one."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from simulator.attack.base import RELOGON_MINUTES
from simulator.engine import Run, run
from simulator.loader import load
from tests.conftest import compiled


def _begun(**attacker) -> Run:
    """espionage-tech, ai-orchestrated vs weak (with ``attacker`` field overrides), begun, with its lines of work
    running (they start at initial access otherwise)."""
    c = compiled(load("espionage-tech"), "ai-orchestrated", "weak")
    if attacker:
        c = dataclasses.replace(c, attacker=c.attacker.model_copy(update=attacker))
    r = Run(c, 0)
    r.begin()
    for _ in range(c.attacker.concurrency):
        r.env.process(r.worker())
    return r


def _host(r: Run, name: str) -> int:
    return r.net.host_index[name]


def test_domain_accounts_are_those_of_windows_hosts():
    """The directory: accounts that log on to, or are cached on, a Windows host; a Linux service account is local;
    no domain controller, no directory."""
    net = compiled(load("espionage-tech"), "manual", "baseline").net
    ids = {net.accounts[a].id for a in net.domain_accounts}
    assert {"alice", "frank", "helpdesk", "it-admin", "domain-admin", "honey-admin"} <= ids
    assert "svc-ci" not in ids  # (logs on to and is cached on Linux hosts only)
    tiny = compiled(load(str(Path(__file__).parent / "data" / "tiny.yaml")), "manual", "baseline").net
    assert not any(h.role == "domain-controller" for h in tiny.hosts) and tiny.domain_accounts == ()


def test_a_held_domain_controller_gives_every_domain_account():
    """Admin rights on a domain controller: one DCSync from it brings every domain account, those cached on no held
    host (or nowhere) included, and no Linux-only account; it is logged, and a person checks what it brought."""
    r = _begun()
    dc = _host(r, "dc-01")
    ws = next(i for i, h in enumerate(r.net.hosts) if h.zone == "corp")
    r.owned[ws] = "admin"  # (a foothold: the sync's credentials are planned from what it holds)
    r.owned_by_zone.setdefault("corp", []).append(ws)
    r._gain(dc, "admin")
    r.env.run(until=r.env.now + 240)
    syncs = [e for e in r.timeline if e.technique == "T1003.006"]
    assert syncs[0].host == "dc-01" and syncs[0].success  # (then another if it takes dc-02: nothing new there)
    assert set(r.net.domain_accounts) <= r.harvested
    assert any(e.kind == "dcsync" and "replicated from the domain controller" in e.detail for e in r.log)
    assert any(e.actor == "human" and e.technique == "T1078" for e in r.timeline)  # the operators' check


def test_a_reset_does_not_hold_while_the_attacker_holds_a_domain_controller():
    """A refused logon with a reset password, the attacker holding a domain controller: a DCSync brings the new
    password within the hour, not after the user's next logon (RELOGON_MINUTES); one DCSync for a burst of refusals.
    Without the domain controller the password waits for that logon. (The crew that notices the response lies low
    first, and syncs after: here it never notices, ``notices_response`` 0.)"""
    r = _begun(notices_response=0.0)
    dc = _host(r, "dc-01")
    r.owned[dc] = "admin"
    r.owned_by_zone.setdefault("admin", []).append(dc)
    alice = next(a for a, x in enumerate(r.net.accounts) if x.id == "alice")
    bob = next(a for a, x in enumerate(r.net.accounts) if x.id == "bob")
    target = next(i for i, h in enumerate(r.net.hosts) if h.zone == "corp" and alice in r.net.logon_accounts[i])
    for acct in (alice, bob):
        r.harvested.add(acct)
        r.belief.reset_credentials.add(acct)
        r.belief.reset_at[acct] = r.env.now
        r._reset_by[acct] = 1
    for acct in (alice, bob, alice):  # a burst of refused logons
        r.env.process(r.act("lateral-movement", "T1021", 10.0, host=target, src_host=dc, src_zone="admin",
                            dst_zone="corp", account=acct, service="smb"))
    start = r.env.now
    r.env.run(until=start + 60)
    refused = [e for e in r.timeline if e.blocked == "reset"]
    assert len(refused) >= 2  # (a logon ending after the sync goes through)
    syncs = [e for e in r.timeline if e.technique == "T1003.006"]
    assert len(syncs) == 1 and syncs[0].time < start + 60
    assert {alice, bob} <= r.fresh_credentials and {alice, bob} <= r.harvested

    # the same without the domain controller: nothing before the user's next logon
    r2 = _begun(notices_response=0.0)
    ws = target
    r2.owned[ws] = "admin"
    r2.owned_by_zone.setdefault("corp", []).append(ws)
    r2.harvested.add(alice)
    r2.belief.reset_credentials.add(alice)
    r2.belief.reset_at[alice] = r2.env.now
    r2._reset_by[alice] = 1
    other = next(i for i, h in enumerate(r2.net.hosts) if h.zone == "corp" and i != ws
                 and alice in r2.net.logon_accounts[i])
    r2.env.process(r2.act("lateral-movement", "T1021", 10.0, host=other, src_host=ws, src_zone="corp",
                          dst_zone="corp", account=alice, service="smb"))
    r2.env.run(until=r2.env.now + RELOGON_MINUTES - 60)
    assert alice not in r2.fresh_credentials
    assert not any(e.technique == "T1003.006" for e in r2.timeline)


def test_dcsync_happens_in_whole_runs():
    """On the university (a domain controller the AI crews reach), some orchestrated runs against baseline sync the
    directory, and some of those after a reset; no manual crew there does (none reaches it). A sync is an event, not
    a loop: about one per response order at most (a first version retried a sync against a domain controller the
    response had isolated, thousands of times a run)."""
    c = compiled(load("examples/scenarios/university.yaml"), "ai-orchestrated", "baseline")
    logs = []
    for s in range(8):
        r = run(c, s)
        syncs = sum(1 for e in r.timeline if e.technique == "T1003.006")
        orders = sum(1 for e in r.log if e.kind == "containment")
        assert syncs <= 2 * (orders + 2), (s, syncs, orders)
        logs.append([e for e in r.log if e.kind in ("dcsync", "containment")])
    synced = [lg for lg in logs if any(e.kind == "dcsync" for e in lg)]
    assert synced
    assert any(any(e.kind == "dcsync" and any(c.kind == "containment" and c.time < e.time and "reset" in c.detail
                                              for c in lg) for e in lg) for lg in synced)
    manual = compiled(load("examples/scenarios/university.yaml"), "manual", "baseline")
    assert not any(e.technique == "T1003.006" for s in range(3) for e in run(manual, s).timeline)


def _sync_after_reset(r: Run, account: int, order: int):
    """Reset ``account`` (containment order ``order``), tell the crew by a refused logon, and run an hour: the last
    DCSync event."""
    r.belief.reset_credentials.add(account)
    r.belief.reset_at[account] = r.env.now
    r._reset_by[account] = order
    r.fresh_credentials.discard(account)
    r._dcsync_due = False
    r._queue_dcsync(reset=True)
    r.env.run(until=r.env.now + 60)
    return [e for e in r.timeline if e.technique == "T1003.006"][-1]


def test_a_domain_admin_credential_syncs_from_any_host_that_reaches_a_domain_controller():
    """With an account with replication rights in hand (a Domain Admin: an admin account that logs on to a domain
    controller), the crew syncs the directory from a held workstation over the network, holding no domain
    controller; a reset of that account refuses it, and the sync waits for another way. Holding neither a domain
    controller nor such an account, no sync."""
    r = _begun(notices_response=0.0)
    net = r.net
    da = next(a for a, x in enumerate(net.accounts) if x.id == "domain-admin")
    assert da in net.replication_accounts and "it-admin" not in {net.accounts[a].id for a in net.replication_accounts}
    ws = next(i for i, h in enumerate(net.hosts) if h.zone == "corp")  # (weak: corp reaches the admin tier)
    r.owned[ws] = "admin"
    r.owned_by_zone.setdefault("corp", []).append(ws)
    r._queue_dcsync()
    r.env.run(until=r.env.now + 30)
    assert not any(e.technique == "T1003.006" for e in r.timeline)  # (no way yet)
    r._harvest_account(da, ws)
    r.env.run(until=r.env.now + 60)
    syncs = [e for e in r.timeline if e.technique == "T1003.006"]
    assert syncs and syncs[0].success and syncs[0].host.startswith("dc-") and syncs[0].actor == "ai"
    assert any(e.kind == "dcsync" and f"(from {net.hosts[ws].id})" in e.detail for e in r.log)
    assert set(net.domain_accounts) <= r.harvested

    # the sync brought the domain's krbtgt key: with the Domain Admin reset, a ticket forged for it (a golden
    # ticket) still syncs, and the new password comes back with the rest
    assert r.krbtgt_held == 0
    last = _sync_after_reset(r, da, 1)
    assert last.success and r.forged_logons == 1 and da in r.fresh_credentials

    # one krbtgt reset leaves the previous key valid (a forged ticket still works); the second evicts it: with the
    # Domain Admin reset again (and the crew told by a refused logon), the next sync is refused, and none follows
    r.reset_krbtgt()
    assert r.ticket_valid()
    r.reset_krbtgt()
    assert not r.ticket_valid() and r.krbtgt_resets == 2
    for dc in net.domain_controllers:  # (evicted from the domain controllers too: no sync on one held)
        if dc in r.owned:
            r._lose(dc)
    forged = r.forged_logons
    last = _sync_after_reset(r, da, 2)
    assert last.blocked == "reset" and da not in r.harvested and r.forged_logons == forged
    n = len([e for e in r.timeline if e.technique == "T1003.006"])
    r.env.run(until=r.env.now + 600)
    assert len([e for e in r.timeline if e.technique == "T1003.006"]) == n


def test_the_directory_follows_the_scenario_s_domain_flags(tmp_path):
    """``domain: false`` keeps a Windows host's accounts out of the directory (a workgroup, a separate OT domain);
    ``domain: true`` puts in an account that logs on only to Linux hosts (a VPN's or a portal's logons checked
    against the directory)."""
    import yaml

    from simulator.loader import load_document, parse_yaml

    loaded = load("espionage-tech")
    data = yaml.safe_load(loaded.document.text)
    for h in data["hosts"]:
        if h["id"] == "ws-sales":
            h["domain"] = False
    for a in data["accounts"]:
        if a["id"] == "svc-ci":
            a["domain"] = True
    flagged = load_document(parse_yaml(yaml.safe_dump(data, sort_keys=False), "flagged.yaml"))
    before = compiled(loaded, "manual", "baseline").net
    after = compiled(flagged, "manual", "baseline").net
    ids = {after.accounts[a].id for a in after.domain_accounts}
    assert "svc-ci" in ids and "svc-ci" not in {before.accounts[a].id for a in before.domain_accounts}
    joined = {h for h, x in enumerate(after.hosts) if x.os == "windows" and not x.id.startswith("ws-sales")}
    expected = {a for a, x in enumerate(after.accounts)
                if x.logon & joined or any(a in after.hosts[h].credentials for h in joined)} | {
        a for a, x in enumerate(after.accounts) if x.id == "svc-ci"}
    assert set(after.domain_accounts) == expected
    assert not any(after.hosts[h].domain for h in range(len(after.hosts)) if after.hosts[h].id.startswith("ws-sales"))


def test_a_reset_learned_of_during_the_operators_check_gets_its_own_sync():
    """The operators check what a sync brought (about twenty minutes); a reset the crew learns of meanwhile queues
    another sync (a reviewer found the trigger lost: the first sync still counted as under way)."""
    r = _begun(notices_response=0.0)
    net = r.net
    dc = _host(r, "dc-01")
    r._gain(dc, "admin")
    r.env.run(until=r.env.now + 2)
    assert [e.technique for e in r.timeline if e.technique == "T1003.006"] == ["T1003.006"]
    assert not any(e.actor == "human" and e.technique == "T1078" for e in r.timeline)  # (the check under way)
    alice = next(a for a, x in enumerate(net.accounts) if x.id == "alice")
    r.belief.reset_credentials.add(alice)
    r.belief.reset_at[alice] = r.env.now
    r._reset_by[alice] = 1
    r.fresh_credentials.discard(alice)
    r.reset_krbtgt()
    r.reset_krbtgt()  # (and the krbtgt key twice, so that no forged ticket gets past alice's reset)
    target = next(i for i, h in enumerate(net.hosts) if h.zone == "corp" and alice in net.logon_accounts[i])
    r.env.process(r.act("lateral-movement", "T1021", 10.0, host=target, src_host=dc, src_zone="admin",
                        dst_zone="corp", account=alice, service="smb"))
    r.env.run(until=r.env.now + 30)
    assert len([e for e in r.timeline if e.technique == "T1003.006"]) == 2
    assert alice in r.fresh_credentials and alice in r.harvested


def test_a_decoy_domain_admin_is_refused_a_sync_and_alerts(tmp_path):
    """A decoy account with logon rights on the domain controllers (a tripwire Domain Admin) has no replication
    rights: where the posture deploys decoys, a sync with it is refused and alerts, and it is not tried again."""
    import yaml

    from simulator.loader import load_document, parse_yaml

    data = yaml.safe_load(load("espionage-tech").document.text)
    for a in data["accounts"]:
        if a["id"] == "honey-admin":
            a["logon"] = ["dc", "file-01"]
            a["tier_zones"] = ["admin"]
    c = compiled(load_document(parse_yaml(yaml.safe_dump(data, sort_keys=False), "decoy.yaml")), "ai-orchestrated",
                 "hardened")
    assert c.posture.monitoring.honeytokens
    r = Run(c, 0)
    r.begin()
    for _ in range(c.attacker.concurrency):
        r.env.process(r.worker())
    honey = next(a for a, x in enumerate(r.net.accounts) if x.id == "honey-admin")
    assert honey in r.net.replication_accounts
    jump = _host(r, "jump-01")
    r.owned[jump] = "admin"
    r.owned_by_zone.setdefault("admin", []).append(jump)
    alerts = []
    raise_alert = r.raise_alert
    r.raise_alert = lambda alert, action=None: (alerts.append(alert), raise_alert(alert, action))[1]
    r._harvest_account(honey, jump)
    r.env.run(until=r.env.now + 120)
    syncs = [e for e in r.timeline if e.technique == "T1003.006"]
    assert len(syncs) == 1 and syncs[0].blocked == "decoy" and not syncs[0].success
    assert any(a.source == "honeytoken" and a.technique == "T1003.006" for a in alerts)
    assert not any(e.kind == "dcsync" for e in r.log)
