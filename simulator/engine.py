"""The engine: one seeded run of a compiled scenario, as simpy processes.

The attacker's workflow is a few generator processes named by verb: ``campaign`` (plan, scan, get in) and ``worker``
(one per concurrent line of work, taking tasks: discover, harvest, escalate, move, collect, exfiltrate). Automation
levels change parameters of these processes, never their control flow. Defender controls plug in through the protocol
in ``defenses.base``; this module names none of them.

The run owns its simpy Environment and its random streams; it never changes the compiled scenario.
"""

from __future__ import annotations

import heapq
import random

import simpy

from defenses.base import U_STUFFED, Action, Alert, Belief
from simulator.build import Compiled
from simulator.result import LogEvent, RunResult, TimelineEvent
from simulator.seeds import keyed_uniform, run_key, stream_seed, substream
from simulator.stats import BLOCKS

# Task priorities: lower runs first. Take out what was found, learn what a foothold gives (credentials, reach), prefer
# logging on with credentials (fast, quiet) to exploiting, and targets holding data to the rest.
P_EXFIL, P_COLLECT, P_HARVEST, P_DISCOVER, P_CRED, P_ESCALATE, P_EXPLOIT = 0, 1, 2, 3, 4, 7, 8
"""A move's priority is P_CRED or P_EXPLOIT plus 0 (the objective's host), 1 (a host with data) or 2 (any other)."""

EXFIL_CHUNK_MINUTES = 15.0
"""Exfiltration moves data in transfers of at most this many minutes (each one action the sensors and DLP see, with
the footprint of that share of an hour), so a transfer can be caught, and blocked, while it runs."""

S_DEFENDER = 1
S_ATTACKER = 2

MAX_EVENTS = 2_000_000
"""Most simulation events one run may process (the largest bundled and generated scenarios need under 50,000)."""
MAX_STILL_EVENTS = 200_000
"""Most events in a row at one simulated minute: more is a loop that takes no time."""

_DRIVERS = {
    "campaign": "attacker.retry_days, attacker.rotation_hours (the campaign's waits)",
    "_regroup": "attacker.retry_days",
    "worker": "attacker.concurrency, attacker.quick_retries, attacker.pace_minutes (the workers' actions)",
    "_restore": "posture.incident_response.cleanup_hours",
    "_lift_egress_block": "posture.incident_response.egress_block_hours",
    "_respond": "posture.incident_response.contain_hours",
    "_block_infrastructure": "posture.incident_response.block_infra_minutes",
    "_false_isolations": "posture.soc.automation (false isolations)",
    "_auto_isolate": "posture.soc.auto_isolate_minutes, posture.soc.auto_isolate_hours",
}
"""Process -> the parameters whose values set how often it acts, for the event-budget error."""


class EventBudgetError(RuntimeError):
    """A run that would not end within MAX_EVENTS events (or spins at one minute): the message names the parameters
    that drive the busiest process."""


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


