"""Calibration: a reduced run of `tabletop calibrate` (fewer runs, ranges widened) must stay in range."""

from __future__ import annotations

import math

import pytest

from simulator.calibration import Row, calibrate, patch_sample
from simulator.loader import load


@pytest.fixture(scope="module")
def rows():
    return calibrate(load("espionage-tech"), runs=120, seed=11)


def test_reduced_calibration_in_range(rows):
    assert len(rows) == 10
    bad = [r for r in rows if r.widened(0.25).ok is False]
    assert not bad, "\n".join(f"{r.figure}: {r.value} not in [{r.low}, {r.high}]" for r in bad)


def test_every_row_has_a_source_and_a_value(rows):
    for r in rows:
        assert r.source and r.value is not None and r.n > 0
        if r.ci_low is not None:
            assert r.ci_low <= r.value <= r.ci_high


def test_row_verdicts():
    r = Row("x", "src", "1-2", 1, 2, 2.5, None, None, "count", 5)
    assert r.ok is False and r.widened(0.5).ok is True
    assert Row("x", "src", "", None, None, 0.3, None, None, "share", 5, info=True).ok is None
    assert Row("x", "src", "", 1, 2, None, None, None, "count", 0).ok is False


def test_patch_sample_uses_the_engine_rule():
    """The sampled delays come from the posture's own rule: with coverage 0.54 about half are ever patched."""
    loaded = load("espionage-tech")
    delays, fixed, total = patch_sample(loaded, runs=400, seed=3)
    assert total == 400  # one critical edge-device vulnerability on one host, per replicate
    assert 0.45 < len(delays) / total < 0.63
    assert all(math.isfinite(d) and d > 0 for d in delays)
