"""Reports that summarise (issue 16): key findings computed from the cells, findings grouped by control and ranked,
human names for parameters, the sweep's header and reproduce line."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from simulator.cli import app
from simulator.report import _key_findings, _md, from_summaries, markdown, param_description, param_name, to_html
from simulator.stats import summarize

runner = CliRunner()


def _row(automation: str, posture: str, met: bool, detected: bool = True, source: str = "edr",
         isolated: int = 0, clean: int = 0) -> dict:
    return {"automation": automation, "posture": posture,
            "outcome": "objective_met" if met else "detected_not_contained" if detected else
            "undetected_no_objective", "time_to_initial_access": 600.0, "time_to_objective": 5000.0 if met else None,
            "time_to_first_detection": 900.0 if detected else None, "first_detection_source": source if detected
            else None, "actions_ai": 0, "actions_human": 10, "hosts_compromised": 3, "records_exfiltrated":
            1000 if met else 0, "human_decision_points": 0, "peak_requests_per_minute": 1.0,
            "hosts_isolated": isolated, "clean_hosts_isolated": clean, "isolated_host_hours": 24.0 * isolated}


def _cells(successes: dict[tuple[str, str], int], n: int = 100, **kw) -> list:
    """One summary per (automation, posture) with ``successes`` runs out of ``n`` meeting the objective."""
    return [summarize([_row(a, p, i < k, **kw) for i in range(n)]) for (a, p), k in successes.items()]


GRID = {("manual", "weak"): 70, ("autonomous", "weak"): 95, ("manual", "hardened"): 10,
        ("autonomous", "hardened"): 30}


def test_key_findings_are_three_to_five_sentences_with_numbers_and_intervals():
    found = _key_findings(_cells(GRID, isolated=2, clean=1))
    assert 3 <= len(found) <= 5
    for f in found:
        assert f.count(". ") == 0 and f.endswith(".")  # one sentence each
        assert re.search(r"\d+% \[\d", f), f  # a share with its interval
    assert found[0].startswith("Attacker success ranged from 10% [")
    assert "the manual attacker against the hardened posture" in found[0]
    assert "95% [" in found[0] and "the autonomous attacker against the weak posture" in found[0]


def test_the_largest_effect_is_computed_not_written():
    found = _key_findings(_cells(GRID))
    # posture weak -> hardened: -60 (manual), -65 (autonomous); automation manual -> autonomous: +25, +20
    assert found[1].startswith("The largest effect of one setting: the defender's posture from weak to hardened "
                               "lowered attacker success from 95% [")
    assert "-65 points [" in found[1] and "(the autonomous attacker)" in found[1]
    assert "the attacker's automation from manual to autonomous raised" in found[2] and "+25 points [" in found[2]
    flipped = _key_findings(_cells({("manual", "weak"): 10, ("autonomous", "weak"): 90, ("manual", "hardened"): 5,
                                    ("autonomous", "hardened"): 80}))
    assert "the attacker's automation from manual to autonomous raised" in flipped[1]
    assert "+80 points [" in flipped[1]
    lo, hi = map(int, re.search(r"\+80 points \[\+(\d+), \+(\d+)\]", flipped[1]).groups())
    assert lo < 80 < hi


def test_an_effect_within_noise_says_so():
    found = _key_findings(_cells({("manual", "weak"): 50, ("manual", "hardened"): 48}, n=40))
    assert "an interval that includes no change" in found[1]


def test_detection_and_response_findings_pool_the_cells():
    found = _key_findings(_cells(GRID, source="egress", isolated=4, clean=1))
    det = next(f for f in found if f.startswith("Detection came first"))
    assert "egress (large transfer) alerting in 100% [99-100] of the 400 detected runs" in det
    resp = next(f for f in found if f.startswith("The response isolated"))
    assert "1,600 hosts" in resp and "25% [" in resp
    quiet = _key_findings(_cells(GRID, detected=False))
    assert "No run in any cell was detected." in quiet and "The response isolated no host in any run." in quiet


def test_strengths_and_areas_grouped_by_control_ranked_five_shown_rest_in_the_appendix():
    cells = _cells({(f"a{i}", "weak"): 90 for i in range(3)} | {(f"a{i}", "hardened"): 5 for i in range(3)},
                   isolated=5, clean=2)
    rep = from_summaries({"name": "x", "title": "X"}, cells, 100, 0, "tabletop compare x", {})
    controls = [t.split(":")[0] for t in rep.strengths] + [t.split(":")[0] for t, _ in rep.improvements]
    assert len(controls) == len(set(controls))  # one statement per control and side
    crown = next(t for t, _ in rep.improvements if t.startswith("Crown-jewel data"))
    assert "90% of runs, in 3 of 6 cells" in crown
    md = markdown(rep)
    analysis = md[md.index("## 5. Analysis"):md.index("## 6.")]
    assert analysis.count("\n- ") <= 10
    if len(rep.improvements) > 5:
        assert "more in appendix A" in analysis and _md(rep.improvements[5][0], True) in md
    assert "### Every finding, by cell" in md  # the per-cell statements are kept, in the appendix


def test_parameters_have_human_names_from_the_schema():
    assert param_name("posture.patching.days_to_patch.critical") == "Days to patch a critical vulnerability"
    assert param_name("posture.patching.days_to_patch.high") == "Days to patch a high-severity vulnerability"
    assert param_name("posture.patching.coverage") == "Patch coverage"
    assert param_name("posture.soc.shift_start") == "Local hour a business-hours shift starts"  # from the schema
    assert param_name("attacker.efforts.dump").startswith("Attacker's human minutes: harvesting credentials")
    assert param_name("no.such.path") == "no.such.path"
    assert param_description("posture.patching.days_to_patch.critical") == (
        "Median days from disclosure to patch, by severity: critical vulnerabilities")


def test_sweep_of_a_bundled_scenario_has_its_header_and_a_checked_reproduce_line(tmp_path):
    sw = tmp_path / "s.yaml"
    sw.write_text("scenario: espionage-tech\nreplicates: 2\nseed: 3\ngrid:\n  posture.patching.days_to_patch.critical:"
                  " [3, 32]\n")
    out = tmp_path / "ps.jsonl"
    r = runner.invoke(app, ["sweep", str(sw), "--out", str(out), "--workers", "1", "--formats", "none"])
    assert r.exit_code == 0, r.output
    md_path = tmp_path / "ps.md"
    r = runner.invoke(app, ["report", str(out), "--out", str(md_path)])
    assert r.exit_code == 0, r.output
    md = md_path.read_text()
    assert "| Scenario | espionage-tech: AI-orchestrated espionage against a technology company |" in md
    assert "| Story | A GTG-1002-style campaign" in md and "| Objective | take the product source code out |" in md
    assert _md(f"tabletop sweep {tmp_path / 'ps.sweep.yaml'} --out {out} (checked: this sweep file gives sweep "
               "id") in md
    assert '"posture.patching.days_to_patch.critical": [3, 32]' in md
    assert "| Days to patch a critical vulnerability |" in md
    # the rebuilt sweep file, run, gives the same rows
    rebuilt = tmp_path / "ps.sweep.yaml"
    block = md[md.index("```text\n") + 8:]
    rebuilt.write_text(block[:block.index("```")])
    again = tmp_path / "again.jsonl"
    r = runner.invoke(app, ["sweep", str(rebuilt), "--out", str(again), "--workers", "1", "--formats", "none"])
    assert r.exit_code == 0, r.output
    assert again.read_text() == out.read_text()


def test_a_comparison_of_a_file_names_it_and_does_not_open_it(tmp_path):
    from tests.conftest import TINY

    r = runner.invoke(app, ["compare", str(TINY), "--posture", "weak,hardened", "--automation", "manual",
                            "--runs", "6", "--workers", "1", "--format", "json"])
    assert r.exit_code == 0, r.output
    src = tmp_path / "cmp.json"
    src.write_text(r.stdout)
    out = tmp_path / "aar.html"
    assert runner.invoke(app, ["report", str(src), "--out", str(out)]).exit_code == 0
    page = out.read_text()
    assert "scenario file not read" in page
    assert f"--format json &gt; {src}" in page  # the reproduce line names the real file
    assert "@media print{@page{size:A4" in page and 'class="fig"' in page
    assert "Key findings" in to_html(from_summaries({"name": "x"}, _cells(GRID), 100, 0, "r", {}))
