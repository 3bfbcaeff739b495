"""Facilitator mode: one seeded run played event by event for a tabletop exercise, with two views of it.

The *facilitator's view* is the truth: every attacker action, the inject book, the controls. The *player view* is
what the defender can know (DESIGN 11): alerts a person has triaged and escalated (with what each reveals: source,
target, account, whether it succeeded), the responses that ran, the SOC's own queue, the team's orders and their
status, the hosts and accounts those named, and the clock in the defender's local time. It is built from the
defender's side of the run only (escalations, the defender's belief, the team's orders), never from the attacker's.

A team's decision is an order, not a spell: it names only what the defender knows, and it takes the time and has the
cost the posture gives that response (isolation takes incident response's containment time and keeps the host out of
service until it is cleaned; an egress block stops outbound traffic for the posture's block time). Injects come from
the inject book (simulator/data/injects.yaml) and the scenario's own (``exercise: injects:``), set off by events or by
the clock. A session can be rewound to any inject and branched ("what if we had ..."; every branch is kept), the last
order undone, and its counterfactuals computed: the same seed without the team's orders, and the team's orders
replayed over many seeds against doing nothing.

A session (scenario, seed, orders and notes with the step they were given at, injects, branches, result) is saved
as JSON; loading it replays the orders at the same steps, which reproduces the same run exactly, and a session whose
stored result its replay does not give is refused.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from defenses.base import ACCESS_PHASES, THEFT_PHASES, Alert
from defenses.incident_response import edr_isolable
from defenses.monitoring import Monitoring
from simulator.build import compile_scenario
from simulator.engine import Run
from simulator.injects import InjectSpec, book, local_clock, merged, technique
from simulator.loader import Loaded, ScenarioError, load_document, parse_yaml
from simulator.result import LogEvent, RunResult, TimelineEvent
from simulator.stats import wilson

SESSION_VERSION = 2

DECISIONS = ("isolate_host", "reset_credentials", "block_egress", "escalate", "raise_monitoring", "nothing")
"""What the team may order."""

OWNERS = {"isolate_host": "IR lead", "reset_credentials": "Identity team", "block_egress": "Network team",
          "escalate": "SOC lead", "raise_monitoring": "Detection engineering", "nothing": "-"}
"""Who carries an order out (the role named in the after-action report)."""

SOURCES = {"edr": "EDR", "network": "Network sensor", "rate": "Rate analytics", "honeytoken": "Honeytoken",
           "egress": "Egress (DLP)", "team": "The team", "impact": "The impact itself",
           "mail": "Mail gateway", "outside": "Outside notice"}

QUESTIONS: dict[str, tuple[str, ...]] = {}
"""Filled from the inject book below (kept for callers that look questions up by inject id)."""


@dataclass(frozen=True)
class Inject:
    """A moment worth pausing on."""

    step: int
    time: float
    kind: str
    """The inject's id in the book."""
    title: str
    questions: tuple[str, ...]
    audience: str = "players"
    """'players' (the room may see it) or 'facilitator' (about the attacker's side)."""
    handout: str = ""


@dataclass
class Order:
    """A team decision and how it unfolds."""

    n: int
    step: int
    injects_seen: int
    """How many injects had been shown when it was given (rewinding to an inject keeps the orders given before)."""
    time: float
    """When it was given."""
    kind: str
    target: str | None
    owner: str
    due: float
    """When it takes effect (the posture's time for that response)."""
    cost: str
    status: str = "requested"
    """'requested', 'done' or 'cancelled'."""
    cancelled_step: int | None = None
    """The step at which the team took it back before it was done."""
    cancelled_time: float | None = None
    done_time: float | None = None
    done: str = ""
    """What it did, once done."""

    @property
    def label(self) -> str:
        words = {"isolate_host": "isolate", "reset_credentials": "reset credentials", "block_egress": "block egress",
                 "escalate": "escalate to incident response", "raise_monitoring": "raise monitoring on",
                 "nothing": "no action"}[self.kind]
        if self.kind == "reset_credentials" and not self.target:
            return "reset every credential known stolen"
        return f"{words} {self.target}" if self.target else words


@dataclass(frozen=True)
class Note:
    step: int
    time: float
    text: str
    injects_seen: int = 0


@dataclass(frozen=True)
class Seen:
    """One line of the player view's feed."""

    time: float
    kind: str
    """'alert', 'response', 'restored', 'backlog', 'order', 'note'."""
    text: str


