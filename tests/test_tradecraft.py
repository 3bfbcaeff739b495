"""Tradecraft the presets share: public exploits for long-disclosed flaws, and what AI help speeds up for a human crew
(``public_exploit_days`` and ``hands_on_speed`` in simulator/attacker.py)."""

from __future__ import annotations

import statistics

from simulator.build import compile_scenario
from simulator.calibration import load_target, presets_only
from simulator.engine import run
from simulator.loader import load
from simulator.sweep import apply_cell


def _cell(loaded, automation: str, posture: str, **attacker):
    l2 = loaded.with_presets(automation=automation, posture=posture)
    return compile_scenario(l2.scenario, l2.attacker.model_copy(update=attacker), l2.posture)


def _days_to_get_in(c, seeds: int = 12) -> list[float]:
    out = []
    for s in range(seeds):
        r = run(c, s)
        out.append(30.0 if r.time_to_initial_access is None else r.time_to_initial_access / 1440)
    return out


def test_a_public_exploit_is_used_without_weaponising(tiny, write):
    """The only way in needs 40 hours of hand work to weaponise, disclosed 20 days before the campaign: where a public
    exploit exists 10 days after disclosure the crew is in within a day or two; with none (the attacker's
    ``public_exploit_days`` unset, or the scenario's ``public_exploit: false``) the crew weaponises by hand across
    office days first, and in half the runs not within the tiny network's 10 days."""
    text = tiny.document.text.replace("success: 0.7, effort_hours: 4,", "success: 0.7, effort_hours: 40,")
    loaded = load(write(text))
    public = _days_to_get_in(_cell(loaded, "manual", "weak", public_exploit_days=10))
    by_hand = _days_to_get_in(_cell(loaded, "manual", "weak", public_exploit_days=None))
    assert statistics.median(public) < 2.0, public
    assert statistics.median(by_hand) > 4.0 and min(by_hand) > 1.5, by_hand  # 40 working hours first
    none_public = load(write(text.replace("disclosed_day: -20, access: user",
                                          "disclosed_day: -20, access: user, public_exploit: false")))
    assert _days_to_get_in(_cell(none_public, "manual", "weak", public_exploit_days=10)) == by_hand


def test_a_zero_day_is_never_public(tiny, write):
    """A flaw bought before its disclosure (day 25) is weaponised from its effort (40 hours of work) even with public
    exploits the day a flaw is disclosed: the crew uses the zero-day, after days of hand work."""
    text = tiny.document.text.replace(
        "effort_hours: 4,\n     disclosed_day: -20,", "effort_hours: 40,\n     disclosed_day: 25, zero_day_days: 0,")
    assert "zero_day_days: 0" in text
    loaded = load(write(text))
    days = _days_to_get_in(_cell(loaded, "manual", "weak", public_exploit_days=0, buys_zero_days=True))
    got_in = [d for d in days if d < 25]
    assert got_in, days  # the zero-day is used
    assert min(got_in) > 1.5, days  # after weaponising it by hand, never at once as a public exploit would be


def _breakouts(c, runs: int = 60) -> list[float]:
    out = []
    for s in range(runs):
        r = run(c, 0, s)
        if r.breakout_time is not None:
            out.append(r.breakout_time)
    return out


def test_ai_help_does_not_speed_up_a_logon_by_hand():
    """On generated-50 every breakout is a logon with the web server's deployment credential (dump, then log on):
    ai-assisted's hands-on steps at manual speed make its breakout close to the manual crew's, and well slower than
    with its speed-up applied to every step."""
    base = presets_only(load_target("generated-50"))
    cells = {level: apply_cell(base, (("automation", level), ("posture", "baseline")))
             for level in ("manual", "ai-assisted")}
    assisted = _breakouts(cells["ai-assisted"])
    everything = _breakouts(apply_cell(base, (("automation", "ai-assisted"), ("posture", "baseline"),
                                              ("attacker.hands_on_speed", None))))
    manual = _breakouts(cells["manual"])
    assert len(assisted) >= 15 and len(everything) >= 15 and len(manual) >= 15
    m_assisted, m_all, m_manual = (statistics.median(x) for x in (assisted, everything, manual))
    assert m_assisted > 1.4 * m_all, (m_assisted, m_all)
    assert m_assisted > 0.6 * m_manual, (m_assisted, m_manual)


