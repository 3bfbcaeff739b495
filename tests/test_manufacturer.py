"""scenarios/regional-manufacturer.yaml (bundled): the new ways in and double extortion (theft, then ransomware) on one
network, each used and each stopped by the control meant for it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from simulator.build import compile_scenario
from simulator.engine import run
from simulator.loader import load

PATH = Path(__file__).resolve().parent.parent / "scenarios" / "regional-manufacturer.yaml"


def _runs(posture: str, n: int = 60):
    loaded = load(str(PATH)).with_presets(automation="ai-orchestrated", posture=posture)
    compiled = compile_scenario(loaded.scenario, loaded.attacker, loaded.posture)
    return [run(compiled, s) for s in range(n)]


@pytest.fixture(scope="module")
def baseline():
    return _runs("baseline")


def _ways_in(runs) -> Counter:
    return Counter(next(e.technique for e in r.timeline if e.phase == "initial-access" and e.success)
                   for r in runs if r.time_to_initial_access is not None)


def test_every_way_in_is_used():
    """Exploit, phishing and the supplier's access (from day 7) each make a first foothold in some run. The supplier's
    is the rarest: the crew is mostly in by then (3 of 200 runs since the third December 4 session, when the
    operators stopped redoing empty stuffing runs from the crew's own addresses and got them blocked less; 4 of 60
    before), so 200 runs."""
    assert {"T1190", "T1566", "T1199"} <= set(_ways_in(_runs("baseline", 200)))


def test_double_extortion_steals_then_encrypts_and_costs_downtime(baseline):
    met = [r for r in baseline if r.outcome == "objective_met"]
    assert len(met) > len(baseline) // 3
    for r in met:
        assert r.objectives_met == 2 and r.objective_times[0] < r.objective_times[1]
        assert r.records_exfiltrated >= 50_000 and r.hosts_encrypted >= 1 and r.downtime_hours > 0
    stole_only = [r for r in baseline if r.objectives_met == 1]
    assert all(r.hosts_encrypted == 0 and r.records_exfiltrated >= 50_000 for r in stole_only)


def test_hardened_segmentation_stops_the_supplier_s_rdp_and_nobody_encrypts():
    runs = _runs("hardened", 40)
    assert "T1199" not in _ways_in(runs)
    assert all(r.outcome != "objective_met" for r in runs)


def test_a_held_domain_controller_pushes_the_encryption_to_hosts_never_held():
    """Holding dc-01 with admin rights, the crew encrypts every Windows host of the domain by Group Policy
    (T1484.001), held or not; without it, only what it holds with admin rights. (Since DCSync, a crew holding the
    domain controller holds most Windows hosts already by the encryption: in some runs the push reaches none it does
    not hold.)"""
    from simulator.engine import Run

    loaded = load(str(PATH)).with_presets(automation="ai-orchestrated", posture="weak")
    compiled = compile_scenario(loaded.scenario, loaded.attacker, loaded.posture)
    net = compiled.net
    pushed = plain = reached = 0
    plain_loaded = load(str(PATH)).with_presets(automation="ai-orchestrated", posture="baseline")
    plain_compiled = compile_scenario(plain_loaded.scenario, plain_loaded.attacker, plain_loaded.posture)
    # (under weak, since the seventh December 5 session, every run that met the objective held the domain controller
    # by then: baseline's runs give the ones that did not)
    for s in range(80):
        run_ = Run(compiled if s < 40 else plain_compiled, s)
        r = run_.execute()
        if r.outcome != "objective_met":
            continue
        beyond = set(run_.encrypted) - run_.compromised
        if any(e.technique == "T1484.001" and e.success for e in r.timeline):
            pushed += 1
            reached += bool(beyond)
            assert all(net.hosts[x].os == "windows" for x in beyond)
        else:
            plain += 1
            assert not beyond
    assert pushed and plain and reached


def test_the_push_reaches_only_hosts_that_can_fetch_the_policy_and_spares_nothing_it_holds():
    """The Group Policy push encrypts every Windows host that reaches the domain controller over smb (as the flows
    and posture allow; weak's flat network lets every one), held with user rights or not held, and nothing else it
    does not hold."""
    from simulator.engine import Run

    loaded = load(str(PATH)).with_presets(automation="ai-orchestrated", posture="weak")
    compiled = compile_scenario(loaded.scenario, loaded.attacker, loaded.posture)
    net = compiled.net
    seen = 0
    for s in range(40):
        run_ = Run(compiled, s)
        r = run_.execute()
        if not any(e.technique == "T1484.001" and e.success for e in r.timeline):
            continue
        seen += 1
        dc = next(i for i, h in enumerate(net.hosts) if h.role == "domain-controller")
        push = next(e.time for e in r.timeline if e.technique == "T1484.001" and e.success)
        for x, h in enumerate(net.hosts):
            can = h.os == "windows" and (x == dc or "smb" in net.reach_map[h.zone].get(dc, ()))
            later = any(e.host == h.id and e.success and e.time > push and e.phase in ("initial-access",
                                                                                       "lateral-movement")
                        for e in r.timeline)  # (taken again after the push: isolated while it ran)
            if can and x in run_.owned and x not in run_.belief.contained_hosts and not later:
                assert x in run_.encrypted  # held with user rights: encrypted all the same
            if x in run_.encrypted and x not in run_.compromised:
                assert can
    assert seen


def test_a_move_between_the_internet_facing_hosts_is_not_a_breakout():
    """A crew on the customer portal that exploits the VPN gateway beside it (after its day-9 disclosure) has a
    second foothold at the perimeter, not a breakout: breakout is the first move onto a host not exposed to the
    internet, timed from the compromise of the host it starts from (the gateway's own, for a move from there). Here
    every breakout is then a logon with a credential found where the crew came in, and most take under 90 minutes
    (the manual breakout in range; before, the wait for the gateway's flaw counted)."""
    from simulator.calibration import load_target, presets_only
    from simulator.sweep import apply_cell

    cell = apply_cell(presets_only(load_target("regional-manufacturer")), (("automation", "manual"),
                                                                          ("posture", "baseline")))
    compiled = compile_scenario(cell.scenario, cell.attacker, cell.posture)
    perimeter_moves = 0
    times = []
    for s in range(80):
        r = run(compiled, s)
        moves = [e for e in r.timeline if e.phase == "lateral-movement" and e.success]
        at_perimeter = [e for e in moves if e.host in ("web-01", "vpn-01")]
        perimeter_moves += bool(at_perimeter)
        breakout = next((e for e in r.log if e.kind == "breakout"), None)
        if breakout is None:
            assert r.breakout_time is None
            continue
        assert breakout.host not in ("web-01", "vpn-01")
        first = next(e for e in moves if e.host == breakout.host and e.time == breakout.time)
        assert first.technique == "T1021"
        times.append(r.breakout_time)
    assert perimeter_moves >= 5
    assert sum(t <= 90 for t in times) > len(times) / 2


def test_an_encrypted_host_leaves_the_attackers_hands_until_it_is_back_in_service():
    """An encrypted host is out of service, then restored or rebuilt clean: the crew does nothing on it while it is
    down (no escalation, no dump, no pivot from it), and no encrypted host counts as held at the end."""
    from simulator.engine import Run

    loaded = load(str(PATH)).with_presets(automation="autonomous", posture="weak")
    compiled = compile_scenario(loaded.scenario, loaded.attacker, loaded.posture)
    ids = {h.id: i for i, h in enumerate(compiled.net.hosts)}
    seen = 0
    for s in range(20):
        run_ = Run(compiled, s)
        r = run_.execute()
        t_enc = next((e.time for e in r.timeline if e.technique == "T1486" and e.success), None)
        if t_enc is None:
            continue
        seen += 1
        assert run_.down_until and set(run_.down_until) == set(run_.encrypted)
        for e in r.timeline:
            if e.time > t_enc and e.host is not None and ids[e.host] in run_.down_until:
                assert e.time >= run_.down_until[ids[e.host]], (s, e)
        assert not any(x in run_.owned and run_.down_until[x] > compiled.net.horizon for x in run_.encrypted)
    assert seen


def test_the_encryptor_spares_appliances_and_a_ransomware_objective_on_one_is_refused(baseline, tmp_path):
    """No ransomware encrypts a VPN concentrator's or a PLC gateway's firmware: a host of ``os: appliance`` or
    ``network`` held with admin rights stays held through the encryption (before, about a third of these runs
    'encrypted' vpn-01), and a ransomware objective whose data sits on one fails validation, naming the file's line."""
    from typer.testing import CliRunner

    from simulator.cli import app
    from simulator.engine import Run

    loaded = load(str(PATH)).with_presets(automation="ai-orchestrated", posture="baseline")
    compiled = compile_scenario(loaded.scenario, loaded.attacker, loaded.posture)
    kept = 0
    for s in range(30):
        run_ = Run(compiled, 0, s)
        r = run_.execute()
        assert all(run_.net.hosts[x].os not in ("appliance", "network") for x in run_.encrypted), s
        vpn = next(i for i, h in enumerate(run_.net.hosts) if h.id == "vpn-01")
        kept += r.hosts_encrypted > 0 and run_.owned.get(vpn) == "admin"
    assert kept  # the appliance was held with admin rights in runs that encrypted the rest

    text = PATH.read_text()
    assert "plc-gw-01" in text
    # a ransomware objective on data held by the PLC gateway (an appliance)
    bad = tmp_path / "bad.yaml"
    lines = text.splitlines()
    gw = next(i for i, ln in enumerate(lines) if "id: plc-gw-01" in ln)
    lines[gw] = lines[gw].replace("services: [ssh]}", "services: [ssh], data: [{id: setpoints, records: 10}]}")
    text = "\n".join(lines) + "\n"
    obj = text.index("kind: ransomware")
    data_at = text.index("data:", obj)
    end = text.index("\n", data_at)
    text = text[:data_at] + "data: setpoints" + text[end:]
    bad.write_text(text)
    r = CliRunner().invoke(app, ["validate", str(bad)])
    assert r.exit_code == 2, r.output
    line = text[:obj].count("\n") + 1
    assert f"{bad}:{line}:" in r.stderr and "no encryptor runs on a network device or an appliance" in r.stderr, \
        r.stderr
