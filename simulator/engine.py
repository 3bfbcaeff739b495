"""The engine: one seeded run of a compiled scenario, as simpy processes.

The attacker's workflow is a few generator processes named by verb: ``campaign`` (plan, scan, get in) and ``worker``
(one per concurrent line of work, taking tasks: discover, harvest, escalate, move, collect, exfiltrate), one module per
kind of action in ``simulator.attack``. Automation levels change parameters of these processes, never their control
flow. Defender controls plug in through the protocol
in ``defenses.base``; this module names none of them.

The run owns its simpy Environment and its random streams; it never changes the compiled scenario.
"""

from __future__ import annotations

import math
import random

import simpy

from defenses.base import Action, Alert, Belief
from defenses.posture import CHECK_ORDER, CONTROL_NAMES
from simulator.attack import Attacker
from simulator.attack.base import count
from simulator.build import Compiled
from simulator.errors import EventBudgetError
from simulator.result import LogEvent, RunResult, TimelineEvent
from simulator.seeds import keyed_uniform, run_key, stream_seed, substream
from simulator.stats import BLOCKS

S_DEFENDER = 1
S_ATTACKER = 2
S_TIES = 3
"""The stream that orders the attacker's queued tasks of one priority (apart from its other draws)."""

U_NOTICE = 37
"""Keyed draw: whether the attacker notices the n-th containment order that reached it (``notices_response``)."""
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
    "_edr_isolate": "posture.incident_response.edr_isolate_minutes",
}
"""Process -> the parameters whose values set how often it acts, for the event-budget error."""


