"""Moving on: logons with harvested credentials, hallucinated ones, remote exploits; holding and losing hosts.

A mixin of the attacker (``simulator.attack.Attacker``): its methods run on the run itself, which holds the
state (``simulator/engine.py``).
"""

from __future__ import annotations

from simulator.attack.base import (
    P_COLLECT,
    P_CRED,
    P_DISCOVER,
    P_ESCALATE,
    P_EXFIL,
    P_EXPLOIT,
    P_HARVEST,
)
from simulator.attack.impact import IMPACT_KINDS
from simulator.attack.persistence import U_BACKDOOR

APPLIANCES = frozenset({"appliance", "network"})
"""Host kinds (``os``) a user-level hold on is a session through the box (a VPN user's tunnel, a gateway's login),
not a shell on it: nothing to dump or escalate there. An exploit that gives admin rights on one is a shell."""

SESSION_SERVICES = frozenset({"vpn", "sso"})
"""Logon services whose logon is a session (a VPN user's tunnel, a web single sign-on), not a shell on the host."""

class Movement:
    """Moving on: logons with harvested credentials, hallucinated ones, remote exploits; holding and losing hosts."""

    def _harvest_account(self, acct: int, h: int | None = None, fresh: bool = False) -> None:
        """Account ``acct`` is now the attacker's (dumped on held host ``h``, or bought or phished at the way in).
        ``fresh``: the password as it is now (typed into a phishing page), so a reset before it does not stop it."""
        if fresh and acct in self.belief.reset_at and acct not in self.fresh_credentials:
            self.fresh_credentials.add(acct)
            self.tried = {k for k in self.tried if not (k[0] == "c" and k[2] == acct)}
        if acct not in self.cred_entry:  # the way in it came through (see ``_moved``)
            self.cred_entry[acct] = self.entered_at.get(h, self.env.now) if h is not None else self.env.now
        self.harvested.add(acct)
        self.ever_harvested.add(acct)
        if acct in self.net.replication_accounts:
            self._queue_dcsync()  # replication rights: the directory is open from any host reaching its controllers
        net = self.net
        if net.accounts[acct].kind == "admin":  # a held host it may log on to with user rights only: use it there
            for x in sorted(self.owned.keys() & net.accounts[acct].logon):
                self._queue_upgrade(x)
        h = self.obj_host
        if (self.obj_kind in IMPACT_KINDS and self.t_objective is None and self.owned.get(h) == "user"
                and h in net.accounts[acct].logon and self._admin_here(acct, h)):
            self._push(P_EXFIL, ("impact", h))  # an admin account for the target it holds with user rights

    def _logon_gives(self, admin: bool, svc: str, t: int) -> str | None:
        """What a logon over ``svc`` onto ``t`` gives an account with admin rights (``admin``) or without: None (the
        service refuses it), ``"share"``, ``"session"`` or ``"shell"``. Without admin rights: refused by a service
        that admits administrators only (``Network.admin_services``: WinRM), and over rdp by a host whose Remote
        Desktop Users are not its users (``HostInfo.remote_desktop``). A share read, no shell, over a share-only
        service (``Network.share_services``: SMB) without admin rights, or with them on a host that is not Windows
        (Samba, a NAS: files only): running a command over SMB takes admin rights on a Windows host (PsExec, a
        service, a scheduled task: T1021.002, T1569.002). A session through the box over ``SESSION_SERVICES``. The
        one place these rules live: the planner (``Discovery._logon_ways``), the moves and the ways in ask it."""
        net = self.net
        if not admin and svc in net.admin_services:
            return None
        if svc in net.share_services and (not admin or net.hosts[t].os != "windows"):
            return "share"
        if svc in SESSION_SERVICES:
            return "session"
        if not admin and svc == "rdp" and not net.hosts[t].remote_desktop:
            return None
        return "shell"

    def _share_logon(self, acct: int | None, svc: str | None, t: int | None) -> bool:
        """Whether a logon with ``acct`` over ``svc`` onto ``t`` reads the file shares only (``_logon_gives``)."""
        return (acct is not None and t is not None and svc is not None
                and self._logon_gives(self.net.accounts[acct].kind == "admin", svc, t) == "share")

    def _logon_refused(self, acct: int, svc: str, t: int) -> bool:
        """Whether ``svc`` on ``t`` refuses ``acct`` for want of admin rights (``_logon_gives``)."""
        return self._logon_gives(self.net.accounts[acct].kind == "admin", svc, t) is None

    def _way_in_logon(self, acct: int, svc: str, t: int, granted: bool = False) -> bool:
        """Whether a logon from outside with ``acct`` over ``svc`` onto ``t`` would be a way in: not refused, and more
        than the host's file shares (a share read from outside is no foothold: nothing runs there to come back to).
        ``granted``: a supplier's standing access over ``svc``, which the scenario declares (its rdp is granted)."""
        if self._share_logon(acct, svc, t):
            return False
        return not self._logon_refused(acct, svc, t) or (granted and svc == "rdp"
                                                         and svc not in self.net.admin_services)

    def _gain(self, h: int, access: str, session: bool = False, share: bool = False, via: int | None = None) -> None:
        """The attacker holds ``h`` with ``access``. ``session``: through a logon over a session service (``vpn``,
        ``sso``: a user's tunnel or web session), a way through the host, not a shell on it, so there is nothing to
        dump or escalate there until a shell comes (an exploit, a logon over ssh or rdp, an admin's over smb or
        winrm). ``share``: through a user's logon over a share-only service (SMB): the host's file shares, read from
        the held host the logon came from (``via``), and nothing more: no shell, no way on from the host, and no hold
        without a host to read them from (``_lose``); the data on its shares (``Network.share_data``) is read."""
        prev = self.owned.get(h)
        if share:
            if prev is not None:
                return
            self.owned[h] = "user"
            self.sessions.add(h)  # shell-less, like a session (``_shell_less``), but no route source: not in
            self.shares.add(h)  # ``owned_by_zone``, and no discovery from it
            self.share_src[h] = via  # type: ignore[assignment]  # (``_moved`` always names the source)
            self.tried = {k for k in self.tried if not (k[0] == "c" and k[1] == h)}  # a shell there may come later
            for d in self.net.share_data[h]:
                self._push(P_COLLECT, ("collect", h, d))
            return
        was_share = h in self.shares
        shell = not session and h in self.sessions  # a shell at last on a host held as a session only
        if session and prev is None:
            self.sessions.add(h)
            # the logons tried there were for a way through: one that gives a shell may be planned again
            self.tried = {k for k in self.tried if not (k[0] == "c" and k[1] == h)}
        elif shell:
            self.sessions.discard(h)
            self.shares.discard(h)
            self.share_src.pop(h, None)
        if shell:
            self.owned[h] = access  # the shell's rights: an admin's web session is no admin shell
        elif prev == "admin" or prev == access:
            return
        else:
            self.owned[h] = access
        access = self.owned[h]
        host = self.net.hosts[h]
        if prev is None or was_share:  # (a shell where only the shares were read: the host is held at last)
            self.entered_at.setdefault(h, self.env.now)  # a way in of its own (initial access)
            self.compromised.add(h)
            self.owned_by_zone.setdefault(host.zone, []).append(h)
            if host.zone not in self.discovered_zones:  # reach is the same from every host of a zone
                self.discovered_zones.add(host.zone)
                self._push(P_DISCOVER, ("discover", h))
            read = self.net.share_data[h] if was_share else ()
            for d in host.data:
                if d not in read:  # (what the shares held is read already)
                    self._push(P_COLLECT, ("collect", h, d))
        wait = self._stage_wait
        if wait is not None and self._stage_host(wait[0]) is not None:
            self._stage_wait = None  # a host the data egress filtering refused can leave from, at last
            self._push(P_EXFIL, ("exfil", *wait))
        if h in self.sessions or (access == "user" and host.os in APPLIANCES):
            return  # a session through a VPN concentrator, a gateway or a web login: not a shell on the host
        if access == "user" and (prev is None or shell):
            for v in host.local_vulns:
                self._push(P_ESCALATE, ("escalate", h, v))
            self._queue_upgrade(h)
        self._push(P_HARVEST, ("harvest", h))
        if access == "admin" and host.role == "domain-controller":
            self._queue_dcsync()  # the directory's every password (``Collection._dcsync``)
        if access == "admin" and h == getattr(self, "_ransom_target", None) and self.t_objective is None:
            self._push(P_EXFIL, ("impact", h))  # admin rights on the ransomware's target at last
        if access == "admin" and self.p.backdoor_share > 0 and self.uniform(U_BACKDOOR, h) < self.p.backdoor_share:
            self._push(P_HARVEST, ("backdoor", h))

    def _shell_less(self, h: int) -> bool:
        """Held, but only as a session through the box (a VPN or SSO logon, a user's hold on an appliance): no shell
        on it to dump or escalate from. A move that gives a shell there is still worth making."""
        return h in self.sessions or (self.owned.get(h) == "user" and self.net.hosts[h].os in APPLIANCES)

    def _would_gain(self, t: int, access: str, session: bool, share: bool = False) -> bool:
        """Whether a move onto ``t`` giving ``access`` (over a session service: ``session``; to the file shares only:
        ``share``) gains anything: ``t`` is not held (for a share read, and keeps data on its shares), or held only
        as a session and the move gives a shell there."""
        if share:
            return t not in self.owned and bool(self.net.share_data[t])
        if t not in self.owned:
            return True
        return (not session and self._shell_less(t)
                and (access == "admin" or self.net.hosts[t].os not in APPLIANCES))

    def _lose(self, h: int) -> None:
        """The attacker loses host ``h`` (isolated): once it is back in service, every way into it may be tried
        again. The share reads made from ``h`` go with it: reading those shares from another held host is a new logon
        (one more logon event where sensors may see it), planned again like any lost move."""
        if h not in self.owned:
            return  # (lost already: a share read whose source went first)
        del self.owned[h]
        self.sessions.discard(h)
        if h in self.shares:
            self.shares.discard(h)
            self.share_src.pop(h, None)
        else:
            self.owned_by_zone[self.net.hosts[h].zone].remove(h)
            for x in sorted(x for x, s in self.share_src.items() if s == h):
                self._lose(x)
        self._scan_start.discard(h)  # (held when the campaign went back to the perimeter: got back, it is a gain)
        self._scan_shells.discard(h)
        self._inside_gains.discard(h)
        self.entered_at.pop(h, None)
        self.tried = {k for k in self.tried if k[1] != h}

    def _move_cred(self, t: int, acct: int, svc: str):
        net = self.net
        kind = net.accounts[acct].kind
        access = "admin" if kind == "admin" else "user"
        session = svc in SESSION_SERVICES
        share = self._share_logon(acct, svc, t)
        if self._logon_refused(acct, svc, t):
            self._unplan(("c", t, acct))  # (never planned: ``Discovery._plan``)
            return
        if (not self._would_gain(t, access, session, share) or acct not in self.harvested
                or (acct, svc) in self.mfa_refused or (acct, self._zone(t)) in self.tier_refused
                or self._route(t, svc) is None or self._focused() or self._down(t)):
            self._unplan(("c", t, acct))
            return
        yield from self.gate("credential_use", "harvested")
        yield from self._authorise(t)
        src = self._route(t, svc)
        if (src is None or not self._would_gain(t, access, session, share) or acct not in self.harvested
                or self._down(t)
                or (acct, svc) in self.mfa_refused or (acct, self._zone(t)) in self.tier_refused):
            # (refused meanwhile, by a second factor or tiering, on another line of work's try: planned again over
            # another service if one is left)
            self._unplan(("c", t, acct))
            if (acct, svc) in self.mfa_refused and acct in self.harvested:
                self._plan(t, [acct])
            return
        if self._held_back(t, (P_CRED + self._move_value(t), ("move_cred", t, acct, svc))):
            return
        mark = self._mark(t)
        a = yield from self.act("lateral-movement", "T1021", self.p.efforts.lateral, host=t, src_host=src,
                                src_zone=self._zone(src), dst_zone=self._zone(t), account=acct, service=svc,
                                success=0.95, honeytoken=net.accounts[acct].honeytoken or net.hosts[t].honeytoken,
                                takeover=True, marker=(self._moving, mark))
        self._move_over(t, mark)
        if a.success:
            self._moved(t, access, src, "logon", self.cred_entry.get(acct), session, share)
        elif a.blocked in ("mfa", "decoy"):
            self.mfa_refused.add((acct, svc))  # (no use on this service: a second factor, or no logon rights at all)
            if a.blocked == "mfa":  # the password is right: another logon service of the host may ask no second
                self.tried.discard(("c", t, acct))  # factor (smb, winrm network logons: ``mfa_services``)
                self._plan(t, [acct])
        elif a.blocked == "tiering":
            self.tier_refused.add((acct, self._zone(t)))  # an admin account kept out of this zone: not tried here
        elif a.blocked is None:
            yield from self._overstated(t, src, a)
            self._failed((P_CRED + self._move_value(t), ("move_cred", t, acct, svc)))
        elif a.blocked == "contained":  # its source or its target was isolated: try again when regrouping
            self.failed.add((P_CRED + self._move_value(t), ("move_cred", t, acct, svc)))

    def _move_fake(self, t: int):
        """Use a hallucinated credential, unless an operator at a gate catches it first. Believing it valid, the
        attacker tries it on ``fake_tries`` hosts it knows of: each try takes a logon's time and fails, and a failed
        logon from an own host is noise the sensors there may see (evidence against that foothold)."""
        reviewed = yield from self.gate("credential_use", "harvested")
        reviewed = (yield from self._authorise(t)) or reviewed
        if self.reviewed_out(reviewed, "a credential that does not exist"):
            return
        targets = [t] + [x for x in sorted(self.known_targets) if x != t and x not in self.owned
                         and self._takes_logons(x)]
        acted = False
        tries = 0
        for target in targets:
            if tries >= self.p.fake_tries:
                break
            zone = self._zone(target)
            src = next((s for s in sorted(self.owned) if s not in self.shares
                        and target in self.net.reach_map[self._zone(s)]), None)
            if src is None or target in self.belief.contained_hosts or self._down(target):
                continue
            if not acted:
                self.false_acted += 1
                acted = True
            tries += 1
            yield from self.act("lateral-movement", "T1021", self.p.efforts.lateral, host=target, src_host=src,
                                src_zone=self._zone(src), dst_zone=zone, fake=True)

    def _authorise(self, t: int):
        """An operator authorises access to a sensitive zone (the administration tier, a zone holding an objective's
        data) before the first move into it, whatever the move (GTG-1002: "authorizing access to particularly
        sensitive systems"). Returns True if this call waited for the decision."""
        zone = self._zone(t)
        if zone in self.net.sensitive_zones and not self.owned_by_zone.get(zone):
            return (yield from self.gate("sensitive_access", zone))
        return False

    def _exploit_source(self, t: int, v: int) -> int | None:
        """The held host to exploit ``v`` on ``t`` from, or None (the move dropped) if ``t`` is held already, no
        longer reachable, or the attacker is focused on the objective's host."""
        vi = self.net.vulns[v]
        src = self._route(t, vi.service)
        if src is None or not self._would_gain(t, vi.access, False) or self._focused() or self._down(t):
            self._unplan(("v", t, v))
            return None
        return src

    def _down(self, t: int | None) -> bool:
        """Encrypted and not back in service yet (None, no host: never)."""
        return bool(self.down_until) and self.down_until.get(t, -1.0) > self.env.now

    def _takes_logons(self, t: int) -> bool:
        """Whether someone can log on to ``t`` at all (where a credential, real or hallucinated, is tried)."""
        return not self.net.logon_services.isdisjoint(self.net.hosts[t].services)

    def _move_exploit(self, t: int, v: int):
        vi = self.net.vulns[v]
        src = self._exploit_source(t, v)
        if src is None:
            return
        while True:  # nothing may wait between the last look at the exploit and its use (_use_exploit)
            if v in self._weaponising:
                yield from self._await_weapon(v)
                src = self._exploit_source(t, v)
                if src is None:
                    return
            if (yield from self._authorise(t)):  # (without a wait nothing can have changed since the last look)
                src = self._exploit_source(t, v)
                if src is None:
                    return
                if v in self._weaponising and not self._public(v):
                    continue  # another line of work began weaponising it while the operators decided: wait for it
            break
        # a move that weaponises the exploit is hours of work, not a move under way: it neither waits nor holds
        # others back (a logon onto the same host meanwhile is the quicker way in)
        quick = v in self.weaponised or self._public(v)
        if quick and self._held_back(t, (P_EXPLOIT + self._move_value(t), ("move_exploit", t, v))):
            return
        mark = self._mark(t) if quick else None
        a = yield from self._use_exploit(v, "lateral-movement", "T1210", host=t, src_host=src,
                                         src_zone=self._zone(src), dst_zone=self._zone(t), service=vi.service,
                                         success=vi.success, factor=3, honeytoken=self.net.hosts[t].honeytoken,
                                         takeover=True, marker=None if mark is None else (self._moving, mark))
        if mark is not None:
            self._move_over(t, mark)
        if a.success:
            self._moved(t, vi.access, src, "exploit")
        elif a.blocked is None:
            yield from self._overstated(t, src, a)
            self._failed((P_EXPLOIT + self._move_value(t), ("move_exploit", t, v)))
        elif a.blocked == "contained":  # its source or its target was isolated: try again when regrouping
            self.failed.add((P_EXPLOIT + self._move_value(t), ("move_exploit", t, v)))

    def _held_back(self, t: int, entry: tuple[int, tuple], under_way: dict | None = None) -> bool:
        """Hold a move onto ``t`` back while another move onto it is under way (True): it is queued again, at the
        priority it was planned at, when that one ends, and dropped then if that one gained what it would.
        Concurrent lines of work do not log on to one host twice at once; a human crew seldom had two moves in
        flight, an AI crew's twenty often did. ``under_way``: the marker to look at (the moves under way, or the
        privilege escalations, ``_escalating``)."""
        waiting = (self._moving if under_way is None else under_way).get(t)
        if waiting is None:
            return False
        waiting.append(entry)
        return True

    def _mark(self, t: int, under_way: dict | None = None) -> list:
        """Mark a move onto ``t`` (or an escalation on it: ``under_way``) under way; returns the mark, the list of
        the work held back meanwhile (``_held_back``)."""
        mark: list = []
        (self._moving if under_way is None else under_way)[t] = mark
        return mark

    def _move_over(self, t: int, mark: list, under_way: dict | None = None) -> None:
        """The move onto ``t`` (or the escalation on it) marked ``mark`` ended, or was handed to the operators to
        redo by hand (``Acting.act``: a step in a person's queue is not under way, and a ready logon does not wait
        for their shift): the work held back meanwhile goes back on the queue. A mark released already, and
        perhaps replaced by another line of work's, is left alone."""
        marks = self._moving if under_way is None else under_way
        if marks.get(t) is not mark:
            return
        del marks[t]
        for entry in mark:
            self._push(*entry)

    def _move_value(self, t: int) -> int:
        """What a move onto ``t`` is worth, added to its kind's priority: 0 (the objective's host), 1 (a host with
        data) or 2 (any other)."""
        data = self.net.hosts[t].data
        if not data:
            return 2
        return 0 if self.obj in data else 1

    def _moved(self, t: int, access: str, src: int, how: str, cred_entry: float | None = None,
               session: bool = False, share: bool = False) -> None:
        """Lateral movement onto ``t`` from ``src`` by ``how`` (logon or exploit; with a credential that came in
        through the way in begun at ``cred_entry``). Breakout (CrowdStrike: the time to move laterally from the
        initially compromised host) counts from the way in the move rests on, the later of the source's and the
        credential's, not from the first foothold ever: a foothold that led nowhere until a second way in brought a
        credential does not start the clock. A move onto another entry point is not a breakout: by exploit that host
        is a new foothold whose clock starts at its compromise; by logon it inherits the clock of the way in the move
        rests on. A read of a host's file shares (``share``) is neither a foothold nor a breakout: no command runs
        there."""
        if share:
            self._gain(t, access, share=True, via=src)
            return
        entry = self.entered_at.get(src, self.env.now)
        if cred_entry is not None:
            entry = max(entry, cred_entry)
        if self._would_gain(t, access, session):
            self._inside_gains.add(t)  # (or a shell on a host held as a session: not a way in of the campaign's)
        if t in self.net.entry_hosts:
            # another entry point (the gateway beside the portal it came through): not a move into the network,
            # so not a breakout. By exploit it is a second foothold as if reached from outside, its clock starting
            # now; by logon it rests on the way in the credential and the source came through, as any move does
            if t not in self.owned or t in self.shares:  # (a share read is no way in: its clock starts here)
                self.entered_at[t] = self.env.now if how == "exploit" else entry
            self._gain(t, access, session)
            return
        if t not in self.owned or t in self.shares:
            self.entered_at[t] = entry
        if self.t_breakout is None:
            self.t_breakout = self.env.now
            self.t_breakout_entry = entry
            self.breakout_move = how
            self._log("breakout", "first lateral movement", t)
        self._gain(t, access, session)
