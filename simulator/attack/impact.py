"""Impact: ransomware (T1486) or harm to an OT process (T0831).

Ransomware: once the attacker holds the objective's host with admin rights (on a host held with user rights it first
logs on locally with a harvested admin account that may log on there), an operator approves the final step (the
exfiltration gate of an AI-run campaign, the "final action" decision, scoped apart from any approval to take the same
data out first, so double extortion is two decisions) and the attacker deploys encryption to every host it holds with
admin rights that runs a general-purpose system (not a network device or an appliance, whose firmware no ransomware
encrypts, unless it is a storage appliance: ``simulator.scenario.encryptable``), and, holding a domain controller with
admin rights, to every Windows host of the domain through a Group Policy (T1484.001) whether it holds them or not; the
objective is met when the objective's host is encrypted. Each encrypted host is out of service until restored from a
backup (``incident_response.restore_hours``, for the posture's ``backup_coverage`` share of hosts, a keyed draw per
host) or rebuilt (``rebuild_hours``): the run's downtime.

An ``ot-disruption`` objective takes the same way to the objective's host (an operator station, controller or PLC
gateway, reached through the OT zone's jump host as the scenario's flows allow) and the same final gate, then
manipulates the process it controls (ATT&CK for ICS T0831, Manipulation of Control): one action on that host, not a
push to every host held, after people have learnt the process there (T0882, ``efforts.ot_preparation``, 40 hours by
hand whatever the automation level). An impact announces itself (the ransom note, the stopped line): the business
knows at once and the response acts on it (``_announced``). The process is down from then until the plant restores it
(``incident_response.process_restore_hours``, counted to the horizon at most): the run's process hours disrupted.

A mixin of the attacker (``simulator.attack.Attacker``): its methods run on the run itself, which holds the
state (``simulator/engine.py``).
"""

from __future__ import annotations

from defenses.base import Alert
from simulator.attack.base import P_EXFIL, count
from simulator.scenario import encryptable

U_BACKUP = 34
"""Keyed draw: whether an encrypted host has a usable backup (the same host, the same answer across cells)."""


IMPACT_KINDS = ("ransomware", "ot-disruption")
"""Objectives met by an act on the objective's host with admin rights, rather than by taking its data out."""


