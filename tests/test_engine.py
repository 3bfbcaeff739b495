"""Invariants of single runs, and the mechanics the model promises (DESIGN.md sections 4-6)."""

from __future__ import annotations

import pytest

from simulator.build import build_network
from simulator.engine import run
from simulator.loader import bundled_names, load, preset_names
from simulator.result import OUTCOMES
from tests.conftest import compiled


@pytest.mark.parametrize("name", bundled_names())
def test_every_bundled_scenario_runs_everywhere(name):
    loaded = load(name)
    for level in preset_names("automation"):
        for posture in preset_names("posture"):
            r = run(compiled(loaded, level, posture), 1)
            assert r.outcome in OUTCOMES
            assert r.automation == level and r.posture == posture
            assert r.end_time <= loaded.scenario.horizon_days * 1440 + 1e-3


def test_bundled_scenarios_present():
    assert {"espionage-tech", "small-business", "regional-hospital"} <= set(bundled_names())
    sizes = {n: len(build_network(load(n).scenario, load(n).posture).hosts) for n in bundled_names()}
    assert 40 <= sizes["espionage-tech"] <= 60
    assert 12 <= sizes["small-business"] <= 18
    assert 180 <= sizes["regional-hospital"] <= 220


@pytest.fixture(scope="module")
def espionage_runs():
    loaded = load("espionage-tech")
    out = []
    for level in ("manual", "ai-orchestrated", "autonomous"):
        for posture in ("weak", "hardened"):
            c = compiled(loaded, level, posture)
            out += [(c, run(c, s)) for s in range(15)]
    return out


def test_timeline_invariants(espionage_runs):
    for c, r in espionage_runs:
        times = [e.time for e in r.timeline]
        assert times == sorted(times), "event times go backwards"
        logged = [e.time for e in r.log]
        assert logged == sorted(logged), "log times go backwards (the SOC brings its alerts in late)"
        tactical = [e for e in r.timeline if e.phase != "planning"]
        assert len(tactical) == r.actions_ai + r.actions_human
        assert sum(e.actor == "ai" for e in tactical) == r.actions_ai
        assert r.records_exfiltrated <= c.net.objective_records
        assert (r.outcome == "objective_met") == (r.records_exfiltrated >= c.net.objective_records)
        assert all(t <= r.end_time + 1e-6 for t in times)
        assert set(r.owned_hosts).isdisjoint(r.contained_hosts)
        hallucinated = sum(1 for e in r.timeline if e.false_finding and e.phase != "exfiltration")
        misread = len({e.host for e in r.timeline if e.false_finding and e.phase == "exfiltration"})
        assert hallucinated <= r.false_findings_acted * c.attacker.fake_tries  # a fake credential: several tries
        assert all(not e.success for e in r.timeline if e.false_finding and e.phase != "exfiltration")
        if misread == 0:
            assert r.records_wasted == 0


def test_soc_backlogs_are_logged_in_time_order(espionage_runs):
    """The weak posture's one business-hours analyst is swamped: backlogs are logged, in order, before later events."""
    weak = [r for c, r in espionage_runs if r.posture == "weak"]
    assert all(r.soc_backlogs >= 1 for r in weak) and all((r.analyst_utilisation or 0) <= 1 for r in weak)
    for r in weak:
        kinds = [e.kind for e in r.log]
        if "soc-backlog" in kinds:
            first = r.log[kinds.index("soc-backlog")]
            assert all(e.time <= first.time for e in r.log[:kinds.index("soc-backlog")])


def test_owned_hosts_are_reachable(espionage_runs):
    """Every host the attacker took is an entry point or reachable from some zone it held (one hop)."""
    for c, r in espionage_runs:
        net = c.net
        entry = {net.hosts[h].id for h, _ in net.entry}
        for e in r.timeline:
            if e.phase == "lateral-movement" and e.success:
                tgt = net.host_index[e.host]
                assert any(tgt == t for z in net.zones for t, _ in net.reach[z]), e
            if e.phase == "initial-access" and e.success:
                assert e.host in entry


def test_outcome_consistency(espionage_runs):
    for _, r in espionage_runs:
        if r.outcome == "contained":
            assert not r.owned_hosts and r.time_to_containment is not None
        if r.outcome == "undetected_no_objective":
            assert r.time_to_first_detection is None
        if r.dwell_time is not None:
            assert r.dwell_time >= 0 and r.time_to_initial_access is not None
        if r.breakout_time is not None:
            assert r.breakout_time >= 0


def test_segmentation_reachability_is_per_scenario(tiny):
    flat = compiled(tiny, posture="weak").net
    zoned = compiled(tiny, posture="baseline").net
    hard = compiled(tiny, posture="hardened").net
    def pairs(net):
        return sum(len(svcs) for _, svcs in net.reach["dmz"])

    assert pairs(flat) > pairs(zoned) > pairs(hard)
    # hardened keeps smb (an admin service) from crossing from the dmz
    assert all("smb" not in svcs for t, svcs in hard.reach["dmz"] if hard.hosts[t].zone != "dmz")


