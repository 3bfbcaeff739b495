"""Calibration: the figures measured from runs, on every scenario; preset provenance tags; the report and the CLI.

The reduced run (fewer runs, ranges widened by a quarter) covers every bundled scenario and the generated
organisations: a check out of range fails unless GAPS records where and why it does not hold, and a GAPS entry whose
figure now clearly holds fails too.
"""

from __future__ import annotations

import pytest

from simulator import calibration as cal
from simulator.calibration import FIGURES, GAPS, Row, ScenarioCalibration
from simulator.stats import km_median

RUNS = 60


@pytest.fixture(scope="module")
def results():
    return [cal.calibrate(cal.load_target(name), runs=RUNS, seed=11) for name in cal.default_targets()]


@pytest.fixture(scope="module")
def tags():
    return cal.all_tags()


def _figure(key: str):
    return next(f for f in FIGURES if f.key == key)


# --- the reduced calibration --------------------------------------------------------------------------------------

def test_targets_are_every_bundled_scenario_and_three_generated_sizes():
    from simulator.loader import bundled_names

    names = cal.default_targets()
    assert names[: len(bundled_names())] == bundled_names()
    assert names[-3:] == ["generated-50", "generated-200", "generated-1000"]
    assert cal.FITTED_ON in names


def _out(r: Row) -> bool:
    """Out of range at reduced runs: the value is outside the range widened by a quarter, and its 95% interval (where
    there is one; an open end counts as unbounded) does not reach the range either."""
    if r.widened(0.25).ok is not False:
        return False
    if r.ci_low is None and r.ci_high is None:
        return True
    lo = r.ci_low if r.ci_low is not None else float("-inf")
    hi = r.ci_high if r.ci_high is not None else float("inf")
    f = r.figure
    return (f.high is not None and lo > f.high) or (f.low is not None and hi < f.low)


def test_reduced_calibration_in_range_or_explained(results):
    bad = [f"{r.figure.key} on {c.name}: {r.value} [{r.ci_low}, {r.ci_high}] not in [{r.figure.low}, {r.figure.high}]"
           for c in results for r in c.rows if _out(r) and (r.figure.key, c.name) not in GAPS]
    assert not bad, "out of range with no mechanism in calibration.GAPS:\n" + "\n".join(bad)


def _clearly_in(r: Row) -> bool:
    """In range with room to spare at reduced runs: the 95% interval (both ends known) lies inside the range, or,
    with no interval, the value is in the range narrowed by a quarter of its width on each side."""
    f = r.figure
    if r.ok is not True:
        return False
    if r.ci_low is None and r.ci_high is None:
        return r.widened(-0.25).ok is True
    return (r.ci_low is not None and r.ci_high is not None and (f.low is None or r.ci_low >= f.low)
            and (f.high is None or r.ci_high <= f.high))


def test_no_stale_gaps(results):
    """A GAPS entry is a claim that the figure does not hold there: one that now clearly holds must go."""
    stale = [f"{r.figure.key} on {c.name}: {r.value} [{r.ci_low}, {r.ci_high}] in [{r.figure.low}, {r.figure.high}]"
             for c in results for r in c.rows if (r.figure.key, c.name) in GAPS and _clearly_in(r)]
    assert not stale, "calibration.GAPS explains figures that now hold:\n" + "\n".join(stale)


def test_every_row_has_a_value_and_a_consistent_interval(results):
    for c in results:
        assert [r.figure.key for r in c.rows] == [f.key for f in FIGURES]
        for r in c.rows:
            if r.figure.key in ("dwell", "dwell-own"):
                continue  # a Kaplan-Meier median may be "not reached": that is a result, not a gap in the data
            assert r.value is not None and r.n > 0, (c.name, r.figure.key)
            if r.ci_low is not None and r.ci_high is not None:
                assert r.ci_low - 1e-12 <= r.value <= r.ci_high + 1e-12, (c.name, r.figure.key)


def test_calibration_runs_the_presets_as_published():
    """small-business overrides its SOC; calibration leaves the scenario's overrides out and says so."""
    loaded = cal.load_target("small-business")
    assert loaded.scenario.posture.overrides
    bare = cal.presets_only(loaded)
    assert not bare.scenario.posture.overrides and not bare.scenario.attacker.overrides
    assert bare.scenario.hosts == loaded.scenario.hosts
    assert cal.presets_only(cal.load_target("generated-50")) is not None