def _watch_overlaps(monkeypatch, phase: str, techniques: tuple[str, ...] | None = None):
    """Count the ``phase`` actions onto a host begun while another was under way there. An action is under way from
    its start until it ends, or until a failed AI step is handed to the operators to redo by hand (the redo waits in
    a person's queue: not under way; it is the caller's to drop if moot). Weaponising an exploit (the first use,
    hours of work) is not counted. Returns the counters and the overlaps found."""
    from simulator.attack.actions import Acting

    act = Acting.act
    under_way: dict[int, int] = {}
    counting: dict[object, int] = {}  # process -> the host its counted action is under way on
    overlaps: list[tuple[float, int]] = []
    seen = {"actions": 0}

    def watched(self, ph, technique, effort, **kw):
        h = kw.get("host")
        proc = self.env.active_process
        if kw.get("redo") and proc in counting:  # handed to the operators: no longer under way
            under_way[counting.pop(proc)] -= 1
        quick = (ph == phase and not kw.get("fake") and not kw.get("redo")
                 and (techniques is None or technique in techniques)
                 and (kw.get("vuln") is None or kw.get("hands_on")))
        if quick:
            seen["actions"] += 1
            if under_way.get(h):
                overlaps.append((self.env.now, h))
            under_way[h] = under_way.get(h, 0) + 1
            counting[proc] = h
        a = yield from act(self, ph, technique, effort, **kw)
        if quick and counting.get(proc) == h:
            under_way[h] -= 1
            del counting[proc]
        return a

    monkeypatch.setattr(Acting, "act", watched)

    def reset():
        under_way.clear()
        counting.clear()

    return seen, overlaps, reset


def test_an_ai_crew_does_not_send_two_lines_of_work_onto_one_host_at_once(monkeypatch):
    """Twenty concurrent lines of work, each with a credential for db-01: before, a third of an AI crew's moves on
    espionage-tech began while another move onto the same host was under way. Now a move onto a host waits for the
    one under way there (queued again when it ends, dropped if that one gained what it would); only a move that
    weaponises an exploit (hours of work, not a move under way) neither waits nor holds others back, and a failed
    move handed to the operators to redo by hand is no longer under way (a ready logon does not wait for their
    shift)."""
    seen, overlaps, reset = _watch_overlaps(monkeypatch, "lateral-movement")
    c = _cell(load("espionage-tech"), "ai-orchestrated", "baseline")
    for s in range(6):
        reset()
        run(c, s)
    assert seen["actions"] > 300 and not overlaps, overlaps[:5]


def test_an_admin_account_in_hand_upgrades_a_host_held_with_user_rights():
    """On small-business the crew holds staff desktops with the users' rdp logons (the gateway publishes them) and
    has dumped the IT provider's admin account elsewhere: it logs on locally with it (T1078) on those desktops,
    whether or not the local exploit works. Before, only the ransomware's target was upgraded so; elsewhere an admin
    account in hand went unused, and a crew whose local exploit was patched stopped at the workstation (masked until
    now by a second line of work moving onto the same host with the admin account at the same moment). (On
    tiny-plant until the seventh December 5 session: a clerk's smb logon is no shell on the engineering workstation
    since then.)"""
    c = _cell(load("small-business"), "autonomous", "weak")
    upgrades = [e for s in range(12) for e in run(c, s).timeline
                if e.phase == "privilege-escalation" and e.technique == "T1078"]
    assert sum(e.host.startswith("ws-") and e.success for e in upgrades) >= 3
    assert {e.host for e in upgrades} - {"file-01"}  # not only the objective's host


def test_a_step_redone_by_hand_is_not_run_from_a_host_lost_meanwhile(monkeypatch):
    """A failed AI step an operator redoes by hand waits for an operator on shift (a weekend, for the orchestrated
    crew). Seed 7 (espionage-tech, ai-orchestrated vs baseline): the exploit of ws-sales-04 from api-gw-01 failed on
    day 5.4, the response isolated api-gw-01 on day 5.7 and evicted the crew, and the operators' redo on day 7.0 ran
    from the host the crew no longer held and got it back in. A redo whose source is no longer held is dropped now."""
    from simulator.attack.actions import Acting

    act = Acting.act
    bad: list[tuple[float, int]] = []

    def watched(self, phase, technique, effort, **kw):
        a = yield from act(self, phase, technique, effort, **kw)
        src = kw.get("src_host")
        if kw.get("redo") and a is not None and a.success and src is not None and src not in self.owned:
            bad.append((self.env.now, src))
        return a

    monkeypatch.setattr(Acting, "act", watched)
    c = _cell(load("espionage-tech"), "ai-orchestrated", "baseline")
    for s in (7, 0, 1, 2):
        run(c, s)
    assert not bad, bad


