"""How one action is carried out: effort, the operators, the gates, verification, exploits.

A mixin of the attacker (``simulator.attack.Attacker``): its methods run on the run itself, which holds the
state (``simulator/engine.py``).
"""

from __future__ import annotations

import simpy

from defenses.base import Action
from simulator.attack.base import P_HARVEST, RELOGON_MINUTES
from simulator.attack.movement import SESSION_SERVICES
from simulator.result import timeline_event

U_REDUMP = 40
"""Keyed draw: the order in which held hosts caching a reset account are dumped again for its new password."""
U_OVERSTATED = 41
"""Keyed draw (host, failed step): whether the agent reports a step that failed as done (``false_finding_rate``)."""

HANDS_ON = frozenset({"T1021", "T1078", "T1199", "T1003", "T1003.006", "T1552", "T1136"})
"""Techniques of hands-on steps: a logon with an account in hand (a supplier's included), harvesting with a known
tool, creating an account (``hands_on_speed``). Credential stuffing (T1110.004), password spraying (T1110.003) and push
bombing (T1621) are scripted."""


def outside_of(src_host: int | None, src_zone: str | None) -> bool:
    """An action from the attacker's own infrastructure (no host of the defender's to evade a sensor on)."""
    return src_host is None and src_zone == "internet"