class Run(Attacker):
    """One run: the state, the environment, the random streams, the context the controls see (it implements
    ``defenses.base.Context``) and the result. The attacker's actions are ``simulator.attack``'s."""

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
        self._ties = substream(self.key, S_TIES)
        self.belief = Belief()
        self.owned: dict[int, str] = {}
        self.harvested: set[int] = set()
        self.fresh_credentials: set[int] = set()
        """Reset accounts whose new password the attacker harvested after the reset (where the user logs on)."""
        self._reharvest: dict[int, int] = {}
        """Account -> the reset order after which a dump of it was queued (one re-harvest per reset)."""
        self._harvest_queued: set[int] = set()
        """Hosts with a re-harvest queued and not yet run."""
        self._dcsync_due = False
        """A DCSync queued or under way (``Collection._dcsync``)."""
        self._dcsync_reset = False
        """... set off by a refused logon (a reset to get past)."""
        self._sync_refused: set[int] = set()
        """Accounts a DCSync was refused with other than by a reset (a decoy): not tried for one again."""
        self._filtered: set[str] | None = None
        """Once a transfer out was refused by egress filtering (None before): the zones it learned reach no web
        service (the crew does not try the C2 channel and the web again on every transfer)."""
        self._stage_wait: tuple[int, int, bool] | None = None
        """An exfiltration (host, data set, misread) egress filtering refused, waiting for a held host in a zone that
        reaches the web (``Exfiltration._stage``)."""
        self.krbtgt_version = 0
        """Truth: the domain's Kerberos key (krbtgt) generation, one more per reset (``reset_krbtgt``)."""
        self.krbtgt_held: int | None = None
        """The krbtgt generation a DCSync brought the attacker (None: none): with it, it forges tickets (golden
        tickets, T1558.001) for any domain account, which the domain accepts while the key they were forged with is
        the current one or the one before (a reset keeps the previous key valid: why it is reset twice)."""
        self.krbtgt_resets = 0
        self.forged_logons = 0
        """Logons and syncs a reset refused the password for, let through by a forged ticket."""
        self.trail_logons: dict[int, set[int]] = {}
        """Account -> hosts the attacker logged on to with it where a record of the logon was kept (a domain-joined
        host: the domain controllers' records; another host running EDR: its agent's), for the response's scoping.
        Written by monitoring as the logons happen."""
        self.trail_links: dict[int, set[int]] = {}
        """Host -> hosts the attacker acted on from it or from which it acted on it (both ways), where either end ran
        EDR at the time (the agent's record of the connection). Written by monitoring."""
        self.found_on: dict[int, list[int]] = {}
        """Account -> the hosts whose dumps yielded it, the last find first (where to look again after a reset)."""
        self._redumped: dict[int, set[int]] = {}
        """Account -> the hosts dumped again for its new password since its last reset."""
        self._upgrade_queued: set[int] = set()
        """Hosts held with user rights with a local logon with a harvested admin account queued and not yet run."""
        self.sessions: set[int] = set()
        """Held hosts it holds only through a session (a VPN tunnel, a web sign-on): no shell there."""
        self.share_src: dict[int, int] = {}
        """Share read -> the held host its shares are read from."""
        self.shares: set[int] = set()
        """Held hosts it reads the file shares of only (a user's SMB logon; among ``sessions``): no shell there, no
        route source, no hold without a host it holds otherwise (``Movement._lose``)."""
        self.compromised: set[int] = set()
        self.ever_harvested: set[int] = set()
        self.timeline: list[TimelineEvent] = []
        self.log: list[LogEvent] = []
        self.stop = self.env.event()
        # attacker bookkeeping
        self._tasks: list[tuple[int, float, int, tuple]] = []
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
        self._quiet_minutes = 0.0
        """Minutes of lying low so far (the last quiet period may run past the end: ``quiet_hours`` cuts it)."""
        self._orders = 0
        """Containment orders so far: each is one response, noticed or not once when it first reaches the attacker."""
        self._reset_by: dict[int, int] = {}
        """For each reset account, the containment order that reset it (a refusal of it is that order reaching the
        attacker)."""
        self._orders_met: set[int] = set()
        """Orders that have reached the attacker (dropped a session, refused a logon): drawn once, noticed or not."""
        self.known_targets: set[int] = set()
        self.discovered_zones: set[str] = set()
        self.tried: set[tuple] = set()
        self.gates_passed: set[tuple[str, str]] = set()
        self._gate_events: dict[tuple[str, str], simpy.Event] = {}
        self.in_action: dict[simpy.Process, tuple[int | None, int | None]] = {}
        self.operators = simpy.Resource(self.env, capacity=self.p.operators) if self.p.executor == "ai" else None
        self.spray_start: dict[tuple[int, str], float] = {}
        """(entry host, service) -> minute of its first spraying round (the spray works through its list from then)."""
        self.sprayed: dict[tuple[int, str], int] = {}
        """(entry host, service) -> logon rounds run there from the breach corpus and by spraying: the first is the
        corpus, each later one a password-spraying round (``spraying_success``)."""
        self.first_reset: dict[int, float] = {}
        """Account -> minute its password was first changed (the world's state, not the defender's belief: a
        password list holds the original password, gone from then on however often it is changed again)."""
        self.stale: set[int] = set()
        """Accounts whose password from outside (a breach corpus's, a spray's, a harvested one) was refused as
        changed since: not tried again that way (a harvested one comes back only when dumped again)."""
        self.mfa_refused: set[tuple[int, str]] = set()
        """(account, service) pairs where a logon met a second factor: the attacker does not try them again."""
        self.weaponised: set[int] = set()
        """Exploits whose weaponising is done: later uses are quick reuses."""
        self._weaponising: dict[int, simpy.Event] = {}
        """Exploits being weaponised right now -> the event that fires when that work ends (other lines wait)."""
        self._moving: dict[int, list[tuple[int, tuple]]] = {}
        """Hosts a lateral move is under way onto -> the moves onto them held back meanwhile (queued again when it
        ends: an orchestrator does not send a second line of work onto a host before the first one's outcome)."""
        self._harvesting: dict[int, bool] = {}
        """Hosts a credential dump is under way on -> whether another was asked for meanwhile (held back until it
        ends: ``Collection._harvest``)."""
        self._escalating: dict[int, list[tuple[int, tuple]]] = {}
        """Hosts a privilege escalation is under way on (a local exploit, a local logon with an admin account) -> the
        escalations (and the ransomware's deployment) held back meanwhile: queued again when it ends."""
        self.tier_refused: set[tuple[int, str]] = set()
        """(account, zone) pairs where admin tiering refused a logon: the account may not log on in that zone, and
        the attacker does not try it there again (a remote logon or a local one)."""
        self.rate = 0.0
        self.peak = 0.0
        # figures
        self.t_initial_access: float | None = None
        self.initial_access_vector: str | None = None
        """The way in of the first foothold (a vector's name: exploit, logon, broker, phishing, supplier)."""
        self._entry_vector: str | None = None
        self._inside_gains: set[int] = set()
        """Hosts gained by lateral movement while the campaign was at the perimeter (not a way in of its own)."""
        self._scan_start: set[int] = set()
        """What the attacker held when its campaign went back to the perimeter, and still holds (``_get_in``)."""
        self._scan_shells: set[int] = set()
        """Those of them held with a shell then."""
        self.t_breakout: float | None = None
        self.entered_at: dict[int, float] = {}
        """For each held host, when the way in it came through began: the initial access of its own chain (a host
        reached by lateral movement inherits its source's). Breakout counts from the entry it started from."""
        self.t_breakout_entry: float | None = None
        self.breakout_move: str | None = None
        """How the breakout movement was made: logon or exploit."""
        self.cred_entry: dict[int, float] = {}
        """For each account ever harvested, when the way in it came through began (as ``entered_at``)."""
        self.t_objective: float | None = None
        """When the (last) objective was met."""
        self.goal_i = 0
        """The objective being pursued (an index into ``net.goals``): the attacker turns to the next once one is met."""
        self.goal_times: list[float | None] = [None] * len(self.net.goals)
        self.obj_kind, self.obj, self.obj_host, self.obj_records = self.net.goals[0]
        """The current objective: kind, data asset, its host, records that must leave."""
        self._goal_out = 0
        """Records of the current objective's data out so far."""
        self.process_disrupted = 0.0
        """Hours the OT process is down (an ``ot-disruption`` objective met), to the horizon at most."""
        self._ot_prepared: set[int] = set()
        """Controllers where people have learnt the process (T0882)."""
        self.t_detection: float | None = None
        """First recognised alert about the intrusion (evidence of the attacker on an own host): dwell ends here."""
        self.first_source: str | None = None
        self.t_warning: float | None = None
        """First recognised alert of any kind (outside scans and failed attempts included)."""
        self.t_containment: float | None = None
        self.evictions = 0
        self.reentries = 0
        self._notice_at: float | None = None  # when an outside party's notice is due (simulator/attack/campaign.py)
        # response costs
        self.isolations = 0
        self.clean_isolations = 0
        self.isolated_minutes = 0.0
        self.clean_isolated_minutes = 0.0
        self.egress_minutes = 0.0
        self.credentials_reset = 0
        self.infra_blocks = 0
        self.exfiltrated = 0
        self._soft: dict[int, str] = {}
        """Hosts under a network isolation that does not eradicate (the SOC's automation) -> the attacker's access
        there when it was cut off ('' for a host it did not hold): released as they were."""
        self._soft_entry: dict[int, float] = {}
        """The same hosts -> when the way in the attacker held them through began (breakout's clock runs on)."""
        self._soft_session: set[int] = set()
        """Those of them the attacker held as a session only (it comes back as one)."""
        self._release: dict[int, tuple[int, float, float, bool]] = {}
        """Isolated hosts -> (the containment order that releases them, the minute it does (inf: never), the minute
        its isolated hours count from, whether it was clean). A response that takes over an automation's isolation
        releases the host on its own clock, not the automation's."""
        self.backdoors: set[int] = set()
        """Hosts the attacker created a backdoor account from (its way back in after an eviction)."""
        self.backdoors_disabled = False
        self.encrypted: dict[int, float] = {}
        """Hosts encrypted by ransomware -> hours until each is back (restored from backup or rebuilt)."""
        self.down_until: dict[int, float] = {}
        """Encrypted hosts -> the minute each is back in service (clean: the attacker lost it when it was encrypted)."""
        self.wasted = 0
        self.actions = {"human": 0, "ai": 0}
        self.decision_points = 0
        self.false_acted = 0
        self._fail_reports: dict[int, int] = {}  # failed AI steps per host, for their keyed draws (``_overstated``)
        self.false_caught = 0
        self.alerts_true = 0
        self.operator_minutes = 0.0
        named = [(name, c) for name, cfg in zip(CONTROL_NAMES, compiled.posture.controls(), strict=True)
                 if (c := cfg.behaviour(self)) is not None]
        controls = [c for _, c in named]
        self.controls = controls

        def hooks(name: str) -> list:
            return [getattr(c, name) for c in controls if name in type(c).overridden()]

        self._check = [c.check for _, c in sorted(named, key=lambda nc: CHECK_ORDER.index(nc[0]))
                       if "check" in type(c).overridden()]
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
        if alert.technique == "T1136" and evidence:
            self.backdoor_seen()  # the response audits the accounts created and disables the attacker's
        where = "from outside" if alert.outside else ""
        text = ("an outside party reported the breach" if alert.source == "outside"
                else f"{alert.source} alert on {alert.technique or '-'} {where}".rstrip() + " escalated")
        self._log("escalation", text, alert.host)
        for hook in self._on_escalation:
            hook(alert)

    def contain(self, hosts: set[int], credentials: set[int], block_egress: bool = False,
                until: float | None = None, egress_until: float | None = None, false_alarm: bool = False,
                eradicate: bool = True, by: str = "the SOC's automation", note: str | None = None) -> None:
        now = self.env.now
        b = self.belief
        horizon = self.net.horizon
        self._orders += 1
        order = self._orders
        release = math.inf if until is None else until
        taken_over: list[int] = []
        took_held = False  # one of them cut the attacker off a host it held
        if eradicate:
            for h in sorted(hosts & b.network_isolated):
                taken_over.append(h)
                # the response takes over a network isolation: the host comes back cleaned, when its cleanup is done
                clean = self._soft.pop(h, None) == ""
                took_held = took_held or not clean
                self._soft_entry.pop(h, None)
                self._soft_session.discard(h)
                b.network_isolated.discard(h)
                _, before, counted_from, was_clean = self._release[h]
                # the hours counted move to the response's release, sooner or later than the automation's
                extra = (max(0.0, min(release, horizon) - counted_from)
                         - max(0.0, min(before, horizon) - counted_from))
                self.isolated_minutes += extra
                if clean and was_clean:
                    self.clean_isolated_minutes += extra
                self._release[h] = (order, release, counted_from, was_clean)
        hosts = hosts - b.contained_hosts
        held_before_order = set(self.owned)  # (a share read lost with its source below was held all the same)
        if (self.t_containment is None and not false_alarm and self.t_initial_access is not None
                and (took_held or any(h in self.owned for h in hosts)
                     or any(a in self.harvested and (a not in b.reset_credentials or a in self.fresh_credentials)
                            for a in credentials))):
            # the first order that takes something from the attacker: a held host, a password it holds (a reset
            # before it is in prevents, and one of a password it no longer holds, or a clean host, contains nothing)
            self.t_containment = now
        held_before = bool(self.owned)
        noticed = False  # a reset credential is noticed when the attacker next uses it (a refused logon)
        end = min(release, horizon)
        for h in sorted(hosts):
            b.contained_hosts.add(h)
            if not eradicate:
                b.network_isolated.add(h)
            self.isolations += 1
            down = self._down(h)
            # an encrypted host is out of service already (its downtime is counted there): its isolation counts
            # from when it is back
            counted_from = max(now, self.down_until[h]) if down else now
            minutes = max(0.0, end - counted_from)
            self.isolated_minutes += minutes
            clean = h not in held_before_order and not down  # (an encrypted host is the attacker's work)
            self._release[h] = (order, release, counted_from, clean)
            if h in self.owned:
                noticed = True
                if not eradicate and h in self.shares:
                    self._soft[h] = ""  # (a share read leaves no implant to come back to, and nothing to rebuild)
                elif not eradicate:
                    self._soft[h] = self.owned[h]  # cut off, not cleaned: the implant is still there
                    self._soft_entry[h] = self.entered_at.get(h)  # and its way in with it (breakout's clock)
                    if h in self.sessions:
                        self._soft_session.add(h)
                self._lose(h)
            else:
                if not eradicate:
                    self._soft[h] = ""
                if clean:
                    self.clean_isolations += 1
                    self.clean_isolated_minutes += minutes
        if (hosts or taken_over) and until is not None:
            self.env.process(self._restore(sorted(hosts) + taken_over, until, order))
        b.reset_credentials |= credentials
        for acct in credentials:
            self._reset_by[acct] = order
            b.reset_at[acct] = now
            self.first_reset.setdefault(acct, now)
            self.fresh_credentials.discard(acct)  # whatever it harvested since the last reset is stale now
        self.credentials_reset += len(credentials)
        blocked = block_egress and not b.egress_blocked
        if blocked:
            b.egress_blocked = True
            self.egress_minutes += max(0.0, min(horizon if egress_until is None else egress_until, horizon) - now)
            if egress_until is not None:
                self.env.process(self._lift_egress_block(egress_until))
        what = (f"isolated {count(len(hosts), 'host')}" if eradicate
                else f"{by} cut {count(len(hosts), 'host')} off the network"
                + (" (a false alarm)" if false_alarm else f" ({note})" if note
                   else " (not cleaned: released as it was unless the response takes it over)"))
        done = [what if hosts else "",
                f"took over {count(len(taken_over), 'network isolation')} to clean" if taken_over else "",
                f"reset {count(len(credentials), 'credential')}" if credentials else "",
                "blocked egress" if blocked else ""]
        self._log("containment", ", ".join(d for d in done if d) or "nothing new to contain")
        for proc, (host, src) in list(self.in_action.items()):
            if (host in hosts or src in hosts) and proc.is_alive:
                proc.interrupt("contained")
                noticed = True  # a session dropped mid-action
        if noticed:
            self._noticed(order)
        if held_before and self.t_initial_access is not None and not self.owned:
            self.evictions += 1
            self._log("evicted", "the attacker holds no host any more")
            self._evicted_since_entry = True
            if self._lost is not None and not self._lost.triggered:
                self._lost.succeed()

    def _restore(self, hosts: list[int], until: float, order: int):
        """Isolated hosts come back after cleanup, rebuilt (the exploited hole the evidence showed is closed); those
        a later order took over come back on its clock."""
        yield self.env.timeout(max(0.0, until - self.env.now))
        b = self.belief
        release = self._release
        back = [h for h in hosts if h in b.contained_hosts and release[h][0] == order]
        released = []
        still_down = 0
        for h in back:
            b.contained_hosts.discard(h)
            b.network_isolated.discard(h)
            if h in self._soft:  # a network isolation released without eradication: the attacker's hold returns
                access = self._soft.pop(h)
                entry = self._soft_entry.pop(h, None)
                released.append(h)
                session = h in self._soft_session
                self._soft_session.discard(h)
                if access:
                    if entry is not None and h not in self.owned:
                        self.entered_at[h] = entry  # held all along: the clock of the way it came in runs on
                    self._gain(h, access, session)
                continue
            if self._down(h):
                still_down += 1  # (encrypted and not back yet: it comes back when restored or rebuilt)
                continue
            b.rebuilt[h] = b.cleaned[h] = self.env.now
        cleaned = len(back) - len(released) - still_down
        if cleaned:
            self._log("restored", f"{count(cleaned, 'host')} cleaned and back in service")
        if released:
            self._log("restored", f"{count(len(released), 'host')} released from isolation (not cleaned)")

    def _lift_egress_block(self, until: float):
        yield self.env.timeout(max(0.0, until - self.env.now))
        self.belief.egress_blocked = False
        self._log("restored", "egress block lifted")

    def _noticed(self, order: int) -> None:
        """Containment order ``order`` reached the attacker (it dropped a session, or a logon with a credential it
        reset was refused). The first time an order does, the attacker notices it as a response with the profile's
        ``notices_response`` chance (one keyed draw per order: an order that isolated hosts and reset credentials
        is one response, however many of its effects the attacker meets; keyed by how many orders have reached it, so
        orders that never reach it do not reshuffle the draws), and then every line of work lies low for
        ``lie_low_hours`` from now."""
        p = self.p
        if p.lie_low_hours <= 0 or p.notices_response <= 0 or order in self._orders_met:
            return
        self._orders_met.add(order)
        if p.notices_response < 1 and self.uniform(U_NOTICE, len(self._orders_met)) >= p.notices_response:
            return
        now = self.env.now
        until = now + p.lie_low_hours * 60
        if until <= self._quiet_until:
            return
        again = self._quiet_until > now
        self._quiet_minutes += until - max(self._quiet_until, now)
        self._quiet_until = until
        self._log("lying-low", f"the attacker noticed {'another' if again else 'the'} response and lies low "
                               f"{p.lie_low_hours:g} h from now")

    def record(self, kind: str, detail: str, host: int | None = None, at: float | None = None) -> None:
        self._log(kind, detail, host, at)

    def reset_krbtgt(self) -> None:
        """Reset the domain's Kerberos key (krbtgt) once: tickets forged with the key before the previous one stop
        working (Microsoft's guidance resets it twice, hours apart, so that both keys a forger may hold are gone)."""
        self.krbtgt_version += 1
        self.krbtgt_resets += 1
        self._log("containment", f"reset the krbtgt key (reset {self.krbtgt_resets} of this run)")

    def ticket_valid(self) -> bool:
        """Whether a ticket forged now (with the krbtgt key the attacker holds) is accepted by the domain."""
        return self.krbtgt_held is not None and self.krbtgt_version - self.krbtgt_held <= 1

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

    def _horizon(self):
        yield self.env.timeout(self.net.horizon)
        self._finish()

    # ---- actions -------------------------------------------------------------------------------------------------








    # ---- campaign: plan, scan, get in ------------------------------------------------------------------------





    # ---- the inside: tasks for the workers -------------------------------------------------------------------

























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

    def step(self) -> None:
        """One simpy step, under the same event budget as ``execute`` (facilitator mode steps a run by hand)."""
        env = self.env
        env.step()
        n = self._stepped = getattr(self, "_stepped", 0) + 1
        if n >= MAX_EVENTS:
            raise self._budget(f"more than {MAX_EVENTS} events")
        if env.now == getattr(self, "_still_at", None):
            self._still += 1
            if self._still >= MAX_STILL_EVENTS:
                raise self._budget(f"more than {MAX_STILL_EVENTS} events in a row at minute {env.now:.6g} without "
                                   "time passing")
        else:
            self._still_at, self._still = env.now, 0

    def step_until_event(self) -> bool:
        """Advance until the timeline or the log grows, or the run ends. Returns False once it has ended."""
        before = (len(self.timeline), len(self.log))
        while not self.stop.triggered:
            if self.env.peek() == float("inf"):
                self._finish()
                break
            self.step()
            if (len(self.timeline), len(self.log)) != before:
                return True
        return False

    def result(self) -> RunResult:
        """The result so far (the final one once the run has ended)."""
        return self._result()

    def decide(self, kind: str, target: str | None = None, until: float | None = None,
               egress_until: float | None = None) -> str:
        """Apply a tabletop team's decision now. Kinds: isolate_host (target: a host id; back in service, cleaned, at
        ``until``, or isolated to the horizon), reset_credentials (target: an account id, ``krbtgt`` for the domain's
        Kerberos key where the network has a domain controller, or None for every credential the defender knows stolen
        or cached on hosts it knows), block_egress (lifted at ``egress_until``,
        or never), escalate (to incident response; target: a host id or None), raise_monitoring (target: a zone),
        nothing. Returns what was done, for the scribe log."""
        net = self.net
        if kind == "isolate_host":
            if target not in net.host_index:
                raise ValueError(f"unknown host '{target}'")
            h = net.host_index[target]
            self.belief.known_hosts.add(h)
            if h in self.belief.network_isolated:  # cut off by the SOC's automation: the response takes it over
                self.contain({h}, set(), False, until=until)
                done = f"took over {target}'s network isolation to clean it"
            elif h in self.belief.contained_hosts:
                done = f"{target} was already isolated"
            else:
                self.contain({h}, set(), False, until=until)
                done = f"isolated {target}"
        elif kind == "reset_credentials" and target == "krbtgt" and net.domain_controllers:
            self.reset_krbtgt()
            done = (f"reset the krbtgt key (reset {self.krbtgt_resets} of this run: a ticket forged before the "
                    "previous one no longer works)")
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
            reset = creds if target is not None else self.belief.due_for_reset(creds)
            self.contain(set(), reset, False)
            done = f"reset {count(len(reset), 'credential')}"
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
            initial_access_vector=self.initial_access_vector,
            breakout_time=r(None if self.t_breakout_entry is None else self.t_breakout - self.t_breakout_entry),
            breakout_move=self.breakout_move,
            time_to_objective=r(self.t_objective),
            time_to_first_detection=r(self.t_detection),
            time_to_first_warning=r(self.t_warning),
            time_to_containment=r(self.t_containment),
            dwell_time=r(dwell),
            hosts_compromised=len(self.compromised),
            credentials_harvested=len(self.ever_harvested),
            records_exfiltrated=self.exfiltrated,
            hosts_encrypted=len(self.encrypted),
            downtime_hours=round(sum(self.encrypted.values()), 4),
            process_hours_disrupted=round(self.process_disrupted, 4),
            objectives=len(self.goal_times),
            objectives_met=sum(1 for t in self.goal_times if t is not None),
            objective_times=tuple(r(t) for t in self.goal_times),
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
            krbtgt_resets=self.krbtgt_resets,
            forged_logons=self.forged_logons,
            reentries=self.reentries,
            quiet_hours=round((self._quiet_minutes - max(0.0, self._quiet_until - self.env.now)) / 60, 4),
            owned_hosts=tuple(hosts[h].id for h in sorted(self.owned)),
            known_hosts=tuple(hosts[h].id for h in sorted(self.belief.known_hosts)),
            contained_hosts=tuple(hosts[h].id for h in sorted(self.belief.contained_hosts)),
            timeline=tuple(self.timeline),
            log=tuple(self.log),
        )


def run(compiled: Compiled, seed: int, replicate: int = 0) -> RunResult:
    """One seeded run of ``compiled``."""
    return Run(compiled, seed, replicate).execute()

