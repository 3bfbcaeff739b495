"""Scenario files: every error names the file, the line and the field; bad files never produce a traceback."""

from __future__ import annotations

import re

import pytest

from simulator.loader import ScenarioError, load, parse_yaml
from simulator.scenario import Scenario
from tests.conftest import TINY

BASE = TINY.read_text(encoding="utf-8")


def problems_of(path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load(path)
    return [str(p) for p in info.value.problems]


def line_of(text: str, needle: str) -> int:
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_tiny_is_valid(tiny):
    assert tiny.scenario.name == "tiny"
    assert tiny.attacker.preset == "ai-orchestrated"
    assert tiny.posture.preset == "baseline"


def test_unknown_key_names_its_line(write):
    text = BASE.replace("    role: database\n", "    role: database\n    colour: blue\n")
    path = write(text)
    (msg,) = problems_of(path)
    assert msg == f"{path}:{line_of(text, 'colour: blue')}: hosts.2.colour: unknown field"


def test_an_unquoted_comma_in_a_flow_mapping_gets_a_hint(write):
    """'description: customers, orders' inside {...}: YAML ends the value at the comma and reads 'orders' as a key
    with no value (an unseen-scenario helper's 'drivers, delivery schedule'); the message says so."""
    text = BASE.replace("description: customer table}", "description: customer table, delivery schedule}")
    path = write(text)
    (msg,) = problems_of(path)
    assert msg.startswith(f"{path}:{line_of(text, 'delivery schedule')}: hosts.2.data.0.delivery schedule: unknown "
                          "field (inside {...} an unquoted comma ends a value")
    (plain,) = problems_of(write(BASE.replace("    role: database\n", "    role: database\n    colour: blue\n")))
    assert plain.endswith("hosts.2.colour: unknown field")  # a plain unknown key gets no such hint
    # one word after the comma is a cut-off value too (before, only a fragment with a space got the hint)
    text = BASE.replace("description: customer table}", "description: customers, orders}")
    (msg,) = problems_of(write(text))
    assert "hosts.2.data.0.orders: unknown field (inside {...} an unquoted comma ends a value" in msg
    # a {...} that runs onto a second line (an unseen-scenario helper's vulnerability list)
    text = BASE.replace("description: customer table}", "\n        description: customers, orders}")
    (msg,) = problems_of(write(text))
    assert "hosts.2.data.0.orders: unknown field (inside {...} an unquoted comma ends a value" in msg


def test_broken_reference_names_its_line(write):
    text = BASE.replace("    zone: servers\n    role: database", "    zone: serverz\n    role: database")
    path = write(text)
    (msg,) = problems_of(path)
    assert msg == f"{path}:{line_of(text, 'zone: serverz')}: hosts.2.zone: unknown zone 'serverz'"


def test_duplicate_id_names_the_second(write):
    text = BASE.replace("  - {id: corp}\n", "  - {id: corp}\n  - {id: dmz}\n")
    path = write(text)
    msgs = problems_of(path)
    assert any(m.startswith(f"{path}:{line_of(text, '{id: corp}') + 1}: zones.2.id: duplicate zone id 'dmz'")
               for m in msgs), msgs


def test_out_of_range_probability(write):
    text = BASE.replace("severity: critical, success: 0.7", "severity: critical, success: 1.7")
    path = write(text)
    (msg,) = problems_of(path)
    assert msg.startswith(f"{path}:{line_of(text, 'success: 1.7')}: vulnerabilities.0.success: ")
    assert "less than or equal to 1" in msg


def test_several_problems_all_reported(write):
    text = BASE.replace("logon: [ws]}", "logon: [wz]}").replace("data: customers,", "data: custmers,")
    msgs = problems_of(write(text))
    assert len(msgs) == 2
    assert any("accounts.0.logon.0: unknown host or host group 'wz'" in m for m in msgs)
    assert any("objective.data: unknown data asset 'custmers'" in m for m in msgs)


def test_override_typo_points_into_the_file(write):
    text = BASE.replace("posture: {preset: baseline}", "posture:\n  preset: baseline\n  overrides:\n"
                        "    soc: {analysts: 2, analyts_per_shift: 3}")
    path = write(text)
    (msg,) = problems_of(path)
    assert msg == f"{path}:{line_of(text, 'analyts_per_shift')}: posture.overrides.soc.analyts_per_shift: unknown field"


def test_override_bad_value_points_into_the_file(write):
    text = BASE.replace("attacker: {preset: ai-orchestrated}", "attacker:\n  preset: ai-orchestrated\n"
                        "  overrides: {concurrency: -3}")
    path = write(text)
    (msg,) = problems_of(path)
    assert msg.startswith(f"{path}:{line_of(text, 'concurrency: -3')}: attacker.overrides.concurrency: ")


def test_unknown_preset(write):
    text = BASE.replace("{preset: baseline}", "{preset: titanium}")
    path = write(text)
    (msg,) = problems_of(path)
    assert msg.startswith(f"{path}:{line_of(text, 'titanium')}: posture.preset: unknown posture preset 'titanium'")


def test_segmentation_mode_switch_in_override(write):
    text = BASE.replace("posture: {preset: baseline}", "posture:\n  preset: baseline\n  overrides:\n"
                        "    segmentation: {mode: flat}")
    loaded = load(write(text))
    assert loaded.posture.segmentation.mode == "flat"


def test_yaml_syntax_error_line(write):
    text = BASE.replace("  - {id: corp}\n", "  - {id: corp\n")
    msgs = problems_of(write(text))
    assert re.match(r".*s\.yaml:\d+: YAML syntax: ", msgs[0])


def test_tags_are_rejected(write):
    text = BASE.replace("title: Tiny golden scenario", "title: !!python/object:os.system echo")
    (msg,) = problems_of(write(text))
    assert f":{line_of(text, 'python/object')}: title: tag" in msg


def test_alias_bomb_is_stopped():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    with pytest.raises(ScenarioError) as info:
        parse_yaml("\n".join(lines), "bomb.yaml")
    assert "alias bomb" in str(info.value)


def test_duplicate_yaml_key(write):
    text = BASE.replace("horizon_days: 10\n", "horizon_days: 10\nhorizon_days: 12\n")
    (msg,) = problems_of(write(text))
    assert f":{line_of(text, 'horizon_days: 12')}: horizon_days: duplicate key" in msg


def test_missing_file_and_directory(tmp_path):
    (msg,) = problems_of(tmp_path / "nope.yaml")
    assert "no such file" in msg
    (msg,) = problems_of(tmp_path)
    assert "directory" in msg


def test_not_a_mapping(write):
    (msg,) = problems_of(write("- just\n- a list\n"))
    assert msg.endswith("a scenario file must be a mapping of fields")


def test_horizon_of_a_century(write):
    text = BASE.replace("horizon_days: 10", "horizon_days: 36500")
    (msg,) = problems_of(write(text))
    assert "horizon_days" in msg and "365" in msg


def test_nan_rejected(write):
    text = BASE.replace("severity: critical, success: 0.7", "severity: critical, success: .nan")
    (msg,) = problems_of(write(text))
    assert "vulnerabilities.0.success" in msg


def test_vulnerability_on_a_service_the_host_lacks(write):
    text = BASE.replace("    vulnerabilities: [CVE-TINY-SQL]", "    vulnerabilities: [CVE-TINY-SQL, CVE-TINY-1]")
    (msg,) = problems_of(write(text))
    assert "affects service 'https', which host 'db-01' does not run" in msg


def test_group_members_expand(tiny):
    from simulator.build import build_network

    net = build_network(tiny.scenario, tiny.posture)
    assert [h.id for h in net.hosts if h.zone == "corp"] == ["ws-01", "ws-02", "ws-03"]
    helpdesk = next(a for a in net.accounts if a.id == "helpdesk")
    assert {net.hosts[i].id for i in helpdesk.logon} == {"ws-01", "ws-02", "ws-03", "db-01"}


def test_models_are_frozen(tiny):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        tiny.scenario.horizon_days = 3  # type: ignore[misc]


def test_json_schema_exports():
    from defenses.base import field_docs

    field_docs()  # descriptions are read on demand (simulator.schema does this)
    schema = Scenario.model_json_schema(by_alias=True)
    assert "hosts" in schema["properties"]
    host = schema["$defs"]["Host"]["properties"]
    assert host["zone"]["description"].startswith("Zone the host")
    assert schema["$defs"]["Flow"]["required"] == ["from", "to", "services"]


def test_descriptions_are_read_on_demand_not_at_import():
    """A fresh interpreter that imports the models reads no class source; field_docs() then gives the text."""
    import subprocess
    import sys

    code = ("import inspect; calls = []; real = inspect.getsource\n"
            "inspect.getsource = lambda o: calls.append(o) or real(o)\n"
            "import simulator.scenario, simulator.attacker, defenses.posture, simulator.sweep\n"
            "from simulator.scenario import Host\n"
            "before = (len(calls), Host.model_fields['zone'].description)\n"
            "from defenses.base import field_docs; field_docs()\n"
            "print(before, Host.model_fields['zone'].description[:14])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "(0, None) Zone the host"


def test_every_field_has_a_docstring():
    from defenses.base import field_docs
    from defenses.posture import Posture
    from simulator.attacker import AttackerProfile

    field_docs()
    missing = []
    for model in (Scenario, AttackerProfile, Posture):
        schema = model.model_json_schema()
        defs = dict(schema.get("$defs", {}), **{model.__name__: schema})
        for name, d in defs.items():
            for field, spec in d.get("properties", {}).items():
                ref = spec.get("$ref", "").rsplit("/", 1)[-1]
                # pydantic leaves out a field description identical to the referenced model's docstring
                if not spec.get("description") and not defs.get(ref, {}).get("description"):
                    missing.append(f"{name}.{field}")
    assert not missing, missing


# --- admin tier, logon services, edge patching, overrides every preset must take (issue 13, finding 10) ---------


def with_posture(overrides: str) -> str:
    """The tiny scenario with ``posture.overrides`` set to the YAML flow mapping ``overrides``."""
    return BASE.replace("posture: {preset: baseline}", f"posture:\n  preset: baseline\n  overrides: {overrides}")


def test_admin_zones_override_says_where_the_admin_tier_went(write):
    text = with_posture("{segmentation: {admin_zones: [corp]}}")
    path = write(text)
    (msg,) = problems_of(path)
    assert msg.startswith(f"{path}:{line_of(text, 'admin_zones')}: posture.overrides.segmentation.admin_zones: "
                          "no longer a posture field: mark the admin-tier zones in the scenario")


def test_override_another_preset_rejects_fails_at_the_users_line(write):
    """baseline takes restrict_admin_services, weak (flat) does not: compare would crash mid-run, so validate fails."""
    text = with_posture("{segmentation: {restrict_admin_services: true}}")
    path = write(text)
    (msg,) = problems_of(path)
    assert msg.startswith(f"{path}:{line_of(text, 'restrict_admin_services')}: "
                          "posture.overrides.segmentation.restrict_admin_services: unknown field with posture preset "
                          "'weak'")
    assert "add 'mode: zones'" in msg and "scenarios/presets" not in msg


def test_attacker_override_another_preset_rejects(write):
    text = BASE.replace("attacker: {preset: ai-orchestrated}",
                        "attacker:\n  preset: ai-orchestrated\n  overrides: {gates: [exploitation]}")
    path = write(text)
    (msg,) = problems_of(path)
    assert msg.startswith(f"{path}:{line_of(text, 'gates: [exploitation]')}: attacker.overrides: ")
    assert "'manual'" in msg and "approval gates" in msg


def test_cli_validate_names_the_users_file_for_a_preset_that_rejects(write):
    from typer.testing import CliRunner

    from simulator.cli import app

    text = with_posture("{segmentation: {restrict_admin_services: true}}")
    path = write(text)
    for command in (["validate", str(path)], ["compare", str(path), "--runs", "1", "--workers", "1"]):
        r = CliRunner().invoke(app, command)
        assert r.exit_code == 2, (command, r.output)
        assert f"{path}:{line_of(text, 'restrict_admin_services')}: " in r.output
        assert "Traceback" not in r.output and isinstance(r.exception, SystemExit)


def test_admin_tier_bad_value(write):
    text = BASE.replace("  - {id: corp}\n", "  - {id: corp, admin_tier: maybe}\n")
    path = write(text)
    (msg,) = problems_of(path)
    assert msg.startswith(f"{path}:{line_of(text, 'admin_tier: maybe')}: zones.1.admin_tier: ")


def test_logon_services_bad_and_duplicate(write):
    text = BASE.replace("objective:", "services:\n  logon: [ssh, SSH, rdp, ssh]\nobjective:")
    path = write(text)
    msgs = problems_of(path)
    line = line_of(text, "logon: [ssh, SSH")
    assert any(m.startswith(f"{path}:{line}: services.logon.1: String should match pattern") for m in msgs), msgs
    text = BASE.replace("objective:", "services:\n  logon: [ssh, rdp, ssh]\nobjective:")
    (msg,) = problems_of(write(text))
    assert msg.endswith(f":{line}: services.logon.2: 'ssh' is listed twice")


def test_mfa_service_must_accept_logons(write):
    text = with_posture("{access_control: {mfa_services: [vpn, sql]}}")
    path = write(text)
    (msg,) = problems_of(path)
    assert msg == (f"{path}:{line_of(text, 'mfa_services')}: posture.overrides.access_control.mfa_services.1: "
                   "'sql' accepts no logon in this scenario: add it to services.logon")
    text = with_posture("{access_control: {mfa_services: [VPN]}}")
    (msg,) = problems_of(write(text))
    assert "posture.overrides.access_control.mfa_services.0: String should match pattern" in msg


def test_edge_days_to_patch_bad_value(write):
    text = with_posture("{patching: {edge_days_to_patch: -4}}")
    path = write(text)
    (msg,) = problems_of(path)
    assert msg.startswith(f"{path}:{line_of(text, 'edge_days_to_patch')}: "
                          "posture.overrides.patching.edge_days_to_patch: Input should be greater than 0")


def test_an_unknown_tier_zone_is_an_error(write):
    """Before, an account's tier_zones were checked only when the logon lists were too long, so a typo'd tier zone
    (an unseen-scenario helper's 'admn') validated, and tiering then kept the account out of every zone."""
    text = BASE.replace("tier_zones: [corp]", "tier_zones: [corpp]")
    path = write(text)
    (msg,) = problems_of(path)
    assert msg == f"{path}:{line_of(text, 'tier_zones: [corpp]')}: accounts.1.tier_zones.0: unknown zone 'corpp'"


def test_a_logon_to_one_host_of_a_count_group_says_so(write):
    text = BASE.replace("{id: alice, kind: user, logon: [ws]}", "{id: alice, kind: user, logon: [ws-02]}")
    path = write(text)
    (msg,) = problems_of(path)
    assert msg.startswith(f"{path}:{line_of(text, 'logon: [ws-02]')}: accounts.0.logon.0: 'ws-02' is one host of "
                          "the group 'ws' (count 3)")


def test_a_flow_service_no_host_runs_is_a_warning_with_its_line(write):
    """A typo in a flow's services ('rpd') quietly closes the path it was meant to open: validate names it (a
    warning: a logon service no host runs, such as winrm in a copied policy, is not flagged), and exits 0."""
    from typer.testing import CliRunner

    from simulator.cli import app

    text = BASE.replace("{from: corp, to: servers, services: [smb, rdp]}",
                        "{from: corp, to: servers, services: [smb, rpd, winrm]}")
    path = write(text)
    out = CliRunner().invoke(app, ["validate", str(path)])
    assert out.exit_code == 0
    line = line_of(text, "services: [smb, rpd, winrm]")
    assert f"{path}:{line}: flows.2.services.1: warning: no host runs 'rpd'" in out.output
    assert "winrm" not in out.output.split("warning")[1].split("(")[0]
    assert out.output.count("warning: no host runs") == 1


def test_a_supplier_that_gets_nowhere_is_a_warning_with_its_line(write):
    """A supplier whose account is a decoy, or logs on to no host, passed validate with only the generic
    'objective unreachable' warning (an unseen-scenario helper's MSP): it now names the supplier's line."""
    from pathlib import Path

    from typer.testing import CliRunner

    from simulator.cli import app

    text = Path("examples/scenarios/msp-tenants.yaml").read_text(encoding="utf-8")
    clean = CliRunner().invoke(app, ["validate", "examples/scenarios/msp-tenants.yaml"])
    assert clean.exit_code == 0 and "suppliers" not in clean.output
    account = "{id: msp-tech, kind: admin, logon: [rmm-01, pms-01, fs-acct-01, dispatch-01]}"
    for changed, said in ((account[:-1] + ", honeytoken: true}", "is a decoy account"),
                          ("{id: msp-tech, kind: admin, logon: []}", "logs on to no host")):
        bad = text.replace(account, changed)
        assert bad != text
        path = write(bad)
        out = CliRunner().invoke(app, ["validate", str(path)])
        assert out.exit_code == 0
        assert f"{path}:{line_of(bad, 'account: msp-tech')}: suppliers.0.account: warning: 'msp-tech' {said}" \
            in out.output, out.output


def test_a_single_value_where_a_list_is_expected_says_list(write):
    """'services: smb, rdp' written as one value: the message says a list (what a YAML file has), not pydantic's
    tuple (an unseen-scenario checker's find)."""
    text = BASE.replace("{from: corp, to: servers, services: [smb, rdp]}", "{from: corp, to: servers, services: smb}")
    path = write(text)
    msgs = problems_of(path)
    assert any(m.endswith(": Input should be a valid list") for m in msgs), msgs
    assert not any("tuple" in m.lower() for m in msgs), msgs
