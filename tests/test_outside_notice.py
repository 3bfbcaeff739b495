"""An outside party's notice (``monitoring.outside_notice_days``): M-Trends finds over half of intrusions reported from
outside; the model's notice comes after initial access, names a host the attacker holds, and reaches incident
response like any alert with evidence."""

from __future__ import annotations

import statistics

import pytest

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
    results = _runs(4.0, seeds=range(60))
    told = [r for r in results if _notices(r)]
    assert len(told) >= 40
    for r in told:
        (n,) = _notices(r)  # once a run
        assert r.time_to_initial_access is not None and n.time > r.time_to_initial_access
        # it names a host the attacker got onto before the notice
        assert any(e.host == n.host and e.success and e.phase in ("initial-access", "lateral-movement")
                   and e.time <= n.time for e in r.timeline), (r.seed, n)
    # incident response takes it up at once, without triage (unless a response is already under way)
    at_once = [r for r in told if any(e.kind == "response" and e.time == _notices(r)[0].time for e in r.log)]
    assert len(at_once) >= 0.8 * len(told), (len(at_once), len(told))
    found_outside = [r for r in results if r.first_detection_source == "outside"]
    assert found_outside, "with a 4-day notice some intrusions are found from outside first"
    # an exponential clock from initial access with the stated median (4 days; its mean would be 5.8)
    waits = sorted((_notices(r)[0].time - r.time_to_initial_access) / 1440 for r in told)
    assert 2.8 < statistics.median(waits) < 5.2, waits


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


def test_the_room_hears_of_the_notice():
    """In a facilitated exercise the notice reaches the player view as an escalated alert, with an inject of its own
    (who takes the call, which clocks start, what evidence to keep); espionage-tech, manual, seed 6 has one (seed 1
    before the fifth December 5 session, whose faster containment found its intrusion before the notice)."""
    from simulator.facilitator import Facilitator

    fac = Facilitator(load("espionage-tech"), 6, "manual")
    result = fac.finish()
    (n,) = _notices(result)
    (inj,) = [i for i in fac.injects if i.kind == "outside-notice"]
    assert inj.audience == "players" and n.host in inj.title and inj.time == pytest.approx(n.time, abs=1e-3)
    assert any("Outside notice" in s.text and n.host in s.text for s in fac.feed)
