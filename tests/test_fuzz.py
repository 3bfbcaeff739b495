"""Property-based fuzzing: generated valid scenarios always run to an end, and the model's invariants hold.

`make test` runs a short version; `make fuzz` runs many more examples (HYPOTHESIS_PROFILE=fuzz).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.build import compile_scenario
from simulator.engine import run
from simulator.loader import load_document, parse_yaml

settings.register_profile("quick", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "1000")), deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))

SERVICES = ["https", "ssh", "smb", "rdp", "sql", "vpn"]
EVENT_CAP = 200_000


@st.composite
def scenarios(draw):
    n_zones = draw(st.integers(1, 4))
    zones = [f"z{i}" for i in range(n_zones)]
    n_vulns = draw(st.integers(0, 5))
    vulns = []
    for i in range(n_vulns):
        local = draw(st.booleans())
        service = None if local else draw(st.sampled_from(SERVICES))
        vulns.append({
            "id": f"SYN-{i}", "technique": "T1068" if local else draw(st.sampled_from(["T1190", "T1210"])),
            "service": service, "severity": draw(st.sampled_from(["critical", "high", "medium", "low"])),
            "success": draw(st.floats(0, 1)), "effort_hours": draw(st.floats(0.1, 40)),
            "disclosed_day": draw(st.floats(-200, 40)), "access": draw(st.sampled_from(["user", "admin"])),
        })
    n_hosts = draw(st.integers(1, 10))
    hosts = []
    for i in range(n_hosts):
        services = draw(st.lists(st.sampled_from(SERVICES), min_size=1, max_size=4, unique=True))
        usable = [v["id"] for v in vulns if v["service"] is None or v["service"] in services]
        hosts.append({
            "id": f"h{i}", "zone": draw(st.sampled_from(zones)), "role": "server", "services": services,
            "vulnerabilities": draw(st.lists(st.sampled_from(usable), unique=True)) if usable else [],
            "edr": draw(st.sampled_from([None, True, False])), "honeytoken": draw(st.booleans()),
        })
    hosts[draw(st.integers(0, n_hosts - 1))]["data"] = [
        {"id": "target", "records": draw(st.integers(1, 2_000_000))},
    ]
    if draw(st.booleans()):
        hosts.append({"id": "grp", "zone": zones[0], "role": "workstation", "services": ["smb", "rdp"],
                      "count": draw(st.integers(2, 30))})
    ids = [h["id"] for h in hosts]
    accounts = []
    for i in range(draw(st.integers(0, 5))):
        accounts.append({
            "id": f"a{i}", "kind": draw(st.sampled_from(["user", "admin", "service"])),
            "logon": draw(st.lists(st.sampled_from(ids), unique=True, max_size=5)),
            "mfa": draw(st.sampled_from([None, True, False])), "tier_zones": draw(st.lists(st.sampled_from(zones),
                                                                                         unique=True, max_size=2)),
            "honeytoken": draw(st.booleans()),
        })
    for h in hosts:
        if accounts and h["id"] != "grp":
            h["credentials"] = draw(st.lists(st.sampled_from([a["id"] for a in accounts]), unique=True))
    flows = [{"from": a, "to": b, "services": draw(st.lists(st.sampled_from(SERVICES), min_size=1, unique=True))}
             for a in zones for b in zones if a != b and draw(st.booleans())]
    single = [h for h in hosts if h.get("count", 1) == 1]
    entry_host = draw(st.sampled_from(single))
    entry = [{"host": entry_host["id"], "services": entry_host["services"][:1]}]
    return {
        "name": "fuzz", "horizon_days": draw(st.floats(0.5, 30)),
        "attacker": {"preset": draw(st.sampled_from(["manual", "ai-assisted", "ai-orchestrated", "autonomous"]))},
        "posture": {"preset": draw(st.sampled_from(["weak", "baseline", "hardened"]))},
        "zones": [{"id": z} for z in zones], "hosts": hosts, "accounts": accounts, "flows": flows,
        "entry_points": entry, "vulnerabilities": vulns, "objective": {"data": "target"},
    }


@given(data=scenarios(), seed=st.integers(0, 2**32))
def test_generated_scenarios_run_and_keep_the_invariants(data, seed):
    import json

    loaded = load_document(parse_yaml(json.dumps(data), "fuzz.yaml"))  # JSON is YAML: the real loader path
    compiled = compile_scenario(loaded.scenario, loaded.attacker, loaded.posture)
    net = compiled.net
    r = run(compiled, seed)
    # ends within the horizon and an event cap
    assert r.end_time <= net.horizon + 1e-3  # results round times to 1e-4 minutes
    assert len(r.timeline) + len(r.log) < EVENT_CAP
    # event times never go backwards
    times = [e.time for e in r.timeline]
    assert times == sorted(times)
    # every counted action is in the timeline
    assert r.actions_ai + r.actions_human == sum(1 for e in r.timeline if e.phase != "planning")
    # data exfiltrated never exceeds the objective
    assert r.records_exfiltrated <= net.objective_records
    # every host taken was an entry point or reachable from a zone under the posture
    entry = {net.hosts[h].id for h, _ in net.entry}
    reachable = {net.hosts[t].id for z in net.zones for t, _ in net.reach[z]}
    for e in r.timeline:
        if e.success and e.phase == "initial-access":
            assert e.host in entry
        if e.success and e.phase == "lateral-movement":
            assert e.host in reachable
    # the defender knows only hosts the attacker touched or an alert named, and the clean hosts scoping flags by
    # mistake (``scoping_false_positive``) in the zones under investigation
    touched = {e.host for e in r.timeline if e.host} | {e.host for e in r.log if e.host}
    zone_of = {h.id: h.zone for h in net.hosts}
    investigated = {zone_of[h] for h in touched if h in zone_of}
    assert set(r.known_hosts) <= touched | {h for h, z in zone_of.items() if z in investigated}
    assert set(r.owned_hosts).isdisjoint(r.contained_hosts)
    # same seed, same result
    assert run(compiled, seed).to_json() == r.to_json()
