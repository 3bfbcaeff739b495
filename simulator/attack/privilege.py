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
    account that may log on there (T1078). One at a time on a host: another line of work's escalation there waits
    for the one under way (queued again when it ends), as moves onto a host do (``Movement._held_back``)."""

    def _queue_upgrade(self, h: int) -> None:
        """Queue a local logon with a harvested admin account on ``h``, held with user rights and a shell, if one
        may log on there (after the gain of ``h``, or the harvest of such an account)."""
        if self.owned.get(h) != "user" or h in self._upgrade_queued or self._shell_less(h):
            return  # (an isolated host is lost, not held: no need to read the defender's state)
        if any(self._admin_here(a, h) for a in self.harvested & self.net.logon_accounts[h]):
            self._upgrade_queued.add(h)
            self._push(P_ESCALATE, ("upgrade", h))

    def _upgrade(self, h: int):
        """Held with user rights, with an admin account in hand that may log on there: log on with it (before, only
        the ransomware's target was upgraded so, and an admin account dumped elsewhere went unused on a host held
        with user rights whose local exploit was patched)."""
        if self._held_back(h, (P_ESCALATE, ("upgrade", h)), self._escalating):
            return  # another escalation is under way there: this comes back when it ends
        self._upgrade_queued.discard(h)
        if self.owned.get(h) != "user" or self._down(h):
            return
        if not (yield from self._admin_on(h, (P_ESCALATE, ("upgrade", h)))):
            self._upgrade_queued.add(h)  # held back half-way: queued again already

    def _admin_here(self, acct: int, h: int) -> bool:
        """Whether a local logon on ``h`` with harvested account ``acct`` is worth trying: an admin account not
        known to be refused there (a decoy, refused everywhere; an account admin tiering refused in ``h``'s
        zone)."""
        return (self.net.accounts[acct].kind == "admin" and (acct, "local") not in self.mfa_refused
                and (acct, self._zone(h)) not in self.tier_refused)

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
        # weaponising the exploit is hours of work, not an escalation under way: it neither waits nor holds back
        # (a local logon with an admin account meanwhile is the quicker way up)
        quick = v in self.weaponised or self._public(v)
        if quick and self._held_back(h, (P_ESCALATE, ("escalate", h, v)), self._escalating):
            return
        mark = self._mark(h, self._escalating) if quick else None
        a = yield from self._use_exploit(v, "privilege-escalation", vi.technique, host=h, src_host=h,
                                         src_zone=zone, dst_zone=zone, success=vi.success, takeover=True,
                                         marker=None if mark is None else (self._escalating, mark))
        if mark is not None:
            self._move_over(h, mark, self._escalating)
        if a.success and h in self.owned:
            self._gain(h, "admin")
        elif not a.success and a.blocked is None:
            yield from self._overstated(h, h, a)
            self._failed((P_ESCALATE, ("escalate", h, v)))
