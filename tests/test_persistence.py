"""The attacker does not give up early (DESIGN.md 5.3), and rate rules count per source (5.2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from defenses.base import Action, Belief
from defenses.monitoring import Monitoring, MonitoringConfig
from simulator.attack.base import RELOGON_MINUTES
from simulator.engine import Run, run
from simulator.loader import bundled_names, load
from tests.conftest import compiled


def test_a_vulnerability_disclosed_later_is_used_to_get_in(tiny, write):
    """The only way in is disclosed on day 4: the campaign keeps rescanning and gets in after it."""
    text = tiny.document.text.replace("disclosed_day: -20, access: user", "disclosed_day: 4, access: user")
    loaded = load(write(text))
    c = compiled(loaded, "ai-orchestrated", "weak")
    results = [run(c, s) for s in range(12)]
    got_in = [r for r in results if r.time_to_initial_access is not None]
    assert len(got_in) >= 9
    assert all(r.time_to_initial_access >= 4 * 1440 for r in got_in)


def test_an_evicted_attacker_comes_back():
    """A team isolates the attacker's only foothold, and nothing else: with the other ways in still open, the
    attacker gets back in."""
    c = compiled(load("espionage-tech"), "ai-orchestrated", "weak")
    back = 0
    for seed in range(10):
        r = Run(c, seed)
        r.begin()
        while r.t_initial_access is None and not r.stop.triggered:
            r.env.step()
        if r.t_initial_access is None:
            continue
        foothold = r.net.hosts[next(iter(r.owned))].id
        r.decide("isolate_host", foothold)
        assert not r.owned and r.evictions == 1
        r.env.run(until=r.stop)
        result = r.result()
        back += result.reentries >= 1
        assert any(e.kind == "re-entry" for e in result.log) == (result.reentries >= 1)
    assert back >= 5


def test_routes_are_per_zone(tiny):
    """Isolating the host a zone's discovery ran from does not erase what the attacker learned from that zone: any
    other host it holds there is a route (an earlier version kept routes per discovering host)."""
    c = compiled(tiny, "ai-orchestrated", "weak")
    r = Run(c, 0)
    r.begin()
    net = r.net
    ws = [i for i, h in enumerate(net.hosts) if h.zone == "corp"]
    db = net.host_index["db-01"]
    r._gain(ws[0], "user")
    r._gain(ws[1], "user")
    assert r._learn(db, ws[0])
    assert r._route(db, "smb") == ws[0]
    r.contain({ws[0]}, set())
    assert r._route(db, "smb") == ws[1]
    r.contain({ws[1]}, set())
    assert r._route(db, "smb") is None


REVIEWED = ("examples/scenarios/retail.yaml", "examples/scenarios/university.yaml",
            "examples/scenarios/water-utility.yaml", "examples/scenarios/cloud-sso.yaml",
            "examples/scenarios/msp-tenants.yaml", "examples/scenarios/logistics.yaml")
"""Scenarios a reviewer wrote from the README alone (out-of-sample checks of the model)."""


@pytest.mark.parametrize("name", [*bundled_names(), *REVIEWED])
def test_no_run_ends_early_with_the_attacker_holding_hosts(name):
    """A run that ends before the horizon while the attacker holds hosts does so only because its next try would come
    after the horizon; runs that end with no path left or evicted leave the attacker holding nothing."""
    loaded = load(name)
    for level in ("manual", "ai-orchestrated", "autonomous"):
        c = compiled(loaded, level, "baseline")
        wait = max(c.attacker.retry_days * 1440, 60.0)
        for s in range(6):
            r = run(c, s)
            if r.owned_hosts:
                assert r.end_time >= c.net.horizon - wait - 1e-6, (name, level, s, r.end_time)
            if r.end_reason in ("evicted", "no_path_left"):
                assert not r.owned_hosts
            assert (r.end_reason == "objective_met") == (r.outcome == "objective_met")


def _stall_watch(r: Run, found: list[float]):
    """Every 6 hours: is the attacker holding hosts with nothing at all under way (no line of work busy, no task
    queued, no regrouping, the campaign not at the perimeter, not lying low)? Left so for longer than a regrouping's
    wait and a day, it has stalled: nobody will give it its next step."""
    env = r.env
    since = None
    while True:
        yield env.timeout(360)
        idle = (r.owned and not r._regrouping and not r._active and not r._tasks and not r._campaign_running
                and r._quiet_until <= env.now and not r.stop.triggered)
        if not idle:
            since = None
        elif since is None:
            since = env.now
        elif env.now - since > r._retry_wait() + 1440:
            found.append(since)
            return


@pytest.mark.parametrize("name", [*bundled_names(), "tests/data/tiny.yaml", *REVIEWED])
def test_an_attacker_holding_hosts_never_stalls(name):
    """Issue 13 (an attacker that stops for bookkeeping reasons): the lines of work could run out while the campaign
    was busy at the perimeter (phishing, or waiting for an exploit), each finding the campaign running and leaving
    the next step to it, and the campaign, back with a foothold, waited for a loss that never came: the attacker
    sat on its hosts to the horizon (regional-manufacturer, before the fix: 4 of the 12 autonomous runs against
    baseline below, idle from about day 9)."""
    from simulator.sweep import apply_cell

    loaded = load(name)
    stalled = []
    for level, posture, seeds in (("autonomous", "baseline", 12), ("ai-orchestrated", "weak", 4),
                                  ("manual", "hardened", 4), ("ai-assisted", "hardened", 4)):
        c = apply_cell(loaded, (("automation", level), ("posture", posture)))
        for s in range(seeds):
            r = Run(c, 0, s)
            found: list[float] = []
            r.env.process(_stall_watch(r, found))
            r.execute()
            if found:
                stalled.append((level, posture, s, round(found[0] / 1440, 2)))
    assert not stalled, stalled


def _open_ways(r: Run) -> set[tuple]:
    """The moves the attacker could make now that nobody has planned: a known target it does not hold (or holds as
    a session only), not isolated or out of service, with a harvested credential that logs on there over a route
    it holds that no second factor or tiering refused (and that gives the account something there: no user's winrm
    logon, a user's smb logon only for a share read), or a usable exploit, neither queued, under way, tried or
    waiting in ``failed`` for the next regrouping (mirrors ``Discovery._plan``)."""
    from simulator.attack.movement import APPLIANCES

    net = r.net
    if r.t_objective is None and r.obj_host in r.owned and r._focused():
        return set()
    waiting = {(task[0], task[1], task[2]) for _, task in r.failed if task[0] in ("move_cred", "move_exploit")}
    day = r.env.now / 1440
    out = set()
    for t in sorted(r.known_targets):
        if (t in r.owned and not r._shell_less(t)) or t in r.belief.contained_hosts or r._down(t):
            continue
        routes = r.routes.get(t)
        if not routes:
            continue
        host = net.hosts[t]
        admin_only = t in r.owned and host.os in APPLIANCES
        # the services that give each kind of account something there (no user's winrm logon, a user's smb logon
        # only for a share read: ``Discovery._logon_ways``)
        services, user_services = r._logon_ways(t, routes, t in r.owned)
        for a in sorted(r.harvested & net.logon_accounts[t]):
            admin = net.accounts[a].kind == "admin"
            if (("c", t, a) in r.tried or ("move_cred", t, a) in waiting
                    or (admin_only and not admin) or (a, host.zone) in r.tier_refused):
                continue
            if any((a, s) not in r.mfa_refused and r._route(t, s) is not None
                   for s in (services if admin else user_services)):
                out.add(("c", t, a))
        for v in host.network_vulns:
            vi = net.vulns[v]
            if (vi.service in routes and r._usable_from(v) <= day and ("v", t, v) not in r.tried
                    and ("move_exploit", t, v) not in waiting and not (admin_only and vi.access != "admin")
                    and r._route(t, vi.service) is not None):
                out.add(("v", t, v))
    return out


def _path_watch(r: Run, found: list[tuple]):
    """Every 6 hours, while the attacker holds hosts out of work (nothing queued, no line of work busy, not lying
    low): the moves open to it that nobody planned. One left so for longer than a regrouping's wait and a day was
    never going to be made."""
    env = r.env
    since: dict[tuple, float] = {}
    while True:
        yield env.timeout(360)
        idle = r.owned and not r._tasks and not r._active and r._quiet_until <= env.now and not r.stop.triggered
        ways = _open_ways(r) if idle else set()
        since = {k: since.get(k, env.now) for k in ways}
        late = sorted(k for k, t in since.items() if env.now - t > r._retry_wait() + 1440)
        if late:
            found.append((since[late[0]], r.net.hosts[late[0][1]].id))
            return


@pytest.mark.parametrize("name", [*bundled_names(), "tests/data/tiny.yaml", *REVIEWED])
def test_an_attacker_holding_hosts_makes_the_moves_open_to_it(name):
    """Issue 13 (an attacker that stops for bookkeeping reasons), the case the stall watch above misses: out of work,
    holding hosts, with a move open that nothing would plan. Three ways it happened before the fix: a host back in
    service after cleanup was never planned again (espionage-tech, ai-orchestrated vs baseline, replicate 31: 32
    hosts held from day 13 to the horizon, the campaign rescanning the perimeter daily, the objective's host one ssh
    logon away with an admin password in hand); the moves dropped while the attacker focused on its objective were
    not planned again once it was met; and the campaign back at the perimeter with no failed task to retry never
    regrouped, so it never looked inside again (retail, autonomous vs baseline, replicate 7: 52 hosts held at the
    perimeter, six workstations restored on day 15.3 one logon away for two days)."""
    from simulator.sweep import apply_cell

    loaded = load(name)
    left = []
    for level, posture in (("autonomous", "baseline"), ("ai-orchestrated", "baseline"), ("ai-orchestrated", "hardened"),
                           ("manual", "baseline"), ("manual", "hardened")):
        c = apply_cell(loaded, (("automation", level), ("posture", posture)))
        for s in range(8):
            r = Run(c, 0, s)
            found: list[tuple] = []
            r.env.process(_path_watch(r, found))
            r.execute()
            if found:
                left.append((level, posture, s, round(found[0][0] / 1440, 2), found[0][1]))
    assert not left, left


def _run_for_redump() -> Run:
    """espionage-tech, ai-orchestrated vs weak, begun, with its lines of work running (they start at initial
    access otherwise)."""
    c = compiled(load("espionage-tech"), "ai-orchestrated", "weak")
    r = Run(c, 0)
    r.begin()
    for _ in range(c.attacker.concurrency):
        r.env.process(r.worker())
    return r


def _reset_held(r: Run, acct: int, hosts: list[int]) -> None:
    """The attacker holds ``hosts`` with admin rights; ``acct`` is reset now and a logon with it was refused: the
    re-dump waits for the user's next logon (as ``Acting.act`` starts it)."""
    for h in hosts:
        r.owned[h] = "admin"
        r.owned_by_zone.setdefault(r.net.hosts[h].zone, []).append(h)
    r.belief.reset_credentials.add(acct)
    r.belief.reset_at[acct] = r.env.now
    r._reset_by[acct] = 1
    r._busy += 1
    r.env.process(r._dump_again(acct, r.env.now + RELOGON_MINUTES))


def test_a_reset_password_is_dumped_again_from_one_host():
    """After a refused logon the attacker dumps one held host caching the account for its new password, and the
    next only if that one did not yield it; before, it dumped every held host caching it at once (on the regional
    hospital, where an account is cached on 57 hosts on average, most of the AI's dumps, each one noise)."""
    r = _run_for_redump()
    net = r.net
    acct = next(a for a, x in enumerate(net.accounts) if x.kind == "user"
                and sum(a in h.credentials for h in net.hosts) >= 3)
    hosts = [i for i, h in enumerate(net.hosts) if acct in h.credentials][:3]
    hosts.sort(key=lambda h: not all(y(h, acct) for y in r._harvest_yield))  # one whose dump yields it first
    assert all(y(hosts[0], acct) for y in r._harvest_yield)
    r.found_on[acct] = [hosts[0]]
    _reset_held(r, acct, hosts)
    r.env.run(until=r.env.now + RELOGON_MINUTES + 600)
    dumps = [e for e in r.timeline if e.technique in ("T1003", "T1552") and e.host in {net.hosts[h].id for h in hosts}]
    assert acct in r.fresh_credentials and acct in r.harvested
    assert [e.host for e in dumps] == [net.hosts[hosts[0]].id]


def test_a_second_reset_during_the_re_dump_waits_for_the_user_s_next_logon():
    """A practitioner reviewer's find: reset again while the crew works through the hosts caching the account (a
    response round resets every account cached on the hosts it isolates), no host has the new password before the
    user's next logon, and the one-host-at-a-time walk dumped every host for nothing and gave up for good. Now the
    walk stops, waits for that logon and starts over: a few dumps, and the password back in hand."""
    r = _run_for_redump()
    net = r.net
    acct = max((a for a, x in enumerate(net.accounts) if x.kind == "user"),
               key=lambda a: sum(a in h.credentials for h in net.hosts))
    hosts = [i for i, h in enumerate(net.hosts) if acct in h.credentials]
    assert len(hosts) >= 4
    _reset_held(r, acct, hosts)
    r.env.run(until=r.env.now + RELOGON_MINUTES + 0.5)  # the walk has begun: its first dump is under way
    r.belief.reset_at[acct] = r.env.now  # reset again before the user's next logon
    r.env.run(until=r.env.now + 3 * 60)
    ids = {net.hosts[h].id for h in hosts}
    early = [e for e in r.timeline if e.technique in ("T1003", "T1552") and e.host in ids]
    assert len(early) < len(hosts) // 2  # it did not dump every host caching the account for nothing
    r.env.run(until=r.env.now + RELOGON_MINUTES + 600)
    assert acct in r.harvested and acct in r.fresh_credentials


class _Ctx:
    """Just enough of the engine's context for monitoring's rate rule."""

    def __init__(self, rates: dict, aggregate: float) -> None:
        import random

        import simpy

        self.env = simpy.Environment()
        self.rng = random.Random(0)
        self.belief = Belief()
        self.alerts: list = []
        self._rates = rates
        self.request_rate = aggregate
        self.trail_logons: dict = {}
        self.trail_links: dict = {}

        class _Net:
            hosts = [type("H", (), {"zone": "corp", "edr": True, "domain": True})() for _ in range(10)]
            zones = ("corp",)

        self.net = _Net()

    def source_rate(self, src, infrastructure=None):
        return self._rates.get(src, 0.0)

    def uniform(self, purpose, a, b=0):
        return 0.0

    def raise_alert(self, alert, action=None):
        self.alerts.append(alert)


def _action(src: int | None) -> Action:
    return Action(0.0, "discovery", "T1046", "ai", src if src is not None else 0, "corp", "corp", 1.0,
                  src_host=src, success=True)


def test_rate_rule_counts_per_source():
    """Ten hosts at 50 requests/minute each (500 in all) stay under a 180/minute rule; one host at 200 trips it."""
    cfg = MonitoringConfig(edr_coverage=1.0, default_detection=0.0, rate_threshold=180)
    spread = _Ctx({h: 50.0 for h in range(10)}, aggregate=500.0)
    m = Monitoring(cfg, spread)
    m.start()
    for h in range(10):
        m.observe(_action(h))
    assert not [a for a in spread.alerts if a.source == "rate"]

    loud = _Ctx({3: 200.0}, aggregate=200.0)
    m = Monitoring(cfg, loud)
    m.start()
    m.observe(_action(3))
    m.observe(_action(3))  # the same source within the cooldown: one alert
    rate = [a for a in loud.alerts if a.source == "rate"]
    assert len(rate) == 1 and rate[0].src_host == 3 and rate[0].evidence_hosts() == (3,)


def test_an_attack_cut_short_by_isolation_is_tried_again():
    """Named seed (espionage-tech, ai-orchestrated vs baseline, seed 1, the first found by search over seeds 0-399
    once a failed step could be reported done (overstated access); seed 3 once the response followed the
    attacker's trail and analysts isolated endpoints from the EDR console; seed 1
    once a reset password was dumped again from one host at a time and hosts back from cleanup were planned again;
    6 once escalations and credential dumps on one host were held back too and a step handed to the operators
    released its host, a logon MFA refused went on over another service; 1 once concurrent moves onto one host were
    held back, 18 before it, 10 before the fourth review of issue 13, 27 before the December 2026 review's changes, a
    reviewer's seed 23 before public exploits): isolating the source host cuts the exploit against git-01 short on
    day 18.3; the attacker tries it again from the hosts it still holds (an earlier engine left it on its 'already
    tried' list for good)."""
    r = run(compiled(load("espionage-tech"), "ai-orchestrated", "baseline"), 1)
    at_git = [e for e in r.timeline if e.host == "git-01" and e.phase == "lateral-movement"]
    cut = next(e for e in at_git if e.blocked == "contained")
    assert any(e.time > cut.time and e.blocked != "contained" for e in at_git)
    assert r.outcome == "objective_met"


def test_a_reset_credential_is_learned_by_trying_it(tiny):
    """A reset is not news to the attacker until a logon with the old password is refused (noise a sensor may see)."""
    r = Run(compiled(tiny, "ai-orchestrated", "baseline"), 0)
    r.begin()
    acct = 0
    r._harvest_account(acct)
    r.contain(set(), {acct})
    assert acct in r.harvested and acct in r.belief.reset_credentials
    results = [run(compiled(load("espionage-tech"), "ai-orchestrated", "baseline"), s) for s in range(12)]
    assert any(x.blocked_reset > 0 for x in results)


def _breakout_cell(name: str, level: str):
    from simulator.calibration import load_target, presets_only
    from simulator.sweep import apply_cell

    return apply_cell(presets_only(load_target(name)), (("automation", level), ("posture", "baseline")))


def test_breakout_counts_from_the_way_in_the_move_rests_on():
    """CrowdStrike's breakout runs from the compromise of the host the attacker moves on from. On regional-hospital
    the AI's first foothold (seed 0, replicate 5) is the patient portal on day 0.3, a dead end; it gets in again
    through the VPN on day 9.4, dumps a credential there and is out about an hour later: breakout is that hour, not
    the nine days since the portal."""
    r = run(_breakout_cell("regional-hospital", "ai-orchestrated"), 0, 5)
    t_break = next(e.time for e in r.log if e.kind == "breakout")
    assert t_break - r.time_to_initial_access > 3 * 1440  # days after the first foothold
    assert r.breakout_time is not None and r.breakout_time < 120  # hours, not days, after the way in it rests on
    entries = [e for e in r.timeline if e.phase == "initial-access" and e.success]
    assert len(entries) >= 2 and r.breakout_time == pytest.approx(t_break - entries[1].time, abs=1e-3)


@pytest.mark.parametrize("name", ["regional-hospital", "small-business"])
def test_breakout_never_exceeds_the_time_since_the_first_foothold(name):
    """Measured from a later way in or from the first, never from before the first: 0 <= breakout <= time since
    the first initial access, equal where there was only one way in."""
    c = _breakout_cell(name, "manual")
    for rep in range(12):
        r = run(c, 0, rep)
        if r.breakout_time is None:
            continue
        t_break = next(e.time for e in r.log if e.kind == "breakout")
        assert 0 <= r.breakout_time <= t_break - r.time_to_initial_access + 1e-3
        if sum(1 for e in r.timeline if e.phase == "initial-access" and e.success) == 1:
            assert r.breakout_time == pytest.approx(t_break - r.time_to_initial_access, abs=1e-3)


def test_a_network_isolation_released_without_cleaning_keeps_the_breakout_clock():
    """An AI SOC's soft isolation cuts a host off without cleaning it; when it is released the attacker's hold returns,
    and so does the time its way in began: a move from it then counts from the initial access, not the release."""
    c = compiled(load(str(Path(__file__).resolve().parent / "data" / "tiny.yaml")), "manual", "baseline")
    r = Run(c, 0, 0)  # driven by hand: no campaign
    env = r.env
    r._log = lambda *a, **k: None
    h = r.net.entry[0][0]
    seen = {}

    def script():
        yield env.timeout(100)
        r.t_initial_access = env.now
        r._gain(h, "user")
        yield env.timeout(60)
        r.contain({h}, set(), until=env.now + 24 * 60, eradicate=False)
        yield env.timeout(24 * 60 + 1)
        seen["held"] = r.owned.get(h)
        t = next(x for x in range(len(r.net.hosts)) if x != h)
        r._moved(t, "user", h, "logon")
        seen["breakout"] = env.now - r.t_breakout_entry

    env.process(script())
    env.run(until=5000)
    assert seen["held"] == "user" and seen["breakout"] == 60 + 24 * 60 + 1


def _isolate_the_first_foothold(level: str, seed: int):
    """Run espionage-tech against `weak` until the first foothold, isolate it (a team's decision), run to the end:
    (the isolation's time, the result, the start times of every attacker action)."""
    c = compiled(load("espionage-tech"), level, "weak")
    r = Run(c, seed)
    starts: list[float] = []
    r._observe.append(lambda a: starts.append(a.start))
    r.begin()
    while r.t_initial_access is None and not r.stop.triggered:
        r.env.step()
    if r.t_initial_access is None:
        return None, None, starts
    t0 = r.env.now
    r.decide("isolate_host", r.net.hosts[next(iter(r.owned))].id)
    r.env.run(until=r.stop)
    return t0, r.result(), starts


def _quiet_windows(result) -> list[tuple[float, float]]:
    """The quiet periods a run's log announces (each notice: 48 hours from then), merged."""
    out: list[list[float]] = []
    for e in result.log:
        if e.kind == "lying-low":
            if out and e.time <= out[-1][1]:
                out[-1][1] = e.time + 48 * 60
            else:
                out.append([e.time, e.time + 48 * 60])
    return [(a, b) for a, b in out]


def test_a_crew_that_notices_a_response_lies_low_and_an_unwatched_agent_does_not():
    """Levels differ in what they notice (``notices_response``): the manual crew sees its foothold cut off and goes
    quiet for ``lie_low_hours``: no action starts inside a quiet period, however often it is extended, and it is not
    back in before it ends; the autonomous agent, whose failures nobody reviews, carries on and is back in sooner in
    some runs."""
    quick_return = 0
    for seed in range(6):
        t0, manual, starts = _isolate_the_first_foothold("manual", seed)
        if manual is not None:
            windows = _quiet_windows(manual)
            assert windows and windows[0][0] == round(t0, 4)
            assert 0 < manual.quiet_hours <= sum(b - a for a, b in windows) / 60 + 1e-6
            assert all(e.time >= t0 + 48 * 60 for e in manual.log if e.kind == "re-entry")
            assert not [t for t in starts for a, b in windows if a + 1e-3 < t < b - 1e-3]
        t0, auto, _ = _isolate_the_first_foothold("autonomous", seed)
        if auto is not None:
            assert auto.quiet_hours == 0 and not any(e.kind == "lying-low" for e in auto.log)
            quick_return += any(t0 < e.time < t0 + 48 * 60 for e in auto.log if e.kind == "re-entry")
    assert quick_return >= 1


def test_operators_notice_about_half_the_responses():
    """ai-orchestrated's operators notice a response with 0.5 chance, drawn once per response (an isolation that
    drops several sessions at once is one response): the first foothold's isolation is noticed in some runs and not
    in others."""
    noticed = []
    for seed in range(12):
        t0, r, _ = _isolate_the_first_foothold("ai-orchestrated", seed)
        if r is not None:
            noticed.append(any(e.kind == "lying-low" and e.time == round(t0, 4) for e in r.log))
    assert 0 < sum(noticed) < len(noticed)


def test_no_action_starts_while_the_crew_lies_low():
    """A notice that comes while an action waits for an operator, the shift or new infrastructure holds that action
    too (a reviewer found ai-orchestrated's queued hands-on work starting inside the quiet period: espionage-tech
    against baseline, seeds 5 and 8)."""
    c = compiled(load("espionage-tech"), "ai-orchestrated", "baseline")
    quiet_runs = 0
    for seed in (5, 8, *range(12)):
        r = Run(c, seed)
        starts: list[float] = []
        r._observe.append(lambda a, starts=starts: starts.append(a.start))
        result = r.execute()
        windows = _quiet_windows(result)
        quiet_runs += bool(windows)
        assert not [t for t in starts for a, b in windows if a + 1e-3 < t < b - 1e-3], seed
    assert quiet_runs >= 3


def test_a_way_in_taken_from_inside_meanwhile_is_not_exploited_from_outside(monkeypatch):
    """regional-manufacturer, ai-orchestrated: the gateway's day-9 flaw is weaponised by hand, and a line of work
    inside may take the gateway with it while the perimeter campaign waits for that exploit; the campaign then has
    nothing to exploit there (it used to run the exploit again, from the internet, on a host it held)."""
    from simulator.attack.actions import Acting
    from simulator.sweep import apply_cell

    uses = {"inside": 0, "outside on a held host": 0}
    real = Acting._use_exploit

    def watched(self, vuln, phase, technique, **kw):
        if phase == "initial-access" and kw["host"] in self.owned:
            uses["outside on a held host"] += 1
        elif phase == "lateral-movement" and kw["host"] in {h for h, _ in self.net.entry}:
            uses["inside"] += 1
        return (yield from real(self, vuln, phase, technique, **kw))

    monkeypatch.setattr(Acting, "_use_exploit", watched)
    c = apply_cell(load("regional-manufacturer"), (("automation", "ai-orchestrated"), ("posture", "baseline")))
    for i in range(40):
        Run(c, 0, i).execute()
    assert uses["inside"] > 0  # the situation arises: entry points exploited from inside
    assert uses["outside on a held host"] == 0


def _idle_watch(r: Run, found: list[tuple[float, float]], days: float):
    """Every 6 hours: has an attacker holding hosts before its objective done nothing (no action finished, none under
    way) for ``days`` beyond any lying low? Planned moves it cannot make (routes through a zone it no longer holds)
    are not work: it should be back at the perimeter instead."""
    env = r.env
    while not r.stop.triggered:
        yield env.timeout(360)
        last = r.timeline[-1].time if r.timeline else 0.0
        quiet = max(0.0, min(r._quiet_until, env.now) - last)
        if (r.owned and r.t_objective is None and not r.in_action and not r._perimeter_done
                and env.now - last - quiet > days * 1440):
            found.append((round(last / 1440, 2), round(env.now / 1440, 2)))
            return


@pytest.mark.parametrize("name", ["espionage-tech", "regional-hospital", "examples/scenarios/water-utility.yaml"])
def test_an_ai_run_crew_holding_hosts_is_never_idle_for_days(name):
    """The water utility a reviewer wrote (autonomous against hardened, replicate 26): holding about 34 hosts, the
    crew did nothing from day 1 to day 8: every daily regrouping planned moves over routes through zones it had
    lost, which were then dropped, so it never went back to the perimeter (5 of 200 ai-orchestrated and 17 of 200
    autonomous runs there idle for over three days)."""
    from simulator.sweep import apply_cell

    loaded = load(name)
    idle = []
    for level in ("ai-orchestrated", "autonomous"):
        c = apply_cell(loaded, (("automation", level), ("posture", "hardened")))
        for s in range(30 if name.endswith("water-utility.yaml") else 8):
            r = Run(c, 0, s)
            found: list[tuple[float, float]] = []
            r.env.process(_idle_watch(r, found, 3.0))
            r.execute()
            if found:
                idle.append((level, s, found[0]))
    assert not idle, idle


def test_a_reset_lasts_only_until_the_attacker_dumps_the_new_password():
    """DESIGN 5.3 (the attacker re-harvests credentials): a reset stops a stolen password, but where the attacker
    still holds a host the user logs on to, the user's next logon puts the new one there (half a day after the reset,
    ``RELOGON_MINUTES``), and a dump after that takes it: the logons work again. Incident response resets the account
    again once an alert shows it used after its last reset."""

    c = compiled(load("espionage-tech"), "ai-orchestrated", "baseline")
    ids = {a.id: i for i, a in enumerate(c.net.accounts)}
    again = twice = 0
    for s in range(20):
        r = Run(c, 0, s)
        res = r.execute()
        resets = [e.time for e in res.log if e.kind == "containment" and "reset" in e.detail]
        for e in (x for x in res.log if x.kind == "re-harvest"):
            again += 1
            acct = ids[e.detail.split("'s new password", 1)[0]]
            assert acct in r.belief.reset_credentials
            assert any(t + RELOGON_MINUTES <= e.time + 1e-6 for t in resets), (s, e)
        assert r.fresh_credentials <= r.belief.reset_credentials
        twice += res.credentials_reset > len(r.belief.reset_credentials)
    assert again and twice


def test_a_run_does_not_end_while_a_dump_waits_for_the_user_s_next_logon():
    """A refused logon tells the crew a password was reset; it dumps the account again where the user logs on next
    (half a day after the reset). That wait was not counted as work under way, so a run with nothing else to do could
    end in the meantime (a helper's cloud company, ai-orchestrated vs baseline, replicate 52: ended at day 20.04 of 21
    holding 7 hosts; with a longer horizon the new password was dumped at 20.04 and used on day 20.97). The same run
    with the horizon 20 days later must do nothing before the first one's horizon that the first did not."""
    import re

    from simulator.loader import load_document, parse_yaml

    text = Path("examples/scenarios/cloud-sso.yaml").read_text(encoding="utf-8")
    horizon = float(re.search(r"^horizon_days: *([0-9.]+)", text, re.M).group(1))
    longer = re.sub(r"^horizon_days: *[0-9.]+", f"horizon_days: {horizon + 20:g}", text, flags=re.M)
    short_c = compiled(load_document(parse_yaml(text, "cloud-sso.yaml")), "ai-orchestrated", "baseline")
    long_c = compiled(load_document(parse_yaml(longer, "cloud-sso-long.yaml")), "ai-orchestrated", "baseline")
    a = Run(short_c, 0, 52).execute()
    b = Run(long_c, 0, 52).execute()
    cut = horizon * 1440
    assert [(e.time, e.technique, e.host) for e in b.timeline if e.time < cut] == [
        (e.time, e.technique, e.host) for e in a.timeline]