CELLS = (("espionage-tech", "baseline"), ("regional-manufacturer", "weak"), ("small-business", "weak"))
"""Where escalations happen often: small-business since the seventh December 5 session (a user's smb logon is no
shell to escalate on; its staff desktops, published by the gateway, are where users' rdp logons land)."""


def test_one_privilege_escalation_at_a_time_on_a_host(monkeypatch):
    """A local exploit, a local logon with an admin account (an upgrade, or the ransomware's way to admin rights on
    its target): before, concurrent lines of work ran them on one host at once (28 of 85 escalations a run of
    ai-orchestrated vs baseline on espionage-tech, ``examples/overlaps.py``). Now an escalation waits for the one
    under way there, as a move does; a local exploit being weaponised (hours of work) neither waits nor holds
    others back. Nothing held back is lost: every held-back task goes back on the queue."""
    from simulator.attack.movement import Movement

    held_back = Movement._held_back
    pushed = Movement._move_over
    held: list[tuple] = []
    requeued: list[tuple] = []

    def holding(self, t, entry, under_way=None):
        out = held_back(self, t, entry, under_way)
        if out and under_way is self._escalating:
            held.append(entry)
        return out

    def releasing(self, t, mark, under_way=None):
        if under_way is self._escalating and (self._escalating.get(t) is mark):
            requeued.extend(mark)
        return pushed(self, t, mark, under_way)

    monkeypatch.setattr(Movement, "_held_back", holding)
    monkeypatch.setattr(Movement, "_move_over", releasing)
    seen, overlaps, reset = _watch_overlaps(monkeypatch, "privilege-escalation")
    for name, posture in CELLS:
        c = _cell(load(name), "ai-orchestrated", posture)
        for s in range(8):
            reset()
            run(c, s)
    assert seen["actions"] > 150 and not overlaps, overlaps[:5]
    assert held and sorted(held) == sorted(requeued), (len(held), len(requeued))


def test_one_credential_dump_at_a_time_on_a_host(monkeypatch):
    """A dump was queued per reset account whose new password could be on a host, so after a reset of several
    accounts cached on one host, several lines of work dumped it at once (espionage-tech, ai-orchestrated vs
    baseline, 10 runs: 360 of 3,519 dumps began while another was under way on the host), each making noise a
    sensor may see. Now a dump asked for meanwhile waits, and is dropped if the one under way got through with the
    same rights (it read the host as it is when it ended)."""
    seen, overlaps, reset = _watch_overlaps(monkeypatch, "credential-access", ("T1003", "T1552"))
    c = _cell(load("espionage-tech"), "ai-orchestrated", "baseline")
    for s in range(6):
        reset()
        run(c, s)
    assert seen["actions"] > 500 and not overlaps, overlaps[:5]


def test_an_admin_account_admin_tiering_refused_in_a_zone_is_not_tried_there_again(monkeypatch):
    """Admin tiering refuses a tier-0 account's logon outside its tier: the refusal tells the crew the account may not
    log on in that zone. Before, it tried again at every pass (the hospital with tiering, autonomous: 45 repeats in
    8 runs, most of them the same outside logon on appgw-01); now once per account and zone, remote or local. (The
    rule assumes the crew reads what tiering means from the refusal, or from the directory's deny-logon policies,
    which any domain user can read.)"""
    from simulator.attack.actions import Acting

    refusals: list[tuple[int, str]] = []
    act = Acting.act

    def watched(self, phase, technique, effort, **kw):
        a = yield from act(self, phase, technique, effort, **kw)
        if a is not None and a.blocked == "tiering":
            refusals.append((kw["account"], kw["dst_zone"]))
        return a

    monkeypatch.setattr(Acting, "act", watched)
    repeated = total = 0
    for level in ("autonomous", "ai-orchestrated"):  # (the orchestrated crew's moves wait at gates meanwhile)
        loaded = apply_cell(load("regional-hospital"), (("automation", level), ("posture", "baseline")))
        ac = loaded.posture.access_control.model_copy(update={"admin_tiering": True})
        c = compile_scenario(loaded.scenario, loaded.attacker,
                             loaded.posture.model_copy(update={"access_control": ac}))
        for s in range(8):
            refusals.clear()
            run(c, 0, s)
            total += len(refusals)
            repeated += len(refusals) - len(set(refusals))
    assert total and not repeated, (total, repeated)


