"""Persistence: a backdoor account (T1136 Create Account). On a share of the hosts it gains admin rights on
(``backdoor_share``, a keyed draw per host) the attacker creates an account of its own; it enrols its own second
factor, so MFA does not stop it, and the defender's resets miss it (no alert named it). After an eviction the
campaign logs on with it from outside (simulator/attack/vectors/backdoor.py) until the defender sees a backdoor's
creation: an escalated alert on the T1136 action disables every backdoor the attacker made (the response audits
the accounts created in the domain).

A mixin of the attacker (``simulator.attack.Attacker``): its methods run on the run itself, which holds the
state (``simulator/engine.py``).
"""

from __future__ import annotations

U_BACKDOOR = 35
"""Keyed draw: whether the attacker plants a backdoor from this host (the same host, the same answer across cells)."""


class Persistence:
    """Backdoor accounts."""

    def _backdoor(self, h: int):
        if h not in self.owned or self.owned[h] != "admin" or self._shell_less(h):
            return
        net = self.net
        domain = (any(net.accounts[a].kind == "admin" for a in self.harvested)
                  or any(net.hosts[x].zone in net.admin_zones for x, acc in self.owned.items() if acc == "admin"))
        if not domain:
            self.failed.add((2, ("backdoor", h)))  # local admin cannot create a domain account: later, with one
            return
        zone = self._zone(h)
        a = yield from self.act("persistence", "T1136", self.p.efforts.persistence, host=h, src_host=h,
                                src_zone=zone, dst_zone=zone, takeover=True)
        if a.success:
            self.backdoors.add(h)
            self.backdoors_disabled = False  # a new one, made after the last audit

    def backdoor_seen(self) -> None:
        """The defender saw a backdoor being created: the accounts created so far are audited and disabled (one
        made later is not)."""
        if self.backdoors and not self.backdoors_disabled:
            self.backdoors_disabled = True
            self.backdoors.clear()
            self._log("containment", "backdoor accounts disabled")
