"""NASim import: fixtures written from NASim's format documentation convert, load and run; errors name lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.build import compile_scenario
from simulator.cli import app
from simulator.engine import run
from simulator.loader import ScenarioError, load
from simulator.nasim_import import import_file

DATA = Path(__file__).parent / "data" / "nasim"
runner = CliRunner()


@pytest.mark.parametrize("name", ["small-two-os.yaml", "legacy.yaml"])
def test_fixtures_import_load_and_run(tmp_path, name):
    out = tmp_path / "s.yaml"
    r = runner.invoke(app, ["import-nasim", str(DATA / name), "--out", str(out), "--posture", "weak"])
    assert r.exit_code == 0, r.output
    assert "not mapped:" in r.stdout
    loaded = load(out)
    c = compile_scenario(loaded.scenario, loaded.attacker, loaded.posture)
    results = [run(c, s) for s in range(15)]
    assert any(r.time_to_initial_access is not None for r in results)
    assert out.read_text().startswith("# Imported from the NASim scenario")


def test_mapping_details():
    imp = import_file(str(DATA / "small-two-os.yaml"))
    s = imp.scenario
    hosts = {h["id"]: h for h in s["hosts"]}
    assert [z["id"] for z in s["zones"]] == ["subnet-1", "subnet-2", "subnet-3"]
    assert len(hosts) == 6 and hosts["h3-1"].get("honeytoken") is True  # the negative-value host
    assert s["entry_points"] == [{"host": "h1-0", "services": ["http"]}]
    assert {"from": "subnet-2", "to": "subnet-3", "services": ["smb"]} in s["flows"]
    assert not any(f["from"] == "subnet-3" and f["to"] == "subnet-1" for f in s["flows"])  # (3, 1): []
    assert "NASIM-e-smb" in hosts["h3-0"]["vulnerabilities"] and "NASIM-e-ssh" not in hosts["h3-0"]["vulnerabilities"]
    assert "NASIM-PE-pe-cron" in hosts["h1-0"]["vulnerabilities"]
    assert s["objective"] == {"data": "data-h3-2"}  # the most valuable sensitive host
    vulns = {v["id"]: v for v in s["vulnerabilities"]}
    assert vulns["NASIM-e-smb"]["access"] == "admin" and vulns["NASIM-e-http"]["success"] == 0.8
    assert any("step_limit" in u for u in imp.unmapped)


def test_errors_name_the_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((DATA / "small-two-os.yaml").read_text().replace("  (3, 2): 120\n", "  (9, 9): 120\n"))
    with pytest.raises(ScenarioError) as info:
        import_file(str(bad))
    (p,) = info.value.problems
    assert p.line == 11 and "sensitive_hosts" in p.field and "unknown host" in p.message
    bad.write_text("subnets: [1]\n")
    with pytest.raises(ScenarioError, match="missing"):
        import_file(str(bad))
    r = runner.invoke(app, ["import-nasim", str(bad), "--out", str(tmp_path / "o.yaml")])
    assert r.exit_code == 2 and "Traceback" not in r.output