class Impact:
    """Ransomware, or harm to an OT process."""

    def _impact(self, h: int):
        if getattr(self, "_impacting", False):
            return  # one line of work deploys it
        self._impacting = True
        try:
            yield from self._deploy(h)
        finally:
            self._impacting = False

    def _deploy(self, h: int):
        net, env = self.net, self.env
        if (h not in self.owned or self.t_objective is not None or h != self.obj_host
                or self.obj_kind not in IMPACT_KINDS):
            return  # (or a task queued for an objective met since)
        self._ransom_target = h
        if self.owned[h] != "admin" or self._shell_less(h):
            if self._held_back(h, (P_EXFIL, ("impact", h)), self._escalating):
                return  # an escalation is under way there: deploy when it ends, with whatever rights it gave
            if not (yield from self._admin_on(h, (P_EXFIL, ("impact", h)))):
                return  # held back half-way: queued again already
            if self.owned.get(h) != "admin" or self._shell_less(h):
                # not a task to retry: it comes back when the attacker gains admin rights there or harvests an
                # admin account for it; meanwhile, with nothing else to do, it is stuck and looks for another way in
                return
        di = net.data[self.obj]
        # the final action's own decision, apart from an approval to take the same data out (double extortion)
        final = "process" if self.obj_kind == "ot-disruption" else "encryption"
        yield from self.gate("exfiltration", f"{di.id}, {final}")
        if self.t_objective is not None or h != self.obj_host:
            return
        if self.obj_kind == "ot-disruption":
            yield from self._disrupt(h, di)
            return
        held = sorted(x for x, access in self.owned.items() if access == "admin" and not self._shell_less(x))
        targets = [x for x in held if encryptable(net.hosts[x].os, net.hosts[x].role)]
        if h not in targets:
            return  # lost it while waiting at the gate
        pushed: list[int] = []
        dc = next((x for x in targets if net.hosts[x].role == "domain-controller" and net.hosts[x].domain), None)
        if dc is not None:  # a held domain controller pushes the encryptor to every domain host (a Group Policy)
            dz = self._zone(dc)
            g = yield from self.act("impact", "T1484.001", self.p.efforts.lateral, host=dc, src_host=dc, src_zone=dz,
                                    dst_zone=dz, takeover=True)
            if g.success and dc in self.owned:
                # every domain-joined Windows host that can reach the domain controller for its policy (smb, as the
                # scenario's flows and the posture allow), held with user rights or not held at all, not isolated
                contained, held_admin = self.belief.contained_hosts, set(targets)
                pushed = [x for x, hi in enumerate(net.hosts)
                          if hi.os == "windows" and hi.domain and x not in held_admin and x not in contained
                          and (x == dc or "smb" in net.reach_map[hi.zone].get(dc, ()))]
        zone = self._zone(h)
        a = yield from self.act("impact", "T1486", self.p.efforts.impact, host=h, src_host=h, src_zone=zone,
                                dst_zone=zone, factor=len(targets) + len(pushed), takeover=True)
        if not a.success:
            if a.blocked is None:
                self._failed((P_EXFIL, ("impact", h)))
            return
        done = [x for x in targets if x in self.owned]
        if h not in done:
            return
        done += [x for x in pushed if x not in self.belief.contained_hosts]
        ir = self.compiled.posture.incident_response
        # the crew destroys the backups it can reach first (T1490): a backup host held with admin rights, whatever
        # its system (an appliance's console wipes them too), or encrypted by the push, voids them
        backups_gone = any(net.hosts[x].role == "backup" for x in done + [x for x in held if x in self.owned])
        left = max(0.0, (net.horizon - env.now) / 60)  # downtime counted to the horizon, as isolations are
        fresh: list[tuple[int, bool]] = []  # (host, rebuilt: no usable backup)
        for x in done:
            if self._down(x):
                continue  # (encrypted already and not back yet)
            backed_up = not backups_gone and self.uniform(U_BACKUP, x) < ir.backup_coverage
            hours = min(left, ir.restore_hours if backed_up else ir.rebuild_hours)
            self.encrypted[x] = self.encrypted.get(x, 0.0) + hours  # (a host back in service may be hit again)
            self.down_until[x] = env.now + hours * 60
            fresh.append((x, not backed_up))
        # an encrypted host is out of service, then restored from a backup or rebuilt: clean either way, so the crew
        # cannot work on it or from it any more (it may come back for it once it is back in service)
        gone = [x for x in done if x in self.owned]
        for x in gone:
            self._lose(x)
        hit = set(done)
        for proc, (host, src) in list(self.in_action.items()):
            if (host in hit or src in hit) and proc.is_alive and proc is not env.active_process:
                proc.interrupt("contained")
        back: dict[float, list[tuple[int, bool]]] = {}
        for x, rebuilt in fresh:
            if self.down_until[x] < net.horizon:
                back.setdefault(self.down_until[x], []).append((x, rebuilt))
        for until, hosts in sorted(back.items()):
            env.process(self._back_in_service(hosts, until))
        self._goal_met(h, f"{len(self.encrypted)} hosts encrypted, {di.id}'s among them")
        if gone and not self.owned:
            self._log("lost", "the attacker lost every host it held to its own encryption")
            if self.t_objective is None and self._lost is not None and not self._lost.triggered:
                self._lost.succeed()  # back to the perimeter for the next objective
        self._announced(h, "T1486")

    def _back_in_service(self, hosts: list[tuple[int, bool]], until: float):
        """Encrypted hosts back in service at ``until``: clean either way; those rebuilt from a clean image (no usable
        backup) with the patches a managed host would have by then (``belief.rebuilt``), those restored from a backup
        as vulnerable as the backup was."""
        yield self.env.timeout(until - self.env.now)
        for x, rebuilt in hosts:
            self.belief.cleaned[x] = until
            if rebuilt:
                self.belief.rebuilt[x] = until
        self._log("restored", f"{count(len(hosts), 'encrypted host')} back in service")

    def _disrupt(self, h: int, di):
        """Manipulate the process the objective's host controls (T0831): down until restored."""
        env = self.env
        if self.owned.get(h) != "admin" or self._shell_less(h):
            return  # lost it, or its admin rights, while waiting at the gate (or holds only a session there)
        zone = self._zone(h)
        if h not in self._ot_prepared:  # learn the process first: people's work, however automated the rest
            a = yield from self.act("collection", "T0882", self.p.efforts.ot_preparation, actor="human", host=h,
                                    src_host=h, src_zone=zone, dst_zone=zone)
            if not a.success or self.owned.get(h) != "admin":
                if a.blocked is None and h in self.owned:
                    self._failed((P_EXFIL, ("impact", h)))
                return
            self._ot_prepared.add(h)
        a = yield from self.act("impact", "T0831", self.p.efforts.impact, host=h, src_host=h, src_zone=zone,
                                dst_zone=zone, takeover=True)
        if not a.success:
            if a.blocked is None:
                self._failed((P_EXFIL, ("impact", h)))
            return
        if h not in self.owned:
            return
        ir = self.compiled.posture.incident_response
        down = min(max(0.0, (self.net.horizon - env.now) / 60), ir.process_restore_hours)
        self.process_disrupted += down
        self._goal_met(h, f"{di.id} disrupted ({down:.0f} h down)")
        self._announced(h, "T0831")

    def _announced(self, h: int, technique: str) -> None:
        """An impact announces itself: the ransom note on the screens, the stopped line in the control room. The
        business knows at once, without the SOC's triage (M-Trends counts it as adversary notification), and the
        response acts on it as on any recognised alert with evidence that the attacker is on ``h``."""
        zone = self._zone(h)
        self.escalate(Alert(self.env.now, "high", True, "impact", h, technique=technique, src_host=h, src_zone=zone,
                            success=True, phase="impact"))

    def _admin_on(self, h: int, again: tuple[int, tuple]):
        """On a host held with user rights, log on locally with a harvested admin account that may log on to it
        (T1078; tiering and resets apply, a local logon meets no remote MFA prompt). Callers hold back while
        another escalation is under way on ``h``. A failed logon handed to the operators to redo by hand releases
        the mark (``Acting.act``); if another line of work's escalation began there meanwhile, the rest waits for
        it: ``again``, the caller's task, is queued when it ends (returns False)."""
        if self._shell_less(h):
            return True  # (a session through the box: no local logon there)
        net = self.net
        zone = self._zone(h)
        mark = self._mark(h, self._escalating)
        try:
            for acct in sorted(self.harvested & net.logon_accounts[h]):
                if not self._admin_here(acct, h):
                    continue
                if self._escalating.get(h) is not mark:  # released for a redo by hand
                    if self._held_back(h, again, self._escalating):
                        return False
                    mark = self._mark(h, self._escalating)
                a = yield from self.act("privilege-escalation", "T1078", self.p.efforts.lateral, host=h, src_host=h,
                                        src_zone=zone, dst_zone=zone, account=acct, success=0.95,
                                        honeytoken=net.accounts[acct].honeytoken, takeover=True,
                                        marker=(self._escalating, mark))
                if a.success and h in self.owned:
                    self._gain(h, "admin")
                    return True
                if a.blocked is None and not a.success:
                    yield from self._overstated(h, h, a)  # (then the next admin account in hand, as before)
                if a.blocked == "decoy":
                    self.mfa_refused.add((acct, "local"))  # no logon right anywhere: not tried again
                elif a.blocked == "tiering":
                    self.tier_refused.add((acct, zone))  # not in this zone: not tried here again
        finally:
            self._move_over(h, mark, self._escalating)
        return True
