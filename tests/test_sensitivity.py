"""Sensitivity: design sizes, a factor that cannot matter has no effect, both methods rank every factor."""

from __future__ import annotations

import pytest

from simulator import sensitivity as sa
from simulator.loader import load
from tests.conftest import TINY


def test_oat_design():
    base = (("automation", "manual"), ("posture", "baseline"))
    pts = sa.oat_points(base, sa.FACTORS)
    assert len(pts) == sa.design_size("oat", 0) == 1 + 2 * len(sa.FACTORS)
    assert pts[0] == base and pts[1][-1] == (sa.FACTORS[0].path, sa.FACTORS[0].low)


def test_a_factor_that_cannot_matter_has_no_effect():
    loaded = load(TINY)
    null = sa.Factor("posture.soc.shift_start", 6, 11)  # unused by the baseline's 24/7 SOC
    real = sa.Factor("posture.incident_response.contain_hours", 0.5, 200)
    effects = sa.sensitivity(loaded, "oat", runs=40, seed=2, automation="manual", factors=(null, real))
    by = {(e.factor, e.output): e.effect for e in effects}
    assert by[(null.path, "attacker success")] == 0 and by[(null.path, "time to detection (h)")] == 0
    assert by[(real.path, "attacker success")] > 0  # slower containment: more objectives met


def test_morris_ranks_every_factor():
    pytest.importorskip("SALib")
    loaded = load(TINY)
    factors = sa.FACTORS[:4]
    effects = sa.sensitivity(loaded, "morris", runs=4, trajectories=3, seed=1, factors=factors)
    assert {e.factor for e in effects} == {f.path for f in factors}
    assert all(e.effect >= 0 and e.spread is not None for e in effects)
    data = sa.chart_data(effects)
    assert set(data) == set(sa.OUTPUTS) and len(data["attacker success"]) == 4


def test_cli(tmp_path):
    from typer.testing import CliRunner

    from simulator.cli import app

    r = CliRunner().invoke(app, ["sensitivity", str(TINY), "--method", "oat", "--runs", "3", "--workers", "1"])
    assert r.exit_code == 0, r.output
    assert "attacker success:" in r.stdout and "posture.patching.coverage" in r.stdout
    r = CliRunner().invoke(app, ["sensitivity", str(TINY), "--method", "sobol"])
    assert r.exit_code == 2
