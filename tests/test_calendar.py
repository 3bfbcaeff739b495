"""Work calendars: shifts, weekends, time zones, work that pauses overnight."""

from __future__ import annotations

import math

import pytest

from defenses.calendar import Calendar

H = 60
D = 1440


def test_always():
    c = Calendar(always=True)
    assert c.next_on_shift(123.4) == 123.4
    assert c.add_work(10, 100) == 110
    assert math.isinf(c.next_off_shift(5))


def test_office_day_utc():
    c = Calendar(shift_start=9, shift_end=17)
    assert c.next_on_shift(0) == 9 * H  # Monday 00:00 -> 09:00
    assert c.next_on_shift(10 * H) == 10 * H
    assert c.next_on_shift(17 * H) == D + 9 * H
    assert c.next_off_shift(10 * H) == 17 * H


def test_weekend_skipped():
    c = Calendar(shift_start=9, shift_end=17)
    friday_evening = 4 * D + 18 * H
    assert c.next_on_shift(friday_evening) == 7 * D + 9 * H  # next Monday


def test_time_zone():
    c = Calendar(utc_offset=8, shift_start=9, shift_end=18)
    # 09:00 at UTC+8 is 01:00 UTC
    assert c.next_on_shift(0) == 1 * H
    assert c.on_shift(5 * H) and not c.on_shift(11 * H)


def test_shift_across_midnight():
    c = Calendar(shift_start=22, shift_end=6, workdays=("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    assert c.on_shift(23 * H) and c.on_shift(D + 2 * H) and not c.on_shift(12 * H)
    assert c.next_off_shift(23 * H) == D + 6 * H


def test_work_pauses_overnight():
    c = Calendar(shift_start=9, shift_end=17)
    # 2 hours of work started at 16:00 Monday: 1 h on Monday, 1 h from 09:00 Tuesday
    assert c.add_work(16 * H, 2 * H) == D + 10 * H
    assert c.add_work(0, 30) == 9 * H + 30


def test_round_the_clock_shift_chains():
    c = Calendar(shift_start=0, shift_end=24, workdays=("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    assert c.on_shift(3 * D + 5)
    assert c.add_work(0, 3 * D) == 3 * D


@pytest.mark.parametrize("bad", [dict(shift_start=9, shift_end=9), dict(workdays=()), dict(utc_offset=20)])
def test_bad_calendars(bad):
    with pytest.raises(ValueError):
        Calendar(**bad)


def _reference(c: Calendar, t: float) -> tuple[float, float]:
    """(next on-shift, next off-shift) by listing every shift of the surrounding days: slow and plain."""
    local = t + c.utc_offset * H
    day = math.floor(local / D)
    end_h = c.shift_end if c.shift_end > c.shift_start else c.shift_end + 24
    windows = sorted((d * D + c.shift_start * H, d * D + end_h * H) for d in range(day - 2, day + 16)
                     if ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[d % 7] in c.workdays)
    on = min((a if a > local else local for a, b in windows if b > local), default=math.inf)
    off = local
    for a, b in windows:  # chain overlapping and back-to-back shifts
        if a <= off < b:
            off = b
    return on - c.utc_offset * H, off - c.utc_offset * H


def test_matches_a_plain_reference_on_random_calendars():
    import random

    rng = random.Random(7)
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    for _ in range(400):
        start, end = rng.uniform(0, 23.9), rng.choice([24.0, rng.uniform(0, 24)])
        if start == end:
            continue
        c = Calendar(utc_offset=rng.uniform(-12, 14), shift_start=start, shift_end=end,
                     workdays=tuple(d for d in days if rng.random() < 0.6) or ("wed",))
        for _ in range(20):
            t = rng.uniform(0, 60 * D)
            on, off = _reference(c, t)
            assert c.next_on_shift(t) == pytest.approx(on, abs=1e-6)
            if c.on_shift(t):
                assert c.next_off_shift(t) == pytest.approx(off, abs=1e-6)
            minutes = rng.expovariate(1 / 600)
            done = c.add_work(t, minutes)
            assert math.isfinite(done) and done >= t + minutes - 1e-6


def test_add_work_does_not_stall_on_rounding():
    # an offset that is not a whole number of minutes: the former day-by-day search returned inf here
    c = Calendar(utc_offset=13.005717969776729, shift_start=9.428011737019403, shift_end=18,
                 workdays=("tue", "wed", "sat", "sun"))
    assert c.add_work(720.0, 354.78859919569464) == pytest.approx(1580.126225230255)
