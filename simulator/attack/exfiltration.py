"""Taking the data out, in transfers the sensors and DLP can see.

A mixin of the attacker (``simulator.attack.Attacker``): its methods run on the run itself, which holds the
state (``simulator/engine.py``).
"""

from __future__ import annotations

from simulator.attack.base import (
    EXFIL_CHUNK_MINUTES,
)


class Exfiltration:
    """Taking the data out, in transfers the sensors and DLP can see."""

    def _exfil(self, h: int, d: int, misread: bool):
        net, p = self.net, self.p
        di = net.data[d]
        reviewed = yield from self.gate("exfiltration", di.id)
        if misread and self.reviewed_out(reviewed, f"{di.id} misread as the data sought", h):
            return
        if h not in self.owned or self._down(h):
            return  # the host was lost (or encrypted) while the operators decided: nothing leaves, nothing to log
        if misread:
            self.false_acted += 1
        self._log("exfiltration", f"exfiltration of {di.id} starts", h)
        remaining = di.records if misread else self.obj_records - self._goal_out
        technique = "T1041"
        while remaining > 0 and h in self.owned and not self._down(h) and (
                misread or (self.t_objective is None and d == self.obj and self.obj_kind == "data-theft")):
            rate = p.exfil_records_per_hour
            for limit in self._limit:
                rate = limit(rate)
            chunk = max(1, min(remaining, int(rate * EXFIL_CHUNK_MINUTES / 60)))
            a = yield from self.act("exfiltration", technique, 0.0, host=h, src_host=h,
                                    src_zone=self._zone(h), dst_zone="internet", records=chunk,
                                    factor=2 * EXFIL_CHUNK_MINUTES / 60,
                                    false_finding=misread, duration=60.0 * chunk / rate)
            if a.blocked == "egress" and technique == "T1041" and not self.belief.egress_blocked:
                technique = "T1567"  # the C2 channel is filtered: try a web service
                continue
            if a.blocked is not None:
                return
            remaining -= chunk
            if misread:
                self.wasted += chunk
                continue
            self.exfiltrated += chunk
            self._goal_out += chunk
            if self._goal_out >= self.obj_records:
                self._goal_met(h, f"{self._goal_out} records of {di.id} out")
