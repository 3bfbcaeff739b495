"""What the scenario's admin tier, logon services and edge vulnerabilities do in the model; and that any file the
loader accepts runs with every preset a command may combine it with."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

from defenses.base import U_PATCH_COVERED, U_PATCH_DELAY
from defenses.patching import Patching
from simulator.build import build_network
from simulator.loader import bundled_path, load, preset_names
from simulator.scenario import LOGON_SERVICES
from simulator.sweep import apply_cell
from tests.conftest import TINY

BASE = TINY.read_text(encoding="utf-8")

MGMT = BASE.replace("  - {id: servers}\n", "  - {id: servers}\n  - {id: mgmt, admin_tier: true}\n").replace(
    "hosts:\n", "hosts:\n  - {id: jump-01, zone: mgmt, role: jump-host, services: [rdp, ssh]}\n", 1).replace(
    "flows:\n", "flows:\n  - {from: mgmt, to: servers, services: [rdp, ssh, sql]}\n", 1)


def flows(text: str, write, posture: str = "hardened") -> dict[tuple[str, str], frozenset[str]]:
    loaded = load(write(text)).with_presets(posture=posture)
    net = build_network(loaded.scenario, loaded.posture)
    return {(a, b): d["services"] for a, b, d in net.zone_graph.edges(data=True)}


def test_a_flagged_zone_is_the_admin_tier(write):
    """hardened keeps remote administration to the admin tier: ssh crosses from mgmt (flagged), not from corp."""
    f = flows(MGMT, write)
    assert f[("mgmt", "servers")] == {"rdp", "ssh", "sql"}
    assert ("corp", "servers") not in f  # smb and rdp are both remote administration: nothing is left
    unflagged = flows(MGMT.replace("{id: mgmt, admin_tier: true}", "{id: mgmt}"), write)
    assert unflagged[("mgmt", "servers")] == {"sql"}
    assert flows(MGMT, write, "baseline")[("corp", "servers")] == {"smb", "rdp"}  # not restricted under baseline


def test_a_zone_called_admin_is_the_admin_tier_unless_it_says_otherwise(write):
    legacy = MGMT.replace("mgmt", "admin").replace("{id: admin, admin_tier: true}", "{id: admin}")
    assert flows(legacy, write)[("admin", "servers")] == {"rdp", "ssh", "sql"}
    opted_out = MGMT.replace("mgmt", "admin").replace("admin_tier: true", "admin_tier: false")
    assert flows(opted_out, write)[("admin", "servers")] == {"sql"}
    net = build_network(load(write(legacy)).scenario, load(write(legacy)).posture)
    assert net.admin_zones == frozenset({"admin"})


def test_bundled_admin_zones_say_so():
    for name in ("espionage-tech", "regional-hospital"):
        text = bundled_path(name).read_text(encoding="utf-8")
        assert "{id: admin, admin_tier: true," in text
        assert load(name).scenario.admin_tier_zones() == frozenset({"admin"})


def test_logon_services_default_and_override(write, tiny):
    assert build_network(tiny.scenario, tiny.posture).logon_services == LOGON_SERVICES
    text = BASE.replace("objective:", "services:\n  logon: [rdp, ssh, https]\nobjective:")
    loaded = load(write(text))
    net = build_network(loaded.scenario, loaded.posture)
    assert net.logon_services == frozenset({"rdp", "ssh", "https"})
    assert isinstance(net.logon_services, frozenset)


def _patch_time(text: str, write, posture: str, vuln: str, covered: bool = True) -> float:
    """Minute the tiny variant's ``vuln`` is patched on db-01, at the median delay, inside coverage or not."""
    loaded = load(write(text)).with_presets(posture=posture)
    net = build_network(loaded.scenario, loaded.posture)
    draws = {U_PATCH_COVERED: 0.0 if covered else 0.999, U_PATCH_DELAY: 0.5}
    ctx = SimpleNamespace(net=net, uniform=lambda purpose, a, b=0: draws[purpose])
    p = Patching(loaded.posture.patching, ctx)
    p.start()
    return p.patch_time(net.host_index["db-01"], next(i for i, v in enumerate(net.vulns) if v.id == vuln))


@pytest.mark.parametrize("posture", ["weak", "baseline", "hardened"])
def test_edge_vulnerabilities_patch_on_the_edge_clock(write, posture):
    cfg = load(TINY).with_presets(posture=posture).posture.patching
    sql = "{id: CVE-TINY-SQL, technique: T1210, service: sql, severity: medium"
    edge = BASE.replace("disclosed_day: -200, access: user}", "disclosed_day: -200, access: user, edge: true}")
    assert edge != BASE and sql in BASE
    t_plain = _patch_time(BASE, write, posture, "CVE-TINY-SQL")
    t_edge = _patch_time(edge, write, posture, "CVE-TINY-SQL")
    assert t_plain == pytest.approx((-200 + cfg.days_to_patch.medium) * 1440)  # non-edge: by severity, as before
    assert t_edge == pytest.approx((-200 + cfg.edge_days_to_patch) * 1440)
    assert t_edge < t_plain  # every preset patches edge devices sooner than a medium internal bug
    assert math.isinf(_patch_time(edge, write, posture, "CVE-TINY-SQL", covered=False))  # coverage still applies


