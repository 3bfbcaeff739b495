"""Human units for times: a value with its interval reads in one unit unless a bound is far from it."""

from __future__ import annotations

from simulator.units import duration, span


def test_span_in_the_value_unit():
    assert span(30 * 60, 20 * 60, 60 * 60) == "30.0 h [20.0-60.0]"
    assert span(10 * 1440, 0.9 * 1440, 16.9 * 1440) == "10.0 d [0.9-16.9]"
    assert span(8.7 * 1440, 4.2 * 1440, 10.3 * 1440) == "8.7 d [4.2-10.3]"
    assert span(29, 24, 34) == "29 min [24-34]"


def test_span_gives_far_bounds_their_own_unit():
    assert span(38, 11, 7410) == "38 min [11 min-5.1 d]"
    assert span(5 * 60, 0.5, 6 * 60) == "5.0 h [30 s-6.0 h]"
    assert span(60, 23, 1551) == "60 min [23 min-25.9 h]"
    assert span(7.1 * 60, 3.7 * 60, 126 * 60) == "7.1 h [3.7 h-5.2 d]"


def test_span_without_interval_and_without_value():
    assert span(600, None, None) == "10.0 h"
    assert span(None, None, None) == "-"
    assert duration(None) == "-"
