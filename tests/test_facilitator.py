"""Facilitator mode in the library: injects come from the run, decisions change it, sessions replay exactly."""

from __future__ import annotations

import pytest

from simulator.engine import run
from simulator.facilitator import QUESTIONS, Facilitator, SessionError, load_session
from simulator.loader import load


@pytest.fixture(scope="module")
def espionage():
    return load("espionage-tech")


def test_stepping_gives_the_same_run_as_running(espionage):
    fac = Facilitator(espionage, 7)
    result = fac.finish()
    assert result.to_json() == run(fac.compiled, 7).to_json()
    assert fac.injects[-1].kind == "end"


def test_injects_come_from_events_with_questions(espionage):
    fac = Facilitator(espionage, 3)
    kinds = []
    while (inj := fac.next_inject()) is not None and inj.kind != "end":
        kinds.append(inj.kind)
        assert 2 <= len(inj.questions) <= 3 and inj.questions == QUESTIONS[inj.kind]
    assert "gate" in kinds and "first-alert" in kinds
    assert kinds.count("breakout") <= 1


def test_isolating_the_foothold_at_the_first_inject_changes_the_outcome(espionage):
    """Named seed (found by search): manual attacker, seed 13. Doing nothing, the objective is met; isolating the
    foothold at the first inject evicts the attacker, who gets back in (a persistent attacker) but too late to meet
    the objective before the horizon."""
    nothing = Facilitator(espionage, 13, "manual")
    nothing.next_inject()
    nothing.decide("nothing")
    assert nothing.finish().outcome == "objective_met"

    act = Facilitator(espionage, 13, "manual")
    inject = act.next_inject()
    assert act.run.t_initial_access is not None and inject.time >= act.run.t_initial_access
    foothold = next(e.host for e in act.run.log if e.kind == "initial-access")
    d = act.decide("isolate_host", foothold)
    assert d.done == f"isolated {foothold}"
    result = act.finish()
    assert result.outcome != "objective_met" and result.time_to_objective is None
    assert result.reentries >= 1 and any(e.kind == "evicted" for e in result.log)
    assert foothold in result.contained_hosts  # a team's isolation lasts until the team lifts it


def test_decisions_validate_their_target(espionage):
    fac = Facilitator(espionage, 1)
    fac.next_inject()
    with pytest.raises(ValueError, match="unknown host"):
        fac.decide("isolate_host", "no-such-host")
    with pytest.raises(ValueError, match="unknown zone"):
        fac.decide("raise_monitoring", "nowhere")
    with pytest.raises(ValueError, match="unknown decision"):
        fac.decide("panic")
    assert fac.decide("raise_monitoring", "servers").done == "raise monitoring servers"


def test_session_round_trip(espionage, tmp_path):
    fac = Facilitator(espionage, 5)
    fac.next_inject()
    fac.decide("escalate")
    fac.note("who owns the VPN?")
    fac.next_inject()
    fac.decide("block_egress")
    fac.next_inject()
    fac.decide("reset_credentials")
    fac.advance()
    path = fac.save(tmp_path / "s.json")
    again = load_session(path)
    assert again.step == fac.step
    assert [(d.step, d.kind, d.done) for d in again.decisions] == [(d.step, d.kind, d.done) for d in fac.decisions]
    assert again.notes == fac.notes
    assert again.finish().to_json() == fac.finish().to_json()


def test_bad_session_files(tmp_path):
    for text, msg in (("{}", "x.json:1: kind: not a tabletop session"), ("nope", "x.json:1: not a readable session"),
                      ('{"kind": "tabletop-session", "version": 99}', "version 99"),
                      ('{"kind": "tabletop-session", "version": 1}', "x.json:1: scenario_text: missing")):
        p = tmp_path / "x.json"
        p.write_text(text)
        with pytest.raises(SessionError, match=msg):
            load_session(p)


def test_a_perimeter_block_is_not_presented_as_containment(espionage):
    """Blocking the attacker's addresses after an outside alert is a perimeter block, with questions about the
    perimeter; no inject asks whether containment covered every foothold before the attacker has any."""
    f = Facilitator(espionage, 0, "ai-orchestrated")
    injects = []
    while (i := f.next_inject()) is not None and len(injects) < 12:
        injects.append(i)
    kinds = [i.kind for i in injects]
    assert "perimeter-block" in kinds
    ia = f.run.t_initial_access
    assert all(ia is not None and i.time >= ia for i in injects if i.kind == "containment")
