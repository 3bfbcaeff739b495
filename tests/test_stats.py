"""Statistics: Wilson intervals against known values, medians and their intervals, cell summaries."""

from __future__ import annotations

import math
import random

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


@pytest.mark.parametrize("n", [6, 7, 10, 20, 50, 100, 333, 1000])
def test_median_interval_is_the_tightest_with_95_coverage(n):
    """[x_(a), x_(n+1-a)] covers the median with probability 1 - 2 P(Bin(n, 1/2) < a): at least 95%, and one step
    tighter would fall below it."""
    lo, hi = median_ci(list(range(n)))
    a = lo + 1
    assert hi == n - a

    def coverage(a: int) -> float:
        return 1 - 2 * sum(math.comb(n, i) for i in range(a)) / 2**n

    assert coverage(a) >= 0.95 > coverage(a + 1)


def test_median_interval_needs_six_values():
    """With five values even [min, max] covers the median only 1 - 2/32 = 94% of the time: no 95% interval."""
    assert median_ci([1.0, 2.0, 3.0, 4.0, 5.0]) == (None, None)
    assert median_ci([7.0]) == (None, None)
    assert median_ci([float(x) for x in range(6)]) == (0.0, 5.0)


def test_median_interval_covers_in_simulation():
    """Skewed samples (log-normal, median 1): the interval holds the true median in about 95% of 4,000 samples."""
    rng = random.Random(7)
    for n in (8, 30, 120):
        hits = 0
        for _ in range(4000):
            lo, hi = median_ci([rng.lognormvariate(0.0, 1.0) for _ in range(n)])
            hits += lo <= 1.0 <= hi
        assert 0.945 <= hits / 4000 <= 0.995, (n, hits)


def test_compare_table_says_how_few_runs_a_median_rests_on():
    from simulator.report_text import _med
    from simulator.stats import Estimate

    assert _med(Estimate(6245.9781, None, None, 1)) == "4.3 d (1 run)"
    assert _med(Estimate(600.0, None, None, 4)) == "10.0 h (4 runs)"
    assert _med(Estimate(600.0, 500.0, 700.0, 40)) == "10.0 h [8.3-11.7]"
    assert _med(Estimate(None, None, None, 0)) == "-"


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


def test_kaplan_meier_hand_computed():
    """Six subjects, events at 1, 2, 3 and 5, censored at 2 and 4. By hand: S(1) = 5/6; at 2 one of five has the
    event before the censored one leaves, S(2) = 5/6 * 4/5 = 2/3; three remain at 3, S(3) = 2/3 * 2/3 = 4/9; the last
    one at 5, S(5) = 0. Greenwood (log S): 1/(6*5), + 1/(5*4) = 1/12, + 1/(3*2) = 1/4."""
    from simulator.stats import kaplan_meier

    steps = kaplan_meier([5, 2, 1, 4, 3, 2], [True, False, True, False, True, True])
    assert [(s.time, s.at_risk, s.events) for s in steps] == [(1, 6, 1), (2, 5, 1), (3, 3, 1), (5, 1, 1)]
    assert [s.survival for s in steps] == pytest.approx([5 / 6, 2 / 3, 4 / 9, 0.0])
    assert [s.log_var for s in steps[:3]] == pytest.approx([1 / 30, 1 / 12, 1 / 4])
    assert math.isinf(steps[3].log_var)


def test_km_median_hand_computed():
    """Same data: S first falls to 1/2 or below at 3 (4/9), so the median is 3. Lower band at 2:
    2/3 * exp(-1.96 * sqrt(1/12)) = 0.379 <= 1/2 (at 1 it is 5/6 * exp(-1.96 * sqrt(1/30)) = 0.583), so low = 2; the
    upper band at 3 is 4/9 * exp(1.96 * 1/2) = 1.18, and first reaches 1/2 at 5 (S = 0), so high = 5. A plain median
    of the detected times (1, 2, 3, 5) would say 2.5 and ignore the two never seen."""
    from simulator.stats import km_median

    assert km_median([5, 2, 1, 4, 3, 2], [True, False, True, False, True, True]) == (3, 2, 5)


def test_km_median_without_censoring_is_the_sample_median_and_censoring_can_hide_it():
    from simulator.stats import km_median

    assert km_median([4, 1, 3, 2], [True] * 4)[0] == 2.5 == median([1, 2, 3, 4])
    assert km_median([1, 2, 3], [True] * 3)[0] == 2
    assert km_median([1, 2, 3, 4], [False] * 4) == (None, None, None)
    # two of five detected, three never: S never falls to 1/2, so there is no median (not 1.5)
    assert km_median([1, 2, 9, 9, 9], [True, True, False, False, False])[0] is None
    assert km_median([], []) == (None, None, None)
    with pytest.raises(ValueError):
        km_median([1.0], [])


def test_compare_shows_what_the_response_cost_and_how_runs_ended(tiny):
    """A cell's response costs (means per run) and end reasons (shares of runs) are summarised from the runs and
    printed under the comparison (issue 13: response costs in every result; two reviewers found the table
    without them)."""
    from simulator.build import compile_scenario
    from simulator.engine import run
    from simulator.tables import response_table

    c = compile_scenario(tiny.scenario, tiny.attacker, tiny.posture)
    results = [run(c, s) for s in range(20)]
    s = summarize([r.row() for r in results])
    assert s.ended == {k: sum(r.end_reason == k for r in results) / 20
                       for k in ("objective_met", "evicted", "no_path_left", "horizon")}
    assert sum(s.ended.values()) == pytest.approx(1.0)
    assert s.response["isolated_host_hours"] == pytest.approx(sum(r.isolated_host_hours for r in results) / 20)
    text = response_table([s], 200)
    row = next(line for line in text.splitlines() if line.startswith(str(dict(s.label)["automation"])))
    assert f"{s.response['hosts_isolated']:.1f}" in row and f"{s.ended['objective_met']:.0%}" in row
    assert "kept out" in text and "never got in" in text  # (no_path_left: kept out, not stuck inside)
