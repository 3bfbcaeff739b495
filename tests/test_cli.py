"""The command line, driven as a user would: exit codes, messages, no tracebacks."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from simulator.cli import app
from tests.conftest import TINY

runner = CliRunner()


def test_list():
    r = runner.invoke(app, ["list"])
    assert r.exit_code == 0
    for word in ("espionage-tech", "small-business", "regional-hospital", "ai-orchestrated", "hardened"):
        assert word in r.output


def test_run_text():
    r = runner.invoke(app, ["run", "espionage-tech", "--seed", "3", "--events", "5"])
    assert r.exit_code == 0, r.output
    assert "espionage-tech | automation ai-orchestrated | posture baseline | seed 3" in r.output
    assert "Timeline (first 5 of" in r.output
    assert "breakout (after IA)" in r.output


def test_run_json_is_the_whole_result():
    r = runner.invoke(app, ["run", str(TINY), "--seed", "2", "--json", "--automation", "manual"])
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["automation"] == "manual" and data["seed"] == 2
    assert isinstance(data["timeline"], list) and data["timeline"]


def test_validate_ok_and_bad(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.read_text().replace("  - {id: corp}\n", "  - {id: corp, colour: red}\n"))
    r = runner.invoke(app, ["validate", str(TINY), str(bad)])
    assert r.exit_code == 2
    assert f"{TINY}: ok: 5 hosts in 3 zones" in r.stdout
    assert f"{bad}:" in r.stderr and "zones.1.colour: unknown field" in r.stderr
    assert "Traceback" not in r.output


def test_unknown_preset_on_the_command_line():
    r = runner.invoke(app, ["run", "espionage-tech", "--posture", "titanium"])
    assert r.exit_code == 2
    assert "unknown posture preset 'titanium'" in r.stderr


def test_missing_scenario():
    r = runner.invoke(app, ["run", "no-such-scenario"])
    assert r.exit_code == 2
    assert "no such file" in r.stderr


def test_compare_small():
    r = runner.invoke(app, ["compare", str(TINY), "--posture", "weak,hardened", "--automation", "manual,autonomous",
                            "--runs", "12", "--seed", "4"])
    assert r.exit_code == 0, r.output
    assert "4 cells x 12 runs, root seed 4" in r.stdout
    rows = [line for line in r.stdout.splitlines() if line.startswith(("manual ", "autonomous "))]
    assert len(rows) == 4
    assert "<- best" in r.stdout and "<- worst" in r.stdout


def test_tui_refuses_bad_inputs_before_taking_the_screen(tmp_path):
    bad = tmp_path / "s.json"
    bad.write_text("{not json")
    r = runner.invoke(app, ["tui", "--session", str(bad)])
    assert r.exit_code == 2 and f"{bad}:1: not a readable session" in r.stderr
    r = runner.invoke(app, ["tui", str(tmp_path / "missing.yaml")])
    assert r.exit_code == 2 and "no such file" in r.stderr
