"""Golden seeded values for the tiny scenario: any change to the model's behaviour shows up here.

After an intended change, regenerate with ``UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and review the diff.
"""

from __future__ import annotations

import json
import os

from simulator.build import compile_scenario
from simulator.engine import run
from tests.conftest import DATA

GOLDEN = DATA / "golden"
LEVELS = ("manual", "ai-assisted", "ai-orchestrated", "autonomous")


def _rows(tiny):
    from simulator.loader import preset_data
    from tests.conftest import compiled

    rows = {}
    weak_patching = preset_data("posture", "weak")["patching"]
    for level in LEVELS:
        l2 = tiny.with_presets(automation=level)
        c = compile_scenario(l2.scenario, l2.attacker, l2.posture)
        rows[level] = [run(c, seed).to_dict(timeline=False) for seed in range(6)]
        # hardened with weak patching: the attacker gets in against a strong defender, so the rows also cover
        # detection and containment (on tiny, hardened patching keeps every attacker out)
        c = compiled(tiny, level, "hardened", patching=weak_patching)
        rows[f"{level}/hardened-weak-patching"] = [run(c, seed).to_dict(timeline=False) for seed in range(6)]
    return rows


def _check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == actual, f"{name} changed: rerun with UPDATE_GOLDEN=1 if intended"


def test_golden_summary_rows(tiny):
    _check("tiny-rows.json", json.dumps(_rows(tiny), indent=1) + "\n")


def test_golden_full_result(tiny):
    c = compile_scenario(tiny.scenario, tiny.attacker, tiny.posture)
    _check("tiny-seed7.json", run(c, 7).to_json() + "\n")


def test_golden_values_are_not_trivial(tiny):
    """The golden file must cover varied outcomes, or it would pin little."""
    rows = json.loads((GOLDEN / "tiny-rows.json").read_text(encoding="utf-8"))
    outcomes = {r["outcome"] for level in rows.values() for r in level}
    assert len(outcomes) >= 3, outcomes
