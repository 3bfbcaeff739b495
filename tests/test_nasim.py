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


def nasim_text(subnets=(1, 2, 2), exploit_extra="", host_extra="", value="100", firewall_extra="") -> str:
    """A NASim-shaped scenario (the format of NASim's benchmark files, written here, not copied): an internet-facing
    web host, a middle subnet and a back subnet, a firewall that lets only some services through."""
    hosts = []
    for s, size in enumerate(subnets, 1):
        for i in range(size):
            services = "[http]" if s == 1 else "[ssh, smb]"
            hosts.append(f"  ({s}, {i}): {{os: linux, services: {services}, processes: [cron], value: 0}}")
    hosts[-1] = hosts[-1].replace("value: 0", f"value: {value}")
    if host_extra:
        hosts[1] = hosts[1].replace("value: 0}", f"value: 0, {host_extra}}}")
    n = len(subnets)
    topo = [[1] * (n + 1) for _ in range(n + 1)]
    last = f"({n}, {subnets[-1] - 1})"
    return f"""subnets: {list(subnets)}
topology: {topo}
sensitive_hosts:
  {last}: {value}
os: [linux]
services: [ssh, smb, http]
processes: [cron]
exploits:
  e_http: {{service: http, os: None, prob: 0.9, cost: 1, access: user}}
  e_ssh: {{service: ssh, os: linux, prob: 0.6, cost: 2, access: 2}}
{exploit_extra}privilege_escalation:
  pe_cron: {{process: cron, os: linux, prob: 1.0, cost: 1, access: root}}
host_configurations:
{chr(10).join(hosts)}
firewall:
  (0, 1): [http]
  (1, 0): []
  (1, 2): [ssh]
  (2, 1): []
  (2, 3): [ssh, smb]
  (3, 2): []
  (1, 3): []
  (3, 1): []
{firewall_extra}step_limit: 1000
"""


@pytest.mark.parametrize("posture", ["weak", "baseline", "hardened"])
def test_nasim_network_and_exploits_survive_every_posture(tmp_path, posture):
    """The firewall is the network and no exploit starts patched, whatever the preset (the importer pins both)."""
    src = tmp_path / "n.yaml"
    src.write_text(nasim_text())
    out = tmp_path / "s.yaml"
    r = runner.invoke(app, ["import-nasim", str(src), "--out", str(out), "--posture", posture])
    assert r.exit_code == 0, r.output
    assert "pinned: segmentation" in r.stdout and "pinned: patching" in r.stdout
    loaded = load(out)
    assert loaded.posture.segmentation.mode == "zones" and loaded.posture.patching.coverage == 0
    net = compile_scenario(loaded.scenario, loaded.attacker, loaded.posture).net
    reach = {z: {net.hosts[h].id: set(svcs) for h, svcs in net.reach_map[z].items() if net.hosts[h].zone != z}
             for z in net.reach_map}
    assert reach["subnet-1"] == {"h2-0": {"ssh"}, "h2-1": {"ssh"}}  # (1, 2): [ssh], (1, 3): []
    assert reach["subnet-2"] == {"h3-0": {"ssh", "smb"}, "h3-1": {"ssh", "smb"}}
    assert reach["subnet-3"] == {}
    vulns = {v.id: v for v in loaded.scenario.vulnerabilities}
    assert vulns["NASIM-e-ssh"].access == "admin"  # NASim's integer access level 2 is root


def test_nasim_hostile_values(tmp_path):
    src = tmp_path / "n.yaml"
    for text, field in ((nasim_text(exploit_extra="  e_x: {service: smb, os: linux, prob: .inf, cost: 1}\n"),
                         "exploits.e_x.prob"),
                        (nasim_text(value="-.inf"), "value"),
                        (nasim_text(exploit_extra="  e_x: {service: smb, os: linux, prob: 0.5, cost: .nan}\n"),
                         "exploits.e_x.cost"),
                        (nasim_text(exploit_extra="  e_x: {service: smb, os: linux, prob: 0.5, cost: 1, access: 7}\n"),
                         "exploits.e_x.access"),
                        (nasim_text().replace("subnets: [1, 2, 2]", "subnets: [1, 2, 1000000000]"), "subnets")):
        src.write_text(text)
        out = tmp_path / "o.yaml"
        r = runner.invoke(app, ["import-nasim", str(src), "--out", str(out)])
        assert r.exit_code == 2, r.output
        assert field in r.stderr and r.stderr.startswith(f"{src}:") and "Traceback" not in r.output
        assert not out.exists()


