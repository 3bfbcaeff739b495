"""Getting in from outside: the ways in (vectors) tried best first.

A mixin of the attacker (``simulator.attack.Attacker``): its methods run on the run itself, which holds the
state (``simulator/engine.py``).
"""

from __future__ import annotations

from simulator.attack.vectors import VECTORS, offers


class InitialAccess:
    """Getting in from outside: the ways in (vectors) tried best first."""

    def _get_in(self):
        """Scan, fingerprint and try every way in the attacker does not hold yet, best first; retry every
        ``retry_days``. An entry host held only as a session (a VPN user's tunnel, a user's hold on an appliance) is
        tried again for a shell: an exploit or a logon that gives one there is a gain. Returns the host gained, or
        None when no way in is left or the next try would come after the horizon."""
        net, p, env = self.net, self.p, self.env
        self._scan_start = set(self.owned)
        self._scan_shells = {h for h in self._scan_start if not self._shell_less(h)}
        self._inside_gains.clear()
        while not self._gained():
            if not self._ways_in_left():
                if not self.owned:
                    self._no_path = True
                return None
            first = net.hosts[net.entry[0][0]]
            yield from self.act("reconnaissance", "T1595", p.efforts.scan, src_zone="internet",
                                dst_zone=first.zone, factor=20, takeover=True)
            candidates: list[tuple[float, int, tuple]] = []
            for h, svcs in net.entry:
                if (h in self.owned and not self._shell_less(h)) or self._down(h):
                    continue
                host = net.hosts[h]
                if h not in self.owned:  # (one held as a session: logged on through it, it knows the box already)
                    a = yield from self.act("reconnaissance", "T1592", p.efforts.fingerprint, host=h,
                                            src_zone="internet", dst_zone=host.zone, factor=5, takeover=True)
                    if not a.success:
                        continue
                for vector in VECTORS:
                    for score, entry in vector.candidates(self, h, svcs):
                        candidates.append((score, len(candidates), (vector, entry)))
            for vector in VECTORS:  # ways in through people, not exposed services
                for score, entry in offers(vector, self):
                    candidates.append((score, len(candidates), (vector, entry)))
            if self.arng.random() < p.false_finding_rate:
                h, svcs = net.entry[self.arng.randrange(len(net.entry))]
                candidates.append((-0.5, len(candidates), (None, (h, svcs[0]))))  # a hallucinated way in
            reviewed = yield from self.gate("exploitation", "perimeter")
            candidates.sort()
            for _, _, (vector, entry) in candidates:
                if vector is None:
                    h, svc = entry
                    if self.reviewed_out(reviewed, f"a way in over {svc} that is not there", h):
                        continue
                    self.false_acted += 1
                    yield from self.act("initial-access", "T1190", p.efforts.fingerprint, host=h,
                                        src_zone="internet", dst_zone=net.hosts[h].zone, service=svc, fake=True,
                                        factor=3)
                else:
                    yield from vector.attempt(self, entry)
                for h in sorted(self._gained() & self._scan_start - self._inside_gains):
                    # a shell from outside on a host held as a session: a way in of its own, the session led nowhere
                    self.entered_at[h] = env.now
                if self._gained():
                    self._entry_vector = vector.name if vector is not None else None
                    break
            if not self._gained():
                wait = self._retry_wait()
                if env.now + wait >= net.horizon:
                    return None  # the horizon comes first
                yield env.timeout(wait)
        gained = self._gained()
        if not (gained - self._inside_gains):
            self._entry_vector = "inside"  # no way in of its own: a line of work moved on from inside meanwhile
        return min(gained - self._inside_gains or gained)

    def _gained(self) -> set[int]:
        """The hosts gained since the campaign went back to the perimeter: a host not held then (or lost since), or a
        shell on one held then only as a session."""
        start = self._scan_start
        return ((self.owned.keys() - start - self.shares)  # (a share read is no way in: ``Movement._gain``)
                | {h for h in start if h not in self._scan_shells and not self._shell_less(h)})