def test_gaps_name_real_figures_and_targets():
    keys = {f.key for f in FIGURES if not f.info}
    names = set(cal.default_targets())
    for key, name in GAPS:
        assert key in keys and name in names, (key, name)


# --- figures from rows --------------------------------------------------------------------------------------------

def _row(ia=None, dwell=None, breakout=None, ai=0, human=0, dp=0, peak=0.0, outcome="undetected_no_objective"):
    return {"time_to_initial_access": ia, "dwell_time": dwell, "breakout_time": breakout, "actions_ai": ai,
            "actions_human": human, "human_decision_points": dp, "peak_requests_per_minute": peak, "outcome": outcome}


def test_dwell_is_censored_at_the_horizon():
    """Three breached manual runs detected after 1, 2 and 4 days, two never (initial access on day 5 and 10 of a
    30-day horizon: censored at 25 and 20 days), one never breached (left out)."""
    day = 1440.0
    manual = [_row(0.0, 1 * day), _row(0.0, 2 * day), _row(3 * day, 4 * day), _row(5 * day), _row(10 * day), _row()]
    times, seen = cal.dwell_sample(manual, 30 * day)
    assert times == [day, 2 * day, 4 * day, 25 * day, 20 * day] and seen == [True, True, True, False, False]
    med = km_median(times, seen)[0]
    assert med == 4 * day  # S: 4/5, 3/5, then 2/5 at day 4 (a median of the detected runs alone would say 2)
    empty = [_row()] * 4
    rows = {"manual": manual, "ai-assisted": empty, "ai-orchestrated": empty, "autonomous": empty}
    by = {r.figure.key: r for r in cal.rows_from(rows, 30 * day)}
    assert by["dwell"].value == 4.0 and by["dwell"].n == 5 and "2/5 censored" in by["dwell"].note
    assert by["undetected"].value == pytest.approx(0.4) and by["undetected"].ok is None


def test_breakout_figures_from_rows():
    manual = [_row(0.0, breakout=b) for b in (30.0, 60.0, 90.0)]
    orch = [_row(0.0, breakout=b, ai=9, human=1, dp=5, peak=240.0, outcome="objective_met") for b in (0.5, 3.0, 6.0)]
    orch.append(_row(0.0, ai=9, human=1, dp=1, peak=240.0))  # stopped early: not a completed campaign
    auton = [_row(0.0, breakout=b) for b in (0.45, 0.9, 2.0, None)]
    by = {r.figure.key: r for r in cal.rows_from({"manual": manual, "ai-assisted": manual, "ai-orchestrated": orch,
                                                  "autonomous": auton}, 43200.0)}
    assert by["breakout-manual"].value == 60.0 and by["breakout-manual"].ok
    assert by["breakout-ratio"].value == pytest.approx(0.05) and by["breakout-ratio"].ok is None  # reported only
    assert by["ai-share"].value == pytest.approx(0.9)
    assert by["decision-points"].value == 5 and by["decision-points"].n == 3
    assert by["peak-rate"].value == 4.0
    fast = by["fast-breakout"]
    assert fast.value == pytest.approx(3 / 6) and fast.n == 6 and fast.note == "fastest 27 s" and fast.ok is None


def test_ai_share_pools_the_campaign_s_work():
    """The AI share is the campaign's work pooled over its runs (as the compare table's column), not a mean of
    per-run shares: a run stuck at the perimeter with 50 actions, 49 by the agents, weighs a fiftieth of one with
    2,500, 2,000 by the agents; the per-run mean is in the note."""
    orch = [_row(0.0, ai=49, human=1), _row(0.0, ai=2000, human=500), _row(0.0)]  # (a run with no action: no weight)
    empty = [_row()]
    by = {r.figure.key: r for r in cal.rows_from({"manual": empty, "ai-assisted": empty, "ai-orchestrated": orch,
                                                  "autonomous": empty}, 43200.0)}
    share = by["ai-share"]
    assert share.value == pytest.approx(2049 / 2550) and share.n == 2
    assert share.ci_low < share.value < share.ci_high
    assert share.note == "per-run mean 89%"  # (0.98 + 0.8) / 2
    alike = [_row(0.0, ai=9, human=1)] * 5
    same = cal.rows_from({"manual": empty, "ai-assisted": empty, "ai-orchestrated": alike, "autonomous": empty},
                         43200.0)
    row = next(r for r in same if r.figure.key == "ai-share")
    assert row.value == pytest.approx(0.9) and row.ci_low == pytest.approx(0.9) and row.ci_high == pytest.approx(0.9)


