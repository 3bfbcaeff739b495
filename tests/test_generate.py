"""`tabletop generate`: valid, deterministic by seed, the objective reachable from an entry point (flat posture)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from simulator.build import build_network, compile_scenario, objective_reachable
from simulator.cli import app
from simulator.engine import run
from simulator.generate import generate
from simulator.loader import load

runner = CliRunner()


@pytest.mark.parametrize("hosts,zones", [(10, 3), (100, 4), (1000, 6), (10_000, 8)])
def test_generated_scenarios_are_valid_and_sized(tmp_path, hosts, zones):
    out = tmp_path / "g.yaml"
    r = runner.invoke(app, ["generate", "--hosts", str(hosts), "--zones", str(zones), "--seed", "3", "--out",
                            str(out)])
    assert r.exit_code == 0, r.output
    loaded = load(out)
    assert sum(h.count for h in loaded.scenario.hosts) == hosts
    assert len(loaded.scenario.zones) == zones
    flat = loaded.with_presets(posture="weak")
    net = build_network(flat.scenario, flat.posture)
    assert objective_reachable(net)


def test_deterministic_by_seed():
    assert generate(500, 5, seed=1) == generate(500, 5, seed=1)
    assert generate(500, 5, seed=1) != generate(500, 5, seed=2)


def test_generated_scenario_runs_and_can_be_breached(tmp_path):
    out = tmp_path / "g.yaml"
    runner.invoke(app, ["generate", "--hosts", "300", "--out", str(out)])
    loaded = load(out).with_presets(automation="autonomous", posture="weak")
    c = compile_scenario(loaded.scenario, loaded.attacker, loaded.posture)
    results = [run(c, s) for s in range(10)]
    assert any(r.outcome == "objective_met" for r in results)


def test_bad_sizes():
    r = runner.invoke(app, ["generate", "--hosts", "5", "--out", "x.yaml"])
    assert r.exit_code == 2
