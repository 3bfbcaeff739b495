"""Egress filtering (default-deny outbound) acts: a transfer out works only over a web service (T1567) from the users'
zones (``Zone.web_egress``) or over the attacker's own way in (a held internet-facing host: a web shell, a VPN
tunnel), so data on a server is staged (T1074.002) before it leaves. A practitioner helper found the setting inert:
T1567 always passed."""

from __future__ import annotations

import dataclasses

import yaml

from simulator.engine import Run, run
from simulator.loader import load, load_document, parse_yaml
from tests.conftest import compiled

SEEDS = range(40)


def _filtered(loaded, level: str = "ai-orchestrated"):
    return compiled(loaded, level, "baseline", egress={"filtering": True})


def test_web_egress_zones_default_to_the_users_zones():
    net = compiled(load("espionage-tech"), "manual", "baseline").net
    assert net.web_egress_zones == frozenset({"corp"})  # (workstations live there; servers, dmz, admin do not browse)


def test_data_on_a_server_leaves_only_where_users_browse_or_over_the_way_in():
    """With filtering, no transfer out of git-01 (servers) succeeds: every theft leaves from a corp host over a web
    service or from an internet-facing host the attacker holds (its own way in), after a staging copy that crosses
    the zone boundary (or pulled through a VPN session, no copy)."""
    loaded = load("espionage-tech")
    c = _filtered(loaded)
    net = c.net
    met = staged_runs = 0
    for seed in range(10):
        r = run(c, seed)
        out = [e for e in r.timeline if e.phase == "exfiltration" and e.success]
        for e in out:
            h = net.host_index[e.host]
            assert (net.hosts[h].zone == "corp" and e.technique == "T1567") or (
                h in net.entry_hosts and e.technique == "T1041")
        if r.outcome == "objective_met":
            met += 1
            staged = [e for e in r.timeline if e.technique == "T1074.002" and e.success]
            if staged:
                staged_runs += 1
                assert staged[0].time < out[-1].time and staged[0].host in {e.host for e in out}
    assert met > 0 and staged_runs > 0
    unfiltered = compiled(loaded, "ai-orchestrated", "baseline")
    assert not any(e.technique == "T1074.002" for s in range(10) for e in run(unfiltered, s).timeline)


def test_a_zone_marked_web_egress_needs_no_staging():
    data = yaml.safe_load(load("espionage-tech").document.text)
    for z in data["zones"]:
        if z["id"] == "servers":
            z["web_egress"] = True
    marked = load_document(parse_yaml(yaml.safe_dump(data, sort_keys=False), "marked.yaml"))
    c = _filtered(marked)
    assert "servers" in c.net.web_egress_zones
    r = run(c, 0)
    assert r.outcome == "objective_met" and not any(e.technique == "T1074.002" for e in r.timeline)


def test_filtering_changes_outcomes_and_never_helps_the_attacker():
    """On common seeds, filtering costs the ai-assisted crew a few thefts (it reaches git-01 late and must then stage
    it before the horizon) and no level gains: against a crew that holds its way in, default-deny outbound is a
    staging step, not a wall."""
    loaded = load("espionage-tech")
    lost = 0
    for level, seeds in (("manual", SEEDS), ("ai-assisted", range(100)), ("ai-orchestrated", SEEDS)):
        off = compiled(loaded, level, "baseline")
        on = _filtered(loaded, level)
        wins_off = sum(run(off, s).outcome == "objective_met" for s in seeds)
        wins_on = sum(run(on, s).outcome == "objective_met" for s in seeds)
        assert wins_on <= wins_off
        lost += wins_off - wins_on
    assert lost > 0


def test_waiting_for_a_staging_host_the_crew_keeps_spreading():
    """Holding the data host and no host it can leave from, the crew does not sit on the data: it logs the wait,
    stops focusing (so it spreads) and takes the data out once it holds such a host (some runs of the human-paced
    crews do against weak's response; against baseline's, since the fifth December 5 session's trail-following
    scoping and EDR isolation, a crew waiting on the servers is most often stranded there to the horizon)."""
    waited_then_out = 0
    for level in ("manual", "ai-assisted"):
        c = compiled(load("espionage-tech"), level, "weak", egress={"filtering": True})
        for seed in range(60):
            r = Run(c, seed).execute()
            wait = next((e.time for e in r.log if e.kind == "staging" and "waits" in e.detail), None)
            if wait is not None:
                waited_then_out += any(e.phase == "exfiltration" and e.success and e.time > wait for e in r.timeline)
    assert waited_then_out > 0


