"""Same scenario + seed = the same result, byte for byte, whatever PYTHONHASHSEED."""

from __future__ import annotations

import os
import subprocess
import sys

from simulator.build import compile_scenario
from simulator.engine import run
from tests.conftest import TINY


def _cli_json(hashseed: str, scenario: str, *args: str) -> bytes:
    env = dict(os.environ, PYTHONHASHSEED=hashseed)
    out = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "run", scenario, "--json", *args],
        env=env, capture_output=True, check=True,
    )
    return out.stdout


def test_json_identical_across_hash_seeds():
    a = _cli_json("1", "espionage-tech", "--automation", "ai-orchestrated", "--seed", "7")
    b = _cli_json("4242", "espionage-tech", "--automation", "ai-orchestrated", "--seed", "7")
    assert a == b
    assert b'"outcome"' in a and len(a) > 1000


def test_tiny_identical_across_hash_seeds():
    assert _cli_json("0", str(TINY), "--seed", "3") == _cli_json("random", str(TINY), "--seed", "3")


def test_same_seed_same_result_in_process(tiny):
    c = compile_scenario(tiny.scenario, tiny.attacker, tiny.posture)
    assert run(c, 11).to_json() == run(c, 11).to_json()


def test_different_seeds_differ(tiny):
    c = compile_scenario(tiny.scenario, tiny.attacker, tiny.posture)
    assert len({run(c, s).to_json() for s in range(5)}) == 5


def test_run_does_not_change_the_scenario(tiny):
    c = compile_scenario(tiny.scenario, tiny.attacker, tiny.posture)
    before = (tiny.scenario.model_dump_json(), c.attacker.model_dump_json(), c.posture.model_dump_json())
    run(c, 1)
    run(c, 2)
    assert before == (tiny.scenario.model_dump_json(), c.attacker.model_dump_json(), c.posture.model_dump_json())
