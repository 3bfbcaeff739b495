"""An outside party's notice (``monitoring.outside_notice_days``): M-Trends finds over half of intrusions reported from
outside; the model's notice comes after initial access, names a host the attacker holds, and reaches incident
response like any alert with evidence."""

from __future__ import annotations

import statistics

from simulator.engine import run
from simulator.loader import load
from tests.conftest import compiled


def _runs(days, seeds=range(30), **posture):
    c = compiled(load("espionage-tech"), "manual", "baseline",
                 monitoring={"outside_notice_days": days}, **posture)
    return [run(c, s) for s in seeds]


def _notices(r):
    return [e for e in r.log if e.kind == "escalation" and e.detail == "an outside party reported the breach"]


def test_no_outside_party_no_notice():
    assert not any(r.first_detection_source == "outside" or _notices(r) for r in _runs(None))


def test_a_notice_comes_after_initial_access_names_a_held_host_and_the_response_acts_on_it():
    results = _runs(2.0)
    told = [r for r in results if _notices(r)]
    assert len(told) >= 15
    for r in told:
        (n,) = _notices(r)  # once a run
        assert r.time_to_initial_access is not None and n.time > r.time_to_initial_access
        # the response acts on the named host: isolation (or it was isolated already) soon after
        isolations = [e for e in r.log if e.kind in ("containment", "isolation") and e.time >= n.time]
        assert isolations or n.host in r.contained_hosts, (r.seed, n)
    found_outside = [r for r in results if r.first_detection_source == "outside"]
    assert found_outside, "with a 2-day notice some intrusions are found from outside first"
    # the notice's clock is an exponential with the stated median, from initial access
    waits = [(_notices(r)[0].time - r.time_to_initial_access) / 1440 for r in told]
    assert 0.5 < statistics.median(waits) < 6


def test_a_later_notice_finds_fewer_intrusions_first():
    soon = sum(r.first_detection_source == "outside" for r in _runs(2.0))
    late = sum(r.first_detection_source == "outside" for r in _runs(60.0))
    assert soon > late


def test_the_notice_changes_no_draw_of_the_runs_before_it():
    """A keyed draw of its own: up to the notice, a run with an outside party is the same run as one without."""
    a, b = _runs(None, seeds=[3])[0], _runs(5.0, seeds=[3])[0]
    cut = _notices(b)[0].time if _notices(b) else b.end_time
    before = [e for e in a.timeline if e.time < cut]
    assert before == [e for e in b.timeline if e.time < cut][: len(before)]