def test_patched_exploits_fail_noisily(tiny):
    c = compiled(tiny, "manual", "baseline", patching={"coverage": 1.0, "days_to_patch": {"critical": 0.01},
                                                         "spread": 0.0})
    results = [run(c, s) for s in range(10)]
    for r in results:
        assert r.time_to_initial_access is None
        assert any(e.blocked == "patched" for e in r.timeline)


def test_mfa_blocks_stuffed_logons():
    loaded = load("espionage-tech")
    c = compiled(loaded, "autonomous", "weak", access_control={"mfa_coverage": 1.0})
    blocked = [e for s in range(30) for e in run(c, s).timeline if e.technique == "T1110.004" and e.blocked == "mfa"]
    assert blocked


def test_containment_interrupts_and_resets(espionage_runs):
    seen = False
    for _, r in espionage_runs:
        for e in r.log:
            if e.kind == "containment":
                seen = True
        if r.contained_hosts:
            assert r.time_to_containment is not None
    assert seen


def test_business_hours_soc_triages_nothing_at_night():
    from defenses.soc import SocConfig

    cal = SocConfig(analysts=1, hours="business", triage_minutes=10, benign_per_hour=1, recognition=0.5,
                    recognition_high=0.5).calendar(0)
    assert cal.on_shift(10 * 60) and not cal.on_shift(22 * 60) and not cal.on_shift(5 * 1440 + 10 * 60)


