"""Local privilege escalation on a held host.

A mixin of the attacker (``simulator.attack.Attacker``): its methods run on the run itself, which holds the
state (``simulator/engine.py``).
"""

from __future__ import annotations

from simulator.attack.base import (
    P_ESCALATE,
)


class Privilege:
    """Local privilege escalation on a held host: a local exploit (T1068), or a local logon with a harvested admin
    account that may log on there (T1078)."""

    def _queue_upgrade(self, h: int) -> None:
        """Queue a local logon with a harvested admin account on ``h``, held with user rights and a shell, if one
        may log on there (after the gain of ``h``, or the harvest of such an account)."""
        if self.owned.get(h) != "user" or h in self._upgrade_queued or self._shell_less(h):
            return  # (an isolated host is lost, not held: no need to read the defender's state)
        net = self.net
        if any(net.accounts[a].kind == "admin" and (a, "local") not in self.mfa_refused
               for a in self.harvested & net.logon_accounts[h]):
            self._upgrade_queued.add(h)
            self._push(P_ESCALATE, ("upgrade", h))

    def _upgrade(self, h: int):
        """Held with user rights, with an admin account in hand that may log on there: log on with it (before, only
        the ransomware's target was upgraded so, and an admin account dumped elsewhere went unused on a host held
        with user rights whose local exploit was patched)."""
        self._upgrade_queued.discard(h)
        if self.owned.get(h) != "user" or self._down(h):
            return
        yield from self._admin_on(h)

    def _escalate(self, h: int, v: int):
        if self.owned.get(h) != "user" or self._shell_less(h):
            return  # (a session through the box: no shell to escalate from)
        vi = self.net.vulns[v]
        if self._usable_from(v) * 1440 > self.env.now:
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