def test_access_mix_pools_the_levels_and_the_report_pools_the_targets():
    """Exploitation's share of first footholds among exploitation and credential abuse (logon, broker), every level
    pooled; phishing and suppliers count as other; never-breached runs are left out. The report pools the targets."""
    def way(v):
        return {**_row(0.0 if v else None), "initial_access_vector": v}

    runs = {"manual": [way("exploit"), way("logon"), way(None)], "ai-assisted": [way("exploit"), way("phishing")],
            "ai-orchestrated": [way("broker")], "autonomous": [way("exploit")]}
    by = {r.figure.key: r for r in cal.rows_from(runs, 43200.0)}
    mix = by["access-mix"]
    assert mix.value == pytest.approx(3 / 5) and mix.n == 5 and mix.ok is None and mix.counts == (3, 2, 1)
    assert mix.note == "3 exploit, 2 credentials, 1 other"
    rows = tuple(cal.rows_from(runs, 43200.0))
    text = cal.report([ScenarioCalibration("a", 10, False, rows), ScenarioCalibration("b", 10, False, rows)], 5, 0)
    flat = " ".join(text.split())
    assert "6 by exploitation, 4 by credential abuse, 2 other (60% by exploitation of the first two" in flat


def test_row_verdicts():
    f = _figure("decision-points")
    r = Row(f, 6.5, None, None, 5)
    assert r.ok is False and r.widened(0.5).ok is True
    assert Row(_figure("undetected"), 0.3, None, None, 5).ok is None
    assert Row(f, None, None, None, 0).ok is None and not Row(f, None, None, None, 0).measured  # no run gives it
    assert Row(_figure("dwell"), None, None, None, 5).ok is False  # measured: the median lies past the horizon


def test_a_figure_no_run_gives_is_reported_not_measurable_not_out_of_range():
    """A scenario where no orchestrated run meets the objective has no decision-point figure (it counts completed
    campaigns): the report says so, apart, and does not count it out of range (before, it was a NO and the
    command failed on it)."""
    rows = tuple(Row(f, None, None, None, 0) if f.key == "decision-points"
                 else Row(f, f.low if f.low is not None else 1.0, None, None, 100) for f in cal.FIGURES)
    checked = sum(1 for f in cal.FIGURES if not f.info)
    text = cal.report([ScenarioCalibration("x", 10, False, rows)], 100, 0)
    flat = " ".join(text.split())
    assert "n/a" in text and "decision-points on x: no ai-orchestrated run met the objective" in flat
    assert f"{checked - 1} of {checked - 1} checks in range" in flat and "Not measurable: 1." in flat


# --- provenance ---------------------------------------------------------------------------------------------------

def test_classify():
    assert cal.classify("fitted [MT]: tuned so") == ("fitted", "MT")
    assert cal.classify("[DES] 10-50x; assumption: the middle") == ("sourced", None)
    assert cal.classify("assumption: as manual") == ("assumption", None)
    assert cal.classify("assumption: critical as edge devices [DBIR]") == ("assumption", None)
    assert cal.classify("") == ("", None)


@pytest.mark.parametrize("kind", ["automation", "posture"])
def test_every_preset_value_is_sourced_fitted_or_an_assumption(kind, tags):
    untagged = [f"scenarios/presets/{kind}.yaml:{t.line}: {t.field}" for t in tags[kind].values() if not t.provenance]
    assert not untagged, "\n".join(untagged)
    assert all(t.fitted_to for t in tags[kind].values() if t.provenance == "fitted"), "fitted needs its [FIGURE]"


def test_fitted_values_found_and_their_figures_known(tags):
    fitted = {f"{k}:{f}" for k, by in tags.items() for f, t in by.items() if t.provenance == "fitted"}
    assert {"automation:manual.pace_minutes", "automation:ai-orchestrated.footprint",
            "automation:autonomous.footprint", "automation:ai-orchestrated.takeover",
            "posture:baseline.monitoring.detection"} <= fitted
    assert {t.fitted_to for by in tags.values() for t in by.values() if t.fitted_to} <= set(cal.SOURCES)
    assert tags["automation"]["manual.speed"].provenance == "sourced"
    assert tags["posture"]["baseline.monitoring.rate_threshold"].provenance == "assumption"