def test_outputs_emerge_gtg_figures():
    """DESIGN.md section 9 / issue 2: on espionage-tech vs baseline over 200 seeds, ai-orchestrated shows an AI share
    of tactical actions of 80-90%, 4-6 human decision points, and a peak of several requests per second. None of
    these is a parameter: they come out of the mechanics."""
    loaded = load("espionage-tech")
    c = compiled(loaded, "ai-orchestrated", "baseline")
    results = [run(c, s) for s in range(200)]
    ai = sum(r.actions_ai for r in results)
    share = ai / sum(r.actions_ai + r.actions_human for r in results)
    assert 0.80 <= share <= 0.90, share
    points = sum(r.human_decision_points for r in results) / len(results)
    assert 4 <= points <= 6, points
    peaks = sorted(r.peak_requests_per_minute / 60 for r in results)
    assert 2 <= peaks[len(peaks) // 2] <= 10, peaks[len(peaks) // 2]


def _gates(result) -> list[str]:
    return [e.detail.removeprefix("operator approved ") for e in result.log if e.kind == "gate"]


def test_each_false_finding_turned_down_is_logged_as_such():
    """A review that catches a false finding says so in the log (the gate's own line says only that the phase was
    approved), once per finding caught; none is logged where nobody reviews (autonomous)."""
    c = compiled(load("espionage-tech"), "ai-orchestrated", "baseline")
    caught = 0
    for s in range(12):
        r = run(c, s)
        lines = [e.detail for e in r.log if e.kind == "review"]
        assert len(lines) == r.false_findings_caught
        assert all(d.startswith("operator turned down a false finding: ") for d in lines)
        caught += len(lines)
    assert caught > 0
    auto = compiled(load("espionage-tech"), "autonomous", "baseline")
    assert not any(e.kind == "review" for s in range(4) for e in run(auto, s).log)


def test_operators_approve_as_gtg_describes(tmp_path):
    """GTG-1002's operators approved progression to exploitation, reviewed harvested credentials, authorised access to
    particularly sensitive systems and approved the final exfiltration targets: one exploitation gate, one
    credential_use gate however many zones the credentials open, one sensitive_access gate per sensitive zone first
    entered (the admin tier and the objective data's zone by default; a scenario's ``sensitive`` flag changes that),
    one exfiltration gate per data set."""
    import yaml

    from simulator.loader import load_document, parse_yaml

    loaded = load("espionage-tech")
    c = compiled(loaded, "ai-orchestrated", "baseline")
    assert c.net.sensitive_zones == {"admin", "servers"}
    seen_zones: set[str] = set()
    for s in range(20):
        r = run(c, s)
        gates = _gates(r)
        assert gates.count("exploitation (perimeter)") <= 1
        assert [g for g in gates if g.startswith("credential_use")] in ([], ["credential_use (harvested)"])
        zones = [g.removeprefix("sensitive_access (").rstrip(")") for g in gates if g.startswith("sensitive_access")]
        assert len(zones) == len(set(zones)) and set(zones) <= {"admin", "servers"}
        seen_zones |= set(zones)
        assert r.human_decision_points == len(gates)
    assert seen_zones == {"admin", "servers"}
    # the corp zone flagged sensitive, the servers zone not: the gates follow the flags
    data = yaml.safe_load(loaded.document.text)
    for z in data["zones"]:
        if z["id"] == "corp":
            z["sensitive"] = True
        if z["id"] == "servers":
            z["sensitive"] = False
    flagged = load_document(parse_yaml(yaml.safe_dump(data, sort_keys=False), "flagged.yaml"))
    c2 = compiled(flagged, "ai-orchestrated", "baseline")
    assert c2.net.sensitive_zones == {"admin", "corp"}
    flagged_zones = {g for s in range(20) for g in _gates(run(c2, s)) if g.startswith("sensitive_access")}
    assert "sensitive_access (servers)" not in flagged_zones and "sensitive_access (corp)" in flagged_zones


def test_no_edr_agent_on_appliances_unless_the_scenario_says_so():
    """A VPN concentrator or a firewall (``os: appliance`` or ``network``) runs no EDR agent, whatever the posture's
    coverage; ``edr: true`` on such a host still puts one there."""
    import yaml

    from defenses.monitoring import Monitoring
    from simulator.engine import Run
    from simulator.loader import load_document, parse_yaml

    loaded = load("espionage-tech")
    c = compiled(loaded, "ai-orchestrated", "hardened")
    boxes = [i for i, h in enumerate(c.net.hosts) if h.os in ("appliance", "network") and h.edr is None]
    assert boxes
    r = Run(c, 0)
    r.execute()
    mon = next(x for x in r.controls if isinstance(x, Monitoring))
    assert not any(mon.has_edr(i) for i in boxes)
    assert any(mon.has_edr(i) for i, h in enumerate(c.net.hosts) if h.os == "linux")
    data = yaml.safe_load(loaded.document.text)
    name = c.net.hosts[boxes[0]].id
    for h in data["hosts"]:
        if h["id"] == name:
            h["edr"] = True
    c2 = compiled(load_document(parse_yaml(yaml.safe_dump(data, sort_keys=False), "agent.yaml")), "ai-orchestrated",
                  "hardened")
    r2 = Run(c2, 0)
    r2.execute()
    mon2 = next(x for x in r2.controls if isinstance(x, Monitoring))
    assert mon2.has_edr(boxes[0])


def test_a_supplier_logon_into_a_sensitive_zone_waits_for_its_approval():
    """The manufacturer's plant network is sensitive and its vendor's account lands on the plant's jump host: an
    AI-run crew's operators authorise that access before the logon, as they would a move in from inside."""
    c = compiled(load("regional-manufacturer"), "ai-orchestrated", "baseline")
    ot = next(i for i, h in enumerate(c.net.hosts) if h.id == "ot-jump-01")
    seen = 0
    for s in range(30):
        r = run(c, s)
        logon = next((e for e in r.timeline if e.technique == "T1199" and e.host == "ot-jump-01"), None)
        if logon is None:
            continue
        seen += 1
        gate = next(e for e in r.log if e.kind == "gate" and e.detail == "operator approved sensitive_access (ot)")
        assert gate.time <= logon.time
    assert seen and c.net.hosts[ot].zone == "ot"


def test_a_move_redone_by_hand_is_dropped_once_the_target_is_held():
    """An operator taking over a failed AI move may get to it hours later; by then another line of work may hold the
    target: nobody exploits or logs on to a host the crew already holds (checked up to the first containment, after
    which a host may be lost and taken again)."""
    c = compiled(load("regional-hospital"), "ai-orchestrated", "baseline")
    for s in range(12):
        r = run(c, s)
        cut = min((e.time for e in r.log if e.kind == "containment"), default=float("inf"))
        held: set[str] = set()
        for e in (x for x in r.timeline if x.time < cut):
            if e.phase == "lateral-movement" and e.actor == "human" and not e.blocked:
                assert e.host not in held or e.host is None, (s, e)
            if e.success and e.phase in ("lateral-movement", "initial-access"):
                held.add(e.host)


def test_a_logon_over_a_vpn_or_sso_is_a_session_not_a_shell():
    """A user's VPN tunnel or web sign-on goes through the host; it is no shell on it: nothing is dumped or escalated
    on a host held only that way (espionage-tech's vpn-01 and mail-01), until an exploit gives a shell there."""
    c = compiled(load("espionage-tech"), "autonomous", "weak")
    sessions = 0
    for s in range(30):
        r = run(c, s)
        session: set[str] = set()
        for e in r.timeline:
            if e.host in ("vpn-01", "mail-01") and e.success:
                if e.phase in ("initial-access", "lateral-movement"):
                    if e.technique in ("T1078", "T1110.004", "T1021"):
                        session.add(e.host)
                        sessions += 1
                    else:
                        session.discard(e.host)  # an exploit: a shell
                elif e.host in session:
                    assert e.phase not in ("credential-access", "privilege-escalation"), (s, e)
    assert sessions


def test_a_hallucinated_credential_s_failed_logons_can_be_seen():
    """A hallucination costs what the real action would (issue 13, finding 4): each try of a credential the AI made
    up is a failed logon from a host the attacker holds, which the sensors there see like any other (the autonomous
    crew on espionage-tech, baseline: some of them are detected, none succeeds)."""
    c = compiled(load("espionage-tech"), "autonomous", "baseline")
    tries = [e for s in range(15) for e in run(c, s).timeline if e.false_finding and e.phase != "exfiltration"]
    assert tries and not any(e.success for e in tries)
    assert any(e.detected for e in tries)
