"""The campaign: plan, get in (and back in), the workers and their task queue, regrouping.

A mixin of the attacker (``simulator.attack.Attacker``): its methods run on the run itself, which holds the
state (``simulator/engine.py``).
"""

from __future__ import annotations

import heapq
import math

from defenses.base import Alert
from simulator.attack.base import P_COLLECT
from simulator.attack.vectors import backdoor, broker, supplier

U_OUTSIDE = 38
"""Keyed draws: when an outside party's notice comes (0) and which held host it names (1)."""


class Campaign:
    """The campaign: plan, get in (and back in), the workers and their task queue, regrouping."""

    def _maybe_finish(self) -> None:
        """End early once nothing can change any more. An attacker holding hosts never gives up before the horizon:
        out of work, it regroups (waits, then retries what failed and uses what has been disclosed since). One
        holding nothing is the campaign's: it tries to get back in, and ends the run only when no way in is left."""
        if self._regrouping or self._active or self._tasks:
            return
        if self._campaign_running:
            if self.owned and self.env.now + self._retry_wait() < self.net.horizon:
                # back at the perimeter for another way in (or waiting there for an operator, a weekend), it still
                # regroups inside on its own schedule: retries what failed and plans the moves open to it, a host
                # back from cleanup included (before, it regrouped only with a failed task to retry, so a host
                # restored meanwhile waited for the next perimeter round, days away over a weekend)
                self._regrouping = True
                self.env.process(self._regroup())
            return
        if self.owned:
            if self.env.now + self._retry_wait() < self.net.horizon:
                self._regrouping = True
                self.env.process(self._regroup())
                return
        elif self._lost is not None:
            return  # the campaign is about to try to get back in
        if self.owned and self._notice_at is not None and self.env.now < self._notice_at:
            return  # an outside party's notice is still to come: the run goes on to it (or to the horizon)
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
                elif h not in self.owned or self._shell_less(h):
                    self._push(prio, task)
            elif h in self.owned:
                self._push(prio, task)
        for t in sorted(self.known_targets):
            self._plan(t, None)
        if not self._tasks and self._stuck is not None and not self._stuck.triggered and self.t_objective is None:
            self._campaign_running = True  # nothing to do from what it holds: back to the perimeter
            self._stuck.succeed()
        self._maybe_finish()  # (at the perimeter, holding hosts, the next regrouping comes on the same schedule)

    def campaign(self):
        """Plan, then get in; after an eviction, get back in; with footholds that lead nowhere, look for another way
        in; until no way in is left or the horizon comes."""
        p, env = self.p, self.env
        yield from self.act("planning", "", p.efforts.planning, actor="human")
        while True:
            self._campaign_running = True
            held = bool(self.owned)
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
                    self.initial_access_vector = self._entry_vector
                    self._log("initial-access", "foothold gained", got)
                    if self.compiled.posture.monitoring.outside_notice_days is not None:
                        env.process(self._outside_notice())
                    env.process(self._disclosures())
                    for _ in range(p.concurrency):
                        env.process(self.worker())
                else:
                    if self._entry_vector == "inside":
                        pass  # its lines of work found more to do from what it holds: no way in of its own
                    elif self._evicted_since_entry:
                        self.reentries += 1
                        self._log("re-entry", "the attacker is back in", got)
                    elif got in self._scan_start:  # (held throughout, as a session)
                        self._log("initial-access", "a shell gained from outside on a host held only as a session",
                                  got)
                    elif held:
                        self._log("initial-access", "another foothold gained (what it held led no further)", got)
                    for t in sorted(self.known_targets):
                        self._plan(t, None)
                self._evicted_since_entry = False
            self._lost = env.event()
            self._stuck = None if self._perimeter_done else env.event()
            # the lines of work may have run out while the campaign was busy at the perimeter (their last call to
            # _maybe_finish found it running and left the next step to it): take that step now, or nobody would
            self._maybe_finish()
            yield self._lost if self._stuck is None else self._lost | self._stuck
            self._campaign_running = True  # from here the campaign owns what happens next
            lost = self._lost.triggered
            self._lost = self._stuck = None
            if lost:
                yield from self._lie_low()

    def _disclosures(self):
        """Each day a vulnerability becomes usable (its disclosure, or a bought zero-day's day), the attacker, holding
        hosts, plans the moves it opens against the targets it knows. Without this, new disclosures waited for a
        regrouping, which never comes while the campaign is back at the perimeter looking for another way in."""
        env = self.env
        horizon = self.net.horizon
        for day in sorted({self._usable_from(v) for v in range(len(self.net.vulns))}):
            at = day * 1440
            if at <= env.now:
                continue
            if at >= horizon:
                return
            yield env.timeout(at - env.now)
            if self.owned:
                for t in sorted(self.known_targets):
                    self._plan(t, None)

    def _outside_notice(self):
        """An outside party tells the organisation it is breached (``monitoring.outside_notice_days``): at an
        exponential time after initial access (one keyed draw), naming a host the attacker then holds (another); it
        goes straight to incident response. Nothing comes if the attacker holds no host then. While it is due, a
        run does not end early with the attacker holding hosts (``_maybe_finish``)."""
        env = self.env
        median = self.compiled.posture.monitoring.outside_notice_days * 1440
        wait = -median / math.log(2) * math.log(1.0 - self.uniform(U_OUTSIDE, 0))
        if env.now + wait >= self.net.horizon:
            return
        self._notice_at = env.now + wait
        yield env.timeout(wait)
        self._notice_at = None
        if not self.owned:
            return
        held = sorted(x for x in self.owned if x not in self.shares)  # (a share read runs nothing to notice)
        if not held:
            return
        h = held[min(int(self.uniform(U_OUTSIDE, 1) * len(held)), len(held) - 1)]
        self.escalate(Alert(env.now, "high", True, "outside", h, src_host=h, src_zone=self._zone(h), success=True))

    def _later_ways_pending(self) -> bool:
        """A way in not tied to a scan: a bought account or a supplier's access still to come or untried, or a live
        backdoor."""
        return broker.pending(self) or supplier.pending(self) or backdoor.pending(self)

    def _ways_in_left(self) -> bool:
        """Whether any way in is still open in the network: an entry service with a vulnerability not yet found
        patched (or disclosed before the horizon), a logon service with an account left to try."""
        net = self.net
        horizon_day = net.horizon / 1440
        for h, svcs in net.entry:
            for v in net.hosts[h].network_vulns:
                vi = net.vulns[v]
                if vi.service in svcs and (h, v) not in self.dead and self._usable_from(v) < horizon_day:
                    return True
            for svc in svcs:
                if svc in self.net.logon_services and (h, svc) not in self.dead:
                    return True
        if self.p.phishing_recipients > 0 and self.net.phishing:
            return True  # people can always be written to again
        return self._later_ways_pending()

    def _goal_met(self, h: int, detail: str) -> None:
        """The current objective is met (on host ``h``): log it, then turn to the next one, or, if it was the last,
        the run's objective is met. The next objective's data is looked for again where its host is already held."""
        env = self.env
        self.goal_times[self.goal_i] = env.now
        self._log("objective", f"objective met: {detail}" if len(self.goal_times) == 1
                  else f"objective {self.goal_i + 1} of {len(self.goal_times)} met: {detail}", h)
        if self.goal_i + 1 == len(self.goal_times):
            self.t_objective = env.now
            for t in sorted(self.known_targets):  # it spreads again: the moves dropped while it focused
                self._plan(t, None)
            return
        self.goal_i += 1
        self.obj_kind, self.obj, self.obj_host, self.obj_records = self.net.goals[self.goal_i]
        self._goal_out = 0
        if self._holds_data(self.obj_host, self.obj):
            self._push(P_COLLECT, ("collect", self.obj_host, self.obj))
        for t in sorted(self.known_targets):  # the moves dropped while it focused on the last objective
            self._plan(t, None)

    def _push(self, prio: int, task: tuple) -> None:
        """Queue a task; tasks of one priority are taken in a random order (a draw per task from a stream of its own,
        so the order draws do not shift the attacker's other draws), not in the order the scenario lists its hosts."""
        self._seq += 1
        heapq.heappush(self._tasks, (prio, self._ties.random(), self._seq, task))
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
            _, _, _, task = heapq.heappop(self._tasks)
            self._active += 1
            yield from self._pause()
            yield from getattr(self, "_" + task[0])(*task[1:])
            self._active -= 1

    def _pause(self):
        """Low and slow: after breakout (the first move into the network, not a hop between entry points), a line of
        work waits a while (working time) before its next task; after it noticed a response, it lies low first
        (``lie_low_hours``)."""
        p = self.p
        yield from self._lie_low()
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