def test_every_declared_dependency_names_preset_values(tags):
    for f in FIGURES:
        for dep in f.depends:
            assert cal.resolve(dep, tags), dep
    with pytest.raises(KeyError, match="no value"):
        cal.resolve("automation:manual.no_such_field", tags)


def test_which_figures_rest_on_fitted_values(tags):
    def rests(key):
        return {t.field for t in cal.fitted_inputs(_figure(key), tags)}

    assert rests("dwell") == {"manual.pace_minutes", "baseline.monitoring.detection"}
    assert rests("peak-rate") == {"ai-orchestrated.footprint"}
    assert rests("ai-share") == {"ai-orchestrated.takeover"}
    assert rests("breakout-manual") == set()
    # each fitted value a calibrated figure rests on was fitted to that figure's own source
    for f in FIGURES:
        assert all(t.fitted_to == f.tag for t in cal.fitted_inputs(f, tags)), f.key


# --- text and CLI -------------------------------------------------------------------------------------------------

def _fake(name: str, value: float) -> ScenarioCalibration:
    rows = tuple(Row(f, value if f.key == "decision-points" else (f.low or 0.0) if not f.info else 0.1,
                     None, None, 10) for f in FIGURES)
    return ScenarioCalibration(name, 10, False, rows)


def test_report_matrix_fitted_and_not_checked(tags):
    text = cal.report([_fake("espionage-tech", 5.0), _fake("elsewhere", 2.0)], 10, 0, tags)
    assert "espionage-tech (10 hosts): in-sample" in text and "elsewhere (10 hosts): out of sample" in text
    line = next(x for x in text.splitlines() if x.startswith("decision-points "))
    assert line.split()[1:3] == ["yes", "NO"]
    assert next(x for x in text.splitlines() if x.startswith("dwell ")).split()[-1] == "yes"
    assert next(x for x in text.splitlines() if x.startswith("breakout-manual ")).split()[-1] == "-"
    dwell = next(x for x in text.splitlines() if x.startswith("  - dwell: "))
    assert "automation manual.pace_minutes [MT]" in dwell and "posture baseline.monitoring.detection [MT]" in dwell
    assert "* espionage-tech: the fitted values were tuned here" in text
    assert "DBIR patch figures" in text and "43%" in text
    assert "decision-points on elsewhere: no mechanism recorded" in text
    assert text.rstrip().endswith("Out of range: decision-points on elsewhere.")


def test_cli_calibrate_one_scenario_and_bad_names():
    from typer.testing import CliRunner

    from simulator.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["calibrate", "--runs", "20", "--workers", "1", "--scenario", "generated-50"])
    assert res.exit_code in (0, 1), res.output
    assert "generated-50 (50 hosts)" in res.stdout and "Summary" in res.stdout
    assert (res.exit_code == 1) == ("Out of range:" in res.stdout)
    res = runner.invoke(app, ["calibrate", "--runs", "20", "--scenario", "no-such-scenario"])
    assert res.exit_code == 2 and "no-such-scenario" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["calibrate", "--runs", "20", "--scenario", "generated-5"])
    assert res.exit_code == 2 and "10 to 100,000 hosts" in res.output


def test_calibration_keeps_the_ways_in_of_the_scenarios_crew(tmp_path):
    """An attacker override naming a way in (phishing, a supplier) is the scenario's story, not a level's working:
    calibration keeps it and says so; any other attacker override is left out."""
    src = cal.load_target("espionage-tech").document.text
    text = src.replace("attacker: {preset: ai-orchestrated}",
                       "attacker: {preset: ai-orchestrated, overrides: {phishing_recipients: 5, speed: 3.0, "
                       "mfa_fatigue: 0.15}}", 1)
    assert text != src
    path = tmp_path / "crew.yaml"
    path.write_text(text, encoding="utf-8")
    bare = cal.presets_only(cal.load_target(str(path)))
    # push bombing (T1621) is a way in too (an unseen-scenario helper's cloud company used it; it was left out)
    assert bare.scenario.attacker.overrides == {"phishing_recipients": 5, "mfa_fatigue": 0.15}
