"""Seed derivation: pure, spread, and free of string hashing."""

from __future__ import annotations

from simulator.seeds import keyed_uniform, run_key, substream


def test_run_key_is_pure_and_distinct():
    assert run_key(7, 0) == run_key(7, 0)
    keys = {run_key(7, r) for r in range(200)} | {run_key(8, r) for r in range(200)}
    assert len(keys) == 400


def test_keyed_uniform_range_and_spread():
    values = [keyed_uniform(123, 1, a, b) for a in range(50) for b in range(20)]
    assert all(0.0 <= v < 1.0 for v in values)
    assert 0.45 < sum(values) / len(values) < 0.55
    assert len(set(values)) == len(values)
    assert keyed_uniform(123, 1, 3) != keyed_uniform(123, 2, 3)


def test_substreams_are_independent_of_each_other():
    a = substream(5, 1)
    b = substream(5, 2)
    assert [a.random() for _ in range(3)] != [b.random() for _ in range(3)]
    assert substream(5, 1).random() == substream(5, 1).random()
