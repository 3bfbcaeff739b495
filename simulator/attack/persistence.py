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
        if h not in self.owned or self.owned[h] != "admin" or self.backdoors_disabled:
            return
        zone = self._zone(h)
        a = yield from self.act("persistence", "T1136", self.p.efforts.persistence, host=h, src_host=h,
                                src_zone=zone, dst_zone=zone, takeover=True)
        if a.success:
            self.backdoors.add(h)

    def backdoor_seen(self) -> None:
        """The defender saw a backdoor being created: every backdoor account is disabled."""
        if self.backdoors and not self.backdoors_disabled:
            self.backdoors_disabled = True
            self._log("containment", "backdoor accounts disabled")
