"""Local privilege escalation on a held host.

A mixin of the attacker (``simulator.attack.Attacker``): its methods run on the run itself, which holds the
state (``simulator/engine.py``).
"""

from __future__ import annotations

from simulator.attack.base import (
    P_ESCALATE,
)


class Privilege:
    """Local privilege escalation on a held host."""

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
