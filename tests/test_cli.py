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


def test_run_replays_a_replicate_of_a_comparison():
    """`--replicate N` replays run N of a compare or sweep cell with the same root seed, byte for byte."""
    from simulator.sweep import collect, spec_for

    loaded = load_tiny()
    rows = collect(spec_for(loaded, [(("automation", "manual"), ("posture", "baseline"))], 4, 5))[0]
    r = runner.invoke(app, ["run", str(TINY), "--seed", "5", "--replicate", "3", "--json", "--automation", "manual",
                            "--posture", "baseline"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    row = next(x for x in rows if x["replicate"] == 3)
    assert (data["seed"], data["replicate"]) == (5, 3)
    assert {k: data[k] for k in ("outcome", "end_time", "hosts_compromised", "actions_ai", "actions_human")} == \
        {k: row[k] for k in ("outcome", "end_time", "hosts_compromised", "actions_ai", "actions_human")}
    text = runner.invoke(app, ["run", str(TINY), "--seed", "5", "--replicate", "3", "--events", "0"]).output
    assert "| seed 5, replicate 3" in text


def load_tiny():
    from simulator.loader import load

    return load(str(TINY))


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
    main, costs = r.stdout.split("What the response cost")
    rows = [line for line in main.splitlines() if line.startswith(("manual ", "autonomous "))]
    assert len(rows) == 4
    assert any(row.endswith("  best") for row in rows) and any(row.endswith("  worst") for row in rows)
    assert len([line for line in costs.splitlines() if line.startswith(("manual ", "autonomous "))]) == 4


def _widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_compare_fits_the_width_and_keeps_the_key_figures():
    """Issue 16: at 80 columns the labels, attacker success, time to detection and records, nothing wider; at 120
    more columns; --wide every column; each time column in one unit, named in its header."""
    args = ["compare", "espionage-tech", "--runs", "12", "--workers", "1"]
    narrow = runner.invoke(app, [*args, "--columns", "80"])
    assert narrow.exit_code == 0, narrow.output
    assert _widest(narrow.stdout) <= 80
    head = "\n".join(narrow.stdout.splitlines()[:12])
    for word in ("automation", "posture", "attacker", "success", "detection (", "records"):
        assert word in head, word
    assert "Not shown at 80 columns:" in narrow.stdout and "--wide" in narrow.stdout
    middle = runner.invoke(app, [*args, "--columns", "120"])
    assert 80 < _widest(middle.stdout) <= 120
    assert "objective (" in middle.stdout
    wide = runner.invoke(app, [*args, "--wide", "--columns", "80"])
    assert "Not shown" not in wide.stdout and "gates" in wide.stdout and "dwell" in wide.stdout
    main, costs = wide.stdout.split("What the response cost")
    assert "Not shown" not in costs and "h-hours" in costs and "horizon" in costs
    rows = [line for line in main.splitlines() if line.startswith(("manual ", "ai-", "autonomous "))]
    assert len(rows) == 12
    for line in rows:  # no unit inside a time cell: the header carries it
        assert not any(f" {u} [" in line or f" {u} (" in line for u in ("min", "h", "d")), line


def test_compare_width_from_the_environment():
    r = runner.invoke(app, ["compare", str(TINY), "--runs", "6", "--workers", "1"], env={"COLUMNS": "60"})
    assert r.exit_code == 0, r.output
    assert _widest(r.stdout) <= 60


def test_numbers_are_rounded_to_what_the_interval_supports():
    from simulator.tables import estimate

    assert estimate(-224000, -251587, -196413, scale=1000, signed=True) == "-224 [-252, -196]"
    assert estimate(98, 93, 99, suffix="%") == "98% [93-99]"
    assert estimate(0, 0, 3.7, suffix="%") == "0% [0-4]"
    assert estimate(3.36, 3.31, 3.53) == "3.36 [3.31-3.53]"
    assert estimate(2.3, 0.4, 2.5) == "2.3 [0.4-2.5]"
    assert estimate(37.9, -55.7, 131.6, signed=True) == "+38 [-56, +132]"
    assert estimate(-2, -3, -0.2, signed=True) == "-2 [-3, -0]"  # short of zero: its side kept
    assert estimate(18.24) == "18" and estimate(0.75) == "0.75"


def test_one_time_unit_per_column():
    from simulator.stats import CellSummary, Estimate
    from simulator.tables import comparison_columns

    def cell(name, minutes):
        e = Estimate(minutes, minutes * 0.8, minutes * 1.2, 50)
        none = Estimate(None, None, None, 0)
        return CellSummary((("automation", name),), 50, Estimate(0.5, 0.4, 0.6, 50), none, none, e, e, e, none,
                           none, 1.0, 1000.0, None, 0.0, 0.0)

    cols = comparison_columns([cell("a", 45), cell("b", 600), cell("c", 5000)])
    detect = next(c for c in cols if c.title.startswith("time to detection"))
    assert detect.header.endswith("(h)")
    assert detect.cells == ["0.8 [0.6-0.9]", "10 [8-12]", "83 [67-100]"]


def test_fundamentals_fits_80_columns_in_points():
    r = runner.invoke(app, ["fundamentals", str(TINY), "--runs", "6", "--workers", "1", "--columns", "80"])
    assert r.exit_code == 0, r.output
    assert _widest(r.stdout) <= 80
    assert "success (pts)" in r.stdout and "detection (" in r.stdout and "records" in r.stdout
    assert ",0" not in r.stdout.replace(", 0", "")  # no thousands separators: a unit makes them short


def test_tui_refuses_bad_inputs_before_taking_the_screen(tmp_path):
    bad = tmp_path / "s.json"
    bad.write_text("{not json")
    r = runner.invoke(app, ["tui", "--session", str(bad)])
    assert r.exit_code == 2 and f"{bad}:1: not a readable session" in r.stderr
    r = runner.invoke(app, ["tui", str(tmp_path / "missing.yaml")])
    assert r.exit_code == 2 and "no such file" in r.stderr


def test_validate_warns_when_no_way_leads_onto_the_objectives_host(tmp_path):
    """The objective's zone can be reached, but its host offers no way on: no vulnerability, and the only account that
    logs on to it is cached nowhere the attacker could get to and logs on to no host it starts from (a reviewer's
    unseen scenario validated 'ok' and lost every run). Caching that account on a workstation the attacker can reach
    opens the way, and the warning goes."""
    text = TINY.read_text()
    text = text.replace("    vulnerabilities: [CVE-TINY-SQL]\n    credentials: [helpdesk]\n",
                        "    credentials: [helpdesk]\n")
    text = text.replace("  - {id: helpdesk, kind: admin, logon: [ws, db-01], tier_zones: [corp]}\n"
                        "  - {id: svc-web, kind: service, logon: [web-01, db-01]}\n",
                        "  - {id: helpdesk, kind: admin, logon: [ws], tier_zones: [corp]}\n"
                        "  - {id: svc-web, kind: service, logon: [web-01]}\n"
                        "  - {id: dba, kind: admin, logon: [db-01]}\n")
    dead = tmp_path / "dead.yaml"
    dead.write_text(text)
    r = runner.invoke(app, ["validate", str(dead)])
    assert r.exit_code == 0 and "warning: no way onto the objective's host" in r.stdout
    live = tmp_path / "live.yaml"
    live.write_text(text.replace("    credentials: [alice, helpdesk]\n", "    credentials: [alice, helpdesk, dba]\n"))
    r = runner.invoke(app, ["validate", str(live), str(TINY)])
    assert r.exit_code == 0 and "warning" not in r.stdout


def test_floating_point_residue_prints_as_zero():
    """A paired difference of two equal times computed from different absolute times (-3.6e-14 hours, an
    unseen-scenario helper's fundamentals table) printed as -0.000000000000001 [-0.000000000000002, +0.000000000000001]
    and blew its column out to 60 characters; it is zero."""
    from simulator.tables import estimate

    assert estimate(-3.6e-14, -2e-14, 1e-15, signed=True) == "0 [0, 0]"
    assert estimate(-0.5, -0.9, -0.1, signed=True) == "-0.5 [-0.9, -0.1]"


def test_a_run_short_of_its_objective_says_how_many_records_left_all_the_same():
    """An objective asking for all 250,000 case files, 200,000 out when the response evicted the crew: the headline
    said 'CONTAINED' and nothing more (an unseen-scenario helper's law firm)."""
    from dataclasses import replace

    from simulator.engine import run
    from simulator.loader import load
    from simulator.report_text import outcome_text
    from simulator.sweep import apply_cell

    c = apply_cell(load("espionage-tech"), (("automation", "manual"), ("posture", "baseline")))
    r = next(x for x in (run(c, 0, i) for i in range(40)) if x.outcome == "contained" and not x.records_exfiltrated)
    assert "records" not in outcome_text(r)
    text = outcome_text(replace(r, records_exfiltrated=200_000))
    assert text.startswith("CONTAINED") and "200,000 records of the objective's data left" in text
    # several objectives: the partly-met headline says what was met; no note on one objective's records
    m = apply_cell(load("regional-manufacturer"), (("automation", "manual"), ("posture", "baseline")))
    partly = next(x for x in (run(m, 0, i) for i in range(60))
                  if x.outcome != "objective_met" and x.records_exfiltrated)
    assert outcome_text(partly).startswith("OBJECTIVES PARTLY MET") and "fewer than" not in outcome_text(partly)


def test_a_run_whose_encryption_took_every_host_says_so():
    """A ransomware run that met its objective and held nothing at the end (its own encryption took the hosts it
    held out of service) said 'the attacker kept its access to the horizon or its eviction', and 'known to defender:
    1' beside 22 encrypted hosts (an unseen-scenario helper's MSP). The end line now says what took the hosts, and
    the counts line that the encrypted hosts show the ransom note."""
    from simulator.engine import run
    from simulator.loader import load
    from simulator.report_text import end_text, run_text
    from simulator.sweep import apply_cell

    c = apply_cell(load("examples/scenarios/msp-tenants.yaml"), (("automation", "ai-orchestrated"),
                                                                 ("posture", "baseline")))
    r = next(x for x in (run(c, s) for s in range(12)) if x.outcome == "objective_met" and not x.owned_hosts)
    assert r.hosts_encrypted and "kept its access" not in end_text(r)
    assert end_text(r).startswith("the objective was met (the attacker held no host at the end: its own encryption")
    assert f"and the {r.hosts_encrypted} encrypted, each showing the ransom note" in run_text(r, events=0)
