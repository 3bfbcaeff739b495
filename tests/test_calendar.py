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
