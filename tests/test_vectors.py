"""Initial-access vectors beyond exploits and stuffing: a zero-day bought before disclosure, an account bought from an
access broker, and push bombing against MFA (number matching stops it). Each gets in where it should and is stopped
by the control meant for it."""

from __future__ import annotations

from pathlib import Path

import yaml

from simulator.attack.vectors import VECTORS
from simulator.build import compile_scenario
from simulator.engine import run
from simulator.loader import load_document, parse_yaml

TINY = Path(__file__).resolve().parent / "data" / "tiny.yaml"
SEEDS = range(12)


def _loaded(mutate):
    data = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    data["attacker"] = {"preset": "manual", "overrides": {}}
    mutate(data)
    return load_document(parse_yaml(yaml.safe_dump(data, sort_keys=False), "vectors.yaml"))


def _runs(loaded, **attacker):
    p = loaded.attacker.model_copy(update=attacker)
    compiled = compile_scenario(loaded.scenario, p, loaded.posture)
    return [run(compiled, s) for s in SEEDS]


def _first_access(r):
    return next((e for e in r.timeline if e.phase == "initial-access" and e.success), None)


def test_every_vector_meets_the_protocol():
    assert [v.name for v in VECTORS] == ["exploit", "logon", "broker"]
    for v in VECTORS:
        assert callable(v.candidates) and callable(v.attempt)


def test_a_zero_day_is_used_before_disclosure_only_by_an_attacker_that_buys_it():
    def late(data):  # the web bug is disclosed on day 8 of 10; a zero-day price of 1 day
        data["vulnerabilities"][0].update(disclosed_day=8, zero_day_days=1)

    loaded = _loaded(late)
    waiting = [_first_access(r) for r in _runs(loaded)]
    buying = [_first_access(r) for r in _runs(loaded, buys_zero_days=True)]
    assert all(a is None or a.time >= 8 * 1440 for a in waiting)
    early = [a for a in buying if a is not None and a.time < 8 * 1440]
    assert early and all(a.time >= 1440 and a.technique == "T1190" for a in early)


def _vpn(mfa: str | None):
    def mutate(data):
        data["hosts"][0]["services"] = ["https", "ssh", "vpn"]
        data["entry_points"] = [{"host": "web-01", "services": ["https", "vpn"]}]
        data["vulnerabilities"][0]["disclosed_day"] = 30  # no exploit before the horizon: only logons get in
        data["accounts"].append({"id": "bob", "kind": "user", "logon": ["web-01"], **({} if mfa is None else
                                                                                        {"mfa": mfa == "on"})})
        data["attacker"]["overrides"] = {"stuffing_success": 0.0}
    return mutate


def test_an_account_bought_from_a_broker_gets_in_silently_after_its_days():
    loaded = _loaded(_vpn("off"))
    assert all(_first_access(r) is None for r in _runs(loaded))
    for r in _runs(loaded, access_broker_days=3):
        a = _first_access(r)
        assert a is not None and a.technique == "T1078" and a.time >= 3 * 1440


def test_push_bombing_beats_push_mfa_but_not_number_matching():
    loaded = _loaded(_vpn("on"))
    refused = _runs(loaded, access_broker_days=2)
    assert all(_first_access(r) is None for r in refused)  # a second factor stops the bought account
    bombed = [_first_access(r) for r in _runs(loaded, access_broker_days=2, mfa_fatigue=0.5)]
    assert any(a is not None and a.technique == "T1621" for a in bombed)
    posture = loaded.posture.model_copy(update={"access_control": loaded.posture.access_control.model_copy(
        update={"mfa_number_matching": True})})
    p = loaded.attacker.model_copy(update={"access_broker_days": 2, "mfa_fatigue": 0.5})
    compiled = compile_scenario(loaded.scenario, p, posture)
    assert all(_first_access(run(compiled, s)) is None for s in SEEDS)