class Run:
    """One run. Implements ``defenses.base.Context`` for the controls."""

    def __init__(self, compiled: Compiled, seed: int, replicate: int = 0) -> None:
        self.compiled = compiled
        self.net = compiled.net
        self.p = compiled.attacker
        self.shifts = compiled.attacker.calendar.schedule
        """The operators' work windows (attacker profile's calendar)."""
        self.seed = seed
        self.replicate = replicate
        self.key = run_key(seed, replicate)
        self.env = simpy.Environment()
        self.rng = substream(self.key, S_DEFENDER)
        self.arng = substream(self.key, S_ATTACKER)
        self.belief = Belief()
        self.owned: dict[int, str] = {}
        self.harvested: set[int] = set()
        self.compromised: set[int] = set()
        self.ever_harvested: set[int] = set()
        self.timeline: list[TimelineEvent] = []
        self.log: list[LogEvent] = []
        self.stop = self.env.event()
        # attacker bookkeeping
        self._tasks: list[tuple[int, int, tuple]] = []
        self._seq = 0
        self._idle: list[simpy.Event] = []
        self._active = 0
        self._campaign_running = True
        self._regrouping = False
        self.failed: set[tuple[int, tuple]] = set()
        """(priority, task) of attempts that failed by chance, to retry when regrouping."""
        self._busy = 0
        self.routes: dict[int, dict[str, list[str]]] = {}
        """target -> service -> zones from which the attacker learned it reaches the target on that service. Reach
        is a property of zones (flows), so any host the attacker holds in such a zone is a route."""
        self.owned_by_zone: dict[str, list[int]] = {}
        """The truth, by zone, in the order the hosts were gained."""
        self.rate_by_src: dict[int, float] = {}
        """Requests per minute in flight per source (keys from ``_src_key``)."""
        self.infra = 0
        """Generation of the attacker's outside infrastructure (addresses); it rotates once the defender blocks it."""
        self._burned = False
        """The attacker has seen its outside infrastructure blocked and will rotate before its next outside action."""
        self.dead: set[tuple] = set()
        """Ways in that are closed for good: (entry host, vuln) found patched, (entry host, service) with no account
        left to try."""
        self._lost: simpy.Event | None = None
        """Fires when the attacker loses its last foothold (the campaign then tries to get back in)."""
        self._stuck: simpy.Event | None = None
        """Fires when its footholds lead nowhere (the campaign then looks for another way in)."""
        self._perimeter_done = False
        """No other way in is left: the attacker carries on with what it holds."""
        self._evicted_since_entry = False
        self._quick: dict[tuple[int, tuple], int] = {}
        """Quick retries used per failed task."""
        self._no_path = False
        self._quiet_until = 0.0
        self.known_targets: set[int] = set()
        self.discovered_zones: set[str] = set()
        self.tried: set[tuple] = set()
        self.gates_passed: set[tuple[str, str]] = set()
        self._gate_events: dict[tuple[str, str], simpy.Event] = {}
        self.in_action: dict[simpy.Process, tuple[int | None, int | None]] = {}
        self.operators = simpy.Resource(self.env, capacity=self.p.operators) if self.p.executor == "ai" else None
        self.mfa_refused: set[tuple[int, str]] = set()
        """(account, service) pairs where a logon met a second factor: the attacker does not try them again."""
        self.weaponised: set[int] = set()
        """Exploits whose weaponising is done: later uses are quick reuses."""
        self._weaponising: dict[int, simpy.Event] = {}
        """Exploits being weaponised right now -> the event that fires when that work ends (other lines wait)."""
        self.rate = 0.0
        self.peak = 0.0
        # figures
        self.t_initial_access: float | None = None
        self.t_breakout: float | None = None
        self.t_objective: float | None = None
        self.t_detection: float | None = None
        """First recognised alert about the intrusion (evidence of the attacker on an own host): dwell ends here."""
        self.first_source: str | None = None
        self.t_warning: float | None = None
        """First recognised alert of any kind (outside scans and failed attempts included)."""
        self.t_containment: float | None = None
        self.evictions = 0
        self.reentries = 0
        # response costs
        self.isolations = 0
        self.clean_isolations = 0
        self.isolated_minutes = 0.0
        self.clean_isolated_minutes = 0.0
        self.egress_minutes = 0.0
        self.credentials_reset = 0
        self.infra_blocks = 0
        self.exfiltrated = 0
        self.wasted = 0
        self.actions = {"human": 0, "ai": 0}
        self.decision_points = 0
        self.false_acted = 0
        self.false_caught = 0
        self.alerts_true = 0
        self.operator_minutes = 0.0
        controls = [c for cfg in compiled.posture.controls() if (c := cfg.behaviour(self)) is not None]
        self.controls = controls

        def hooks(name: str) -> list:
            return [getattr(c, name) for c in controls if name in type(c).overridden()]

        self._check = hooks("check")
        self._observe = hooks("observe")
        self._on_alert = hooks("on_alert")
        self._on_escalation = hooks("on_escalation")
        self._limit = hooks("limit_exfil_rate")
        self._harvest_yield = hooks("harvest_yield")
        self._metrics = hooks("metrics")
        self._start = hooks("start")
        self._catch_up = hooks("catch_up")

    # ---- Context for the controls ------------------------------------------------------------------------------

    def uniform(self, purpose: int, a: int, b: int = 0) -> float:
        return keyed_uniform(self.key, purpose, a, b)

    def substream(self, purpose: int) -> random.Random:
        return substream(self.key, purpose)

    def stream_seed(self, purpose: int) -> int:
        return stream_seed(self.key, purpose)

    @property
    def request_rate(self) -> float:
        return self.rate

    def source_rate(self, src_host: int | None, infrastructure: int | None = None) -> float:
        return self.rate_by_src.get(self._src_key(src_host, infrastructure), 0.0)

    @staticmethod
    def _src_key(src_host: int | None, infrastructure: int | None) -> int:
        """A rate source: an internal host (its index), one generation of outside addresses (-2, -3, ...), or -1
        for actions from neither (planning)."""
        if src_host is not None:
            return src_host
        return -1 if infrastructure is None else -2 - infrastructure

    def block_infrastructure(self, generation: int) -> None:
        b = self.belief
        if generation in b.blocked_infrastructure:
            return
        b.blocked_infrastructure.add(generation)
        self.infra_blocks += 1
        self._log("containment", "blocked the attacker's outside infrastructure at the perimeter")

    def raise_alert(self, alert: Alert, action: Action | None = None) -> None:
        if alert.true_positive:
            self.alerts_true += 1
        if action is not None:
            action.detected = True
        for hook in self._on_alert:
            hook(alert)

    def escalate(self, alert: Alert) -> None:
        now = self.env.now
        if self.t_warning is None:
            self.t_warning = now
        evidence = alert.evidence_hosts()
        if self.t_detection is None and evidence and self.t_initial_access is not None:
            self.t_detection = now
            self.first_source = alert.source
        where = "from outside" if alert.outside else ""
        self._log("escalation", f"{alert.source} alert on {alert.technique or '-'} {where}".rstrip() + " escalated",
                  alert.host)
        for hook in self._on_escalation:
            hook(alert)

    def contain(self, hosts: set[int], credentials: set[int], block_egress: bool = False,
                until: float | None = None, egress_until: float | None = None, false_alarm: bool = False) -> None:
        now = self.env.now
        b = self.belief
        horizon = self.net.horizon
        hosts = hosts - b.contained_hosts
        if (hosts or credentials) and self.t_containment is None and not false_alarm:
            self.t_containment = now
        held_before = bool(self.owned)
        noticed = False  # a reset credential is noticed when the attacker next uses it (a refused logon)
        minutes = max(0.0, min(horizon if until is None else until, horizon) - now)
        for h in sorted(hosts):
            b.contained_hosts.add(h)
            self.isolations += 1
            self.isolated_minutes += minutes
            if h in self.owned:
                noticed = True
                self._lose(h)
            else:
                self.clean_isolations += 1
                self.clean_isolated_minutes += minutes
        if hosts and until is not None:
            self.env.process(self._restore(sorted(hosts), until))
        b.reset_credentials |= credentials
        self.credentials_reset += len(credentials)
        blocked = block_egress and not b.egress_blocked
        if blocked:
            b.egress_blocked = True
            self.egress_minutes += max(0.0, min(horizon if egress_until is None else egress_until, horizon) - now)
            if egress_until is not None:
                self.env.process(self._lift_egress_block(egress_until))
        done = [f"isolated {_count(len(hosts), 'host')}" if hosts else "",
                f"reset {_count(len(credentials), 'credential')}" if credentials else "",
                "blocked egress" if blocked else ""]
        self._log("containment", ", ".join(d for d in done if d) or "nothing new to contain")
        for proc, (host, src) in list(self.in_action.items()):
            if (host in hosts or src in hosts) and proc.is_alive:
                proc.interrupt("contained")
        if noticed:
            self._noticed()
        if held_before and self.t_initial_access is not None and not self.owned:
            self.evictions += 1
            self._log("evicted", "the attacker holds no host any more")
            self._evicted_since_entry = True
            if self._lost is not None and not self._lost.triggered:
                self._lost.succeed()

    def _restore(self, hosts: list[int], until: float):
        """Isolated hosts come back after cleanup, rebuilt (the exploited hole the evidence showed is closed)."""
        yield self.env.timeout(max(0.0, until - self.env.now))
        b = self.belief
        back = [h for h in hosts if h in b.contained_hosts]
        for h in back:
            b.contained_hosts.discard(h)
            b.rebuilt[h] = self.env.now
        if back:
            self._log("restored", f"{_count(len(back), 'host')} cleaned and back in service")

    def _lift_egress_block(self, until: float):
        yield self.env.timeout(max(0.0, until - self.env.now))
        self.belief.egress_blocked = False
        self._log("restored", "egress block lifted")

    def _noticed(self) -> None:
        """The attacker notices a response (a foothold cut off, a credential refused): it may lie low."""
        if self.p.lie_low_hours > 0:
            self._quiet_until = max(self._quiet_until, self.env.now + self.p.lie_low_hours * 60)

    def record(self, kind: str, detail: str, host: int | None = None, at: float | None = None) -> None:
        self._log(kind, detail, host, at)

    def busy(self, delta: int) -> None:
        self._busy += delta
        self._maybe_finish()

    # ---- bookkeeping -------------------------------------------------------------------------------------------

    def _log(self, kind: str, detail: str, host: int | None = None, at: float | None = None) -> None:
        for catch_up in self._catch_up:  # what controls keep themselves and happened before this goes first
            catch_up(self.env.now)
        name = None if host is None else self.net.hosts[host].id
        self.log.append(LogEvent(round(self.env.now if at is None else at, 4), kind, detail, name))

    def _finish(self) -> None:
        if not self.stop.triggered:
            self.stop.succeed()

    def _maybe_finish(self) -> None:
        """End early once nothing can change any more. An attacker holding hosts never gives up before the horizon:
        out of work, it regroups (waits, then retries what failed and uses what has been disclosed since). One
        holding nothing is the campaign's: it tries to get back in, and ends the run only when no way in is left."""
        if self._campaign_running or self._regrouping or self._active or self._tasks:
            return
        if self.owned:
            if self.env.now + self._retry_wait() < self.net.horizon:
                self._regrouping = True
                self.env.process(self._regroup())
                return
        elif self._lost is not None:
            return  # the campaign is about to try to get back in
        if self._busy == 0 and (self.owned or self._no_path or self._lost is None):
            self._finish()

    def _retry_wait(self) -> float:
        return max(self.p.retry_days * 1440, 60.0)

    def _regroup(self):
        """Out of work but holding footholds: wait, then retry what failed and what has been disclosed since."""
        yield self.env.timeout(self._retry_wait())
        self._regrouping = False
        retry = sorted(self.failed)
        self.failed.clear()
        contained = self.belief.contained_hosts
        for prio, task in retry:
            h = task[1]
            if task[0] in ("move_cred", "move_exploit"):
                if h in contained:
                    self.failed.add((prio, task))  # the target is isolated now: try again once it is back
                elif h not in self.owned:
                    self._push(prio, task)
            elif h in self.owned:
                self._push(prio, task)
        for t in sorted(self.known_targets):
            self._plan(t, None)
        if not self._tasks and self._stuck is not None and not self._stuck.triggered and self.t_objective is None:
            self._campaign_running = True  # nothing to do from what it holds: back to the perimeter
            self._stuck.succeed()
            return
        self._maybe_finish()

    def _horizon(self):
        yield self.env.timeout(self.net.horizon)
        self._finish()

    # ---- actions -------------------------------------------------------------------------------------------------

    def _exploit(self, vuln: int) -> tuple[str, float]:
        """Who uses exploit ``vuln`` and with what effort: the first use weaponises it (the vulnerability's effort,
        by a human where it is beyond the AI); later uses reuse the weaponised exploit."""
        if vuln in self.weaponised:
            return self.p.executor, self.p.efforts.exploit_reuse
        hours = self.net.vulns[vuln].effort_hours
        limit = self.p.max_ai_effort_hours
        actor = "human" if self.p.executor == "ai" and limit is not None and hours > limit else self.p.executor
        return actor, hours * 60

    def _await_weapon(self, vuln: int):
        """Wait while another line of work is still weaponising exploit ``vuln`` (it cannot be reused before)."""
        while vuln in self._weaponising:
            yield self._weaponising[vuln]

    def _use_exploit(self, vuln: int, phase: str, technique: str, **kw):
        """Use exploit ``vuln`` (call right after ``_await_weapon``): the first use weaponises it, and it counts as
        weaponised once that work is done, not when it starts (and not if containment cut it short)."""
        first = vuln not in self.weaponised
        actor, effort = self._exploit(vuln)
        if first:
            done = self._weaponising[vuln] = self.env.event()
        a = yield from self.act(phase, technique, effort, actor=actor, vuln=vuln, **kw)
        if first:
            del self._weaponising[vuln]
            if a.blocked != "contained":
                self.weaponised.add(vuln)
            done.succeed()
        return a

    def act(self, phase: str, technique: str, effort: float, *, actor: str | None = None, host: int | None = None,
            src_host: int | None = None, src_zone: str | None = None, dst_zone: str | None = None,
            factor: float = 1.0, account: int | None = None, vuln: int | None = None, service: str | None = None,
            success: float = 1.0, fake: bool = False, false_finding: bool = False, honeytoken: bool = False,
            records: int = 0, duration: float | None = None, takeover: bool = False):
        """Perform one action: wait for a shift if a human must do it, take time, resolve, be seen (or not).
        ``actor`` defaults to the profile's executor. With ``takeover``, a failed AI action may be redone by hand
        (the profile's ``takeover`` chance)."""
        env = self.env
        p = self.p
        if actor is None:
            actor = p.executor
        given_duration = duration  # a takeover by hand times itself unless the caller fixed the duration
        jitter = self.arng.lognormvariate(0.0, p.duration_spread)
        roll = self.arng.random()  # drawn whatever happens, so blocked actions do not shift later draws
        if duration is None:
            speed = p.speed if (actor == "ai" or p.executor == "human") else p.human_speed
            duration = effort / speed * jitter
        outside = src_host is None and src_zone == "internet"
        if outside and self._burned:  # its addresses were blocked: stand up new infrastructure first
            self._burned = False
            if p.rotation_hours > 0:
                yield env.timeout(p.rotation_hours * 60)
            self.infra += 1
        operator = None
        if actor == "human" and self.operators is not None:
            operator = self.operators.request()  # AI-executed campaign: hands-on work queues for an operator
            yield operator
        start = env.now
        if actor == "human" or not p.works_off_shift:
            # people (and agents kept to their operators' hours) work only on shift: the action pauses overnight
            start = self.shifts.next_on_shift(start)
            end = self.shifts.add_work(start, duration)
        else:
            end = start + duration
        if start > env.now:
            yield env.timeout(start - env.now)
        footprint = p.footprint * factor
        rate = footprint / max(end - start, 1.0)  # requests per minute, spread over the action
        self.rate += rate
        if self.rate > self.peak:
            self.peak = self.rate
        by_src = self.rate_by_src
        src_key = self._src_key(src_host, self.infra if outside else None)
        by_src[src_key] = by_src.get(src_key, 0.0) + rate
        proc = env.active_process
        self.in_action[proc] = (host, src_host)
        aborted = False
        try:
            yield env.timeout(end - start)
        except simpy.Interrupt:
            aborted = True
        del self.in_action[proc]
        if operator is not None:
            self.operators.release(operator)
        a = Action(start, phase, technique, actor, host, src_zone, dst_zone, footprint, env.now - start, src_host,
                   account, vuln, service, records, honeytoken, false_finding or fake,
                   infrastructure=self.infra if outside else None)
        if aborted:
            a.blocked = "contained"
        else:
            for check in self._check:
                reason = check(a)
                if reason is not None:
                    a.blocked = reason
                    break
            a.success = a.blocked is None and not fake and (success >= 1.0 or roll < success)
            for observe in self._observe:
                observe(a)
        self.rate -= rate
        if self.rate < 1e-9:
            self.rate = 0.0
        left = by_src[src_key] - rate
        by_src[src_key] = left if left > 1e-9 else 0.0
        blocked = a.blocked
        if blocked is not None:
            if blocked == "infrastructure":
                self._burned = True
            elif blocked == "reset":
                self.harvested.discard(account)  # the logon was refused: the attacker learns the password changed
                self._noticed()
            elif blocked == "contained":
                self._noticed()
        if phase != "planning":
            self.actions[actor] += 1
        if actor == "human":
            self.operator_minutes += duration if not aborted else a.duration
        for catch_up in self._catch_up:
            catch_up(env.now)
        self.timeline.append(TimelineEvent(
            round(env.now, 4), phase, technique, None if host is None else self.net.hosts[host].id, actor,
            a.success, a.detected, a.blocked, a.false_finding,
        ))
        if (takeover and actor == "ai" and not a.success and a.blocked is None and not fake and p.takeover > 0
                and self.arng.random() < p.takeover):
            a = yield from self.act(phase, technique, effort, actor="human", host=host, src_host=src_host,
                                    src_zone=src_zone, dst_zone=dst_zone, factor=factor, account=account, vuln=vuln,
                                    service=service, success=success, fake=fake, false_finding=false_finding,
                                    honeytoken=honeytoken, records=records, duration=given_duration)
        return a

    def gate(self, name: str, scope: str):
        """Wait for an operator's approval. Returns True if this call waited for the decision (so what it brings
        is reviewed), False if the gate was already passed or the profile has no such gate."""
        if name not in self.p.gates:
            return False
        key = (name, scope)
        if key in self.gates_passed:
            return False
        ev = self._gate_events.get(key)
        if ev is not None:
            yield ev
            return True
        ev = self._gate_events[key] = self.env.event()
        env = self.env
        minutes = self.p.gate_minutes * self.arng.lognormvariate(0.0, 0.5)
        cal = self.shifts
        # a decision does not queue behind an operator's hands-on work: approving is a short break from it
        yield env.timeout(cal.add_work(cal.next_on_shift(env.now), minutes) - env.now)
        self.operator_minutes += minutes
        self.decision_points += 1
        self.gates_passed.add(key)
        self._log("gate", f"operator approved {name} ({scope})")
        ev.succeed()
        return True

    def verified_out(self, h: int, phase: str, technique: str, false: bool):
        """An operator may check an AI finding on host ``h`` by hand. Returns True if a false finding was caught."""
        p = self.p
        if p.executor != "ai" or p.verification <= 0 or self.arng.random() >= p.verification:
            return False
        zone = self._zone(h)
        yield from self.act(phase, technique, p.efforts.verify, actor="human", host=h, src_host=h, src_zone=zone,
                            dst_zone=zone)
        return self.reviewed_out(false)

    def reviewed_out(self, reviewed: bool) -> bool:
        """A false finding meets a human review at a gate: True if the operator catches it."""
        if reviewed and self.arng.random() < self.p.review_catch:
            self.false_caught += 1
            return True
        return False

    # ---- campaign: plan, scan, get in ------------------------------------------------------------------------

    def campaign(self):
        """Plan, then get in; after an eviction, get back in; with footholds that lead nowhere, look for another way
        in; until no way in is left or the horizon comes."""
        p, env = self.p, self.env
        yield from self.act("planning", "", p.efforts.planning, actor="human")
        while True:
            self._campaign_running = True
            holding = bool(self.owned)
            got = yield from self._get_in()
            self._campaign_running = False
            if got is None:  # no (other) way in before the horizon
                if not self.owned:
                    self._maybe_finish()
                    return
                self._perimeter_done = True  # it carries on with the footholds it has
                self._maybe_finish()
            else:
                if self.t_initial_access is None:
                    self.t_initial_access = env.now
                    self._log("initial-access", "foothold gained", got)
                    for _ in range(p.concurrency):
                        env.process(self.worker())
                else:
                    if self._evicted_since_entry:
                        self.reentries += 1
                        self._log("re-entry", "the attacker is back in", got)
                    elif holding:
                        self._log("initial-access", "another foothold gained (the first led nowhere)", got)
                    for t in sorted(self.known_targets):
                        self._plan(t, None)
                self._evicted_since_entry = False
            self._lost = env.event()
            self._stuck = None if self._perimeter_done else env.event()
            yield self._lost if self._stuck is None else self._lost | self._stuck
            self._campaign_running = True  # from here the campaign owns what happens next
            lost = self._lost.triggered
            self._lost = self._stuck = None
            wait = self._quiet_until - env.now
            if lost and wait > 0:
                yield env.timeout(wait)

    def _ways_in_left(self) -> bool:
        """Whether any way in is still open in the network: an entry service with a vulnerability not yet found
        patched (or disclosed before the horizon), a logon service with an account left to try."""
        net = self.net
        horizon_day = net.horizon / 1440
        for h, svcs in net.entry:
            for v in net.hosts[h].network_vulns:
                vi = net.vulns[v]
                if vi.service in svcs and (h, v) not in self.dead and vi.disclosed_day < horizon_day:
                    return True
            for svc in svcs:
                if svc in self.net.logon_services and (h, svc) not in self.dead:
                    return True
        return False

    def _get_in(self):
        """Scan, fingerprint and try every way in the attacker does not hold yet, best first; retry every
        ``retry_days``. Returns the host gained, or None when no way in is left or the next try would come after
        the horizon."""
        net, p, env = self.net, self.p, self.env
        dead = self.dead
        start = set(self.owned)
        while not (self.owned.keys() - start):
            if not self._ways_in_left():
                if not self.owned:
                    self._no_path = True
                return None
            first = net.hosts[net.entry[0][0]]
            yield from self.act("reconnaissance", "T1595", p.efforts.scan, src_zone="internet",
                                dst_zone=first.zone, factor=20, takeover=True)
            candidates: list[tuple[float, int, tuple]] = []
            for h, svcs in net.entry:
                if h in self.owned:
                    continue
                host = net.hosts[h]
                a = yield from self.act("reconnaissance", "T1592", p.efforts.fingerprint, host=h,
                                        src_zone="internet", dst_zone=host.zone, factor=5, takeover=True)
                if not a.success:
                    continue
                for v in host.network_vulns:
                    vi = net.vulns[v]
                    if vi.service in svcs and vi.disclosed_day * 1440 <= env.now and (h, v) not in dead:
                        candidates.append((-vi.success, len(candidates), ("exploit", h, v, vi.service)))
                for svc in svcs:
                    if svc in self.net.logon_services and (h, svc) not in dead:
                        candidates.append((-0.2, len(candidates), ("stuff", h, None, svc)))
            if self.arng.random() < p.false_finding_rate:
                h, svcs = net.entry[self.arng.randrange(len(net.entry))]
                candidates.append((-0.5, len(candidates), ("fake", h, None, svcs[0])))
            reviewed = yield from self.gate("exploitation", "perimeter")
            candidates.sort()
            for _, _, (kind, h, v, svc) in candidates:
                if kind == "fake":
                    if self.reviewed_out(reviewed):
                        continue
                    self.false_acted += 1
                    yield from self.act("initial-access", "T1190", p.efforts.fingerprint, host=h,
                                        src_zone="internet", dst_zone=net.hosts[h].zone, service=svc, fake=True,
                                        factor=3)
                elif kind == "exploit":
                    vi = net.vulns[v]
                    yield from self._await_weapon(v)
                    a = yield from self._use_exploit(v, "initial-access", vi.technique, host=h, src_zone="internet",
                                                     dst_zone=net.hosts[h].zone, service=svc, success=vi.success,
                                                     factor=3, honeytoken=net.hosts[h].honeytoken, takeover=True)
                    if a.blocked == "patched":
                        dead.add((h, v))
                    if a.success:
                        self._gain(h, vi.access)
                else:
                    yield from self._stuff(h, svc, dead)
                if self.owned.keys() - start:
                    break
            if not (self.owned.keys() - start):
                wait = self._retry_wait()
                if env.now + wait >= net.horizon:
                    return None  # the horizon comes first
                yield env.timeout(wait)
        return min(self.owned.keys() - start)

    def _stuff(self, h: int, svc: str, dead: set[tuple]):
        """Logons to a remote-access service from outside: valid accounts the attacker harvested on an earlier
        stay (T1078), then credential stuffing with its breach corpus (T1133)."""
        net, p = self.net, self.p
        host = net.hosts[h]
        reset = self.belief.reset_credentials
        refused = self.mfa_refused
        valid = [a for a in sorted(self.harvested & net.logon_accounts[h]) if (a, svc) not in refused]
        stuffed = [a for a, acct in enumerate(net.accounts)
                   if h in acct.logon and a not in reset and a not in valid and (a, svc) not in refused
                   and self.uniform(U_STUFFED, a) < p.stuffing_success]
        tries = [(a, "T1078", 1) for a in valid] + [(a, "T1133", 50) for a in stuffed[:3]]
        for acct, technique, factor in tries or [(None, "T1133", 50)]:
            effort = p.efforts.stuffing / (5 if technique == "T1078" else 1)  # a known-good logon is one try
            a = yield from self.act("initial-access", technique, effort, host=h, src_zone="internet",
                                    dst_zone=host.zone, account=acct, service=svc,
                                    success=0.0 if acct is None else 1.0, factor=factor,
                                    honeytoken=acct is not None and net.accounts[acct].honeytoken, takeover=True)
            if a.blocked == "infrastructure" or a.blocked == "contained":
                return  # not a verdict on the service: try again later
            if a.blocked == "mfa":
                refused.add((acct, svc))  # a second factor was asked for: this account is no use on this service
            if a.success:
                self._harvest_account(acct)
                self._gain(h, "admin" if net.accounts[acct].kind == "admin" else "user")
                return
        if not any((a, svc) not in refused for a in valid):
            dead.add((h, svc))  # no account left to try here

    # ---- the inside: tasks for the workers -------------------------------------------------------------------

    def _push(self, prio: int, task: tuple) -> None:
        self._seq += 1
        heapq.heappush(self._tasks, (prio, self._seq, task))
        if self._idle:
            self._idle.pop().succeed()

    def worker(self):
        env = self.env
        while True:
            while not self._tasks:
                ev = env.event()
                self._idle.append(ev)
                self._maybe_finish()
                yield ev
            _, _, task = heapq.heappop(self._tasks)
            self._active += 1
            yield from self._pause()
            yield from getattr(self, "_" + task[0])(*task[1:])
            self._active -= 1

    def _pause(self):
        """Low and slow: after breakout, a line of work waits a while (working time) before its next task; after
        it noticed a response, it lies low first (``lie_low_hours``)."""
        p = self.p
        if self._quiet_until > self.env.now:
            yield self.env.timeout(self._quiet_until - self.env.now)
        if p.pace_minutes <= 0 or self.t_breakout is None:
            return
        minutes = p.pace_minutes * self.arng.lognormvariate(0.0, p.duration_spread)
        cal = self.shifts
        end = cal.add_work(cal.next_on_shift(self.env.now), minutes) if not p.works_off_shift else \
            self.env.now + minutes
        yield self.env.timeout(end - self.env.now)

    def _failed(self, entry: tuple[int, tuple]) -> None:
        """A task failed by chance (no control blocked it): try it again at once, up to ``quick_retries`` times, as
        an operator tries a flaky exploit or logon again before moving on; after that, when regrouping."""
        n = self._quick.get(entry, 0)
        if n < self.p.quick_retries:
            self._quick[entry] = n + 1
            self._push(*entry)
        else:
            self.failed.add(entry)

    def _harvest_account(self, acct: int) -> None:
        self.harvested.add(acct)
        self.ever_harvested.add(acct)

    def _gain(self, h: int, access: str) -> None:
        prev = self.owned.get(h)
        if prev == "admin" or prev == access:
            return
        self.owned[h] = access
        host = self.net.hosts[h]
        if prev is None:
            self.compromised.add(h)
            self.owned_by_zone.setdefault(host.zone, []).append(h)
            if host.zone not in self.discovered_zones:  # reach is the same from every host of a zone
                self.discovered_zones.add(host.zone)
                self._push(P_DISCOVER, ("discover", h))
            for d in host.data:
                self._push(P_COLLECT, ("collect", h, d))
            if access == "user":
                for v in host.local_vulns:
                    self._push(P_ESCALATE, ("escalate", h, v))
        self._push(P_HARVEST, ("harvest", h))

    def _lose(self, h: int) -> None:
        """The attacker loses host ``h`` (isolated): once it is back in service, every way into it may be tried
        again."""
        del self.owned[h]
        self.owned_by_zone[self.net.hosts[h].zone].remove(h)
        self.tried = {k for k in self.tried if k[1] != h}

    def _zone(self, h: int) -> str:
        return self.net.hosts[h].zone

    def _discover(self, h: int):
        zone = self._zone(h)
        if h not in self.owned:
            self._rediscover(zone)
            return
        a = yield from self.act("discovery", "T1046", self.p.efforts.discovery, host=h, src_host=h,
                                src_zone=zone, dst_zone=zone, factor=10, takeover=True)
        if not a.success:
            if h in self.owned and a.blocked is None:
                self._failed((P_DISCOVER, ("discover", h)))
            else:
                self._rediscover(zone)
            return
        for t in self._reveal(zone, h):
            if self._learn(t, h):
                self._plan(t, None)

    def _rediscover(self, zone: str) -> None:
        """Discovery from ``zone`` was cut short: run it from another host held there, or on the next one gained."""
        held = self.owned_by_zone.get(zone)
        if held:
            self._push(P_DISCOVER, ("discover", held[0]))
        else:
            self.discovered_zones.discard(zone)

    def _learn(self, t: int, src: int) -> bool:
        """Note that ``t`` is reachable from foothold ``src``'s zone (on the services the flows allow). True if
        new."""
        zone = self._zone(src)
        svcs = self.net.reach_map[zone].get(t)
        if not svcs or t == src:
            return False
        routes = self.routes.setdefault(t, {})
        fresh = False
        for s in svcs:
            lst = routes.setdefault(s, [])
            if zone not in lst:
                lst.append(zone)
                fresh = True
        self.known_targets.add(t)
        return fresh

    def _where_creds_work(self, acct: int) -> None:
        """A harvested credential tells where it is used: learn the hosts it logs on to that a foothold reaches
        (up to ``discovery_breadth`` of them, sampled when there are more)."""
        logon = self.net.accounts[acct].logon
        if not logon:
            return
        footholds: dict[str, int] = {}
        for h in sorted(self.owned):
            footholds.setdefault(self._zone(h), h)
        candidates = sorted(t for t in logon if t not in self.owned) if len(logon) <= 4 * self.p.discovery_breadth \
            else sorted(self.arng.sample(self.net.accounts[acct].logon_sorted, 4 * self.p.discovery_breadth))
        learned = 0
        for t in candidates:
            if learned >= self.p.discovery_breadth:
                break
            if t in self.owned or t in self.known_targets:
                continue
            for zone, src in footholds.items():
                if t in self.net.reach_map[zone] and self._learn(t, src):
                    learned += 1
                    self._plan(t, [acct])
                    break

    def _focused(self) -> bool:
        """Once it holds the objective's data host, the attacker stops spreading and concentrates on taking it out
        (after the objective is met it spreads again: it keeps access and keeps looking)."""
        return self.t_objective is None and self.net.objective_host in self.owned

    def _reveal(self, zone: str, h: int) -> list[int]:
        """The targets one discovery from ``zone`` puts on the list: data hosts whole, then samples of the hosts
        caching admin credentials and of the rest, up to ``discovery_breadth`` new ones (plus any already known)."""
        data, admin, rest = self.net.reach_tiers[zone]
        left = self.p.discovery_breadth
        out: list[int] = []
        for tier in (data, admin, rest):
            if left <= 0:
                break
            fresh = len(tier) <= left
            picks = tier if fresh else [tier[i] for i in sorted(self.arng.sample(range(len(tier)), left))]
            for t in picks:
                if t != h:
                    out.append(t)
                    if t not in self.known_targets:
                        left -= 1
        return out

    def _plan(self, t: int, creds: list[int] | None) -> None:
        """Queue every way into target ``t`` the attacker now has (each tried once): ``creds``, or every harvested
        credential that logs on to ``t``."""
        owned = self.owned
        if t in owned or t in self.belief.contained_hosts or (self.t_objective is None
                                                               and self.net.objective_host in owned):
            return  # (the last test is _focused, inlined: this runs for every target of every discovery)
        routes = self.routes.get(t)
        if not routes:
            return
        net = self.net
        host = net.hosts[t]
        value = 2
        if host.data:
            value = 0 if net.objective in host.data else 1
        usable = net.logon_accounts[t]
        for acct in sorted(self.harvested & usable) if creds is None else [a for a in creds if a in usable]:
            if ("c", t, acct) in self.tried:
                continue
            for s in routes:
                if s in net.logon_services and (acct, s) not in self.mfa_refused:
                    self.tried.add(("c", t, acct))
                    self._push(P_CRED + value, ("move_cred", t, acct, s))
                    break
        if host.network_vulns:
            now_day = self.env.now / 1440
            for v in host.network_vulns:
                vi = net.vulns[v]
                if vi.service in routes and vi.disclosed_day <= now_day and ("v", t, v) not in self.tried:
                    self.tried.add(("v", t, v))
                    self._push(P_EXPLOIT + value, ("move_exploit", t, v))

    def _unplan(self, key: tuple) -> None:
        """A planned move dropped unused (focus, lost route): it may be planned again if things change."""
        if key[1] not in self.owned:
            self.tried.discard(key)

    def _route(self, t: int, svc: str) -> int | None:
        """A host the attacker holds from which it knows ``t`` is reachable on ``svc``: routes are per zone, so any
        held host of such a zone will do."""
        by_zone = self.owned_by_zone
        for zone in self.routes.get(t, {}).get(svc, ()):
            held = by_zone.get(zone)
            if held:
                return held[0]
        return None

    def _harvest(self, h: int):
        access = self.owned.get(h)
        if access is None:
            return
        net, p = self.net, self.p
        zone = self._zone(h)
        technique = "T1003" if access == "admin" else "T1552"
        a = yield from self.act("credential-access", technique, p.efforts.dump, host=h, src_host=h,
                                src_zone=zone, dst_zone=zone, factor=2, takeover=True)
        if not a.success:
            if a.blocked is None:
                self._failed((P_HARVEST, ("harvest", h)))  # re-harvest when regrouping
            return
        new = []
        for acct in net.hosts[h].credentials:
            if technique == "T1552" and net.accounts[acct].kind != "service":
                continue
            if acct in self.harvested or acct in self.belief.reset_credentials:
                continue
            if all(y(h, acct) for y in self._harvest_yield):
                self._harvest_account(acct)
                new.append(acct)
        fake = self.arng.random() < p.false_finding_rate
        if (new or fake) and (yield from self.verified_out(h, "credential-access", "T1078", fake)):
            fake = False
        if fake:
            targets = sorted(self.known_targets - self.owned.keys()) or self._reveal(zone, h)
            if targets:
                self._push(P_CRED + 2, ("move_fake", targets[self.arng.randrange(len(targets))]))
        for acct in new:  # only the known targets this account logs on to (set intersection: the smaller side)
            for t in sorted(self.known_targets & self.net.accounts[acct].logon):
                self._plan(t, [acct])
            self._where_creds_work(acct)

    def _move_cred(self, t: int, acct: int, svc: str):
        net = self.net
        if (t in self.owned or acct not in self.harvested or (acct, svc) in self.mfa_refused
                or self._route(t, svc) is None or self._focused()):
            self._unplan(("c", t, acct))
            return
        kind = net.accounts[acct].kind
        yield from self.gate("credential_use", self._zone(t))
        src = self._route(t, svc)
        if src is None or t in self.owned or acct not in self.harvested:
            return
        a = yield from self.act("lateral-movement", "T1021", self.p.efforts.lateral, host=t, src_host=src,
                                src_zone=self._zone(src), dst_zone=self._zone(t), account=acct, service=svc,
                                success=0.95, honeytoken=net.accounts[acct].honeytoken or net.hosts[t].honeytoken,
                                takeover=True)
        if a.success:
            self._moved(t, "admin" if kind == "admin" else "user")
        elif a.blocked == "mfa":
            self.mfa_refused.add((acct, svc))
        elif a.blocked is None:
            self._failed((P_CRED + 2, ("move_cred", t, acct, svc)))
        elif a.blocked == "contained":  # its source or its target was isolated: try again when regrouping
            self.failed.add((P_CRED + 2, ("move_cred", t, acct, svc)))

    def _move_fake(self, t: int):
        """Use a hallucinated credential, unless an operator at a gate catches it first. Believing it valid, the
        attacker tries it on ``fake_tries`` hosts it knows of: each try takes a logon's time and fails, and a failed
        logon from an own host is noise the sensors there may see (evidence against that foothold)."""
        reviewed = yield from self.gate("credential_use", self._zone(t))
        if self.reviewed_out(reviewed):
            return
        targets = [t] + [x for x in sorted(self.known_targets) if x != t and x not in self.owned]
        acted = False
        tries = 0
        for target in targets:
            if tries >= self.p.fake_tries:
                break
            zone = self._zone(target)
            src = next((s for s in sorted(self.owned) if target in self.net.reach_map[self._zone(s)]), None)
            if src is None or target in self.belief.contained_hosts:
                continue
            if not acted:
                self.false_acted += 1
                acted = True
            tries += 1
            yield from self.act("lateral-movement", "T1021", self.p.efforts.lateral, host=target, src_host=src,
                                src_zone=self._zone(src), dst_zone=zone, fake=True)

    def _move_exploit(self, t: int, v: int):
        vi = self.net.vulns[v]
        src = self._route(t, vi.service)
        if src is None or t in self.owned or self._focused():
            self._unplan(("v", t, v))
            return
        if v in self._weaponising:
            yield from self._await_weapon(v)
            src = self._route(t, vi.service)
            if src is None or t in self.owned or self._focused():
                self._unplan(("v", t, v))
                return
        a = yield from self._use_exploit(v, "lateral-movement", "T1210", host=t, src_host=src,
                                         src_zone=self._zone(src), dst_zone=self._zone(t), service=vi.service,
                                         success=vi.success, factor=3, honeytoken=self.net.hosts[t].honeytoken,
                                         takeover=True)
        if a.success:
            self._moved(t, vi.access)
        elif a.blocked is None:
            self._failed((P_EXPLOIT + 2, ("move_exploit", t, v)))
        elif a.blocked == "contained":  # its source or its target was isolated: try again when regrouping
            self.failed.add((P_EXPLOIT + 2, ("move_exploit", t, v)))

    def _moved(self, t: int, access: str) -> None:
        if self.t_breakout is None:
            self.t_breakout = self.env.now
            self._log("breakout", "first lateral movement", t)
        self._gain(t, access)

    def _escalate(self, h: int, v: int):
        if self.owned.get(h) != "user":
            return
        vi = self.net.vulns[v]
        if vi.disclosed_day * 1440 > self.env.now:
            self.failed.add((P_ESCALATE, ("escalate", h, v)))  # not public yet: try again later
            return
        zone = self._zone(h)
        if v in self._weaponising:
            yield from self._await_weapon(v)
            if self.owned.get(h) != "user":
                return
        a = yield from self._use_exploit(v, "privilege-escalation", vi.technique, host=h, src_host=h,
                                         src_zone=zone, dst_zone=zone, success=vi.success, takeover=True)
        if a.success and h in self.owned:
            self._gain(h, "admin")
        elif not a.success and a.blocked is None:
            self._failed((P_ESCALATE, ("escalate", h, v)))

    def _collect(self, h: int, d: int):
        if h not in self.owned:
            return
        di = self.net.data[d]
        zone = self._zone(h)
        technique = "T1119" if self.p.executor == "ai" else "T1213"
        a = yield from self.act("collection", technique, self.p.efforts.collection, host=h, src_host=h,
                                src_zone=zone, dst_zone=zone, factor=5, honeytoken=di.honeytoken, takeover=True)
        if not a.success:
            if a.blocked is None:
                self._failed((P_COLLECT, ("collect", h, d)))
            return
        if d == self.net.objective:
            self._log("objective-data", f"found {di.id}", h)
            yield from self.verified_out(h, "collection", "T1213", False)
            if self.t_objective is None:  # taken out already: nothing more to move
                self._push(P_EXFIL, ("exfil", h, d, False))
        elif self.arng.random() < self.p.false_finding_rate:
            if not (yield from self.verified_out(h, "collection", "T1213", True)):
                self._push(P_EXFIL, ("exfil", h, d, True))

    def _exfil(self, h: int, d: int, misread: bool):
        net, p, env = self.net, self.p, self.env
        di = net.data[d]
        reviewed = yield from self.gate("exfiltration", di.id)
        if misread:
            if self.reviewed_out(reviewed):
                return
            self.false_acted += 1
        self._log("exfiltration", f"exfiltration of {di.id} starts", h)
        remaining = di.records if misread else net.objective_records - self.exfiltrated
        technique = "T1041"
        while remaining > 0 and h in self.owned and (misread or self.t_objective is None):
            rate = p.exfil_records_per_hour
            for limit in self._limit:
                rate = limit(rate)
            chunk = max(1, min(remaining, int(rate * EXFIL_CHUNK_MINUTES / 60)))
            a = yield from self.act("exfiltration", technique, 0.0, host=h, src_host=h,
                                    src_zone=self._zone(h), dst_zone="internet", records=chunk,
                                    factor=2 * EXFIL_CHUNK_MINUTES / 60,
                                    false_finding=misread, duration=60.0 * chunk / rate)
            if a.blocked == "egress" and technique == "T1041" and not self.belief.egress_blocked:
                technique = "T1567"  # the C2 channel is filtered: try a web service
                continue
            if a.blocked is not None:
                return
            remaining -= chunk
            if misread:
                self.wasted += chunk
                continue
            self.exfiltrated += chunk
            if self.exfiltrated >= net.objective_records:
                self.t_objective = env.now
                self._log("objective", f"objective met: {self.exfiltrated} records of {di.id} out", h)
                # The run goes on: the attacker keeps its footholds and its remaining work, so the defender can
                # still detect and evict it (dwell time is measured to detection, not to the theft).

    # ---- running -----------------------------------------------------------------------------------------------

    def begin(self) -> None:
        """Start the controls and the attacker; the run then advances with ``env.step()`` or ``execute``."""
        for start in self._start:
            start()
        self.env.process(self._horizon())
        self.env.process(self.campaign())

    def execute(self) -> RunResult:
        """Run to the horizon or an earlier end and return the frozen result. The same steps as
        ``env.run(until=self.stop)``, counted: past MAX_EVENTS events, or MAX_STILL_EVENTS at one minute, the run
        stops with an EventBudgetError naming the parameters behind the busiest process."""
        self.begin()
        env, stop = self.env, self.stop
        stop.callbacks.append(simpy.core.StopSimulation.callback)
        step = env.step
        batch = MAX_STILL_EVENTS // 4
        done = still = 0
        try:
            while True:
                at = env.now
                for _ in range(batch):
                    step()
                done += batch
                still = still + 1 if env.now == at else 0
                if done >= MAX_EVENTS:
                    raise self._budget(f"more than {MAX_EVENTS} events")
                if still >= 4:
                    raise self._budget(f"more than {MAX_STILL_EVENTS} events in a row at minute {at:.6g} without "
                                       "time passing")
        except simpy.core.StopSimulation:
            pass
        except simpy.core.EmptySchedule:
            raise RuntimeError(f'No scheduled events left but "until" event was not triggered: {stop}') from None
        return self._result()

    def _budget(self, what: str) -> EventBudgetError:
        busy: dict[str, int] = {}
        for item in self.env._queue[:10_000]:
            for cb in item[3].callbacks or []:
                gen = getattr(getattr(cb, "__self__", None), "_generator", None)
                if gen is not None:
                    busy[gen.__name__] = busy.get(gen.__name__, 0) + 1
        top = max(busy, key=lambda k: busy[k]) if busy else None
        cause = _DRIVERS.get(top or "", "the scenario's times and rates")
        return EventBudgetError(f"{self.net.name}: run stopped: {what} (seed {self.seed}, replicate {self.replicate})"
                                f"; the busiest process was '{top}': check {cause}")

    def step_until_event(self) -> bool:
        """Advance until the timeline or the log grows, or the run ends. Returns False once it has ended."""
        before = (len(self.timeline), len(self.log))
        while not self.stop.triggered:
            if self.env.peek() == float("inf"):
                self._finish()
                break
            self.env.step()
            if (len(self.timeline), len(self.log)) != before:
                return True
        return False

    def result(self) -> RunResult:
        """The result so far (the final one once the run has ended)."""
        return self._result()

    def decide(self, kind: str, target: str | None = None, until: float | None = None,
               egress_until: float | None = None) -> str:
        """Apply a tabletop team's decision now. Kinds: isolate_host (target: a host id; back in service, cleaned, at
        ``until``, or isolated to the horizon), reset_credentials (target: an account id, or None for every
        credential the defender knows stolen or cached on hosts it knows), block_egress (lifted at ``egress_until``,
        or never), escalate (to incident response; target: a host id or None), raise_monitoring (target: a zone),
        nothing. Returns what was done, for the scribe log."""
        net = self.net
        if kind == "isolate_host":
            if target not in net.host_index:
                raise ValueError(f"unknown host '{target}'")
            h = net.host_index[target]
            self.belief.known_hosts.add(h)
            if h in self.belief.contained_hosts:
                done = f"{target} was already isolated"
            else:
                self.contain({h}, set(), False, until=until)
                done = f"isolated {target}"
        elif kind == "reset_credentials":
            if target is not None:
                ids = {a.id: i for i, a in enumerate(net.accounts)}
                if target not in ids:
                    raise ValueError(f"unknown account '{target}'")
                creds = {ids[target]}
            else:
                creds = set(self.belief.known_credentials)
                for h in self.belief.known_hosts:
                    creds.update(net.hosts[h].credentials)
            self.contain(set(), creds - self.belief.reset_credentials, False)
            done = f"reset {_count(len(creds), 'credential')}"
        elif kind == "block_egress":
            self.contain(set(), set(), True, egress_until=egress_until)
            done = "blocked egress"
        elif kind in ("escalate", "raise_monitoring"):
            if kind == "raise_monitoring" and target not in net.zones:
                raise ValueError(f"unknown zone '{target}'")
            acted = [c for c in self.controls if "on_decision" in type(c).overridden() and c.on_decision(kind, target)]
            done = f"{kind.replace('_', ' ')} {target or ''}".strip() if acted else f"{kind}: no control acted"
        elif kind == "nothing":
            done = "no action"
        else:
            raise ValueError(f"unknown decision '{kind}'")
        self._log("decision", done, None)
        return done

    def _result(self) -> RunResult:
        net = self.net
        for catch_up in self._catch_up:
            catch_up(self.env.now)
        metrics: dict = {}
        for m in self._metrics:
            metrics.update(m())
        ia = self.t_initial_access
        if self.t_objective is not None:
            outcome = "objective_met"
        elif ia is not None and not self.owned and self.evictions:
            outcome = "contained"
        elif self.t_detection is not None:  # about the intrusion: a warning from outside alone is not a detection
            outcome = "detected_not_contained"
        else:
            outcome = "undetected_no_objective"
        if self.t_objective is not None:
            end_reason = "objective_met"
        elif self._no_path and not self.owned:
            end_reason = "evicted" if ia is not None else "no_path_left"
        else:
            end_reason = "horizon"

        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        dwell = None if ia is None or self.t_detection is None else self.t_detection - ia
        tactical = self.actions["human"] + self.actions["ai"]
        hosts = net.hosts  # ids looked up only for the hosts named, not listed for the whole network on every run
        blocked = dict.fromkeys(BLOCKS, 0)
        for e in self.timeline:
            if e.blocked is not None:
                blocked[e.blocked] += 1
        return RunResult(
            scenario=net.name,
            automation=self.p.preset,
            posture=self.compiled.posture.preset,
            seed=self.seed,
            replicate=self.replicate,
            outcome=outcome,
            end_reason=end_reason,
            end_time=round(self.env.now, 4),
            horizon=round(net.horizon, 4),
            time_to_initial_access=r(ia),
            breakout_time=r(None if ia is None or self.t_breakout is None else self.t_breakout - ia),
            time_to_objective=r(self.t_objective),
            time_to_first_detection=r(self.t_detection),
            time_to_first_warning=r(self.t_warning),
            time_to_containment=r(self.t_containment),
            dwell_time=r(dwell),
            hosts_compromised=len(self.compromised),
            credentials_harvested=len(self.ever_harvested),
            records_exfiltrated=self.exfiltrated,
            records_wasted=self.wasted,
            actions_human=self.actions["human"],
            actions_ai=self.actions["ai"],
            ai_share=None if tactical == 0 else round(self.actions["ai"] / tactical, 6),
            human_decision_points=self.decision_points,
            false_findings_acted=self.false_acted,
            false_findings_caught=self.false_caught,
            alerts_true=self.alerts_true,
            alerts_benign=int(metrics.get("alerts_benign", 0) or 0),
            alerts_dropped=int(metrics.get("alerts_dropped", 0) or 0),
            analyst_utilisation=metrics.get("analyst_utilisation"),
            peak_requests_per_minute=round(self.peak, 4),
            operator_hours=round(self.operator_minutes / 60, 4),
            first_detection_source=self.first_source,
            **{f"blocked_{k}": n for k, n in blocked.items()},
            soc_backlogs=sum(1 for e in self.log if e.kind == "soc-backlog"),
            hosts_isolated=self.isolations,
            clean_hosts_isolated=self.clean_isolations,
            isolated_host_hours=round(self.isolated_minutes / 60, 4),
            clean_isolated_host_hours=round(self.clean_isolated_minutes / 60, 4),
            egress_blocked_hours=round(self.egress_minutes / 60, 4),
            credentials_reset=self.credentials_reset,
            infrastructure_blocks=self.infra_blocks,
            reentries=self.reentries,
            owned_hosts=tuple(hosts[h].id for h in sorted(self.owned)),
            known_hosts=tuple(hosts[h].id for h in sorted(self.belief.known_hosts)),
            contained_hosts=tuple(hosts[h].id for h in sorted(self.belief.contained_hosts)),
            timeline=tuple(self.timeline),
            log=tuple(self.log),
        )


def run(compiled: Compiled, seed: int, replicate: int = 0) -> RunResult:
    """One seeded run of ``compiled``."""
    return Run(compiled, seed, replicate).execute()