class Acting:
    """How one action is carried out: effort, the operators, the gates, verification, exploits."""

    def _usable_from(self, v: int) -> float:
        """The campaign day from which the attacker can use vulnerability ``v``: its disclosure, or, for an attacker
        that buys zero-days (``buys_zero_days``), the vulnerability's ``zero_day_days`` if that comes first."""
        vi = self.net.vulns[v]
        if self.p.buys_zero_days and vi.zero_day_days is not None:
            return min(vi.disclosed_day, vi.zero_day_days)
        return vi.disclosed_day

    def _public(self, vuln: int) -> bool:
        """Whether a public exploit exists for ``vuln`` now (``public_exploit_days`` after its disclosure, unless the
        scenario says none ever appears for it)."""
        days = self.p.public_exploit_days
        vi = self.net.vulns[vuln]
        return days is not None and vi.public_exploit and self.env.now >= (vi.disclosed_day + days) * 1440

    def _exploit(self, vuln: int, first: bool) -> tuple[str, float]:
        """Who uses exploit ``vuln`` and with what effort: the ``first`` use weaponises it (the vulnerability's
        effort, by a human where it is beyond the AI); later uses reuse the weaponised exploit, as does every use of
        a public one."""
        if not first:
            return self.p.executor, self.p.efforts.exploit_reuse
        hours = self.net.vulns[vuln].effort_hours
        limit = self.p.max_ai_effort_hours
        actor = "human" if self.p.executor == "ai" and limit is not None and hours > limit else self.p.executor
        return actor, hours * 60

    def _await_weapon(self, vuln: int):
        """Wait while another line of work is still weaponising exploit ``vuln`` (it cannot be reused before)."""
        while vuln in self._weaponising and not self._public(vuln):
            yield self._weaponising[vuln]

    def _use_exploit(self, vuln: int, phase: str, technique: str, **kw):
        """Use exploit ``vuln`` (call right after ``_await_weapon``): the first use weaponises it, and it counts as
        weaponised once that work is done, not when it starts (and not if containment cut it short)."""
        first = vuln not in self.weaponised and not self._public(vuln)
        assert not (first and vuln in self._weaponising), "_use_exploit must follow _await_weapon with no wait between"
        actor, effort = self._exploit(vuln, first)
        if first:
            done = self._weaponising[vuln] = self.env.event()
        a = yield from self.act(phase, technique, effort, actor=actor, vuln=vuln, hands_on=not first, **kw)
        if first:
            del self._weaponising[vuln]
            if a.blocked != "contained":
                self.weaponised.add(vuln)
            done.succeed()
        return a

    def _lie_low(self):
        """Wait out the quiet period after a noticed response, however often it is extended meanwhile."""
        env = self.env
        while self._quiet_until > env.now:
            yield env.timeout(self._quiet_until - env.now)

    def act(self, phase: str, technique: str, effort: float, *, actor: str | None = None, host: int | None = None,
            src_host: int | None = None, src_zone: str | None = None, dst_zone: str | None = None,
            factor: float = 1.0, account: int | None = None, vuln: int | None = None, service: str | None = None,
            success: float = 1.0, fake: bool = False, false_finding: bool = False, honeytoken: bool = False,
            records: int = 0, duration: float | None = None, takeover: bool = False, hands_on: bool | None = None,
            redo: bool = False, proxied: bool = False, marker: tuple[dict, list] | None = None,
            origin: int | None = None):
        """Perform one action: wait for a shift if a human must do it, take time, resolve, be seen (or not).
        ``actor`` defaults to the profile's executor. With ``takeover``, a failed AI action may be redone by hand
        (the profile's ``takeover`` chance). ``hands_on`` (default: by technique, ``HANDS_ON``) marks a step AI
        help does not shorten in a human-executed campaign (``hands_on_speed``). ``redo`` marks that takeover: a move
        redone by hand is dropped (None returned) if, by the time an operator gets to it, the attacker holds the target
        already (another line of work took it meanwhile). ``proxied``: an action from outside sent through a rotating
        proxy pool (password spraying), so from no address of the attacker's own infrastructure: none to block, no
        single source for a rate rule, and no wait for new addresses after a block. ``marker``: the caller's mark
        of a move or an escalation under way on ``host`` (``Movement._mark``): a failed step handed to the operators
        releases it, since a step waiting in a person's queue is not under way; when an operator gets to it, the
        redo is dropped if another line of work's is under way there, and marks the host while it runs. ``origin``:
        for data leaving a host it was staged on, the host it was read on (evidence in what the sensors see)."""
        env = self.env
        p = self.p
        if actor is None:
            actor = p.executor
        given_duration = duration  # a takeover by hand times itself unless the caller fixed the duration
        jitter = self.arng.lognormvariate(0.0, p.duration_spread)
        roll = self.arng.random()  # drawn whatever happens, so blocked actions do not shift later draws
        if self._quiet_until > env.now:  # lying low after a noticed response: no new action until it ends
            yield from self._lie_low()
        if duration is None:
            if actor == "ai":
                speed = p.speed
            elif p.executor == "ai":
                speed = p.human_speed
            elif p.hands_on_speed is not None and (technique in HANDS_ON if hands_on is None else hands_on):
                speed = p.hands_on_speed
            else:
                speed = p.speed
            duration = effort / speed * jitter
        evading = p.edr_evasion > 0 and host is not None and not outside_of(src_host, src_zone)
        if evading:
            duration *= 1.0 + p.edr_evasion_cost  # tampering with the sensor, living off the land: slower
        outside = src_host is None and src_zone == "internet"
        if outside and self._burned and not proxied:  # its addresses were blocked: stand up new infrastructure first
            self._burned = False
            if p.rotation_hours > 0:
                yield env.timeout(p.rotation_hours * 60)
            self.infra += 1
        operator = None
        if actor == "human" and self.operators is not None:
            operator = self.operators.request()  # AI-executed campaign: hands-on work queues for an operator
            yield operator
        while True:
            start = env.now
            if actor == "human" or not p.works_off_shift:
                # people (and agents kept to their operators' hours) work only on shift: the action pauses overnight
                start = self.shifts.next_on_shift(start)
                end = self.shifts.add_work(start, duration)
            else:
                end = start + duration
            if start > env.now:
                yield env.timeout(start - env.now)
            if self._quiet_until <= env.now:
                break
            # noticed a response while waiting for new infrastructure, an operator or the shift: lie low first
            yield from self._lie_low()
        if redo and ((host in self.owned and phase in ("lateral-movement", "initial-access") and not (
                self._shell_less(host) and service not in SESSION_SERVICES
                and not self._share_logon(account, service, host)))
                or (phase == "privilege-escalation" and self.owned.get(host) == "admin"
                    and not self._shell_less(host))
                or (src_host is not None and src_host not in self.owned)
                or (marker is not None and host in marker[0])):
            # moot by the time an operator gets to it: the target is held already (with admin rights, for an
            # escalation), the host the step was to be run from is no longer held (lost or isolated meanwhile: a redo
            # by hand waits for an operator on shift), or another line of work's move or escalation is under way on
            # the host (the one handed over released it: ``marker``)
            if operator is not None:
                self.operators.release(operator)
            return None
        redo_mark = self._mark(host, marker[0]) if redo and marker is not None else None
        footprint = p.footprint * factor
        rate = footprint / max(end - start, 1.0)  # requests per minute, spread over the action
        self.rate += rate
        if self.rate > self.peak:
            self.peak = self.rate
        by_src = self.rate_by_src
        src_key = self._src_key(src_host, self.infra if outside and not proxied else None)
        by_src[src_key] = by_src.get(src_key, 0.0) + rate
        proc = env.active_process
        self.in_action[proc] = (host, src_host)
        # encrypted while it waited (for a shift, an operator, new infrastructure): out of service, nothing to do
        aborted = self._down(host) or self._down(src_host)
        if not aborted:
            try:
                yield env.timeout(end - start)
            except simpy.Interrupt:
                aborted = True
        del self.in_action[proc]
        if operator is not None:
            self.operators.release(operator)
        a = Action(start, phase, technique, actor, host, src_zone, dst_zone, footprint, env.now - start, src_host,
                   account, vuln, service, records, honeytoken, false_finding or fake,
                   infrastructure=self.infra if outside and not proxied else None)
        if evading:
            a.evasion = p.edr_evasion
        a.origin = origin
        if (account is not None and self.krbtgt_held is not None and src_host is not None
                and service not in SESSION_SERVICES and host is not None and self.net.hosts[host].domain
                and account in self.net.domain_account_set and account in self.belief.reset_credentials
                and account not in self.fresh_credentials and self.ticket_valid()):
            # the password is reset, but with the domain's Kerberos key a DCSync brought, the crew forges a ticket
            # for the account (a golden ticket) over Kerberos, which no password reset refuses
            a.forged = True
            if phase == "lateral-movement":
                a.technique = technique = "T1558.001"
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
            elif blocked == "reset" and technique != "T1110.004":
                # (a breach corpus's password refused is wrong, as most such guesses are: nothing learned)
                self.harvested.discard(account)  # the logon was refused: the attacker learns the password changed
                order = self._reset_by[account]
                self._noticed(order)  # the order that reset it reaches the attacker
                if self._reharvest.get(account) != order:  # once per reset: dump it again where the user logs on
                    self._reharvest[account] = order
                    if account in self.net.domain_account_set:
                        self._queue_dcsync(reset=True)  # able to sync the directory, the new password is there
                    self._busy += 1  # the run cannot end while the dump waits for the user's next logon
                    env.process(self._dump_again(account, self.belief.reset_at[account] + RELOGON_MINUTES))
        if phase != "planning":
            self.actions[actor] += 1
        if actor == "human":
            self.operator_minutes += duration if not aborted else a.duration
        for catch_up in self._catch_up:
            catch_up(env.now)
        if a.forged and a.success:
            self.forged_logons += 1
            if self.forged_logons == 1:
                self._log("golden-ticket", f"a forged Kerberos ticket for {self.net.accounts[account].id}, whose "
                                           "password was reset, let the attacker in (T1558.001)", host)
        self.timeline.append(timeline_event(
            round(env.now, 4), phase, technique, None if host is None else self.net.hosts[host].id, actor,
            a.success, a.detected, a.blocked, a.false_finding,
        ))
        if redo_mark is not None:  # the redo by hand was under way on the host: done
            self._move_over(host, redo_mark, marker[0])
        if (takeover and actor == "ai" and not a.success and a.blocked is None and not fake and p.takeover > 0
                and self.arng.random() < p.takeover):
            if marker is not None:
                self._move_over(host, marker[1], marker[0])
            by_hand = yield from self.act(phase, technique, effort, actor="human", host=host, src_host=src_host,
                                          src_zone=src_zone, dst_zone=dst_zone, factor=factor, account=account,
                                          vuln=vuln, service=service, success=success, fake=fake,
                                          false_finding=false_finding, honeytoken=honeytoken, records=records,
                                          duration=given_duration, redo=True, proxied=proxied, marker=marker)
            if by_hand is not None:
                a = by_hand
        return a

    def _dump_again(self, account: int, when: float):
        """After a refused logon: once the user has logged on again with the new password (``RELOGON_MINUTES``
        after the reset), dump a held host where that account is cached, and the next only if that one did not
        yield it (``_redump``). Counted busy while it waits: before, a run out of other work could end in the
        meantime (an unseen-scenario helper's cloud company: a refused logon on day 20.04 of 21, the run ended at
        once; with a longer horizon the new password was dumped and used within the day)."""
        reset_at = self.belief.reset_at
        try:
            while when > self.env.now:  # reset again meanwhile: the user's next logon comes after the last reset
                yield self.env.timeout(when - self.env.now)
                when = reset_at[account] + RELOGON_MINUTES
            self._redumped[account] = set()
            self._next_redump(account)
        finally:
            if not self.stop.triggered:  # (not when a run that ended is collected with the wait still open)
                self.busy(-1)

    def _next_redump(self, account: int) -> None:
        """Queue a dump of the next held host that may hold ``account``'s new password: first where a dump found
        the account (the last find first), then any other held host caching it that the attacker's rights there can
        read, in an order of its own (a keyed draw per host and account, not the order the scenario lists its
        hosts in)."""
        tried = self._redumped.get(account, set())
        net = self.net
        service = net.accounts[account].kind == "service"  # (a dump with user rights reads service accounts only)
        held = self.owned
        can = {x for x in held if x not in tried and not self._shell_less(x) and account in net.hosts[x].credentials
               and (service or held[x] == "admin")}
        if not can:
            return
        x = next((x for x in self.found_on.get(account, []) if x in can), None)
        if x is None:
            x = min(can, key=lambda y: (self.uniform(U_REDUMP, y, account), y))
        self._push(P_HARVEST, ("redump", x, account))

    def _redump(self, h: int, account: int):
        """Dump held host ``h`` again for ``account``'s new password; on to the next host where it did not turn
        up. Before, every held host caching the account was dumped again at once: on the regional hospital
        (an account cached on 57 hosts on average) that was most of the AI's dumps, each making noise, after the
        first had already brought the password."""
        if account in self.harvested:
            return  # back in hand already (another dump, a phishing page)
        if self.belief.reset_at[account] + RELOGON_MINUTES > self.env.now:
            # reset again since the walk began: no host has the new password before the user's next logon, so
            # wait for it and start over, rather than dump every host now for nothing and give up (a practitioner
            # reviewer's find: a response round that resets the accounts cached on the hosts it isolates did this)
            self._busy += 1
            self.env.process(self._dump_again(account, self.belief.reset_at[account] + RELOGON_MINUTES))
            return
        self._redumped.setdefault(account, set()).add(h)
        status = None
        if h in self.owned and not self._shell_less(h):
            status = yield from self._harvest(h)
        if account not in self.harvested and status not in ("waiting", "retry"):
            # (a dump under way there, or one failed by chance and retried at once, still reads this host)
            self._next_redump(account)

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

    def verified_out(self, h: int, phase: str, technique: str, false: bool, what: str = ""):
        """An operator may check an AI finding on host ``h`` by hand (``what`` names a false one for the log).
        Returns True if a false finding was caught."""
        p = self.p
        if p.executor != "ai" or p.verification <= 0 or self.arng.random() >= p.verification:
            return False
        zone = self._zone(h)
        src = self.share_src.get(h, h)  # (a finding on a file share read: checked from the host reading it)
        yield from self.act(phase, technique, p.efforts.verify, actor="human", host=h, src_host=src,
                            src_zone=self._zone(src), dst_zone=zone)
        return self.reviewed_out(false, what, h)

    def _overstated(self, t: int, src: int, a: Action):
        """A step onto ``t`` (from ``src``; ``src == t`` for an escalation) that failed by chance, and that an AI agent
        may report done all the same (``false_finding_rate``: DESIGN's overstated access; GTG-1002: the model
        "overstated findings"). The agents act on the access they believe they have, and the attempt fails and tells
        them: a command over a remote session from ``src`` that is not there (T1021), or, for admin rights not
        gained, a dump on ``t`` with the user's rights (T1003); either is the noise of a failed action, which the
        sensors there may see. The caller then retries the step as any failure. Run inline: the line of work is the
        one misled. No operator reviews a move's report before the agents act on it."""
        p = self.p
        if a.actor != "ai" or p.false_finding_rate <= 0:
            return
        n = self._fail_reports[t] = self._fail_reports.get(t, 0) + 1
        if self.uniform(U_OVERSTATED, t, n) >= p.false_finding_rate:
            return
        self.false_acted += 1
        zone = self._zone(t)
        if src == t:
            yield from self.act("credential-access", "T1003", p.efforts.dump, host=t, src_host=t, src_zone=zone,
                                dst_zone=zone, fake=True)
        else:
            yield from self.act("lateral-movement", "T1021", p.efforts.lateral, host=t, src_host=src,
                                src_zone=self._zone(src), dst_zone=zone, fake=True)

    def reviewed_out(self, reviewed: bool, what: str, host: int | None = None) -> bool:
        """A false finding (``what``, for the log) meets a human review: True if the operator catches it, and the
        log says the operator turned it down (the gate's own line says only that the phase was approved)."""
        if reviewed and self.arng.random() < self.p.review_catch:
            self.false_caught += 1
            self._log("review", f"operator turned down a false finding: {what}", host)
            return True
        return False
