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

    def _collect(self, h: int, d: int):
        if h not in self.owned or self._down(h):
            return  # (an encrypted host is out of service: nothing on it can be read)
        di = self.net.data[d]
        zone = self._zone(h)
        technique = "T1119" if self.p.executor == "ai" else "T1213"
        a = yield from self.act("collection", technique, self.p.efforts.collection, host=h, src_host=h,
                                src_zone=zone, dst_zone=zone, factor=5, honeytoken=di.honeytoken, takeover=True)
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
