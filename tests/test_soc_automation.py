"""The defender's automation dial (soc.automation): an AI first pass, and automatic isolation with its false alarms."""

from __future__ import annotations

import pytest

from defenses.soc import Soc
from simulator.build import compile_scenario
from simulator.engine import Run
from simulator.loader import load
from simulator.sweep import collect, spec_for

RUNS = 60


@pytest.fixture(scope="module")
def rows():
    loaded = load("espionage-tech")
    modes = ("none", "ai-triage", "ai-response")
    cells = [(("automation", "manual"), ("posture", "baseline"), ("posture.soc.automation", m)) for m in modes]
    cells.append((("automation", "manual"), ("posture", "baseline"), ("posture.soc.automation", "ai-response"),
                  ("posture.soc.false_isolations_per_week", 0.0)))
    by_cell = collect(spec_for(loaded, cells, RUNS, 3))
    return dict(zip([*modes, "no-false"], (by_cell[i] for i in range(4)), strict=True))


def _success(rows) -> float:
    return sum(r["outcome"] == "objective_met" for r in rows) / len(rows)


def _socs(mode: str, seeds: range, **soc) -> list[Soc]:
    loaded = load("espionage-tech").with_presets(automation="manual")
    posture = loaded.posture.model_copy(update={"soc": loaded.posture.soc.model_copy(
        update={"automation": mode, **soc})})
    compiled = compile_scenario(loaded.scenario, loaded.attacker, posture)
    out = []
    for seed in seeds:
        run = Run(compiled, seed)
        run.execute()
        out += [c for c in run.controls if isinstance(c, Soc)]
    return out


def test_the_first_pass_closes_benign_alerts_and_misses_some_true_ones(rows):
    seen = sum(r["alerts_benign"] for r in rows["none"])
    thinned = sum(r["alerts_benign"] for r in rows["ai-triage"])
    assert 0.4 < thinned / seen < 0.6  # ai_closes_benign 0.5: analysts see about half
    socs = _socs("ai-triage", range(20))
    assert sum(s.ai_missed for s in socs) > 0 and sum(s.auto_isolations + s.false_isolations for s in socs) == 0
    assert sum(s.ai_missed for s in _socs("ai-triage", range(20), ai_misses_true=0.0)) == 0


def test_automatic_isolation_acts_on_evidence_and_its_false_alarms_cost_clean_host_hours(rows):
    socs = _socs("ai-response", range(20))
    assert sum(s.auto_isolations for s in socs) > 0 and sum(s.false_isolations for s in socs) > 0
    assert sum(s.false_isolations for s in _socs("ai-response", range(20), false_isolations_per_week=0.0)) == 0
    for r in rows["ai-response"] + rows["no-false"]:
        # a false alarm is a cost, never the response's containment: none before the attacker is in
        if r["time_to_containment"] is not None:
            assert r["time_to_initial_access"] is not None
            assert r["time_to_containment"] >= r["time_to_initial_access"]
    clean = sum(r["clean_isolated_host_hours"] for r in rows["ai-response"])
    assert clean > sum(r["clean_isolated_host_hours"] for r in rows["no-false"])


def test_an_automatic_isolation_is_released_as_it_was(rows):
    """A network isolation by the automation is not an eradication: when it ends the host comes back with the
    attacker's hold on it (a 'released from isolation (not cleaned)' line) unless incident response took it over
    meanwhile, and against the AI-orchestrated crew the theft is delayed, not stopped: on the same seeds its successes
    take longer than without the automation. (The manual crew, whose theft is cut and cleaned, does not finish against
    it.)"""
    loaded = load("espionage-tech").with_presets(automation="manual")
    posture = loaded.posture.model_copy(update={"soc": loaded.posture.soc.model_copy(
        update={"automation": "ai-response"})})
    compiled = compile_scenario(loaded.scenario, loaded.attacker, posture)
    released = [e for s in range(20) for e in Run(compiled, s).execute().log if "released from isolation" in e.detail]
    assert released
    cells = [(("automation", "ai-orchestrated"), ("posture", "baseline"), ("posture.soc.automation", m))
             for m in ("none", "ai-response")]
    by_cell = collect(spec_for(load("espionage-tech"), cells, RUNS, 3))
    none = {r["replicate"]: r for r in by_cell[0]}
    both = [(none[r["replicate"]]["time_to_objective"], r["time_to_objective"]) for r in by_cell[1]
            if r["time_to_objective"] is not None and none[r["replicate"]]["time_to_objective"] is not None]
    assert len(both) >= RUNS // 3 and sum(b > a for a, b in both) > len(both) // 2


