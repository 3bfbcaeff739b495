"""Large but valid scenario files: `validate` answers a 100,000-host file without expanding its hosts (it took 19 s and
800 MB when issue 17 was filed; 60 s and 10 GB with 1,000 accounts that log on to the group), and its reachability
warning is the one the built network gives. Not timed here (benchmarks/hostile_inputs.py measures time and memory)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from simulator.build import build_network, objective_reachable, objective_zone_reachable
from simulator.cli import app
from simulator.generate import generate
from simulator.loader import bundled_names, load, preset_names
from tests.conftest import TINY

runner = CliRunner()
BASE = TINY.read_text(encoding="utf-8")


def big_scenario(hosts: int = 100_000, accounts: int = 0) -> str:
    """tiny.yaml with its workstation group grown to ``hosts`` hosts in all, and ``accounts`` more admin accounts
    that log on to the group (each one's logon set is the whole group once expanded)."""
    text = BASE.replace("    count: 3\n", f"    count: {hosts - 2}\n")
    extra = "".join(f"  - {{id: admin-{i}, kind: admin, logon: [ws, db-01], tier_zones: [corp]}}\n"
                    for i in range(accounts))
    return text.replace("accounts:\n", "accounts:\n" + extra)


def test_a_100000_host_file_validates(write):
    r = runner.invoke(app, ["validate", str(write(big_scenario(accounts=17)))])  # 1.9M (account, host) pairs
    assert r.exit_code == 0, r.output
    assert r.stdout.endswith("ok: 100000 hosts in 3 zones, 20 accounts, 4 vulnerabilities\n")


def test_one_host_past_the_limit_is_named(write):
    r = runner.invoke(app, ["validate", str(write(big_scenario(100_001)))])
    assert r.exit_code == 2
    assert r.stderr.strip().endswith(":17: hosts: the hosts expand to 100001 hosts, more than the limit of 100000")


def test_a_group_that_collides_with_a_host_is_named_at_its_count(write):
    single = "  - id: ws-55555\n    zone: corp\n    role: x\n"
    text = big_scenario(99_999).replace("  - id: db-01\n", single + "  - id: db-01\n")
    r = runner.invoke(app, ["validate", str(write(text))])
    assert r.exit_code == 2
    assert "hosts.2.id: duplicate host id 'ws-55555' (first at hosts.1.count)" in r.stderr


def _cases():
    for name in bundled_names():
        for posture in preset_names("posture"):
            yield name, posture


@pytest.mark.parametrize("name,posture", list(_cases()))
def test_zone_search_agrees_with_the_built_network(name, posture):
    loaded = load(name).with_presets(posture=posture)
    net = build_network(loaded.scenario, loaded.posture)
    assert objective_zone_reachable(loaded.scenario, loaded.posture) == objective_reachable(net)


@pytest.mark.parametrize("drop", ["", "  - {from: dmz, to: servers, services: [sql, smb]}\n",
                                  "  - {from: dmz, to: servers, services: [sql, smb]}\n"
                                  "  - {from: dmz, to: corp, services: [smb]}\n"])
@pytest.mark.parametrize("posture", ["weak", "baseline", "hardened"])
def test_zone_search_agrees_when_flows_are_missing(write, drop, posture):
    """With fewer listed flows the objective's zone is two hops away, or out of reach under zone segmentation."""
    loaded = load(write(BASE.replace(drop, "") if drop else BASE)).with_presets(posture=posture)
    net = build_network(loaded.scenario, loaded.posture)
    assert objective_zone_reachable(loaded.scenario, loaded.posture) == objective_reachable(net)


@pytest.mark.parametrize("seed", range(4))
def test_zone_search_agrees_on_generated_networks(write, seed):
    import yaml

    text = yaml.safe_dump(generate(200, 3 + seed * 2, seed=seed), sort_keys=False)
    for posture in preset_names("posture"):
        loaded = load(write(text)).with_presets(posture=posture)
        net = build_network(loaded.scenario, loaded.posture)
        assert objective_zone_reachable(loaded.scenario, loaded.posture) == objective_reachable(net)


def test_a_logon_index_too_large_to_run_is_refused_with_its_line(tmp_path):
    """100,000 hosts with 1,000 admin accounts logging on to them all validates as a schema, but a run would index
    10^8 (account, host) pairs: refused at once, by validate and by run, naming the accounts' line."""
    from pathlib import Path

    import yaml

    data = yaml.safe_load((Path(__file__).resolve().parent / "data" / "tiny.yaml").read_text(encoding="utf-8"))
    data["hosts"][1]["count"] = 99_998
    data["accounts"] += [{"id": f"adm{i}", "kind": "admin", "logon": ["ws"]} for i in range(1000)]
    path = tmp_path / "huge.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    for args in (["validate", str(path)], ["run", str(path), "--seed", "1"]):
        r = runner.invoke(app, args)
        assert r.exit_code == 2
        assert "accounts: the accounts' logon lists expand to 100,197,999 (account, host) pairs" in r.stderr


def test_more_zones_than_a_comparison_can_build_are_refused(tmp_path):
    """1,000 zones validated, then took 74 s and 4 GiB for a 12-cell comparison: at most 200, said at the line."""
    from pathlib import Path

    import yaml

    data = yaml.safe_load((Path(__file__).resolve().parent / "data" / "tiny.yaml").read_text(encoding="utf-8"))
    data["zones"] += [{"id": f"z{i}"} for i in range(198)]
    path = tmp_path / "zones.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    r = runner.invoke(app, ["validate", str(path)])
    assert r.exit_code == 2 and "zones: List should have at most 200 items" in r.stderr