def test_edge_days_unset_falls_back_to_severity(write):
    edge = BASE.replace("disclosed_day: -200, access: user}", "disclosed_day: -200, access: user, edge: true}")
    text = edge.replace("posture: {preset: baseline}",
                        "posture:\n  preset: baseline\n  overrides: {patching: {edge_days_to_patch: null}}")
    assert _patch_time(text, write, "baseline", "CVE-TINY-SQL") == pytest.approx((-200 + 120) * 1440)


@pytest.mark.parametrize("name", ["tiny", "espionage-tech", "regional-hospital", "small-business", "mode-zones"])
def test_an_accepted_file_compiles_with_every_preset(name, write):
    """What compare, fundamentals and sweeps do: the file's overrides on every (automation, posture) preset pair."""
    if name == "tiny":
        loaded = load(TINY)
    elif name == "mode-zones":
        loaded = load(write(BASE.replace("posture: {preset: baseline}", "posture:\n  preset: baseline\n  overrides:\n"
                                         "    segmentation: {mode: zones, restrict_admin_services: true}")))
    else:
        loaded = load(name)
    for automation in preset_names("automation"):
        for posture in preset_names("posture"):
            compiled = apply_cell(loaded, (("automation", automation), ("posture", posture)))
            assert compiled.posture.preset == posture and compiled.attacker.preset == automation


def test_validate_reports_schema_and_reference_errors_in_one_pass(tmp_path):
    """Where the file parses, the cross-reference errors that do not depend on the broken parts come with the schema
    errors, each FILE:LINE: field: message, sorted by line; a reference to a part that failed the schema is not
    reported (the host whose entry is broken is not an 'unknown host')."""
    from typer.testing import CliRunner

    from simulator.cli import app

    t = TINY.read_text()
    t = t.replace("horizon_days: 10", "horizon_days: -3")  # schema
    t = t.replace("  - id: web-01\n    zone: dmz", "  - id: web-01\n    zone: dmzz")  # reference
    t = t.replace("    count: 3\n", "    count: -1\n")  # schema: host 'ws' is broken
    t = t.replace("{id: alice, kind: user, logon: [ws]}", "{id: alice, kind: user, logon: [ws, nohost]}")
    t = t.replace("  - {from: corp, to: servers, services: [smb, rdp]}",
                  "  - {from: corp, to: serverz, services: [smb, rdp], bogus: 1}\n"  # schema; its zone not checked
                  "  - {from: corpp, to: servers, services: [smb]}")  # reference, after a pruned item
    bad = tmp_path / "bad.yaml"
    bad.write_text(t)
    r = CliRunner().invoke(app, ["validate", str(bad)])
    assert r.exit_code == 2
    lines = r.stderr.splitlines()
    lineno = {ln: i for i, ln in enumerate(t.splitlines(), 1)}

    def at(text: str) -> int:
        return next(i for ln, i in lineno.items() if text in ln)

    assert lines == [
        f"{bad}:{at('horizon_days')}: horizon_days: Input should be greater than 0",
        f"{bad}:{at('zone: dmzz')}: hosts.0.zone: unknown zone 'dmzz'",
        f"{bad}:{at('count: -1')}: hosts.1.count: Input should be greater than or equal to 1",
        f"{bad}:{at('nohost')}: accounts.0.logon.1: unknown host or host group 'nohost'",
        f"{bad}:{at('bogus')}: flows.2.bogus: unknown field",
        f"{bad}:{at('corpp')}: flows.3.from: unknown zone 'corpp'",
    ]


def test_validate_gives_schema_errors_alone_where_the_rest_cannot_be_checked(tmp_path):
    """A required part broken beyond pruning (the objective): the schema errors, no guesses about references."""
    from simulator.loader import ScenarioError

    t = TINY.read_text().replace("objective: {data: customers, description: the customer table}",
                                 "objective: {data: [1], description: the customer table}")
    t = t.replace("  - id: web-01\n    zone: dmz", "  - id: web-01\n    zone: dmzz")
    bad = tmp_path / "bad.yaml"
    bad.write_text(t)
    with pytest.raises(ScenarioError) as e:
        load(bad)
    assert [p.field for p in e.value.problems] == ["objective.data"]