def test_a_move_held_back_goes_back_on_the_queue_at_its_planned_priority(monkeypatch):
    """A move held back while another onto the same host is under way was queued again at the lowest priority of its
    kind (a move onto the objective's host waited behind moves onto any workstation); now at the priority it was
    planned at: the host's value, as when planned."""
    from simulator.attack.base import P_CRED, P_EXPLOIT
    from simulator.attack.movement import Movement

    held = Movement._held_back
    wrong: list[tuple] = []
    valuable: list[bool] = []
    seen = 0

    def watched(self, t, entry, *under_way):
        nonlocal seen
        kind = entry[1][0]
        if not under_way and kind in ("move_cred", "move_exploit"):
            seen += 1
            data = self.net.hosts[t].data
            value = 2 if not data else 0 if self.obj in data else 1
            base = P_CRED if kind == "move_cred" else P_EXPLOIT
            if entry[0] != base + value:
                wrong.append(entry)
            valuable.append(value < 2)
        return held(self, t, entry, *under_way)

    monkeypatch.setattr(Movement, "_held_back", watched)
    c = _cell(load("espionage-tech"), "ai-orchestrated", "baseline")
    for s in range(3):
        run(c, s)
    assert seen > 50 and not wrong, wrong[:5]
    assert any(valuable)  # some held-back moves were onto hosts with data (a priority above the lowest)


def test_a_redo_by_hand_of_an_escalation_is_dropped_once_the_host_is_admin(monkeypatch):
    """A failed AI escalation handed to the operators releases the host, so another line of work's escalation may
    get admin rights there first; the operator's later redo of the first is then moot and dropped (before, 7 of 17
    such redos in four runs ran on a host already held as admin: noise and operator time for nothing). A redo by
    hand that runs marks the host, so no other escalation overlaps it."""
    from simulator.attack.actions import Acting

    act = Acting.act
    redone: list[bool] = []

    def watched(self, phase, technique, effort, **kw):
        a = yield from act(self, phase, technique, effort, **kw)
        if kw.get("redo") and phase == "privilege-escalation" and a is not None:
            # failed, yet the host is admin: it was before the redo began (nothing else escalates there meanwhile)
            redone.append(not a.success and self.owned.get(kw["host"]) == "admin")
        return a

    monkeypatch.setattr(Acting, "act", watched)
    for name, posture in CELLS:
        c = _cell(load(name), "ai-orchestrated", posture)
        for s in range(5):
            run(c, s)
    assert len(redone) >= 3 and not any(redone), (len(redone), sum(redone))


def test_a_move_that_failed_by_chance_is_tried_again_at_its_planned_priority(monkeypatch):
    """A failed move went back on the queue at its kind's lowest priority, so a move onto the objective's host that
    failed once waited behind moves onto any workstation; now at the host's value, as planned."""
    from simulator.attack.base import P_CRED, P_EXPLOIT
    from simulator.attack.campaign import Campaign

    failed = Campaign._failed
    wrong: list[tuple] = []
    valuable: list[bool] = []

    def watched(self, entry):
        kind, t = entry[1][0], entry[1][1]
        if kind in ("move_cred", "move_exploit"):
            data = self.net.hosts[t].data
            value = 2 if not data else 0 if self.obj in data else 1
            valuable.append(value < 2)
            if entry[0] != (P_CRED if kind == "move_cred" else P_EXPLOIT) + value:
                wrong.append(entry)
        return failed(self, entry)

    monkeypatch.setattr(Campaign, "_failed", watched)
    c = _cell(load("espionage-tech"), "ai-orchestrated", "baseline")
    for s in range(3):
        run(c, s)
    assert any(valuable) and not wrong, wrong[:5]
