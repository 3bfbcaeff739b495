"""examples/scenarios/regional-manufacturer.yaml: the new ways in and double extortion (theft, then ransomware) on one
network, each used and each stopped by the control meant for it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from simulator.build import compile_scenario
from simulator.engine import run
from simulator.loader import load

PATH = Path(__file__).resolve().parent.parent / "examples" / "scenarios" / "regional-manufacturer.yaml"


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


def test_every_way_in_is_used(baseline):
    assert {"T1190", "T1566", "T1199"} <= set(_ways_in(baseline))  # exploit, phishing, the supplier's access


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
    (T1484.001), held or not; without it, only what it holds with admin rights."""
    from simulator.engine import Run

    loaded = load(str(PATH)).with_presets(automation="ai-orchestrated", posture="weak")
    compiled = compile_scenario(loaded.scenario, loaded.attacker, loaded.posture)
    net = compiled.net
    pushed = plain = 0
    for s in range(40):
        run_ = Run(compiled, s)
        r = run_.execute()
        if r.outcome != "objective_met":
            continue
        beyond = set(run_.encrypted) - run_.compromised
        if any(e.technique == "T1484.001" and e.success for e in r.timeline):
            pushed += 1
            assert beyond and all(net.hosts[x].os == "windows" for x in beyond)
        else:
            plain += 1
            assert not beyond
    assert pushed and plain


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
        for x, h in enumerate(net.hosts):
            can = h.os == "windows" and (x == dc or "smb" in net.reach_map[h.zone].get(dc, ()))
            if can and x in run_.owned and x not in run_.belief.contained_hosts:
                assert x in run_.encrypted  # held with user rights: encrypted all the same
            if x in run_.encrypted and x not in run_.compromised:
                assert can
    assert seen
