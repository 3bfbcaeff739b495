"""Facilitator mode in the library: the inject book, the player view's knowledge, orders that take time, undo,
rewind and branches, counterfactuals, sessions that replay exactly or are refused."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from simulator.engine import run
from simulator.facilitator import Facilitator, SessionError, load_session
from simulator.injects import PLAYER_TRIGGERS, book, local_clock
from simulator.loader import ScenarioError, load, load_document, parse_yaml

ROOT = Path(__file__).resolve().parent.parent
CUSTOM = """
exercise:
  objectives: ["Test the hand-off from the SOC to incident response"]
  injects:
    - id: press-call
      at: "day 3 09:30"
      title: "A journalist calls about a leak"
      questions: ["Who takes the call?", "What may be said?"]
      handout: |
        From: reporter@example.org
        Subject: comment on an alleged breach?
    - id: gate
      questions: ["A question of our own about the approval?"]
"""


@pytest.fixture(scope="module")
def espionage():
    return load("espionage-tech")


@pytest.fixture(scope="module")
def custom():
    text = (ROOT / "scenarios" / "espionage-tech.yaml").read_text(encoding="utf-8") + CUSTOM
    return load_document(parse_yaml(text, "custom.yaml"))


def to_known(fac: Facilitator) -> None:
    """Play until the defender knows of a host it could isolate."""
    while not fac.done and not fac.targets("isolate_host"):
        fac.next_inject()


def test_stepping_gives_the_same_run_as_running(espionage, custom):
    for loaded in (espionage, custom):  # an inject at a time moves only the clock
        fac = Facilitator(loaded, 7)
        result = fac.finish()
        assert result.to_json() == run(fac.compiled, 7).to_json()
        assert fac.injects[-1].kind == "end"


def test_the_inject_book_speaks_to_the_room_only_about_what_the_defender_can_know(espionage):
    for seed, level in ((3, None), (0, "ai-orchestrated"), (13, "manual")):
        fac = Facilitator(espionage, seed, level)
        fac.finish()
        kinds = [i.kind for i in fac.injects]
        assert kinds.count("gate") <= 1  # the approval pause is the attacker's: once, for the facilitator
        for inj in fac.injects:
            spec = book()[inj.kind]
            assert inj.questions == spec.questions and inj.audience == spec.audience
            assert (spec.on in PLAYER_TRIGGERS) == (inj.audience == "players")
            assert "credential_use" not in inj.title and not re.search(r"\bT\d{4}\b(?! [A-Z])", inj.title)
        ia = fac.run.t_initial_access
        assert all(ia is not None and i.time >= ia for i in fac.injects if i.kind == "containment")


def test_the_player_view_names_no_host_or_account_the_defender_does_not_know(espionage):
    for seed, level in ((7, None), (2, "ai-orchestrated"), (13, "manual"), (5, "autonomous")):
        fac = Facilitator(espionage, seed, level)
        net = fac.compiled.net
        hosts, accounts = {h.id for h in net.hosts}, {a.id for a in net.accounts}
        for _ in range(6):
            if fac.next_inject() is None:
                break
            state = fac.player_state()
            tokens = set(re.findall(r"[A-Za-z0-9][A-Za-z0-9_.:-]*", json.dumps(state)))
            known = set(fac.known_hosts()) | set(fac.known_accounts())
            assert (tokens & (hosts | accounts)) <= known
            truth = {net.hosts[h].id for h in fac.run.owned} - set(fac.known_hosts())
            assert not truth & tokens
            assert re.match(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d \(day \d+\)", state["clock"])
            if state["inject"] is not None:
                assert state["inject"]["title"] in [i.title for i in fac.injects if i.audience == "players"]


def test_the_player_feed_misses_no_response_or_backlog_the_defender_saw(espionage):
    """Every SOC backlog the run recorded reaches the feed: those recorded while an order is carried out, and those
    the SOC records as the run ends."""
    for seed, orders in ((5, False), (2, True)):
        fac = Facilitator(espionage, seed, None if seed == 5 else "ai-orchestrated")
        if orders:
            to_known(fac)
            fac.decide("isolate_host", fac.targets("isolate_host")[0])
            fac.decide("block_egress")
        fac.finish()
        backlogs = sum(1 for e in fac.run.log if e.kind == "soc-backlog")
        assert backlogs and sum(1 for s in fac.feed if s.kind == "backlog") == backlogs


def test_an_order_names_only_what_the_defender_knows_and_takes_the_posture_s_time(espionage):
    fac = Facilitator(espionage, 0, "ai-orchestrated")
    with pytest.raises(ValueError, match="not known to the defender"):
        fac.decide("isolate_host", "git-01")  # the attacker's target; nothing has named it yet
    with pytest.raises(ValueError, match="unknown zone"):
        fac.decide("raise_monitoring", "nowhere")
    with pytest.raises(ValueError, match="unknown decision"):
        fac.decide("panic")
    to_known(fac)
    host = fac.targets("isolate_host")[0]
    ir = fac.compiled.posture.incident_response
    o = fac.decide("isolate_host", host)
    assert o.status == "requested" and o.owner == "IR lead"
    assert o.due == pytest.approx(o.time + ir.contain_hours * 60)
    h = fac.compiled.net.host_index[host]
    assert h not in fac.run.belief.contained_hosts  # an order, not a spell
    while fac.now < o.due and not fac.done:
        fac.advance()
    assert o.status == "done" and o.done_time == pytest.approx(o.due)
    assert o.done in (f"isolated {host}", f"{host} was already isolated")
    assert any(i.kind == "order-done" for i in fac.injects)
    state = fac.player_state()
    assert state["orders"][0]["status"] == "done" and state["orders"][0]["done"] is not None


def test_orders_change_the_outcome(espionage):
    """Named seed (found by search): ai-orchestrated, seed 17 (the README's example; 10 before the seventh December 5
    session's logons by rights, 36 before the fifth December 5 session's trail-following scoping and EDR isolation,
    10 before the review of the second December 5 session's changes, 37 before that session, under whose changes the
    attacker, re-planning the hosts back from cleanup, got the data out there once the egress block lifted; 2 before
    the fourth review of issue 13, 19 before the December 2026 review's changes).
    Doing nothing the objective is met; isolating the hosts
    the first escalated alert named (both held by the time the isolations land) and blocking egress keeps the source
    code in."""
    assert Facilitator(espionage, 17, "ai-orchestrated").finish().outcome == "objective_met"
    fac = Facilitator(espionage, 17, "ai-orchestrated")
    to_known(fac)
    assert fac.targets("isolate_host") == ["api-gw-01", "web-portal-01"]
    for host in fac.targets("isolate_host"):
        fac.decide("isolate_host", host)
    fac.decide("block_egress")
    result = fac.finish()
    assert result.outcome != "objective_met" and result.records_exfiltrated == 0
    assert result.egress_blocked_hours > 0
    assert fac.without_orders().to_json() == run(fac.compiled, 17).to_json()


def test_undo_cancels_an_order_under_way_or_replays_without_a_done_one(espionage):
    fac = Facilitator(espionage, 0, "ai-orchestrated")
    to_known(fac)
    host = fac.targets("isolate_host")[0]
    fac.decide("block_egress")
    assert fac.undo().startswith("cancelled order 1")
    fac.decide("isolate_host", host)
    fac.finish()
    assert fac.orders[-1].status == "done"
    text = fac.undo()
    assert "replayed without it" in text and [o.status for o in fac.orders] == ["cancelled"]
    clean = Facilitator(espionage, 0, "ai-orchestrated")
    assert fac.run.result().to_json() == clean.finish().to_json()  # a cancelled order did nothing


def test_rewind_branches_and_the_session_keeps_both(espionage, tmp_path):
    fac = Facilitator(espionage, 0, "ai-orchestrated")
    to_known(fac)
    at = len(fac.injects) - 1
    fac.decide("block_egress")
    fac.note("egress blocked on the first alert")
    first = fac.finish()
    fac.rewind(at, "what if we had waited")
    assert not fac.done and fac.orders == [] and fac.notes == []
    assert len(fac.branches) == 1 and fac.branches[0]["outcome"] == first.outcome
    second = fac.finish()
    assert second.to_json() == Facilitator(espionage, 0, "ai-orchestrated").finish().to_json()
    path = fac.save(tmp_path / "s.json")
    again = load_session(path)
    assert again.branches[0]["label"] == "what if we had waited" and again.run.result().to_json() == second.to_json()


def test_session_round_trip_and_a_session_that_does_not_replay_is_refused(espionage, tmp_path):
    fac = Facilitator(espionage, 5)
    to_known(fac)
    fac.decide("escalate")
    fac.note("who owns the VPN?")
    fac.next_inject()
    fac.decide("block_egress")
    fac.undo()
    fac.next_inject()
    fac.decide("reset_credentials")
    fac.advance()
    fac.participants = [{"name": "Ana", "role": "IR lead"}]
    path = fac.save(tmp_path / "s.json")
    with pytest.raises(FileExistsError):
        fac.save(path, overwrite=False)
    again = load_session(path)
    assert again.step == fac.step and again.participants == fac.participants
    assert [(o.step, o.kind, o.status, o.done) for o in again.orders] == \
        [(o.step, o.kind, o.status, o.done) for o in fac.orders]
    assert again.notes == fac.notes
    assert again.finish().to_json() == fac.finish().to_json()
    data = json.loads(path.read_text())
    data["orders"][0]["step"] += 40  # a hand-edited session: its result no longer follows
    path.write_text(json.dumps(data))
    with pytest.raises(SessionError, match="does not replay|taken back before it was given"):
        load_session(path)
    data["orders"][0]["step"] -= 40
    data["notes"][0]["text"] = "edited"  # a note changes nothing in the run: it replays
    path.write_text(json.dumps(data))
    assert load_session(path).notes[0].text == "edited"
    data["orders"][0]["target"] = "git-01"  # escalating a host the team never heard of
    path.write_text(json.dumps(data))
    with pytest.raises(SessionError, match="does not replay"):
        load_session(path)


def test_bad_session_files(tmp_path):
    for text, msg in (("{}", "x.json:1: kind: not a tabletop session"), ("nope", "x.json:1: not a readable session"),
                      ('{"kind": "tabletop-session", "version": 99}', "version 99"),
                      ('{"kind": "tabletop-session", "version": 1}', "version 1 decisions took effect at once"),
                      ('{"kind": "tabletop-session", "version": 2}', "x.json:1: scenario_text: missing")):
        p = tmp_path / "x.json"
        p.write_text(text)
        with pytest.raises(SessionError, match=msg):
            load_session(p)


def test_counterfactual_over_seeds(espionage):
    fac = Facilitator(espionage, 0, "ai-orchestrated")
    seen = []
    same = fac.over_seeds(20, progress=lambda k, n: seen.append(k))
    assert seen[-1] == 20 and same["team"] == same["nothing"]  # no orders: the same runs
    to_known(fac)
    fac.decide("block_egress")
    moved = fac.over_seeds(20)
    assert moved["orders"] == ["block egress"]
    assert moved["team"]["records_mean"] <= moved["nothing"]["records_mean"]
    assert moved["team"]["egress_blocked_hours"] > 0


def test_custom_injects_from_the_scenario_file(custom):
    fac = Facilitator(custom, 7)
    fac.finish()
    press = next(i for i in fac.injects if i.kind == "press-call")
    assert fac.clock(press.time) == "Wed 09:30 (day 3)" != local_clock(press.time, 0)  # the defender's local time
    assert "reporter@example.org" in press.handout
    assert press.audience == "players"
    gate = next(i for i in fac.injects if i.kind == "gate")
    assert gate.questions == ("A question of our own about the approval?",)


@pytest.mark.parametrize("block, msg", [
    ("    - id: x\n      title: t\n      questions: [q]\n", "exercise.injects.0: a new inject needs a 'trigger'"),
    ("    - id: x\n      trigger: breakout\n      at: day 1 09:00\n      title: t\n      questions: [q]\n",
     "either 'trigger'"),
    ("    - id: breakout\n      at: day 1 09:00\n", "give your own id"),
    ("    - id: x\n      at: day 1 25:00\n      title: t\n      questions: [q]\n", "not a time"),
    ("    - id: x\n      trigger: teatime\n      title: t\n      questions: [q]\n", "trigger"),
])
def test_bad_custom_injects_name_the_file_line_and_field(block, msg):
    text = (ROOT / "scenarios" / "espionage-tech.yaml").read_text(encoding="utf-8") + "exercise:\n  injects:\n" + block
    with pytest.raises(ScenarioError) as e:
        load_document(parse_yaml(text, "bad.yaml"))
    assert msg in str(e.value) and "bad.yaml:" in str(e.value)


def test_a_run_that_would_never_end_stops_with_a_clear_error_in_facilitator_mode(espionage, monkeypatch):
    """Stepping by hand keeps the event budget that ``execute`` has: a scenario that spins raises EventBudgetError
    naming the cause instead of hanging the exercise."""
    import simulator.engine as engine

    monkeypatch.setattr(engine, "MAX_EVENTS", 200)
    fac = Facilitator(espionage, 7)
    with pytest.raises(engine.EventBudgetError, match="run stopped: more than 200 events"):
        fac.finish()


def test_the_readme_s_egress_block_mostly_delays_the_theft(espionage):
    """The README's example: the orders at the first escalated alert (seed 17), replayed over other seeds, keep the
    data in on many of them, and where the attacker still wins the data leaves after the 72-hour egress block is
    lifted (seeds 0-59: 46 of 46 wins; 49 of 49 with seed 10 before the seventh December 5 session, 50 of 50 before
    overstated access; 36 of 36 with seed 36 before the fifth December 5 session)."""
    from simulator.facilitator import _timed_run

    fac = Facilitator(espionage, 17, "ai-orchestrated")
    to_known(fac)
    for host in fac.targets("isolate_host"):
        fac.decide("isolate_host", host)
    egress = fac.decide("block_egress")
    lifted = egress.due + fac.compiled.posture.incident_response.egress_block_hours * 60
    wins = [r for r in (_timed_run(fac, s, list(fac.orders)) for s in range(60)) if r.outcome == "objective_met"]
    assert 0 < len(wins) < 60
    assert sum(r.time_to_objective >= lifted for r in wins) >= 0.9 * len(wins)


def test_the_facilitator_sees_the_crew_go_quiet_after_the_team_s_isolation(espionage):
    """The room's isolation reaches a human crew, which lies low: the facilitator's truth feed (and so the
    after-action report's facilitator section) says so; the player feed does not."""
    quiet = 0
    for seed in range(6):
        fac = Facilitator(espionage, seed, "manual")
        to_known(fac)
        if fac.done:
            continue
        for host in fac.targets("isolate_host"):
            fac.decide("isolate_host", host)
        result = fac.finish()
        logged = [e for e in result.log if e.kind == "lying-low"]
        seen = [f for f in fac.fac_feed if "lies low" in f.text]
        assert len(seen) == len(logged)
        assert not any("lies low" in f.text for f in fac.feed)
        quiet += bool(seen)
    assert quiet >= 1


def test_a_team_can_clean_a_host_the_automation_only_cut_off_and_reset_a_re_stolen_account():
    """Under the SOC's automatic response a host can be cut off from the network without being cleaned: the team sees
    it as 'cut off' and may order it isolated, which takes the isolation over ('took over ... to clean it'). An
    account reset and then seen used again reads 'stolen' and may be reset again."""
    from simulator.loader import load_document, parse_yaml

    text = load("espionage-tech").document.text.replace(
        "posture: {preset: baseline}", "posture: {preset: baseline, overrides: {soc: {automation: ai-response}}}")
    loaded = load_document(parse_yaml(text, "ai-response.yaml"))
    cut = took = 0
    for seed in range(12):
        fac = Facilitator(loaded, seed, "ai-orchestrated")
        while not fac.done and "cut off" not in fac.known_hosts().values():
            fac.next_inject()
        if fac.done:
            continue
        host = next(h for h, s in fac.known_hosts().items() if s == "cut off")
        assert host in fac.targets("isolate_host")
        fac.decide("isolate_host", host)
        fac.finish()
        done = fac.orders[-1].done
        # by the time the order is due, the automation may have released the host, or incident response isolated it
        assert done.startswith((f"took over {host}'s network isolation", "isolated", f"{host} was already")), done
        cut += 1
        took += done.startswith("took over")
    assert cut and took
    b = fac.run.belief
    for a in b.reset_credentials:
        state = fac.known_accounts()[fac.compiled.net.accounts[a].id]
        assert state == ("stolen" if a in b.due_for_reset({a}) else "reset")


def test_the_feed_shows_the_response_planning_and_carrying_out_a_coordinated_eviction(espionage):
    """The team's own plan is the defender's knowledge: a coordinated eviction (``evict_after_retakes``) the run
    planned and carried out reaches the players' feed, both entries, as the run logged them."""
    seen = 0
    for seed in range(6):
        fac = Facilitator(espionage, seed, "ai-orchestrated")
        fac.finish()
        logged = [e.detail for e in fac.run.log if e.kind == "response" and e.detail.startswith("coordinated")]
        fed = [s.text for s in fac.feed if s.kind == "response" and "coordinated eviction" in s.text]
        assert len(fed) == len(logged)
        seen += len(logged)
    assert seen >= 2
