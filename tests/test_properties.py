"""Properties over many seeds, on common random numbers (every cell replays the same seeds)."""

from __future__ import annotations

import math

import pytest

from simulator.engine import run
from simulator.loader import load
from tests.conftest import compiled

SEEDS = range(120)


@pytest.fixture(scope="module")
def espionage():
    return load("espionage-tech")


def _runs(c, seeds=SEEDS):
    return [run(c, s) for s in seeds]


def _success(results) -> float:
    return sum(r.outcome == "objective_met" for r in results) / len(results)


@pytest.mark.parametrize("level", ["manual", "ai-orchestrated"])
def test_hardened_never_helps_the_attacker(espionage, level):
    weak = _runs(compiled(espionage, level, "weak"))
    hard = _runs(compiled(espionage, level, "hardened"))
    diffs = [(h.outcome == "objective_met") - (w.outcome == "objective_met") for w, h in zip(weak, hard, strict=True)]
    mean = sum(diffs) / len(diffs)
    sd = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (len(diffs) - 1))
    # hardened may not exceed weak by more than sampling noise (3 standard errors of the paired difference)
    assert mean <= 3 * sd / math.sqrt(len(diffs)) + 1e-9, (_success(weak), _success(hard))
    assert _success(hard) < _success(weak)  # and here it really is better


def test_faster_patching_never_helps_on_common_seeds(tiny):
    slow = _runs(compiled(tiny, "manual", "baseline", patching={"days_to_patch": {"critical": 90}}), range(60))
    fast = _runs(compiled(tiny, "manual", "baseline", patching={"days_to_patch": {"critical": 1}}), range(60))
    assert _success(fast) <= _success(slow)


def _tactical_per_hour(results, active: bool) -> float:
    """Tactical actions per hour, over the whole run or over the span from the first to the last action."""
    actions = sum(r.actions_ai + r.actions_human for r in results)
    if active:
        hours = sum(r.timeline[-1].time - r.timeline[0].time for r in results if r.timeline) / 60
    else:
        hours = sum(r.end_time for r in results) / 60
    return actions / hours


def test_ai_orchestrated_acts_more_per_hour_than_manual(espionage):
    manual = _runs(compiled(espionage, "manual"), range(60))
    orch = _runs(compiled(espionage, "ai-orchestrated"), range(60))
    assert _tactical_per_hour(orch, active=False) > _tactical_per_hour(manual, active=False)
    assert _tactical_per_hour(orch, active=True) > 3 * _tactical_per_hour(manual, active=True)


@pytest.mark.parametrize("level", ["manual", "ai-assisted", "ai-orchestrated", "autonomous"])
def test_decision_points_equal_gates_passed(espionage, level):
    for r in _runs(compiled(espionage, level), range(40)):
        gates = [e for e in r.log if e.kind == "gate"]
        assert r.human_decision_points == len(gates)
        if level != "ai-orchestrated":
            assert r.human_decision_points == 0


def test_autonomous_acts_on_more_false_findings(espionage):
    orch = _runs(compiled(espionage, "ai-orchestrated"), range(80))
    auto = _runs(compiled(espionage, "autonomous"), range(80))
    assert sum(r.false_findings_acted for r in auto) > sum(r.false_findings_acted for r in orch)
    assert sum(r.false_findings_caught for r in auto) == 0
    assert sum(r.false_findings_caught for r in orch) > 0


def test_manual_acts_on_no_false_findings(espionage):
    assert all(r.false_findings_acted == 0 for r in _runs(compiled(espionage, "manual"), range(30)))


BLIND = dict(  # no sensors and nobody outside to tell either
    monitoring={"edr_coverage": 0.0, "network_sensors": False, "honeytokens": False, "outside_notice_days": None},
    egress={"large_transfer_records": None},
)


@pytest.mark.parametrize("level", ["manual", "ai-orchestrated", "autonomous"])
def test_no_sensors_no_detection(espionage, level):
    for r in _runs(compiled(espionage, level, "hardened", **BLIND), range(40)):
        assert r.time_to_first_detection is None
        assert r.alerts_true == 0
        assert r.outcome in ("objective_met", "undetected_no_objective")


def test_sensors_do_detect(espionage):
    """The counterpart of the test above: with the sensors on, the same runs are seen (a warning at the perimeter),
    and most of the intrusions that get through are detected."""
    results = _runs(compiled(espionage, "ai-orchestrated", "hardened"), range(40))
    assert sum(r.time_to_first_warning is not None for r in results) > 20
    breached = [r for r in results if r.time_to_initial_access is not None]
    assert breached and sum(r.time_to_first_detection is not None for r in breached) > len(breached) / 2