@dataclass
class Facilitator:
    """Drives one run for a tabletop exercise."""

    loaded: Loaded
    seed: int
    automation: str | None = None
    posture: str | None = None
    step: int = 0
    injects: list[Inject] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    branches: list[dict[str, Any]] = field(default_factory=list)
    """Earlier branches of this exercise (kept when the session is rewound)."""
    participants: list[dict[str, str]] = field(default_factory=list)
    """[{name, role}] for the report."""
    timers: dict[str, float] = field(default_factory=dict)
    """Wall-clock seconds: 'exercise', and 'inject N' per inject (kept by the TUI)."""
    created: str = ""

    def __post_init__(self) -> None:
        l2 = self.loaded.with_presets(automation=self.automation, posture=self.posture)
        self.compiled = compile_scenario(l2.scenario, l2.attacker, l2.posture)
        self.automation = l2.attacker.preset
        self.posture = l2.posture.preset
        self.created = self.created or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        self.offset = self.loaded.scenario.defender_utc_offset
        self.specs = merged(self.loaded.scenario.exercise, self.offset)
        self._by_trigger: dict[str, list[InjectSpec]] = {}
        for s in self.specs:
            if s.on is not None:
                self._by_trigger.setdefault(s.on, []).append(s)
        self._timed = sorted((s for s in self.specs if s.at is not None and s.at < self.compiled.net.horizon),
                             key=lambda s: (s.at, s.id))
        self._fired: set[str] = set()
        self.run = Run(self.compiled, self.seed)
        self.run._on_escalation.append(self._escalated)  # an observer only: it changes nothing in the run
        self.run.begin()
        self._timeline_seen = 0
        self._log_seen = 0
        self._floor = 0.0
        self.done = False
        self.feed: list[Seen] = []
        self.hosts_seen: dict[str, str] = {}
        """Host id -> what the defender knows of it ('seen': named in an alert; 'compromised': evidence of the
        attacker on it). Isolation and restoration are read from the belief."""
        self.accounts_seen: dict[str, str] = {}
        self._alerts: list[Alert] = []
        self._ir_contained: set[int] = set()
        self._team_log: set[int] = set()
        """Indexes of the run's log lines an order of the team wrote."""
        self.fac_feed: list[Seen] = []
        """Facilitator-only lines (the attacker's side) beyond the timeline: approvals, footholds, breakout."""

    # ---- the clock -------------------------------------------------------------------------------------------

    @property
    def now(self) -> float:
        return max(self.run.env.now, self._floor)

    def clock(self, minutes: float | None = None, day: bool = True) -> str:
        """The defender's local clock: 'Tue 10:40 (day 2)'."""
        return local_clock(self.now if minutes is None else minutes, self.offset, day)

    # ---- playing ---------------------------------------------------------------------------------------------

    def advance(self) -> list[TimelineEvent | LogEvent]:
        """Play until the next event (or the next inject due at a time); returns the new events (empty once the
        run has ended)."""
        if self.done:
            return []
        run, env = self.run, self.run.env
        timed = next((s for s in self._timed if s.id not in self._fired), None)
        more = run.step_until_event() if timed is None else self._step_until(timed.at)
        self.step += 1
        new: list[TimelineEvent | LogEvent] = list(run.timeline[self._timeline_seen:])
        logs = list(enumerate(run.log))[self._log_seen:]
        new += [e for _, e in logs]
        self._timeline_seen = len(run.timeline)
        self._log_seen = len(run.log)
        self._observe(logs)
        if timed is not None and env.now >= timed.at and timed.id not in self._fired:
            self._fire(timed, {}, at=timed.at)
        if not more:
            self.done = True
            result = run.result()  # the controls catch up to the end: what they record then is seen too
            self._observe(list(enumerate(run.log))[self._log_seen:])
            self._log_seen = len(run.log)
            self._trigger("end", {"detail": _end_text(result)})
        return new

    def _step_until(self, at: float) -> bool:
        """As ``Run.step_until_event``, but stop at minute ``at`` (moving only the clock) if nothing happens before;
        the events of the run keep their order (a simpy 'until' event changes no other event's place)."""
        run, env = self.run, self.run.env
        before = (len(run.timeline), len(run.log))
        while not run.stop.triggered:
            nxt = env.peek()
            if nxt >= at:
                if at > env.now:
                    env.run(until=at)
                return True
            run.step()
            if (len(run.timeline), len(run.log)) != before:
                return True
        return False

    def next_inject(self, limit: int = 100_000) -> Inject | None:
        """Play until the next inject (or the end); returns it."""
        count = len(self.injects)
        for _ in range(limit):
            if self.done:
                break
            self.advance()
            if len(self.injects) > count:
                return self.injects[count]
        return self.injects[count] if len(self.injects) > count else None

    def finish(self) -> RunResult:
        """Play to the end."""
        while not self.done:
            self.advance()
        return self.run.result()

    # ---- what the defender learns ----------------------------------------------------------------------------

    def _escalated(self, alert: Alert) -> None:
        self._alerts.append((self.run.env.now, alert))

    def _name(self, h: int | None) -> str | None:
        return None if h is None else self.compiled.net.hosts[h].id

    def _observe(self, logs: list[tuple[int, LogEvent]]) -> None:
        net = self.compiled.net
        for at, alert in self._alerts:
            src, dst = self._name(alert.src_host), self._name(alert.host)
            evidence = {self._name(h) for h in alert.evidence_hosts()}
            planted = [self._name(h) for h in alert.planted]
            for h in (src, dst, *planted):
                if h is not None:
                    self.hosts_seen[h] = "compromised" if h in evidence or self.hosts_seen.get(h) == "compromised" \
                        else "seen"
            acct = None if alert.account is None else net.accounts[alert.account].id
            if acct is not None:
                self.accounts_seen.setdefault(acct, "seen")
                if alert.success:
                    self.accounts_seen[acct] = "stolen"
            text = self._alert_text(alert, src, dst, acct)
            if planted:
                text += (f" The decoy was planted only on {', '.join(planted)}: one of them was dumped.")
            self.feed.append(Seen(at, "alert", f"Alert escalated. {text}"))
            ctx = {"detail": text, "host": dst or src or "the perimeter", "technique": technique(alert.technique),
                   "source": SOURCES.get(alert.source, alert.source)}
            self._trigger("first-escalation", ctx)
            if alert.source == "outside":
                self._trigger("outside-notice", ctx)
            if alert.src_host is not None and (alert.phase in ACCESS_PHASES or (dst is not None and dst != src)):
                self._trigger("lateral-evidence", ctx)
            if alert.phase in THEFT_PHASES or alert.source == "egress":
                self._trigger("theft-evidence", ctx)
            if alert.source == "impact":  # the ransom note on the screens, the stopped line: the business knows
                self._trigger("impact", {**ctx, "detail": "ransom notes on the screens" if alert.technique == "T1486"
                                         else "the process has stopped"})
        self._alerts.clear()
        for h in self.run.belief.known_hosts:
            self.hosts_seen[net.hosts[h].id] = "compromised"
        for a in self.run.belief.known_credentials:
            self.accounts_seen[net.accounts[a].id] = "stolen"
        for i, e in logs:
            host = {"host": e.host or "-"}
            if i in self._team_log:
                continue  # the team's own order: reported as the order's completion
            if e.kind == "containment":
                if e.detail.startswith("blocked the attacker's outside infrastructure"):
                    self.feed.append(Seen(e.time, "response", "Perimeter block: the addresses behind an outside "
                                                             "alert were blocked"))
                    self._trigger("perimeter-block", {"detail": e.detail})
                elif e.detail != "nothing new to contain":
                    names = sorted(net.hosts[h].id for h in self.run.belief.contained_hosts - self._ir_contained
                                   - self._team_contained())
                    detail = e.detail + (f" ({', '.join(names)})" if names else "")
                    self.feed.append(Seen(e.time, "response", f"Incident response: {detail}"))
                    self._trigger("containment", {"detail": detail, **host})
                self._ir_contained |= self.run.belief.contained_hosts
            elif e.kind == "response" and e.detail.startswith("coordinated eviction"):
                # the response's own plan (defenses/incident_response.py): the team knows it planned an eviction
                self.feed.append(Seen(e.time, "response", f"Incident response: {e.detail}"))
            elif e.kind == "restored":
                self._ir_contained &= self.run.belief.contained_hosts  # back in service: a later isolation is news
                back = sorted(net.hosts[h].id for h, t in self.run.belief.rebuilt.items()
                              if abs(t - e.time) < 1e-3)
                detail = e.detail + (f" ({', '.join(back)})" if back and "host" in e.detail else "")
                self.feed.append(Seen(e.time, "restored", detail[0].upper() + detail[1:]))
                self._trigger("restored", {"detail": detail})
            elif e.kind == "soc-backlog":
                self.feed.append(Seen(e.time, "backlog", f"SOC backlog: {e.detail}"))
                self._trigger("soc-backlog", {"detail": e.detail})
            elif e.kind in ("initial-access", "re-entry"):
                self.fac_feed.append(Seen(e.time, "truth", f"{e.detail} on {e.host}"))
                step = next((t for t in reversed(self.run.timeline) if t.host == e.host and t.success), None)
                self._trigger("initial-access", {**host, "technique": technique(step.technique if step else None)})
            elif e.kind == "lying-low":  # the crew noticed a response: the room's moves had an effect it cannot see
                self.fac_feed.append(Seen(e.time, "truth", e.detail[0].upper() + e.detail[1:]))
            elif e.kind == "gate":
                self._trigger("gate", {"detail": e.detail})
            elif e.kind == "breakout":
                self._trigger("breakout", host)
            elif e.kind == "objective-data":
                self._trigger("crown-jewels", host)
            elif e.kind == "exfiltration":
                sought = any(e.detail == f"exfiltration of {net.data[d].id} starts" for _, d, _, _ in net.goals)
                if sought:
                    self._trigger("exfiltration", host)
                else:  # a data set the AI misread as the one sought: the room's story is the real theft
                    self.fac_feed.append(Seen(e.time, "truth", f"{e.detail} on {e.host} (misread: not the data "
                                                               "sought)"))

    def _team_contained(self) -> set[int]:
        idx = self.compiled.net.host_index
        return {idx[o.target] for o in self.orders if o.kind == "isolate_host" and o.status == "done"}

    @staticmethod
    def _alert_text(a: Alert, src: str | None, dst: str | None, acct: str | None) -> str:
        if a.source == "outside":
            return f"{SOURCES['outside']}: an outside party reports the organisation breached, naming {src or dst}"
        where = "from outside" if a.outside else (f"from {src}" if src else "")
        on = f"{'to' if src or a.outside else 'on'} {dst}" if dst and dst != src else ""
        who = f"as {acct}" if acct else ""
        ok = ("succeeded" if a.success else "failed") if a.phase in ACCESS_PHASES or acct else ""
        parts = " ".join(p for p in (technique(a.technique), where, on, who) if p)
        return f"{SOURCES.get(a.source, a.source)}: {parts}" + (f" ({ok})" if ok else "")

    def _trigger(self, on: str, ctx: dict[str, str]) -> None:
        for spec in self._by_trigger.get(on, ()):
            if spec.every or spec.id not in self._fired:
                self._fire(spec, ctx)

    def _fire(self, spec: InjectSpec, ctx: dict[str, str], at: float | None = None) -> None:
        self._fired.add(spec.id)
        if at is not None:
            self._floor = max(self._floor, at)
        values = {"host": "-", "technique": "-", "source": "-", "detail": "-", **ctx}
        try:
            title = spec.title.format(**values)
        except (KeyError, IndexError, ValueError):
            title = spec.title  # a scenario's title with braces of its own: shown as written
        inj = Inject(self.step, self.now, spec.id, title, spec.questions, spec.audience, spec.handout)
        self.injects.append(inj)

    # ---- what the team knows, and its orders -----------------------------------------------------------------

    def known_hosts(self) -> dict[str, str]:
        """Host id -> 'compromised', 'seen', 'isolated' or 'restored': every host the defender's alerts, responses
        and orders have named (never a host only the attacker knows about)."""
        net, b = self.compiled.net, self.run.belief
        out = dict(self.hosts_seen)
        for h in b.contained_hosts:  # a host an automation only cut off is the team's to clean: 'cut off'
            out[net.hosts[h].id] = "cut off" if h in b.network_isolated else "isolated"
        for h in b.rebuilt:
            if h not in b.contained_hosts:
                out[net.hosts[h].id] = "restored"
        for o in self.orders:
            if o.kind in ("isolate_host", "escalate") and o.target:
                out.setdefault(o.target, "seen")
        return dict(sorted(out.items()))

    def known_accounts(self) -> dict[str, str]:
        """Account id -> 'stolen', 'seen' or 'reset' ('stolen' again once an alert shows it used after its reset)."""
        net, b = self.compiled.net, self.run.belief
        out = dict(self.accounts_seen)
        again = b.due_for_reset(b.reset_credentials)
        for a in b.reset_credentials:
            out[net.accounts[a].id] = "stolen" if a in again else "reset"
        return dict(sorted(out.items()))

    def zones(self) -> list[str]:
        return sorted(self.compiled.net.zones)

    def targets(self, kind: str) -> list[str]:
        """What an order of ``kind`` may name (empty: it takes no target)."""
        if kind in ("isolate_host", "escalate"):
            return [h for h, s in self.known_hosts().items() if kind == "escalate" or s != "isolated"]
        if kind == "reset_credentials":
            # the domain's Kerberos key is always there to reset where there is a domain (twice evicts forged tickets)
            return ([a for a, s in self.known_accounts().items() if s != "reset"]
                    + (["krbtgt"] if self.compiled.net.domain_controllers else []))
        if kind == "raise_monitoring":
            return self.zones()
        return []

    def plan(self, kind: str, target: str | None) -> tuple[float, str, float | None, float | None]:
        """(delay in minutes, cost in words, until, egress_until offsets in minutes after it is done) for an order,
        from the posture: isolation and credential resets take incident response's containment time; an isolated
        host is out of service until cleaned; an egress or monitoring change takes the time of a perimeter rule
        change; an egress block stops outbound traffic for the posture's block time; an escalation takes a
        triage."""
        ir = self.compiled.posture.incident_response
        soc = self.compiled.posture.soc
        if kind == "isolate_host":
            if self._edr_isolable(target):  # the analyst cuts it off from the EDR console, then it is cleaned
                return (ir.edr_isolate_minutes, f"{target} cut off from the EDR console, out of service until "
                                                f"cleaned (about {ir.cleanup_hours:g} h)", ir.cleanup_hours * 60, None)
            return (ir.contain_hours * 60, f"{target} out of service until cleaned (about {ir.cleanup_hours:g} h)",
                    ir.cleanup_hours * 60, None)
        if kind == "reset_credentials" and target == "krbtgt":
            return (ir.contain_hours * 60, "the domain's Kerberos tickets reissued (a second reset within 10 hours "
                                           "logs every user and service out)", None, None)
        if kind == "reset_credentials":
            n = 1 if target else max(1, sum(1 for s in self.known_accounts().values() if s == "stolen"))
            return (ir.contain_hours * 60, f"{n} account{'s' if n != 1 else ''} locked until their users re-enrol",
                    None, None)
        if kind == "block_egress":
            return (ir.block_infra_minutes, f"outbound traffic stopped for {ir.egress_block_hours:g} h "
                                            "(business systems that send data out stop too)",
                    None, ir.egress_block_hours * 60)
        if kind == "escalate":
            return soc.triage_minutes, "incident response's time", None, None
        if kind == "raise_monitoring":
            return ir.block_infra_minutes, f"more alerts for the SOC from {target}", None, None
        return 0.0, "none", None, None

    def _edr_isolable(self, target: str | None) -> bool:
        """The posture lets an analyst isolate ``target`` from the EDR console and it runs EDR in this session:
        minutes, not the round's containment hours."""
        h = self.compiled.net.host_index.get(target) if target else None
        mon = next((c for c in self.run.controls if isinstance(c, Monitoring)), None)
        return h is not None and edr_isolable(self.compiled.posture.incident_response, self.compiled.net, h, mon)

    def decide(self, kind: str, target: str | None = None, check: bool = True) -> Order:
        """Give an order now (it takes effect after the posture's delay). ``check``: the target must be one the
        defender knows (a replay of a saved session passes False: it checks the result instead)."""
        if kind not in DECISIONS:
            raise ValueError(f"unknown decision '{kind}' (one of {', '.join(DECISIONS)})")
        if self.done:
            raise ValueError("the run has ended: no more orders")
        target = target or None
        net = self.compiled.net
        if kind in ("isolate_host", "escalate") and target is not None and target not in net.host_index:
            raise ValueError(f"unknown host '{target}'")
        if kind == "isolate_host" and target is None:
            raise ValueError("isolate_host needs a host")
        if (kind == "reset_credentials" and target is not None and target not in {a.id for a in net.accounts}
                and not (target == "krbtgt" and net.domain_controllers)):
            raise ValueError(f"unknown account '{target}'")
        if kind == "raise_monitoring" and target not in net.zones:
            raise ValueError(f"unknown zone '{target}'")
        if check and kind in ("isolate_host", "escalate", "reset_credentials") and target is not None \
                and target not in self.targets(kind):
            what = "account" if kind == "reset_credentials" else "host"
            raise ValueError(f"{what} '{target}' is not known to the defender (no alert, response or order has named "
                             f"it); pick one of: {', '.join(self.targets(kind)) or 'none yet'}")
        delay, cost, until, egress = self.plan(kind, target)
        now = self.now
        o = Order(len(self.orders) + 1, self.step, len(self.injects), now, kind, target, OWNERS[kind],
                  now + delay, cost)
        self.orders.append(o)
        self.feed.append(Seen(now, "order", f"Order {o.n} to {o.owner}: {o.label} (due {self.clock(o.due, False)})"))
        if kind == "nothing":
            o.status, o.done_time, o.done = "done", now, "no action"
        else:
            self.run.env.process(self._carry_out(o, o.due - self.run.env.now, until, egress))
        return o

    def _carry_out(self, o: Order, wait: float, until: float | None, egress: float | None):
        run = self.run
        run.busy(+1)  # an order under way keeps the run open until it is done
        yield run.env.timeout(max(0.0, wait))
        if o.status == "requested":
            now = run.env.now
            first = len(run.log)
            o.done = run.decide(o.kind, o.target, until=None if until is None else now + until,
                                egress_until=None if egress is None else now + egress)
            self._team_log.update(i for i in range(first, len(run.log)) if run.log[i].kind in ("containment",
                                                                                                "decision"))
            o.status, o.done_time = "done", now
            self._ir_contained |= run.belief.contained_hosts
            self.feed.append(Seen(now, "order", f"Order {o.n} done: {o.done} ({o.owner})"))
            self._trigger("order-done", {"detail": f"{o.label}: {o.done}", "host": o.target or "-"})
        run.busy(-1)

    def note(self, text: str) -> Note:
        """A scribe note at the current moment."""
        n = Note(self.step, self.now, text, len(self.injects))
        self.notes.append(n)
        self.feed.append(Seen(n.time, "note", f"Note: {text}"))
        return n

    # ---- undo, rewind, branches ------------------------------------------------------------------------------

    def undo(self) -> str:
        """Take back the last order: cancelled if it is still under way, otherwise the session is replayed without
        it to where it is now (a finished session to its end: without the order the run may last longer)."""
        if not self.orders:
            raise ValueError("no order to undo")
        last = self.orders[-1]
        if last.status == "requested":
            last.status, last.cancelled_step, last.cancelled_time = "cancelled", self.step, self.now
            self.feed.append(Seen(self.now, "order", f"Order {last.n} cancelled: {last.label}"))
            return f"cancelled order {last.n} ({last.label})"
        again = self._replayed(self.orders[:-1], self.notes, sys.maxsize if self.done else self.step)
        self._adopt(again)
        return f"took back order {last.n} ({last.label}): replayed without it"

    def rewind(self, inject: int, label: str = "") -> None:
        """Go back to just after inject number ``inject`` (0-based) was shown, before the orders given at it; the
        branch played so far is kept in ``branches``."""
        if not 0 <= inject < len(self.injects):
            raise ValueError(f"no inject {inject + 1} to go back to")
        k = inject + 1
        self.branches.append(self._branch(label or f"branch {len(self.branches) + 1}"))
        kept = [o for o in self.orders if o.injects_seen < k]
        for o in kept:
            if o.cancelled_step is not None and o.cancelled_step > self.injects[inject].step:
                o.cancelled_step = None  # taken back after the moment rewound to: not yet
        again = self._replayed(kept, [n for n in self.notes if n.injects_seen < k], self.injects[inject].step)
        self._adopt(again)

    def _branch(self, label: str) -> dict[str, Any]:
        result = self.run.result()
        return {"label": label, "step": self.step, "finished": self.done,
                "orders": [self._order_row(o) for o in self.orders], "notes": [asdict(n) for n in self.notes],
                "injects": [asdict(i) for i in self.injects], "outcome": result.outcome,
                "records": result.records_exfiltrated, "clock": self.clock()}

    def _replayed(self, orders: list[Order], notes: list[Note], step: int) -> Facilitator:
        fac = Facilitator(self.loaded, self.seed, self.automation, self.posture, participants=self.participants,
                          timers=self.timers, created=self.created)
        _apply(fac, _actions(orders, notes), step)
        return fac

    def _adopt(self, other: Facilitator) -> None:
        keep = {"branches": self.branches}
        self.__dict__.update(other.__dict__)
        self.__dict__.update(keep)

    # ---- counterfactuals -------------------------------------------------------------------------------------

    def without_orders(self) -> RunResult:
        """The same seed played to the end with no orders from the team."""
        return Run(self.compiled, self.seed).execute()

    def with_orders(self) -> RunResult:
        """The same seed played to the end with the team's orders so far (this session, finished on a copy)."""
        if self.done:
            return self.run.result()
        return self._replayed(self.orders, self.notes, self.step).finish()

    def over_seeds(self, n: int = 200, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
        """The team's orders (the same orders at the same times, on the same targets) replayed over ``n`` seeds,
        against doing nothing on the same seeds (common random numbers)."""
        orders = [o for o in self.orders if o.kind != "nothing" and o.status != "cancelled"]
        rows: dict[str, list[RunResult]] = {"nothing": [], "team": []}
        for s in range(n):
            rows["nothing"].append(Run(self.compiled, s).execute())
            rows["team"].append(_timed_run(self, s, orders))
            if progress is not None:
                progress(s + 1, n)
        out: dict[str, Any] = {"runs": n, "orders": [o.label for o in orders]}
        for arm, results in rows.items():
            k = sum(1 for r in results if r.outcome == "objective_met")
            lo, hi = wilson(k, n)
            recs = sorted(r.records_exfiltrated for r in results)
            out[arm] = {"success": k / n, "low": lo, "high": hi, "records_mean": sum(recs) / n,
                        "records_median": recs[n // 2],
                        "isolated_host_hours": sum(r.isolated_host_hours for r in results) / n,
                        "clean_isolated_host_hours": sum(r.clean_isolated_host_hours for r in results) / n,
                        "egress_blocked_hours": sum(r.egress_blocked_hours for r in results) / n}
        return out

    # ---- the views -------------------------------------------------------------------------------------------

    def player_state(self) -> dict[str, Any]:
        """The player view (DESIGN 11): only what the defender knows. Written to the live file the served view
        reads."""
        net = self.compiled.net
        zone = {h.id: h.zone for h in net.hosts}
        inject = next((i for i in reversed(self.injects) if i.audience == "players"), None)
        return {
            "kind": "tabletop-player-view", "version": 1,
            "title": f"{self.loaded.scenario.name}: {self.loaded.scenario.title}".rstrip(": "),
            "clock": self.clock(), "ended": self.done, "status": "ended" if self.done else "playing",
            "feed": [{"time": round(s.time, 2), "clock": self.clock(s.time, False), "kind": s.kind, "text": s.text}
                     for s in sorted(self.feed, key=lambda s: s.time)],
            "known_hosts": [{"id": h, "zone": zone.get(h, "-"), "status": s} for h, s in self.known_hosts().items()],
            "known_accounts": [{"id": a, "status": s} for a, s in self.known_accounts().items()],
            "orders": [{"n": o.n, "kind": o.kind, "label": o.label, "owner": o.owner,
                        "requested": self.clock(o.time, False), "due": self.clock(o.due, False),
                        "done": None if o.done_time is None else self.clock(o.done_time, False),
                        "status": o.status, "cost": o.cost} for o in self.orders],
            "inject": None if inject is None else {"clock": self.clock(inject.time, False), "title": inject.title,
                                                   "questions": list(inject.questions), "handout": inject.handout},
            "injects_shown": sum(1 for i in self.injects if i.audience == "players"),
        }

    def write_live(self, path: str | Path) -> Path:
        """Replace the live file the player view follows (atomically: a reader never sees half a file)."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.player_state(), indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path)
        return path

    # ---- the session file ------------------------------------------------------------------------------------

    @staticmethod
    def _order_row(o: Order) -> dict[str, Any]:
        return {"n": o.n, "step": o.step, "injects_seen": o.injects_seen, "time": o.time, "kind": o.kind,
                "target": o.target, "owner": o.owner, "due": o.due, "cost": o.cost, "status": o.status,
                "cancelled_step": o.cancelled_step, "cancelled_time": o.cancelled_time, "done_time": o.done_time,
                "done": o.done}

    def session(self) -> dict[str, Any]:
        """Everything needed to reread, report on and replay the session."""
        result = self.run.result()
        return {
            "kind": "tabletop-session",
            "version": SESSION_VERSION,
            "created": self.created,
            "scenario": self.loaded.scenario.name,
            "scenario_file": self.loaded.document.file,
            "scenario_text": self.loaded.document.text,
            "automation": self.automation,
            "posture": self.posture,
            "seed": self.seed,
            "step": self.step,
            "finished": self.done,
            "utc_offset": self.offset,
            "participants": self.participants,
            "objectives": list(self.loaded.scenario.exercise.objectives),
            "timers": self.timers,
            "orders": [self._order_row(o) for o in self.orders],
            "notes": [asdict(n) for n in self.notes],
            "injects": [asdict(i) for i in self.injects],
            "branches": self.branches,
            "result": result.to_dict(),
        }

    def save(self, path: str | Path, overwrite: bool = True) -> Path:
        """Write the session as JSON (to a temporary file first, so a failed write never leaves half a file).
        ``overwrite`` False refuses an existing file (FileExistsError)."""
        path = Path(path)
        if not overwrite and path.exists():
            raise FileExistsError(path)
        tmp = path.with_name(path.name + ".tmp")
        try:
            tmp.write_text(json.dumps(self.session(), indent=2) + "\n", encoding="utf-8")
            tmp.replace(path)
        finally:
            if tmp.exists():
                tmp.unlink()
        return path


def _end_text(result: RunResult) -> str:
    what = {"objective_met": "the attacker met its objective", "contained": "the attacker was contained",
            "detected_not_contained": "the intrusion was detected but not contained",
            "undetected_no_objective": "the attacker did not meet its objective"}.get(result.outcome, result.outcome)
    n = getattr(result, "objectives", 1) or 1
    if n > 1 and result.outcome != "objective_met" and result.objectives_met:
        what += f" (it met {result.objectives_met} of its {n} objectives)"
    return what


def _actions(orders: list[Order], notes: list[Note]) -> list[tuple]:
    """Orders, cancellations and notes as (step, injects seen, kind, index, item), in the order they were given."""
    out: list[tuple] = [(o.step, o.injects_seen, 0, i, o) for i, o in enumerate(orders)]
    out += [(o.cancelled_step, o.injects_seen, 1, i, i) for i, o in enumerate(orders) if o.cancelled_step is not None]
    out += [(n.step, n.injects_seen, 2, i, n) for i, n in enumerate(notes)]
    return out


def _apply(fac: Facilitator, actions: list[tuple], step: int) -> None:
    """Replay orders, cancellations and notes at the steps they were given at, then play on to ``step``."""
    for a_step, _seen, what, _i, item in sorted(actions, key=lambda x: x[:4]):
        while fac.step < a_step and not fac.done:
            fac.advance()
        if fac.done:
            break
        if what == 0:
            fac.decide(item.kind, item.target, check=False)
        elif what == 1:
            if item >= len(fac.orders):
                raise ValueError(f"order {item + 1} taken back before it was given")
            o = fac.orders[item]
            if o.status == "requested":
                o.status, o.cancelled_step, o.cancelled_time = "cancelled", fac.step, fac.now
        else:
            fac.note(item.text)
    while fac.step < step and not fac.done:
        fac.advance()


def _timed_run(fac: Facilitator, seed: int, orders: list[Order]) -> RunResult:
    """One seed with ``orders`` given at the times the team gave them (their targets as named)."""
    run = Run(fac.compiled, seed)
    run.begin()
    env = run.env

    def give(o: Order):
        yield env.timeout(o.time)
        delay, _cost, until, egress = fac.plan(o.kind, o.target)
        run.busy(+1)
        yield env.timeout(delay)
        now = env.now
        run.decide(o.kind, o.target, until=None if until is None else now + until,
                   egress_until=None if egress is None else now + egress)
        run.busy(-1)

    for o in orders:
        env.process(give(o))
    env.run(until=run.stop)
    return run.result()


class SessionError(Exception):
    """A session file that cannot be loaded."""


def load_session(path: str | Path) -> Facilitator:
    """Rebuild a saved session by replaying its orders and notes at their steps: the run comes out identical (a
    session whose stored result the replay does not give is refused)."""
    path = Path(path)
    try:
        if not path.is_file():
            raise SessionError(f"{path}:0: not a readable session file (not a regular file)")
        if path.stat().st_size > 64 * 1024 * 1024:
            raise SessionError(f"{path}:1: not a readable session file (larger than 64 MiB)")
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise SessionError(f"{path}:{e.lineno}: not a readable session file ({e.msg})") from None
    except (OSError, UnicodeDecodeError, RecursionError) as e:
        raise SessionError(f"{path}:0: not a readable session file ({e})") from None
    if not isinstance(data, dict) or data.get("kind") != "tabletop-session":
        raise SessionError(f"{path}:1: kind: not a tabletop session file")
    if data.get("version") != SESSION_VERSION:
        hint = " (version 1 decisions took effect at once; version 2 orders take the posture's time)" \
            if data.get("version") == 1 else ""
        raise SessionError(f"{path}:1: version: session version {data.get('version')} (this tool reads "
                           f"{SESSION_VERSION}){hint}")
    try:
        if not isinstance(data["scenario_text"], str) or not isinstance(data["scenario_file"], str):
            raise TypeError("scenario_text and scenario_file must be text")
        loaded = load_document(parse_yaml(data["scenario_text"], data["scenario_file"]))
        seed = data["seed"]
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
            raise ValueError(f"seed: {seed!r} is not a seed")
        fac = Facilitator(loaded, seed, data["automation"], data["posture"],
                          participants=[{"name": str(p.get("name", "")), "role": str(p.get("role", ""))}
                                        for p in data.get("participants", []) if isinstance(p, dict)],
                          timers={str(k): float(v) for k, v in dict(data.get("timers", {})).items()},
                          created=str(data.get("created", "")))
        orders = [Order(0, int(o["step"]), int(o["injects_seen"]), 0.0, str(o["kind"]),
                        None if o["target"] is None else str(o["target"]), "", 0.0, "",
                        cancelled_step=None if o.get("cancelled_step") is None else int(o["cancelled_step"]))
                  for o in data["orders"]]
        notes = [Note(int(n["step"]), 0.0, str(n["text"]), int(n.get("injects_seen", 0))) for n in data["notes"]]
        actions = _actions(orders, notes)
        if any(a[0] < 0 for a in actions) or int(data["step"]) < 0:
            raise ValueError("negative step")
        _apply(fac, actions, int(data["step"]))
        fac.branches = [b for b in data.get("branches", []) if isinstance(b, dict)]
    except ScenarioError as e:
        raise SessionError(f"{path}:1: scenario_text: its scenario does not load: {e}") from None
    except KeyError as e:
        raise SessionError(f"{path}:1: {e.args[0]}: missing from the session") from None
    except (TypeError, ValueError, AttributeError) as e:
        raise SessionError(f"{path}:1: damaged session ({e})") from None
    stored = data.get("result")
    replayed = json.loads(json.dumps(fac.run.result().to_dict()))
    if isinstance(stored, dict):
        # a result field added since the session was saved (ransomware's, say) is absent from it: it replays if
        # the replay leaves that field at its empty value
        stored = {**{k: v for k, v in replayed.items() if k not in stored and v in (0, 0.0, None, [], {})}, **stored}
    if isinstance(stored, dict) and stored != replayed:
        raise SessionError(f"{path}:1: result: the session does not replay (its orders, notes or steps were "
                           "changed after it was saved, or it comes from another version of the model)")
    return fac


QUESTIONS.update({spec.id: spec.questions for spec in book().values()})
