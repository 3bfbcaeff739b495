"""`tabletop schema`: the exported JSON Schema accepts every bundled file and catches what the loader catches."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from simulator.cli import app
from simulator.loader import bundled_names, bundled_path
from simulator.schema import scenario_schema, sweep_schema

ROOT = Path(__file__).resolve().parent.parent


def _validator(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("name", bundled_names())
def test_bundled_scenarios_validate(name):
    data = yaml.safe_load(bundled_path(name).read_text())
    errors = list(_validator(scenario_schema()).iter_errors(data))
    assert not errors, [e.message for e in errors]


def test_tiny_and_overrides_validate():
    data = yaml.safe_load((ROOT / "tests" / "data" / "tiny.yaml").read_text())
    data["posture"] = {"preset": "baseline", "overrides": {"soc": {"analysts": 3}, "segmentation": {"mode": "flat"}}}
    assert not list(_validator(scenario_schema()).iter_errors(data))


def test_schema_catches_typos_and_bad_values():
    v = _validator(scenario_schema())
    data = yaml.safe_load((ROOT / "tests" / "data" / "tiny.yaml").read_text())
    data["zones"][0]["colour"] = "red"
    data["posture"] = {"preset": "titanium"}
    data["attacker"] = {"preset": "manual", "overrides": {"speed": -1, "sped": 2}}
    messages = " | ".join(e.message for e in v.iter_errors(data))
    assert "colour" in messages and "titanium" in messages and "sped" in messages and "-1" in messages


def test_sweep_schema_accepts_the_examples():
    v = _validator(sweep_schema())
    for path in (ROOT / "examples" / "sweeps").glob("*.yaml"):
        assert not list(v.iter_errors(yaml.safe_load(path.read_text()))), path


def test_cli_schema(tmp_path):
    r = CliRunner().invoke(app, ["schema"])
    assert r.exit_code == 0 and json.loads(r.stdout)["title"] == "ai-tabletop scenario"
    out = tmp_path / "s.json"
    r = CliRunner().invoke(app, ["schema", "--kind", "sweep", "--out", str(out)])
    assert r.exit_code == 0 and json.loads(out.read_text())["title"] == "ai-tabletop sweep"
    assert CliRunner().invoke(app, ["schema", "--kind", "nope"]).exit_code == 2


def test_schema_knows_the_admin_tier_logon_services_and_edge_patching():
    v = _validator(scenario_schema())
    data = yaml.safe_load((ROOT / "tests" / "data" / "tiny.yaml").read_text())
    data["zones"].append({"id": "mgmt", "admin_tier": True})
    data["services"] = {"logon": ["ssh", "rdp"]}
    data["posture"] = {"preset": "baseline", "overrides": {"patching": {"edge_days_to_patch": 20},
                                                            "access_control": {"mfa_services": ["vpn"]}}}
    assert not list(v.iter_errors(data))
    data["zones"][-1]["admin_tier"] = "yes"
    data["services"] = {"logon": ["SSH"], "mfa": ["vpn"]}
    data["posture"]["overrides"]["segmentation"] = {"mode": "zones", "admin_zones": ["mgmt"]}
    data["posture"]["overrides"]["patching"]["edge_days_to_patch"] = 0
    messages = " | ".join(e.message for e in v.iter_errors(data))
    for needle in ("'yes'", "'SSH'", "'mfa'", "admin_zones", "0 is not valid"):
        assert needle in messages, (needle, messages)