def test_nasim_large_values_are_capped_and_named_and_nothing_is_dropped_silently(tmp_path):
    src = tmp_path / "n.yaml"
    src.write_text(nasim_text(exploit_extra="  e_x: {service: smb, os: linux, prob: 0.5, cost: 1.0e+300}\n",
                              value="1.0e+300", host_extra="firewall: {(1, 0): [ssh]}, value: 7"
                              ).replace("value: 0, firewall", "firewall"))
    out = tmp_path / "o.yaml"
    r = runner.invoke(app, ["import-nasim", str(src), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "capped at 10000 effort hours" in r.stdout and "capped at 1000000000000 records" in r.stdout
    assert "host (2, 0) firewall" in r.stdout and "host (2, 0) value 7" in r.stdout
    load(out)
    assert not list(tmp_path.glob(".*.tmp"))


BENCHMARK = DATA / "benchmark"


def _addr(key: str) -> tuple[int, int]:
    a, b = key.strip("() ").split(",")
    return int(a), int(b)


@pytest.mark.parametrize("path", sorted(BENCHMARK.glob("*.yaml")), ids=lambda p: p.stem)
def test_nasim_s_own_benchmarks_import_with_their_firewall_and_exploits_intact(path):
    """NASim's nine benchmark scenarios (copied from the nasim 0.12.0 wheel with its MIT licence): every firewall
    rule between connected subnets is a flow with exactly its services, every internet rule an entry point on those
    services only, and every exploit and privilege escalation sits on exactly the hosts whose service or process and
    OS it matches, as NASim defines them."""
    import yaml

    src = yaml.safe_load(path.read_text(encoding="utf-8"))
    s = import_file(str(path)).scenario
    topo, fw = src["topology"], {_addr(k): set(v or ()) for k, v in src["firewall"].items()}
    flows = {(f["from"], f["to"]): set(f["services"]) for f in s["flows"]}
    expected = {(f"subnet-{a}", f"subnet-{b}"): svcs for (a, b), svcs in fw.items()
                if a >= 1 and b >= 1 and a != b and topo[a][b] and svcs}
    assert flows == expected and (expected or len(src["subnets"]) == 1)  # one subnet: nothing to flow between
    hosts = {h["id"]: h for h in s["hosts"]}
    conf = {f"h{a}-{b}": c for (a, b), c in ((_addr(k), c) for k, c in src["host_configurations"].items())}
    assert set(hosts) == set(conf)
    for e in s["entry_points"]:
        a = int(hosts[e["host"]]["zone"].removeprefix("subnet-"))
        assert topo[0][a] and set(e["services"]) <= fw.get((0, a), set())
    exposed = {(h, svc) for h, c in conf.items() for svc in c["services"]
               if topo[0][int(h[1:].split("-")[0])] and svc in fw.get((0, int(h[1:].split("-")[0])), set())}
    assert {(e["host"], svc) for e in s["entry_points"] for svc in e["services"]} == exposed and exposed

    def matches(rule_os, host_os) -> bool:
        return rule_os in (None, "None") or rule_os == host_os

    for h, c in conf.items():
        want = {f"NASIM-{n.replace('_', '-')}" for n, e in src["exploits"].items()
                if e["service"] in c["services"] and matches(e.get("os"), c["os"])}
        want |= {f"NASIM-PE-{n.replace('_', '-')}" for n, e in (src.get("privilege_escalation") or {}).items()
                 if e["process"] in (c.get("processes") or ()) and matches(e.get("os"), c["os"])}
        assert set(hosts[h].get("vulnerabilities", ())) == want, h
