"""An ot-disruption objective (examples/scenarios/tiny-plant.yaml): the attacker reaches the plant through its jump
host, manipulates the process from the PLC gateway (T0831) after the final gate, and the line is down until the
plant restores it (incident_response.process_restore_hours). Segmentation that closes the way to the jump host, and
MFA on it, keep the line running; a faster restore shortens the outage."""

from __future__ import annotations

from pathlib import Path

import yaml

from simulator.engine import run
from simulator.loader import load, load_document, parse_yaml
from simulator.loss import run_loss
from simulator.navigator import counts, layer
from tests.conftest import compiled

PLANT = Path(__file__).resolve().parent.parent / "examples" / "scenarios" / "tiny-plant.yaml"
SEEDS = range(40)


def _runs(c, seeds=SEEDS):
    return [run(c, 0, s) for s in seeds]


def test_the_line_is_stopped_through_the_jump_host():
    rs = _runs(compiled(load(PLANT), "ai-orchestrated", "weak"))
    met = [r for r in rs if r.outcome == "objective_met"]
    assert len(met) >= 10  # the weak posture lets many through
    for r in met:
        impact = [e for e in r.timeline if e.phase == "impact" and e.success]
        assert [e.technique for e in impact] == ["T0831"] and impact[0].host == "plc-gw-01"
        assert r.time_to_objective is not None and r.hosts_encrypted == 0 and r.downtime_hours == 0
        held = {e.host for e in r.timeline if e.phase == "lateral-movement" and e.success}
        assert "ot-jump-01" in held  # the only way into the plant
        left = (r.horizon - r.time_to_objective) / 60
        assert r.process_hours_disrupted == round(min(72.0, left), 4)
        assert any(g.kind == "gate" and "exfiltration" in g.detail for g in r.log)  # the final step approved
        prep = [e for e in r.timeline if e.technique == "T0882" and e.success]
        assert prep and prep[0].actor == "human" and prep[0].time < impact[0].time  # people learnt the process
        # a stopped line announces itself: detected by then at the latest, and the response acts on it
        assert r.time_to_first_detection is not None and r.time_to_first_detection <= r.time_to_objective + 1e-6
        assert r.first_detection_source == "impact" or r.time_to_first_detection < r.time_to_objective
    for r in rs:
        if r.outcome != "objective_met":
            assert r.process_hours_disrupted == 0


def test_a_faster_restore_shortens_the_outage():
    slow = _runs(compiled(load(PLANT), "ai-orchestrated", "weak"))
    fast = _runs(compiled(load(PLANT), "ai-orchestrated", "weak", incident_response={"process_restore_hours": 8}))
    assert [r.time_to_objective for r in slow] == [r.time_to_objective for r in fast]  # same runs, same attack
    assert all(r.process_hours_disrupted <= 8 for r in fast)
    assert sum(r.process_hours_disrupted for r in fast) < sum(r.process_hours_disrupted for r in slow)


def _variant(mutate):
    data = yaml.safe_load(PLANT.read_text(encoding="utf-8"))
    mutate(data)
    return load_document(parse_yaml(yaml.safe_dump(data, sort_keys=False), "plant.yaml"))


def test_segmentation_closing_the_way_to_the_jump_host_keeps_the_line_running():
    """The plant is reached only through the OT DMZ's jump host. Enforced zones without the office's rdp flow to it
    keep the line running; a flat network (weak's segmentation) ignores the flows, so the same cut does nothing."""
    def cut(d):
        d["flows"] = [f for f in d["flows"] if f["to"] != "ot-dmz"]

    zones = {"mode": "zones", "restrict_admin_services": False}
    met = lambda rs: sum(r.outcome == "objective_met" for r in rs)  # noqa: E731
    open_ = _runs(compiled(load(PLANT), "ai-orchestrated", "weak", segmentation=zones))
    closed = _runs(compiled(_variant(cut), "ai-orchestrated", "weak", segmentation=zones))
    flat = _runs(compiled(_variant(cut), "ai-orchestrated", "weak"))
    assert met(open_) >= 5 and met(flat) >= 5
    assert any(r.hosts_compromised > 2 for r in closed)  # it still gets into the office
    assert met(closed) == 0 and all(r.process_hours_disrupted == 0 for r in closed)
    assert not any(e.host in ("ot-jump-01", "plc-gw-01") for r in closed for e in r.timeline if e.success)


def test_mfa_on_the_jump_host_blocks_the_engineers_stolen_credential():
    base = _runs(compiled(load(PLANT), "ai-orchestrated", "baseline"))
    assert any(r.blocked_mfa for r in base)
    weak = sum(r.outcome == "objective_met" for r in _runs(compiled(load(PLANT), "ai-orchestrated", "weak")))
    assert sum(r.outcome == "objective_met" for r in base) < weak


def test_process_hours_are_priced_and_kept_out_of_enterprise_layers():
    def priced(d):
        d["loss"] = {"currency": "EUR", "per_process_hour": {"low": 1000, "likely": 2000, "high": 5000}}

    loaded = _variant(priced)
    rs = _runs(compiled(loaded, "ai-orchestrated", "weak"))
    met = next(r for r in rs if r.outcome == "objective_met")
    row = {"seed": met.seed, "replicate": met.replicate, "process_hours_disrupted": met.process_hours_disrupted}
    cost = run_loss(row, loaded.scenario.loss)
    assert 1000 * met.process_hours_disrupted <= cost <= 5000 * met.process_hours_disrupted
    lay = layer("t", "d", counts(r.timeline for r in rs), [], len(rs))
    assert "T0831" not in {t["techniqueID"] for t in lay["techniques"]}  # an ICS technique: another domain
