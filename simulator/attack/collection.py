"""Credential harvesting and collecting the objective's data.

A mixin of the attacker (``simulator.attack.Attacker``): its methods run on the run itself, which holds the
state (``simulator/engine.py``).
"""

from __future__ import annotations

from simulator.attack.base import (
    P_COLLECT,
    P_CRED,
    P_EXFIL,
    P_HARVEST,
    RELOGON_MINUTES,
)
from simulator.attack.impact import IMPACT_KINDS


class Collection:
    """Credential harvesting and collecting the objective's data."""

    def _harvest(self, h: int):
        self._harvest_queued.discard(h)
        access = self.owned.get(h)
        if access is None or self._shell_less(h):
            return  # (held as a session only: no shell there to dump from)
        if h in self._harvesting:
            # one dump at a time on a host: this one waits for the one under way, and is dropped when that ends if
            # it got through with the same rights (it read the host as it is when it ends: what a reset and the
            # user's next logon put there meanwhile included). Before, a dump was queued per reset account, so three
            # lines of work dumped one host at once after a reset of three accounts cached there, each making noise.
            self._harvesting[h] = True
            return "waiting"
        net, p = self.net, self.p
        zone = self._zone(h)
        technique = "T1003" if access == "admin" else "T1552"
        self._harvesting[h] = False
        try:
            a = yield from self.act("credential-access", technique, p.efforts.dump, host=h, src_host=h,
                                    src_zone=zone, dst_zone=zone, factor=2, takeover=True)
        finally:
            waiting = self._harvesting.pop(h)
        if (waiting and h in self.owned and h not in self._harvest_queued
                and (self.owned[h] != access if a.success else a.blocked is not None)):
            # the rights changed meanwhile, or the dump was cut short (isolated, the host got back since): the
            # held-back dump is due
            self._harvest_queued.add(h)
            self._push(P_HARVEST, ("harvest", h))
        if not a.success:
            if a.blocked is None:
                self._failed((P_HARVEST, ("harvest", h)))  # re-harvest when regrouping
                return "retry"
            return
        new = []
        for acct in net.hosts[h].credentials:
            if technique == "T1552" and net.accounts[acct].kind != "service":
                continue
            if acct in self.harvested or acct in self.fresh_credentials:
                continue  # (a reset one it still holds it believes good, until a refused logon tells it otherwise)
            reset = self.belief.reset_at.get(acct)
            if reset is not None and self.env.now < reset + RELOGON_MINUTES:
                continue  # reset, and the user has not logged on here since: only the old password is here
            if all(y(h, acct) for y in self._harvest_yield):
                if reset is not None:
                    # the user has logged on here since the reset: the dump yields the new password
                    self.fresh_credentials.add(acct)
                    self.tried = {k for k in self.tried if not (k[0] == "c" and k[2] == acct)}
                    self._log("re-harvest", f"{net.accounts[acct].id}'s new password dumped "
                                            f"{(self.env.now - reset) / 60:.0f} h after its reset", h)
                self._harvest_account(acct, h)
                found = self.found_on.setdefault(acct, [])
                if h in found:
                    found.remove(h)
                found.insert(0, h)  # where it turned up last, first
                new.append(acct)
        fake = self.arng.random() < p.false_finding_rate
        if (new or fake) and (yield from self.verified_out(h, "credential-access", "T1078", fake,
                                                           "a credential that does not exist")):
            fake = False
        if fake:
            targets = ([t for t in sorted(self.known_targets - self.owned.keys()) if self._takes_logons(t)]
                       or [t for t in self._reveal(zone, h) if self._takes_logons(t)])
            if targets:
                self._push(P_CRED + 2, ("move_fake", targets[self.arng.randrange(len(targets))]))
        for acct in new:  # only the known targets this account logs on to (set intersection: the smaller side)
            for t in sorted(self.known_targets & self.net.accounts[acct].logon):
                self._plan(t, [acct])
            self._where_creds_work(acct)

    def _dcsync(self, dc: int, src: int, acct: int | None):
        """Replicate the directory's secrets from domain controller ``dc`` (DCSync, T1003.006): every domain
        account's current password hash at once (``Network.domain_accounts``), whatever the hosts cache and whatever
        their hygiene (``dump_yield``: LAPS and Credential Guard protect what a host caches, not the directory). Run
        on ``dc`` itself, held with admin rights (``acct`` None), or from held host ``src`` with ``acct``, an account
        with replication rights (``Network.replication_accounts``: a Domain Admin), over the network: a logon whose
        reset refuses it like any other, which admin tiering does not stop (the domain controller is in the
        account's tier). A reset is in the directory the moment it is made, so a sync after one brings the new
        password at once, with no wait for the user's next logon: resets do not hold while the attacker can sync
        (why a response evicts from the domain controllers and resets the Domain Admins before the rest). Queued by
        ``_queue_dcsync``. A decoy account in the directory comes with the rest: using it trips its alarm."""
        done = cleared = False
        try:
            if not self._can_sync(dc, src, acct):
                return
            decoy = acct is not None and self.net.accounts[acct].honeytoken
            a = yield from self.act("credential-access", "T1003.006", self.p.efforts.dump, host=dc, src_host=src,
                                    src_zone=self._zone(src), dst_zone=self._zone(dc), account=acct, factor=5,
                                    honeytoken=decoy, takeover=True)
            if a.success and (src not in self.owned or (acct is None and self.owned.get(dc) != "admin")):
                return  # (lost, or cleaned, while it waited: a shift, a pause; nothing replicated)
            if not a.success:
                if a.blocked is None:
                    done = True
                    self._failed((P_HARVEST, ("dcsync", dc, src, acct)))
                elif acct is not None and a.blocked not in ("contained", "reset"):
                    self._sync_refused.add(acct)  # (a decoy, refused and alerting: not tried for a sync again)
                return  # (refused or cut off: another way, if there is one)
            done = True
            self.krbtgt_held = self.krbtgt_version  # the directory's krbtgt key comes with the rest
            reset_at = self.belief.reset_at
            new = []
            for x in self.net.domain_accounts:
                stale = x in reset_at and x not in self.fresh_credentials
                if x in self.harvested and not stale:
                    continue  # (held, and no reset since it was taken)
                if x in reset_at:
                    # the directory holds the password as it is now: a reset one comes back new
                    self.fresh_credentials.add(x)
                    self.tried = {k for k in self.tried if not (k[0] == "c" and k[2] == x)}
                self._harvest_account(x, dc)
                new.append(x)
            what = ("nothing it did not hold" if not new else "1 domain account's password" if len(new) == 1
                    else f"{len(new)} domain accounts' passwords")
            self._log("dcsync", f"{what} replicated from the domain controller"
                                + ("" if src == dc else f" (from {self.net.hosts[src].id})"), dc)
            self._dcsync_due = False  # done: a reset learned of during the operator's check below queues another
            cleared = True
            if not new:
                return
            yield from self.verified_out(dc if src == dc else src, "credential-access", "T1078", False)
            for x in new:
                for t in sorted(self.known_targets & self.net.accounts[x].logon):
                    self._plan(t, [x])
                self._where_creds_work(x)
        finally:
            if not cleared:
                self._dcsync_due = False
            if not done:  # lost the way meanwhile (isolated, a domain controller lost): another, if there is one
                self._queue_dcsync(self._dcsync_reset)

    def _can_sync(self, dc: int, src: int, acct: int | None) -> bool:
        """Whether a DCSync from ``src`` against ``dc`` (with ``acct``, or on ``dc`` itself) is open now."""
        if (self._down(dc) or self._down(src) or src not in self.owned or self._shell_less(src)
                or dc in self.belief.contained_hosts):
            return False  # (an isolated domain controller answers nobody)
        if acct is None:
            return src == dc and self.owned[dc] == "admin"
        return (acct in self.harvested and acct not in self._sync_refused
                and dc in self.net.reach_map[self._zone(src)])

    def _queue_dcsync(self, reset: bool = False) -> None:
        """Queue a DCSync if one is open and none is queued or under way: on a domain controller held with admin
        rights, else from a held host that reaches one, with an account with replication rights in hand. Only if
        there is something to gain: a domain account not in hand, or (``reset``: a refused logon told the attacker)
        a reset one; one brings the whole directory, so a second domain controller taken, or a burst of refused
        logons, needs no second one."""
        if self._dcsync_due or not self.net.domain_controllers:
            return
        if not reset and self.net.domain_account_set <= self.harvested:
            return
        way = None
        for dc in self.net.domain_controllers:
            if self._can_sync(dc, dc, None):
                way = (dc, dc, None)
                break
        if way is None:
            accts = sorted(self.harvested & self.net.replication_accounts)
            way = next(((dc, src, a) for a in accts for src in sorted(self.owned)
                        for dc in self.net.domain_controllers if self._can_sync(dc, src, a)), None)
        if way is None:
            return
        self._dcsync_due = True
        self._dcsync_reset = reset
        self._push(P_HARVEST, ("dcsync", *way))

    def _collect(self, h: int, d: int):
        if not self._holds_data(h, d) or self._down(h):
            return  # (an encrypted host is out of service: nothing on it can be read)
        di = self.net.data[d]
        zone = self._zone(h)
        technique = "T1119" if self.p.executor == "ai" else "T1213"
        src = h
        if h in self.shares:  # read over the host's file shares from the held host the logon came from
            technique, src = "T1039", self.share_src[h]
        a = yield from self.act("collection", technique, self.p.efforts.collection, host=h, src_host=src,
                                src_zone=self._zone(src), dst_zone=zone, factor=5, honeytoken=di.honeytoken,
                                takeover=True)
        if not a.success:
            if a.blocked is None:
                self._failed((P_COLLECT, ("collect", h, d)))
            return
        if d == self.obj:
            self._log("objective-data", f"found {di.id}", h)
            yield from self.verified_out(h, "collection", "T1213", False)
            if self.t_objective is None and self.obj_kind in IMPACT_KINDS:
                self._push(P_EXFIL, ("impact", h))
            elif self.t_objective is None:  # taken out already: nothing more to move
                self._push(P_EXFIL, ("exfil", h, d, False))
        elif self.arng.random() < self.p.false_finding_rate:
            misread = f"{di.id} misread as the data sought"
            if not (yield from self.verified_out(h, "collection", "T1213", True, misread)):
                self._push(P_EXFIL, ("exfil", h, d, True))
