"""Learning the network from a foothold: reach, routes per zone, where credentials work, and planning the moves
that follow.

A mixin of the attacker (``simulator.attack.Attacker``): its methods run on the run itself, which holds the
state (``simulator/engine.py``).
"""

from __future__ import annotations

from simulator.attack.base import (
    P_CRED,
    P_DISCOVER,
    P_EXPLOIT,
)
from simulator.attack.impact import IMPACT_KINDS
from simulator.attack.movement import APPLIANCES, SESSION_SERVICES

LOGON_ORDER = {"shell": 0, "session": 1, "share": 2}
"""The planner's order among the logons a target takes (``Discovery._logon_ways``): a shell first, then a session (one
more way through the box), then a share read."""


class Discovery:
    """Discovery and planning."""

    def _zone(self, h: int) -> str:
        return self.net.hosts[h].zone

    def _discover(self, h: int):
        zone = self._zone(h)
        if h not in self.owned:
            self._rediscover(zone)
            return
        a = yield from self.act("discovery", "T1046", self.p.efforts.discovery, host=h, src_host=h,
                                src_zone=zone, dst_zone=zone, factor=10, takeover=True)
        if not a.success:
            if h in self.owned and a.blocked is None:
                self._failed((P_DISCOVER, ("discover", h)))
            else:
                self._rediscover(zone)
            return
        for t in self._reveal(zone, h):
            if self._learn(t, h):
                self._plan(t, None)

    def _rediscover(self, zone: str) -> None:
        """Discovery from ``zone`` was cut short: run it from another host held there, or on the next one gained."""
        held = self.owned_by_zone.get(zone)
        if held:
            self._push(P_DISCOVER, ("discover", held[0]))
        else:
            self.discovered_zones.discard(zone)

    def _learn(self, t: int, src: int) -> bool:
        """Note that ``t`` is reachable from foothold ``src``'s zone (on the services the flows allow). True if
        new."""
        zone = self._zone(src)
        svcs = self.net.reach_map[zone].get(t)
        if not svcs or t == src:
            return False
        routes = self.routes.setdefault(t, {})
        fresh = False
        for s in svcs:
            lst = routes.setdefault(s, [])
            if zone not in lst:
                lst.append(zone)
                fresh = True
        self.known_targets.add(t)
        return fresh

    def _where_creds_work(self, acct: int) -> None:
        """A harvested credential tells where it is used: learn the hosts it logs on to that a foothold reaches
        (up to ``discovery_breadth`` of them, sampled when there are more)."""
        logon = self.net.accounts[acct].logon
        if not logon:
            return
        footholds: dict[str, int] = {}
        for h in sorted(self.owned):
            if h not in self.shares:  # (a share read is no foothold)
                footholds.setdefault(self._zone(h), h)
        breadth = self.p.discovery_breadth
        if len(logon) <= breadth:
            candidates = sorted(t for t in logon if t not in self.owned)
        else:  # which of them it learns first is a sample, not the order the scenario lists its hosts in
            pool = self.net.accounts[acct].logon_sorted
            candidates = self.arng.sample(pool, min(len(pool), 4 * breadth))
        learned = 0
        for t in candidates:
            if learned >= self.p.discovery_breadth:
                break
            if t in self.owned or t in self.known_targets:
                continue
            for zone, src in footholds.items():
                if t in self.net.reach_map[zone] and self._learn(t, src):
                    learned += 1
                    self._plan(t, [acct])
                    break

    def _focused(self) -> bool:
        """Once it holds the objective's data host, the attacker stops spreading and concentrates on taking it out
        (after the objective is met it spreads again: it keeps access and keeps looking). For ransomware it needs
        admin rights there, on a shell: holding the host with user rights (or as a session only), it keeps spreading to
        find an admin account or a way to a shell."""
        h = self.obj_host
        if self.t_objective is not None or not self._holds_data(h, self.obj) or self._stage_wait is not None:
            return False  # (nor while the data waits for a host to stage it on: it spreads to find one)
        return self.obj_kind not in IMPACT_KINDS or (self.owned[h] == "admin" and not self._shell_less(h))

    def _holds_data(self, h: int, d: int) -> bool:
        """Whether the attacker holds data set ``d`` on host ``h``: holds ``h``, and with more than a read of its file
        shares unless ``d`` is kept on them."""
        return h in self.owned and (h not in self.shares or d in self.net.share_data[h])

    def _reveal(self, zone: str, h: int) -> list[int]:
        """The targets one discovery from ``zone`` puts on the list: data hosts whole, then samples of the hosts
        caching admin credentials and of the rest, up to ``discovery_breadth`` new ones (plus any already known)."""
        data, admin, rest = self.net.reach_tiers[zone]
        left = self.p.discovery_breadth
        out: list[int] = []
        for tier in (data, admin, rest):
            if left <= 0:
                break
            fresh = len(tier) <= left
            picks = tier if fresh else [tier[i] for i in sorted(self.arng.sample(range(len(tier)), left))]
            for t in picks:
                if t != h:
                    out.append(t)
                    if t not in self.known_targets:
                        left -= 1
        return out

    def _plan(self, t: int, creds: list[int] | None) -> None:
        """Queue every way into target ``t`` the attacker now has (each tried once): ``creds``, or every harvested
        credential that logs on to ``t``, over a route from a zone it holds a host in now (a route learned through a
        zone it has since lost waits until it holds a host there again: a move it could not make is not work, and
        an attacker whose only planned moves are such has nothing to do from what it holds)."""
        owned = self.owned
        shell_only = t in owned  # held as a session only: only a move that gives a shell there is worth making
        if (shell_only and not self._shell_less(t)) or t in self.belief.contained_hosts or (
                self.t_objective is None and self.obj_host in owned and self._focused()):
            return  # (the cheap tests first: this runs for every target of every discovery)
        if self._down(t):
            return  # encrypted, out of service
        routes = self.routes.get(t)
        if not routes:
            return
        net = self.net
        host = net.hosts[t]
        admin_only = shell_only and host.os in APPLIANCES  # a shell on a held box takes admin rights
        admin_services, user_services = self._logon_ways(t, routes, shell_only)
        value = self._move_value(t)
        usable = net.logon_accounts[t]
        for acct in sorted(self.harvested & usable) if creds is None else [a for a in creds if a in usable]:
            admin = net.accounts[acct].kind == "admin"
            if (("c", t, acct) in self.tried or (admin_only and not admin)
                    or (acct, host.zone) in self.tier_refused):
                continue  # (tiering refused it in this zone: ``tier_refused``)
            for s in admin_services if admin else user_services:
                if (acct, s) not in self.mfa_refused and self._route(t, s) is not None:
                    self.tried.add(("c", t, acct))
                    self._push(P_CRED + value, ("move_cred", t, acct, s))
                    break
        if host.network_vulns:
            now_day = self.env.now / 1440
            for v in host.network_vulns:
                vi = net.vulns[v]
                if (vi.service in routes and self._usable_from(v) <= now_day and ("v", t, v) not in self.tried
                        and not (admin_only and vi.access != "admin")
                        and self._route(t, vi.service) is not None):
                    self.tried.add(("v", t, v))
                    self._push(P_EXPLOIT + value, ("move_exploit", t, v))

    def _logon_ways(self, t: int, routes: dict, shell_only: bool) -> tuple[list[str], list[str]]:
        """The logon services on a route to ``t`` worth a try, in order, for an admin account and for one without
        admin rights (``Movement._share_logon``, ``_logon_refused``): a shell first, then a session (one more way
        through the box, never onto a host held already), then a share read (onto a host not held that keeps data
        on its shares: smb, any account's on a host that is not Windows). An account without admin rights never
        over a service that refuses it (winrm; rdp where its users may not use it)."""
        net = self.net
        services = [x for x in routes if x in net.logon_services and not (shell_only and x in SESSION_SERVICES)]
        shares_here = not shell_only and bool(net.share_data[t])

        def ways(admin: bool) -> list[str]:
            given = [(x, self._logon_gives(admin, x, t)) for x in services]
            worth = [(x, g) for x, g in given if g is not None and (g != "share" or shares_here)]
            return [x for x, g in sorted(worth, key=lambda w: LOGON_ORDER[w[1]])]  # (stable: the routes' order)

        return ways(True), ways(False)

    def _unplan(self, key: tuple) -> None:
        """A planned move dropped unused (focus, lost route): it may be planned again if things change."""
        if key[1] not in self.owned or self._shell_less(key[1]):
            self.tried.discard(key)

    def _route(self, t: int, svc: str) -> int | None:
        """A host the attacker holds from which it knows ``t`` is reachable on ``svc``: routes are per zone, so any
        held host of such a zone will do."""
        by_zone = self.owned_by_zone
        for zone in self.routes.get(t, {}).get(svc, ()):
            for s in by_zone.get(zone, ()):
                if s != t:  # (a host held as a session only is a target, never its own source)
                    return s
        return None
