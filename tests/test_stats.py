"""Statistics: Wilson intervals against known values, medians and their intervals, cell summaries."""

from __future__ import annotations

import pytest

from simulator.stats import median, median_ci, summarize, wilson


@pytest.mark.parametrize(
    "k,n,lo,hi",
    [
        (0, 10, 0.0, 0.2775),   # known values of the Wilson score interval at 95%
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
        (81, 263, 0.2553, 0.3662),
    ],
)
def test_wilson_known_values(k, n, lo, hi):
    a, b = wilson(k, n)
    assert a == pytest.approx(lo, abs=5e-4)
    assert b == pytest.approx(hi, abs=5e-4)


def test_wilson_empty():
    assert wilson(0, 0) == (0.0, 1.0)


def test_median_and_interval():
    assert median([]) is None
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 2, 3]) == 2.5
    values = list(range(100))
    lo, hi = median_ci(values)
    assert lo < 49.5 < hi
    assert 38 <= lo <= 41 and 58 <= hi <= 61


def test_summarize(tiny):
    from simulator.build import compile_scenario
    from simulator.engine import run

    c = compile_scenario(tiny.scenario, tiny.attacker, tiny.posture)
    results = [run(c, s) for s in range(30)]
    s = summarize([r.row() for r in results])
    k = sum(r.outcome == "objective_met" for r in results)
    assert s.runs == 30 and s.success.n == 30
    assert s.success.value == pytest.approx(k / 30)
    assert s.success.low <= s.success.value <= s.success.high
    times = [r.time_to_objective for r in results if r.time_to_objective is not None]
    assert s.time_to_objective.n == len(times)
    assert s.time_to_objective.value == median(times)