def test_an_ai_driven_attacker_comes_back_after_the_automatic_isolation():
    """The README's mechanism: under ai-response, an AI-orchestrated attacker's theft is cut by the isolation of the
    host the data leaves from, and it comes back after the isolation's day: in most of its successes the
    exfiltration started more than once (seeds 0-99: 57 of 57, as before the eighth December 5 session's
    coordinated eviction; 94 of 94 before the fifth December 5 session's
    trail-following scoping and EDR isolation, 88 of 88 before the second)."""
    loaded = load("espionage-tech").with_presets(automation="ai-orchestrated")
    posture = loaded.posture.model_copy(update={"soc": loaded.posture.soc.model_copy(
        update={"automation": "ai-response"})})
    compiled = compile_scenario(loaded.scenario, loaded.attacker, posture)
    wins = restarted = 0
    for seed in range(100):
        r = Run(compiled, seed).execute()
        if r.outcome == "objective_met":
            wins += 1
            restarted += sum(1 for e in r.log if e.kind == "exfiltration") > 1
    assert wins >= 50 and restarted / wins >= 0.85


def test_incident_response_cleans_a_host_the_automation_only_cut_off():
    """The water utility a reviewer wrote: the automation's day-long network isolations released the historian to the
    attacker again and again while incident response, which skipped hosts already isolated, never took it over. The
    response now takes such an isolation over on evidence about the host (logged 'took over N network isolations to
    clean'), and a host taken over comes back cleaned: the attacker does not hold it when it is back."""
    loaded = load("espionage-tech").with_presets(automation="ai-orchestrated")
    posture = loaded.posture.model_copy(update={"soc": loaded.posture.soc.model_copy(
        update={"automation": "ai-response"})})
    compiled = compile_scenario(loaded.scenario, loaded.attacker, posture)
    took = 0
    for seed in range(10):
        r = Run(compiled, seed)
        real_contain = r.contain
        taken: list[int] = []

        def contain(hosts, credentials, block_egress=False, until=None, egress_until=None, false_alarm=False,
                    eradicate=True, r=r, real=real_contain, taken=taken, **kw):
            if eradicate:
                taken.extend(h for h in hosts if h in r.belief.network_isolated)
            return real(hosts, credentials, block_egress, until, egress_until, false_alarm, eradicate, **kw)

        r.contain = contain
        res = r.execute()
        lines = [e for e in res.log if e.kind == "containment" and "took over" in e.detail]
        took += len(lines)
        assert bool(lines) == bool(taken)
        for h in taken:  # cleaned, not handed back as it was
            assert h not in r._soft
    assert took


def _with_high_severity(automation: str, soc: str, high: tuple[str, ...], seeds: range) -> tuple[list, list[Soc]]:
    """Every alert raised on ``seeds`` (espionage-tech, baseline) with ``monitoring.high_severity`` = ``high``, and
    the runs' SOCs."""
    loaded = load("espionage-tech").with_presets(automation=automation)
    posture = loaded.posture.model_copy(update={
        "soc": loaded.posture.soc.model_copy(update={"automation": soc}),
        "monitoring": loaded.posture.monitoring.model_copy(update={"high_severity": high})})
    compiled = compile_scenario(loaded.scenario, loaded.attacker, posture)
    from tests.conftest import capture_alerts

    seen, socs = [], []
    for seed in seeds:
        run = Run(compiled, seed)
        capture_alerts(run, seen)
        run.execute()
        socs += [c for c in run.controls if isinstance(c, Soc)]
    return [alert for alert, _ in seen], socs


def test_an_edr_high_severity_detection_is_high_confidence_and_the_automation_acts_on_it():
    """``monitoring.high_severity``: an EDR detection of a listed technique (credential dumping, T1003) alerts high,
    every other EDR detection and every network sensor's stays low; empty (every preset), no EDR alert is high. The
    SOC's automatic response, which acts on high-confidence alerts only, then isolates on the dumps it sees: more
    automatic isolations on the same seeds."""
    seeds = range(30)
    plain, plain_socs = _with_high_severity("manual", "ai-response", (), seeds)
    high, high_socs = _with_high_severity("manual", "ai-response", ("T1003",), seeds)
    assert not [a for a in plain if a.source == "edr" and a.confidence == "high"]
    dumps = [a for a in high if a.source == "edr" and a.technique == "T1003"]
    assert dumps and all(a.confidence == "high" for a in dumps)
    assert all(a.confidence == "low" for a in high if a.source in ("edr", "network") and a.technique != "T1003")
    assert sum(s.auto_isolations for s in high_socs) > sum(s.auto_isolations for s in plain_socs)
