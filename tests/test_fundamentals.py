"""The fundamentals analysis: paired effects, ranked, matching a direct comparison of the same cells."""

from __future__ import annotations

import pytest

from simulator import fundamentals as fm
from simulator.loader import load
from simulator.stats import paired_difference, summarize
from simulator.sweep import collect, spec_for


def test_paired_difference():
    d = paired_difference([0, 0, 1, 1], [1, 0, 1, 0])
    assert d.mean == 0 and d.n == 4 and d.low < 0 < d.high
    d = paired_difference([1, 2, 3], [2, 3, 4])
    assert d.mean == 1 and d.low == d.high == 1
    with pytest.raises(ValueError):
        paired_difference([1], [1, 2])


@pytest.fixture(scope="module")
def analysis():
    loaded = load("espionage-tech")
    plan = fm.plan(loaded)
    spec = spec_for(loaded, plan.cells, 40, 5)
    by_cell = collect(spec)
    return loaded, plan, by_cell, fm.analyse(plan, by_cell, loaded.scenario.horizon_days * 1440)


def test_plan_has_every_control_and_the_automation_jump(analysis):
    _, plan, _, changes = analysis
    names = {c.name for c in changes}
    assert {f"{c} -> hardened" for c in ("segmentation", "patching", "access_control", "monitoring", "soc",
                                         "incident_response", "egress")} <= names
    assert "attacker manual -> ai-orchestrated" in names
    # the reference cell (ai-orchestrated vs baseline) is shared with the automation jump, not run twice
    assert len(plan.cells) == 9


def test_numbers_match_a_direct_compare(analysis):
    loaded, plan, by_cell, changes = analysis
    direct = collect(spec_for(loaded, [(("automation", "manual"), ("posture", "baseline")),
                                       (("automation", "ai-orchestrated"), ("posture", "baseline"))], 40, 5))
    manual, orch = summarize(direct[0]), summarize(direct[1])
    jump = next(c for c in changes if c.kind == "automation")
    assert jump.success.mean == pytest.approx(orch.success.value - manual.success.value)
    base_rows = by_cell[plan.changes[0][2]]
    assert summarize(base_rows).success.value == orch.success.value  # same cell, same seeds, same rows


def test_ranked_by_effect_size(analysis):
    *_, changes = analysis
    sizes = [abs(c.success.mean) for c in changes]
    assert sizes == sorted(sizes, reverse=True)


def _change(name, kind, mean, low, high):
    d = paired_difference([0.0] * 4, [mean] * 4)
    from dataclasses import replace

    return fm.Change(name, kind, 0, 1, replace(d, low=low, high=high), d, d)


def test_verdict_is_computed_from_the_numbers():
    controls = [_change("patching -> hardened", "control", -0.3, -0.4, -0.2),
                _change("soc -> hardened", "control", -0.1, -0.2, 0.0)]
    auto_big = _change("attacker manual -> ai-orchestrated", "automation", 0.5, 0.4, 0.6)
    auto_small = _change("attacker manual -> ai-orchestrated", "automation", 0.05, -0.02, 0.12)
    text = fm.verdict([*controls, auto_big], 100)
    assert text.startswith("Moving the attacker from manual to ai-orchestrated changed attacker success by +50")
    assert "patching -> hardened" in text
    text = fm.verdict([*controls, auto_small], 100)
    assert text.startswith("Upgrading patching to hardened mattered most: attacker success -30 points")
    tie = _change("segmentation -> hardened", "control", -0.3, -0.41, -0.19)
    text = fm.verdict([tie, *controls, auto_small], 100)
    assert text.startswith("Upgrading patching or segmentation to hardened mattered most, tied: attacker success "
                           "-30 points [-40, -20] (patching), -30 points [-41, -19] (segmentation)")
    assert fm.rank([tie, *controls])[0].name == "patching -> hardened"  # the verdict names the ranking's first first
    quiet = [_change("soc -> hardened", "control", -0.01, -0.05, 0.03), auto_small]
    assert fm.verdict(quiet, 100).startswith("No single change moved attacker success beyond sampling noise")


def test_cli_fundamentals():
    from typer.testing import CliRunner

    from simulator.cli import app

    r = CliRunner().invoke(app, ["fundamentals", "tests/data/tiny.yaml", "--runs", "20", "--workers", "1"])
    assert r.exit_code == 0, r.output
    assert "rank" in r.stdout and "incident_response -> hardened" in r.stdout
    last = r.stdout.strip().splitlines()[-1]
    assert last.startswith(("Upgrading", "Moving", "No single change"))
