"""The compiled network: host groups expanded, references turned into indices, reachability precomputed.

Built once per (scenario, posture); a run only reads it. Reachability comes from the zone graph (networkx) filtered by
every control's static flow policy, so it is never computed per action.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import cached_property

import networkx as nx

from defenses.posture import Posture
from simulator.attacker import AttackerProfile
from simulator.scenario import Scenario


@dataclass(frozen=True, slots=True)
class HostInfo:
    """A host as the engine sees it."""

    id: str
    zone: str
    role: str
    services: tuple[str, ...]
    network_vulns: tuple[int, ...]
    """Vulnerabilities exploitable over the network."""
    local_vulns: tuple[int, ...]
    """Local privilege escalations."""
    credentials: tuple[int, ...]
    """Accounts cached here."""
    data: tuple[int, ...]
    """Data assets stored here."""
    edr: bool | None
    honeytoken: bool
    os: str = "linux"
    """windows, linux or appliance (a Windows host is in the domain a held domain controller can push to)."""
    domain: bool = False
    """Joined to the directory (``Host.domain``; by default every Windows host)."""
    remote_desktop: bool = False
    """Users may log on over rdp (``Host.remote_desktop``)."""


@dataclass(frozen=True, slots=True)
class AccountInfo:
    id: str
    kind: str
    logon: frozenset[int]
    mfa: bool | None
    tier_zones: frozenset[str]
    honeytoken: bool
    logon_sorted: tuple[int, ...] = ()
    """The same hosts as ``logon``, in order (sampled from at run time: sorting 10,000 hosts per draw was the one
    per-run cost that grew with the network)."""
    domain: bool | None = None
    """``Account.domain`` (None: by the hosts it logs on to or is cached on)."""


@dataclass(frozen=True, slots=True)
class VulnInfo:
    id: str
    technique: str
    service: str | None
    severity: str
    success: float
    effort_hours: float
    disclosed_day: float
    access: str
    edge: bool
    zero_day_days: float | None = None
    public_exploit: bool = True


@dataclass(frozen=True, slots=True)
class DataInfo:
    id: str
    host: int
    records: int
    sensitive: bool
    honeytoken: bool


@dataclass(frozen=True)
class Network:
    """Everything a run needs to know about the network, by index."""

    name: str
    zones: tuple[str, ...]
    hosts: tuple[HostInfo, ...]
    host_index: dict[str, int]
    accounts: tuple[AccountInfo, ...]
    vulns: tuple[VulnInfo, ...]
    data: tuple[DataInfo, ...]
    entry: tuple[tuple[int, tuple[str, ...]], ...]
    """(host, internet-facing services)."""
    reach: dict[str, tuple[tuple[int, tuple[str, ...]], ...]]
    """zone -> every (host, services) reachable from a foothold in that zone (own zone included)."""
    reach_map: dict[str, dict[int, tuple[str, ...]]]
    """zone -> host -> services reachable from that zone (the same, for lookups)."""
    reach_tiers: dict[str, tuple[tuple[int, ...], ...]]
    """zone -> reachable hosts by value: (the objective's host and other data hosts, hosts caching admin
    credentials, the rest). Discovery reveals the first tier whole and samples the others."""
    zone_graph: nx.DiGraph
    """Zones and the services allowed between them under the posture."""
    goals: tuple[tuple[str, int, int, int], ...]
    """Every objective in the order pursued: (kind, data asset, its host, records that must leave)."""
    logon_accounts: tuple[frozenset[int], ...]
    """host -> the accounts that log on to it (the inverse of AccountInfo.logon)."""
    horizon: float
    """Minutes."""
    defender_utc_offset: float
    logon_services: frozenset[str] = frozenset()
    """Services that accept a logon with credentials (the scenario's ``services.logon``)."""
    share_services: frozenset[str] = frozenset()
    """Logon services that give an account without admin rights the file shares only (``services.share_only``)."""
    admin_services: frozenset[str] = frozenset()
    """Logon services that refuse an account without admin rights (``services.admin_only``)."""
    share_data: tuple[tuple[int, ...], ...] = ()
    """host -> the data sets on its file shares (``DataAsset.share``): what a share-only logon there reads."""
    admin_zones: frozenset[str] = frozenset()
    """Zones of the administration tier (the scenario's zones with ``admin_tier``)."""
    sensitive_zones: frozenset[str] = frozenset()
    """Zones an operator authorises access to, one by one (``Zone.sensitive``: the ``sensitive_access`` gate)."""
    web_egress_zones: frozenset[str] = frozenset()
    """Zones whose hosts reach web services on the internet under egress filtering (``Zone.web_egress``)."""
    phishing: tuple[tuple[tuple[int, ...], int], ...] = ()
    """(member host indices, users) per phishing target group of the scenario."""
    suppliers: tuple[tuple[int, tuple[tuple[int, str], ...]], ...] = ()
    """Per supplier: its account, and the (host, service) logons from outside the posture's flow policy lets cross."""

    @property
    def objective_records(self) -> int:
        """Records of the first objective's data that must leave (a data-theft objective)."""
        return self.goals[0][3]

    @cached_property
    def zone_links(self) -> dict[str, frozenset[str]]:
        """Zone -> the zones it exchanges traffic with, either way (a host of one reachable from the other)."""
        out: dict[str, set[str]] = {z: set() for z in self.zones}
        for a, hosts in self.reach_map.items():
            for h in hosts:
                b = self.hosts[h].zone
                out.setdefault(a, set()).add(b)
                out.setdefault(b, set()).add(a)
        return {z: frozenset(v) for z, v in out.items()}

    @cached_property
    def domain_controllers(self) -> tuple[int, ...]:
        """Domain-joined hosts with role ``domain-controller``."""
        return tuple(h for h, info in enumerate(self.hosts) if info.domain and info.role == "domain-controller")

    @cached_property
    def domain_accounts(self) -> tuple[int, ...]:
        """The directory's accounts a DCSync replicates (``Collection._dcsync``): those the scenario marks
        ``domain: true``, and by default every account that logs on to, or is cached on, a domain-joined host
        (``Host.domain``: by default a Windows one); none without a domain controller. Accounts of Linux hosts,
        appliances and workgroup machines are local."""
        if not self.domain_controllers:
            return ()
        joined = [h for h, info in enumerate(self.hosts) if info.domain]
        by_hosts = {a for h in joined for a in self.logon_accounts[h]}
        by_hosts.update(a for h in joined for a in self.hosts[h].credentials)
        return tuple(a for a, acct in enumerate(self.accounts)
                     if (a in by_hosts if acct.domain is None else acct.domain))

    @cached_property
    def domain_account_set(self) -> frozenset[int]:
        """``domain_accounts``, for lookups."""
        return frozenset(self.domain_accounts)

    @cached_property
    def replication_accounts(self) -> frozenset[int]:
        """Directory admin accounts that log on to a domain controller (Domain Admins): with one in hand, a DCSync
        can be run from any held host that reaches a domain controller, as replication rights allow."""
        dcs = set(self.domain_controllers)
        return frozenset(a for a in self.domain_accounts
                         if self.accounts[a].kind == "admin" and not dcs.isdisjoint(self.accounts[a].logon))

    @cached_property
    def entry_hosts(self) -> frozenset[int]:
        """The entry points' hosts: a move from one onto another is not a move into the network (not a breakout); a
        hold on one is a channel in from outside (a web shell, a VPN tunnel) that data can be pulled out through,
        whatever outbound filtering allows."""
        return frozenset(h for h, _ in self.entry)


@dataclass(frozen=True)
class Compiled:
    """A scenario ready to run: network, attacker profile and posture."""

    scenario: Scenario
    net: Network
    attacker: AttackerProfile
    posture: Posture


def build_network(s: Scenario, posture: Posture) -> Network:
    """Expand and index ``s`` and compute reachability under ``posture``'s flow policy."""
    zones = tuple(z.id for z in s.zones)
    vuln_index = {v.id: i for i, v in enumerate(s.vulnerabilities)}
    vulns = tuple(
        VulnInfo(v.id, v.technique, v.service, v.severity, v.success, v.effort_hours, v.disclosed_day, v.access, v.edge,
                 v.zero_day_days, v.public_exploit)
        for v in s.vulnerabilities
    )
    acct_index = {a.id: i for i, a in enumerate(s.accounts)}
    members: dict[str, list[int]] = {}
    hosts: list[HostInfo] = []
    data: list[DataInfo] = []
    for h in s.hosts:
        net_v = tuple(vuln_index[v] for v in h.vulnerabilities if vulns[vuln_index[v]].service is not None)
        loc_v = tuple(vuln_index[v] for v in h.vulnerabilities if vulns[vuln_index[v]].service is None)
        creds = tuple(acct_index[a] for a in h.credentials)
        members[h.id] = []
        for mid in h.member_ids():
            idx = len(hosts)
            members[h.id].append(idx)
            data_idx = []
            for d in h.data:
                data_idx.append(len(data))
                data.append(DataInfo(d.id, idx, d.records, d.sensitive, d.honeytoken))
            hosts.append(HostInfo(mid, h.zone, h.role, h.services, net_v, loc_v, creds, tuple(data_idx), h.edr,
                                  h.honeytoken, h.os, h.os == "windows" if h.domain is None else h.domain,
                                  _remote_desktop(h)))
    host_index = {h.id: i for i, h in enumerate(hosts)}
    accounts = tuple(
        AccountInfo(a.id, a.kind, frozenset(i for ref in a.logon for i in members[ref]), a.mfa, frozenset(a.tier_zones),
                    a.honeytoken, tuple(sorted({i for ref in a.logon for i in members[ref]})), a.domain)
        for a in s.accounts
    )
    graph = zone_graph(s, posture)
    by_zone: dict[str, list[int]] = {z: [] for z in zones}
    for i, h in enumerate(hosts):
        by_zone[h.zone].append(i)
    reach: dict[str, tuple[tuple[int, tuple[str, ...]], ...]] = {}
    for src in zones:
        pairs: list[tuple[int, tuple[str, ...]]] = []
        for dst in zones:
            if src == dst:
                allowed = None  # inside a zone everything is reachable
            elif graph.has_edge(src, dst):
                allowed = graph.edges[src, dst]["services"]
            else:
                continue
            for i in by_zone[dst]:
                svcs = hosts[i].services if allowed is None else tuple(x for x in hosts[i].services if x in allowed)
                if svcs:
                    pairs.append((i, svcs))
        reach[src] = tuple(pairs)
    admin = {i for i, a in enumerate(s.accounts) if a.kind == "admin"}
    reach_tiers = {}
    for src, pairs in reach.items():
        tiers: tuple[list[int], list[int], list[int]] = ([], [], [])
        for i, _ in pairs:
            h = hosts[i]
            tiers[0 if h.data else 1 if admin.intersection(h.credentials) else 2].append(i)
        reach_tiers[src] = tuple(tuple(t) for t in tiers)
    entry = tuple((host_index[e.host], e.services) for e in s.entry_points)
    data_index = {d.id: i for i, d in enumerate(data)}
    goals = tuple((g.kind, d, data[d].host, g.records or data[d].records)
                  for g in s.goals for d in (data_index[g.data],))
    return Network(
        name=s.name,
        zones=zones,
        hosts=tuple(hosts),
        host_index=host_index,
        accounts=accounts,
        vulns=vulns,
        data=tuple(data),
        entry=entry,
        reach=reach,
        reach_map={z: dict(pairs) for z, pairs in reach.items()},
        reach_tiers=reach_tiers,
        zone_graph=graph,
        goals=goals,
        logon_accounts=tuple(frozenset(a for a, acct in enumerate(accounts) if h in acct.logon)
                             for h in range(len(hosts))),
        horizon=s.horizon_days * 1440.0,
        defender_utc_offset=s.defender_utc_offset,
        logon_services=frozenset(s.services.logon),
        share_services=s.services.shares(),
        admin_services=s.services.admins(),
        share_data=_share_data(s, hosts, data),
        admin_zones=s.admin_tier_zones(),
        sensitive_zones=s.sensitive_zones(),
        web_egress_zones=s.web_egress_zones(),
        phishing=tuple((tuple(host_index[m] for h in s.hosts if h.id == t.hosts for m in h.member_ids()), t.users)
                       for t in s.phishing),
        suppliers=_suppliers(s, posture, hosts, accounts),
    )


REMOTE_DESKTOP_ROLES = ("jump", "bastion", "terminal-server", "rds", "citrix", "vdi", "remote-desktop", "rdp",
                        "app-gateway", "remote-support")
"""Role words (whole words, or hyphenated pairs, of the role) of the hosts users log on to over rdp by default
(``Host.remote_desktop``): ``rds`` is not ``medical-records``."""


def _remote_desktop(h) -> bool:
    """``Host.remote_desktop``, or its default by role."""
    if h.remote_desktop is not None:
        return h.remote_desktop
    words = h.role.lower().replace("_", "-").replace(" ", "-").split("-")
    pairs = {f"{a}-{b}" for a, b in zip(words, words[1:], strict=False)}
    return any(w in words or w in pairs for w in REMOTE_DESKTOP_ROLES)


def _share_data(s: Scenario, hosts: list, data: list) -> tuple[tuple[int, ...], ...]:
    """host -> the data sets kept on its file shares (``DataAsset.share``; omitted: on a file server or a NAS)."""
    given = {d.id: d.share for h in s.hosts for d in h.data}
    out: list[list[int]] = [[] for _ in hosts]
    for i, d in enumerate(data):
        role = hosts[d.host].role.lower()
        shared = given.get(d.id)
        if shared is None:
            shared = "file" in role or "nas" in role.split("-")
        if shared:
            out[d.host].append(i)
    return tuple(tuple(x) for x in out)


def _suppliers(s: Scenario, posture: Posture, hosts: list, accounts) -> tuple:
    """Each supplier's standing logons from outside that the posture's flow policy lets cross into the host's zone."""
    policies = posture.flow_policies(s.admin_tier_zones())
    acct_index = {a.id: i for i, a in enumerate(s.accounts)}
    out = []
    for sup in s.suppliers:
        a = acct_index[sup.account]
        pairs = tuple((h, svc) for h in sorted(accounts[a].logon) for svc in sup.services
                      if svc in hosts[h].services
                      and all(c.allows_flow("internet", hosts[h].zone, svc, True) for c in policies))
        out.append((a, pairs))
    return tuple(out)


def zone_graph(s: Scenario, posture: Posture) -> nx.DiGraph:
    """Zones as nodes; an edge carries the services every control lets cross from one zone to the other."""
    listed: dict[tuple[str, str], set[str]] = {}
    for f in s.flows:
        listed.setdefault((f.source, f.target), set()).update(f.services)
    services = sorted({svc for h in s.hosts for svc in h.services})
    controls = posture.flow_policies(s.admin_tier_zones())
    g = nx.DiGraph()
    g.add_nodes_from(z.id for z in s.zones)
    for a in g.nodes:
        for b in g.nodes:
            if a == b:
                continue
            ok = frozenset(
                svc for svc in services
                if all(c.allows_flow(a, b, svc, svc in listed.get((a, b), ())) for c in controls)
            )
            if ok:
                g.add_edge(a, b, services=ok)
    return g


def compile_scenario(s: Scenario, attacker: AttackerProfile, posture: Posture) -> Compiled:
    """Everything a run needs, computed once."""
    return Compiled(s, build_network(s, posture), attacker, posture)


def objective_reachable(net: Network) -> bool:
    """Whether every objective's zone can be reached from an entry point's zone along allowed flows."""
    return all(any(nx.has_path(net.zone_graph, net.hosts[h].zone, net.hosts[host].zone) for h, _ in net.entry)
               for _, _, host, _ in net.goals)


def objective_zone_reachable(s: Scenario, posture: Posture) -> bool:
    """``objective_reachable(build_network(s, posture))`` without expanding a host or building the whole zone graph: a
    search from the entry points' zones that asks the flow policy only about the zone pairs it reaches (what
    ``validate`` says of a 100,000-host file in milliseconds). With several objectives: every one's zone."""
    by_id = {h.id: h for h in s.hosts}
    zone_of = {d.id: h.zone for h in s.hosts for d in h.data}
    targets = {zone_of[g.data] for g in s.goals}
    sources = {by_id[e.host].zone for e in s.entry_points}
    left = targets - sources
    if not left:
        return True
    listed: dict[tuple[str, str], set[str]] = {}
    for f in s.flows:
        listed.setdefault((f.source, f.target), set()).update(f.services)
    services = sorted({svc for h in s.hosts for svc in h.services})
    controls = posture.flow_policies(s.admin_tier_zones())
    zones = [z.id for z in s.zones]

    def edge(a: str, b: str) -> bool:  # the edge zone_graph draws from a to b
        allowed = listed.get((a, b), ())
        return any(all(c.allows_flow(a, b, svc, svc in allowed) for c in controls) for svc in services)

    seen = set(sources)
    queue = deque(z for z in zones if z in sources)
    while queue:
        a = queue.popleft()
        left = {t for t in left if not edge(a, t)}
        if not left:
            return True
        for b in zones:
            if b not in seen and edge(a, b):
                seen.add(b)
                queue.append(b)
    return False


def objective_hosts_usable(s: Scenario, posture: Posture) -> bool:
    """A stricter reading of ``objective_zone_reachable`` for ``validate``'s warning: a zone is a step on the way only
    if one of its hosts offers, over a flow the posture allows, a way on: a service with a vulnerability, or a logon
    service an account the attacker could hold logs on to there. It could hold an account that logs on to a host it
    starts from (stuffed, sprayed, phished, a supplier's) or one cached on a host of a zone it reaches; the
    objective's own host must offer a way on too. Generous on purpose (every host of a reached zone counts as held,
    every escalation as possible), so it can only miss a dead end, never invent one. Sources: the entry points', the
    phished hosts' and the suppliers' zones. Host entry by host entry: a 100,000-host file is never expanded."""
    logon_svcs = set(s.services.logon)
    vuln_svc = {v.id: v.service for v in s.vulnerabilities}
    by_id = {h.id: h for h in s.hosts}
    accounts = {a.id: a for a in s.accounts if not a.honeytoken}

    def entry_of(name: str):
        return by_id.get(name) or by_id.get(name.rsplit("-", 1)[0])

    logs_on: dict[str, set[str]] = {}  # host entry -> accounts that log on to it (or to one of its members)
    for a in accounts.values():
        for n in a.logon:
            h = entry_of(n)
            if h is not None:
                logs_on.setdefault(h.id, set()).add(a.id)

    def ways_on(h, held: set[str]) -> set[str]:
        out = {svc for svc in h.services if svc in logon_svcs and logs_on.get(h.id, set()) & held}
        return out | {vuln_svc[v] for v in h.vulnerabilities if vuln_svc.get(v) in h.services}

    listed: dict[tuple[str, str], set[str]] = {}
    for f in s.flows:
        listed.setdefault((f.source, f.target), set()).update(f.services)
    controls = posture.flow_policies(s.admin_tier_zones())

    def allowed(a: str, b: str, svcs: set[str]) -> bool:
        if not svcs:
            return False
        return a == b or any(all(c.allows_flow(a, b, svc, svc in listed.get((a, b), ())) for c in controls)
                             for svc in sorted(svcs))

    start = {e.host for e in s.entry_points} | {h.id for t in s.phishing if (h := entry_of(t.hosts)) is not None}
    held = {a for h in start for a in logs_on.get(h, ())}
    for sup in s.suppliers:
        if sup.account in accounts:
            held.add(sup.account)
            start |= {h.id for n in accounts[sup.account].logon if (h := entry_of(n)) is not None}
    reached = {by_id[h].zone for h in start}
    by_zone: dict[str, list] = {}
    for h in s.hosts:
        by_zone.setdefault(h.zone, []).append(h)
    changed = True
    while changed:
        changed = False
        for z in sorted(reached):
            held |= {c for h in by_zone.get(z, ()) for c in h.credentials if c in accounts}
        for b in sorted(by_zone):
            if b in reached:
                continue
            svcs = set().union(*(ways_on(h, held) for h in by_zone[b]))
            if any(allowed(a, b, svcs) for a in sorted(reached)):
                reached.add(b)
                changed = True
    data_host = {d.id: h for h in s.hosts for d in h.data}
    return all(data_host[g.data].id in start
               or any(allowed(a, data_host[g.data].zone, ways_on(data_host[g.data], held)) for a in sorted(reached))
               for g in s.goals)
