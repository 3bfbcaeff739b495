"""Taking the data out, in transfers the sensors and DLP can see.

A mixin of the attacker (``simulator.attack.Attacker``): its methods run on the run itself, which holds the
state (``simulator/engine.py``).
"""

from __future__ import annotations

from simulator.attack.base import (
    EXFIL_CHUNK_MINUTES,
    P_EXFIL,
)


class Exfiltration:
    """Taking the data out, in transfers the sensors and DLP can see."""

    def _exfil(self, h: int, d: int, misread: bool):
        net, p = self.net, self.p
        di = net.data[d]
        reviewed = yield from self.gate("exfiltration", di.id)
        if misread and self.reviewed_out(reviewed, f"{di.id} misread as the data sought", h):
            return
        if not self._holds_data(h, d) or self._down(h):
            return  # the host was lost (or encrypted) while the operators decided: nothing leaves, nothing to log
        if misread:
            self.false_acted += 1
        self._log("exfiltration", f"exfiltration of {di.id} starts", h)
        remaining = di.records if misread else self.obj_records - self._goal_out
        src = h  # where the data leaves from: the host that holds it, or where it was staged
        staged = False
        if h in self.shares:  # read over the file shares: it leaves from the held host reading them
            src = self.share_src[h]
        technique = "T1041"
        if self._filtered is not None and src not in net.entry_hosts:
            # it knows outbound is filtered (a transfer refused before): the web, if this zone has it, else stage
            if self._zone(src) in self._filtered:
                stage = yield from self._stage(h, d, misread, remaining)
                if stage is None:
                    return
                src, staged = stage, True
                technique = "T1041" if src in net.entry_hosts else "T1567"
            else:
                technique = "T1567"
        while remaining > 0 and src in self.owned and not self._down(src) and (
                src == h or not self._shell_less(src) or (self._holds_data(h, d) and not self._down(h))) and (
                misread or (self.t_objective is None and d == self.obj and self.obj_kind == "data-theft")):
            rate = p.exfil_records_per_hour
            for limit in self._limit:
                rate = limit(rate)
            chunk = max(1, min(remaining, int(rate * EXFIL_CHUNK_MINUTES / 60)))
            a = yield from self.act("exfiltration", technique, 0.0, host=src, src_host=src,
                                    src_zone=self._zone(src), dst_zone="internet", records=chunk,
                                    factor=2 * EXFIL_CHUNK_MINUTES / 60,
                                    false_finding=misread, duration=60.0 * chunk / rate,
                                    origin=None if src == h else h)
            if a.blocked == "egress" and not self.belief.egress_blocked:
                if self._filtered is None:
                    self._filtered = set()
                if technique == "T1041":
                    technique = "T1567"  # the C2 channel is filtered: try a web service
                    continue
                self._filtered.add(self._zone(src))  # (remembered: no web from this zone)
                if staged:
                    break  # (staged, and still refused: nothing more to try)
                # default-deny outbound: the web only from the users' zones; stage the data on a held host there
                stage = yield from self._stage(h, d, misread, remaining)
                if stage is None:
                    return
                src, staged = stage, True
                technique = "T1041" if src in net.entry_hosts else "T1567"  # its own way in, or the users' proxy
                continue
            if a.blocked is not None:
                break  # (refused, or cut off: a staged copy isolated is staged again, below)
            remaining -= chunk
            if misread:
                self.wasted += chunk
                continue
            self.exfiltrated += chunk
            self._goal_out += chunk
            if self._goal_out >= self.obj_records:
                self._goal_met(src, f"{self._goal_out} records of {di.id} out")
        if src != h and src not in self.owned and self._holds_data(h, d) and not self._down(h) and (
                misread or (self.t_objective is None and d == self.obj and self.obj_kind == "data-theft")):
            self._push(P_EXFIL, ("exfil", h, d, misread))  # the staged copy was lost (isolated): stage again

    def _stage_host(self, h: int) -> int | None:
        """Where data on ``h`` can leave from under egress filtering: a held host, not isolated, either with a shell
        in a zone the users browse from (``Network.web_egress_zones``: out through their web proxy) or internet-facing
        (a web shell, a VPN session: out over the attacker's own way in), that the data can be relayed to from ``h``
        through the zones the attacker holds hosts in (``Network.zone_links``, each hop either way: the path its own
        commands take). The first by index."""
        net = self.net
        held: dict[str, list[int]] = {}
        for s in sorted(self.owned):
            if not self._down(s) and s not in self.belief.contained_hosts and s not in self.shares:
                held.setdefault(self._zone(s), []).append(s)
        start = self._zone(h)
        seen, todo = {start}, [start]
        while todo:  # the zones the data can be relayed through: those it holds a host in, linked to the data's
            z = todo.pop()
            for y in sorted(net.zone_links.get(z, ())):
                if y not in seen and y in held:
                    seen.add(y)
                    todo.append(y)
        for s in sorted(x for z in seen for x in held.get(z, ())):
            if s in net.entry_hosts or (self._zone(s) in net.web_egress_zones and not self._shell_less(s)):
                return s
        return None

    def _stage(self, h: int, d: int, misread: bool, records: int):
        """Egress filtering refused the data out of ``h``: stage it (``records`` of data set ``d``) where it can
        leave (``_stage_host``): a copy to the host (Remote Data Staging, T1074.002: an internal transfer at ten times
        the exfiltration rate, an assumption for a LAN against an internet upload, seen where it crosses a zone
        boundary), or, through a VPN or web session the attacker holds, no copy: the data is pulled through it.
        Returns the host it leaves from, or None: none held yet (the exfiltration waits for one, and the attacker
        spreads meanwhile: ``Discovery._focused``) or the copy failed."""
        s = self._stage_host(h)
        origin = self.share_src.get(h, h)  # (data on file shares: copied from the host reading them)
        if s is None:
            first = self._stage_wait is None
            self._stage_wait = (h, d, misread)
            if first:
                self._log("staging", f"egress filtering refused {self.net.data[d].id} out of "
                                     f"{self.net.hosts[h].zone}: it waits for a held host it can leave from", h)
                for t in sorted(self.known_targets):  # the moves dropped while it focused on the data: one may lead to
                    self._plan(t, None)  # a host to stage it on
            return None
        self._stage_wait = None
        if self._shell_less(s) or s == origin:
            return s  # a session through the host: the data is pulled through it, from where it lies (or the host
            # reading the file shares can send it out itself)
        rate = self.p.exfil_records_per_hour * 10  # (inside: the egress rate cap does not apply)
        a = yield from self.act("collection", "T1074.002", self.p.efforts.collection, host=s, src_host=origin,
                                src_zone=self._zone(origin), dst_zone=self._zone(s), records=records, factor=2,
                                false_finding=misread, takeover=True,
                                duration=60.0 * records / rate)
        if not a.success or s not in self.owned or not self._holds_data(h, d):
            if a.blocked is None and s in self.owned and self._holds_data(h, d):
                self._failed((P_EXFIL, ("exfil", h, d, misread)))
            return None
        self._log("staging", f"{self.net.data[d].id} staged to leave from here (egress filtering)", s)
        return s