def test_a_staged_copy_isolated_is_staged_again():
    """A reviewer's find: isolating the host the data was staged on ended the theft for good (the transfer came back
    'contained' and nothing re-queued it). Now the crew stages it again on another host it holds."""
    c = _filtered(load("espionage-tech"), "ai-orchestrated")
    c = dataclasses.replace(c, attacker=c.attacker.model_copy(update={"notices_response": 0.0}))  # (no lying low)
    r = Run(c, 0)
    r.begin()
    for _ in range(c.attacker.concurrency):
        r.env.process(r.worker())
    net = r.net
    git, ws1, ws2 = (net.host_index[x] for x in ("git-01", "ws-eng-01", "ws-eng-02"))
    for h in (ws1, ws2, git):
        r.owned[h] = "admin"
        r.owned_by_zone.setdefault(net.hosts[h].zone, []).append(h)
    r._filtered = set()  # (it knows outbound is filtered)
    r._filtered.add("servers")
    d = net.hosts[git].data[0]
    r.env.process(r._exfil(git, d, False))
    staged = []
    while not staged and r.env.now < 3000:
        r.env.run(until=r.env.now + 5)
        staged = [e for e in r.timeline if e.technique == "T1074.002" and e.success]
    assert staged and staged[0].host in ("ws-eng-01", "ws-eng-02")
    first = net.host_index[staged[0].host]
    r.env.run(until=r.env.now + 1)
    r.contain({first}, set())
    r.env.run(until=r.env.now + 600)
    again = [e for e in r.timeline if e.technique == "T1074.002" and e.success and e.time > staged[0].time]
    assert again and again[0].host != staged[0].host


def test_the_data_is_relayed_through_the_zones_the_crew_holds():
    """Water utility: the historian's process history sits in the control network, which browses nowhere and links
    to no zone that does; the crew relays it through the OT DMZ it holds (the path its commands take) to a host it
    can take it out from."""
    c = _filtered(load("examples/scenarios/water-utility.yaml"))
    net = c.net
    assert "scada" not in net.web_egress_zones and not (net.zone_links["scada"] & net.web_egress_zones)
    relayed = 0
    for seed in range(10):
        r = run(c, seed)
        staged = [e for e in r.timeline if e.technique == "T1074.002" and e.success]
        if r.outcome == "objective_met" and staged:
            relayed += net.hosts[net.host_index[staged[0].host]].zone not in net.zone_links["scada"]
    assert relayed > 0


def test_staged_data_seen_leaving_points_back_at_where_it_was_read():
    """A DLP alert on the host the data was staged on names the host it was read on too (its records say whose they
    are): the response isolates both. Without it, filtering helped the attacker: the response cut off the staging
    host, the crew kept the data host and staged again (retail, hardened egress: 32 thefts in 100 runs with filtering,
    21 without, before this)."""
    from defenses.base import Alert

    seen = Alert(0.0, "high", True, "egress", 5, None, "T1567", 5, "corp", True, "exfiltration", origin=9)
    assert set(seen.evidence_hosts()) == {5, 9}
    c = compiled(load("examples/scenarios/retail.yaml"), "ai-orchestrated", "baseline",
                 egress={"filtering": True, "large_transfer_records": 20000, "rate_cap_records_per_hour": 50000})
    net = c.net
    data_host = net.goals[0][2]
    pointed = 0
    for seed in range(20):
        r = run(c, seed)
        staged_dlp = [e for e in r.log if e.kind == "escalation" and e.detail.startswith("egress alert")
                      and e.host is not None and net.host_index[e.host] != data_host]
        if staged_dlp and net.hosts[data_host].id in r.known_hosts:
            pointed += 1
    assert pointed > 0
