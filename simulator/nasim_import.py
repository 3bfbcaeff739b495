"""Import a Network Attack Simulator (NASim) scenario file into this project's scenario format.

NASim describes subnets (subnet 0 is the internet), a subnet topology matrix, a firewall (services allowed from one
subnet to another), host configurations (os, services, processes, value), exploits (service, os, probability, cost,
access), privilege escalations (process, os, probability, cost, access), sensitive hosts and scan costs. What maps:

- subnets -> zones ``subnet-N``; hosts ``(s, i)`` -> hosts ``hS-I``; firewall rules between connected subnets -> flows;
  rules from the internet -> entry points on the hosts that run an allowed service;
- exploits -> network vulnerabilities on every host that runs the service with a matching os (probability -> success,
  cost -> effort hours, user/root -> user/admin); privilege escalations -> local vulnerabilities (T1068) on hosts
  running the process;
- sensitive hosts -> data assets (records = value x 1,000); the objective is the most valuable one;
- a host with a negative value (a honeypot) -> a decoy host (honeytoken).

What does not map is reported: scan costs, step limit, NASim's goal of root on every sensitive host (this model
pursues one data asset), accounts and credentials (NASim has none), severities and disclosure dates (set to
``high`` and known for a year), host-level firewall rules, values of hosts that are not sensitive, and values past
this model's limits (capped, each named).

NASim's semantics are pinned in the written scenario, whatever posture preset is chosen: its firewall is the network
(``segmentation: {mode: zones, restrict_admin_services: false}``: no preset flattens it or limits admin services to an
``admin`` zone) and its exploits are never patched (``patching: {coverage: 0}``). Both are posture overrides with a
comment, and the command says so.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from simulator.loader import Document, Problem, ScenarioError, read_document

_ADDR = re.compile(r"^\(\s*(\d+)\s*,\s*(\d+)\s*\)$")
_SERVICE = re.compile(r"[^a-z0-9-]+")


@dataclass
class Imported:
    """The scenario as plain data, and what could not be mapped."""

    scenario: dict[str, Any]
    unmapped: list[str] = field(default_factory=list)
    pinned: list[str] = field(default_factory=list)
    """Posture overrides that keep NASim's semantics under any preset."""


PINNED = {"segmentation": {"mode": "zones", "restrict_admin_services": False}, "patching": {"coverage": 0.0}}
"""NASim's firewall is the network, and its exploits are never patched."""
MAX_HOSTS = 100_000
MAX_EFFORT_HOURS = 10_000.0
MAX_RECORDS = 10**12


def _fail(doc: Document, path: tuple, message: str) -> ScenarioError:
    return ScenarioError([Problem(doc.file, doc.line(path), ".".join(map(str, path)), message)])


def _addr(doc: Document, key: Any, path: tuple) -> tuple[int, int]:
    if isinstance(key, (list, tuple)) and len(key) == 2:
        return int(key[0]), int(key[1])
    m = _ADDR.match(str(key))
    if not m:
        raise _fail(doc, path, f"'{key}' is not a host address like (1, 0)")
    return int(m.group(1)), int(m.group(2))


def _svc(name: Any) -> str:
    s = _SERVICE.sub("-", str(name).lower()).strip("-")[:32]
    return s or "svc"


def _num(doc: Document, path: tuple, value: Any, lo: float | None = None, hi: float | None = None) -> float:
    """A finite number (bools refused), within [lo, hi] when given; else an error at the value's line."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(doc, path, f"{str(value)[:40]!r} is not a number")
    try:
        x = float(value)
    except OverflowError:
        raise _fail(doc, path, "number too large") from None
    if not math.isfinite(x):
        raise _fail(doc, path, f"{value} is not a finite number")
    if (lo is not None and x < lo) or (hi is not None and x > hi):
        raise _fail(doc, path, f"{value:g} is outside [{lo:g}, {hi:g}]" if lo is not None and hi is not None
                    else f"{value:g} is out of range")
    return x


def _access(doc: Document, path: tuple, value: Any) -> str:
    """NASim's access level: 'user' / 1, 'root' / 2 (its AccessLevel enum)."""
    if value in ("root", 2) and not isinstance(value, bool):
        return "admin"
    if value in ("user", 1, None) and not isinstance(value, bool):
        return "user"
    raise _fail(doc, path, f"{str(value)[:40]!r} is not an access level (user, root, 1 or 2)")


def _os(name: Any) -> str:
    n = str(name).lower()
    return n if n in ("linux", "windows", "macos") else "other"


def convert(doc: Document, automation: str = "ai-orchestrated", posture: str = "baseline") -> Imported:
    """Convert a parsed NASim document."""
    d = doc.data
    if not isinstance(d, dict):
        raise _fail(doc, (), "a NASim scenario is a mapping")
    for key in ("subnets", "topology", "host_configurations", "firewall", "exploits", "sensitive_hosts"):
        if key not in d:
            raise _fail(doc, (), f"{key}: missing (not a NASim scenario?)")
    subnets = d["subnets"]
    if not isinstance(subnets, list) or not subnets or not all(
            isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in subnets):
        raise _fail(doc, ("subnets",), "must be a list of positive host counts")
    if sum(subnets) > MAX_HOSTS:
        raise _fail(doc, ("subnets",), f"{sum(subnets)} hosts; the limit is {MAX_HOSTS}")
    n = len(subnets)
    topo = d["topology"]
    if not isinstance(topo, list) or len(topo) != n + 1 or any(not isinstance(r, list) or len(r) != n + 1
                                                                for r in topo):
        raise _fail(doc, ("topology",), f"must be a {n + 1}x{n + 1} matrix (the internet and {n} subnets)")
    unmapped: list[str] = []

    # exploits and privilege escalations (the current format; the legacy one is {name: [prob, cost]})
    exploits: dict[str, dict[str, Any]] = {}
    if not isinstance(d["exploits"], dict):
        raise _fail(doc, ("exploits",), "must be a mapping of exploit names to exploits")
    for name, e in d["exploits"].items():
        where = ("exploits", name)
        if isinstance(e, list) and len(e) >= 2:
            e = {"service": name, "os": None, "prob": e[0], "cost": e[1], "access": "user"}
        elif not isinstance(e, dict):
            raise _fail(doc, where, "an exploit is a mapping (service, os, prob, cost, access)")
        exploits[name] = {**e, "prob": _num(doc, where + ("prob",), e.get("prob", 0.5), 0.0, 1.0),
                          "cost": _cost(doc, where + ("cost",), e.get("cost", 1), unmapped, f"exploit {name}"),
                          "access": _access(doc, where + ("access",), e.get("access", "user"))}
    privesc: dict[str, dict[str, Any]] = {}
    raw_pe = d.get("privilege_escalation") or {}
    if not isinstance(raw_pe, dict):
        raise _fail(doc, ("privilege_escalation",), "must be a mapping of names to privilege escalations")
    for name, p in raw_pe.items():
        where = ("privilege_escalation", name)
        if not isinstance(p, dict):
            raise _fail(doc, where, "a privilege escalation is a mapping (process, os, prob, cost, access)")
        privesc[name] = {**p, "prob": _num(doc, where + ("prob",), p.get("prob", 0.5), 0.0, 1.0),
                         "cost": _cost(doc, where + ("cost",), p.get("cost", 1), unmapped,
                                       f"privilege escalation {name}")}

    hosts: list[dict[str, Any]] = []
    vulns: dict[str, dict[str, Any]] = {}
    by_addr: dict[tuple[int, int], dict[str, Any]] = {}
    valued: dict[tuple[int, int], float] = {}
    if not isinstance(d["host_configurations"], dict):
        raise _fail(doc, ("host_configurations",), "must be a mapping of host addresses to configurations")
    for key, conf in d["host_configurations"].items():
        s, i = _addr(doc, key, ("host_configurations", key))
        if not 1 <= s <= n or not 0 <= i < subnets[s - 1]:
            raise _fail(doc, ("host_configurations", key), f"host ({s}, {i}) is outside the subnets")
        if isinstance(conf, list):
            conf = {"services": conf}
        if not isinstance(conf, dict):
            raise _fail(doc, ("host_configurations", key), "a host configuration is a mapping (os, services, "
                        "processes, value)")
        services = sorted({_svc(x) for x in conf.get("services", [])})
        os_name = conf.get("os")
        host = {"id": f"h{s}-{i}", "zone": f"subnet-{s}", "role": "server", "os": _os(os_name),
                "services": services, "vulnerabilities": []}
        for name, e in exploits.items():
            e_os = e.get("os")
            if _svc(e.get("service")) in services and (e_os in (None, "None") or e_os == os_name):
                vid = f"NASIM-{_svc(name)}"
                vulns.setdefault(vid, {
                    "id": vid, "technique": "T1190", "service": _svc(e.get("service")), "severity": "high",
                    "success": e["prob"], "effort_hours": e["cost"], "disclosed_day": -365, "access": e["access"],
                    "description": f"NASim exploit {name}"})
                host["vulnerabilities"].append(vid)
        for name, p in privesc.items():
            p_os = p.get("os")
            if p.get("process") in conf.get("processes", []) and (p_os in (None, "None") or p_os == os_name):
                vid = f"NASIM-PE-{_svc(name)}"
                vulns.setdefault(vid, {
                    "id": vid, "technique": "T1068", "severity": "high",
                    "success": p["prob"], "effort_hours": p["cost"], "disclosed_day": -365, "access": "admin",
                    "description": f"NASim privilege escalation {name}"})
                host["vulnerabilities"].append(vid)
        value = _num(doc, ("host_configurations", key, "value"), conf.get("value", 0))
        if value < 0:
            host["honeytoken"] = True
        elif value > 0:
            valued[(s, i)] = value
        if conf.get("firewall"):
            unmapped.append(f"host ({s}, {i}) firewall: {_short(conf['firewall'])} (this model filters traffic "
                            "between zones only)")
        hosts.append(host)
        by_addr[(s, i)] = host
    for s, size in enumerate(subnets, 1):
        for i in range(size):
            if (s, i) not in by_addr:
                raise _fail(doc, ("host_configurations",), f"no configuration for host ({s}, {i})")

    sensitive: list[tuple[float, tuple[int, int]]] = []
    if not isinstance(d["sensitive_hosts"], dict):
        raise _fail(doc, ("sensitive_hosts",), "must be a mapping of host addresses to values")
    for key, value in d["sensitive_hosts"].items():
        addr = _addr(doc, key, ("sensitive_hosts", key))
        if addr not in by_addr:
            raise _fail(doc, ("sensitive_hosts", key), f"unknown host {key}")
        value = _num(doc, ("sensitive_hosts", key), value, 0.0)
        valued.pop(addr, None)
        sensitive.append((value, addr))
        records = max(1, int(min(value * 1000, MAX_RECORDS)))
        if value * 1000 > MAX_RECORDS:
            unmapped.append(f"sensitive host {key} value {value:g}: capped at {MAX_RECORDS} records")
        by_addr[addr]["data"] = [{"id": f"data-h{addr[0]}-{addr[1]}", "records": records,
                                  "description": f"NASim sensitive host value {value:g}"}]
    for (s, i), value in sorted(valued.items()):
        unmapped.append(f"host ({s}, {i}) value {value:g}: not a sensitive host, so no data asset (this model "
                        "values data, not hosts)")
    if not sensitive:
        raise _fail(doc, ("sensitive_hosts",), "no sensitive host: nothing to steal")
    sensitive.sort(key=lambda x: (-x[0], x[1]))
    target = sensitive[0][1]
    if len(sensitive) > 1:
        unmapped.append(f"goal: NASim wants root on all {len(sensitive)} sensitive hosts; this scenario's objective "
                        f"is the data on the most valuable one, h{target[0]}-{target[1]}")

    flows: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    firewall = d.get("firewall") or {}
    if not isinstance(firewall, dict):
        raise _fail(doc, ("firewall",), "must be a mapping of (subnet, subnet) pairs to services")
    for key, allowed in firewall.items():
        a, b = _addr(doc, key, ("firewall", key))
        if not isinstance(allowed, (list, type(None))):
            raise _fail(doc, ("firewall", key), "must be a list of services")
        if not (0 <= a <= n and 0 <= b <= n) or a == b:
            raise _fail(doc, ("firewall", key), f"({a}, {b}) is not a pair of distinct subnets")
        services = sorted({_svc(x) for x in (allowed or [])})
        if not services or not topo[a][b]:
            continue
        if a == 0:
            for (s, _), host in sorted(by_addr.items()):
                exposed = [x for x in services if x in host["services"]]
                if s == b and exposed:
                    entries.append({"host": host["id"], "services": exposed})
        elif b != 0:
            flows.append({"from": f"subnet-{a}", "to": f"subnet-{b}", "services": services})
    if not entries:
        raise _fail(doc, ("firewall",), "no service is reachable from the internet (subnet 0): no entry point")

    for key in ("service_scan_cost", "os_scan_cost", "subnet_scan_cost", "process_scan_cost", "scan_cost",
                "step_limit"):
        if key in d:
            unmapped.append(f"{key}: {d[key]} (this model has no scan costs or step limit)")
    unmapped.append("accounts and credentials: NASim has none, so no credential harvesting or reuse")
    unmapped.append("severity and disclosure: every vulnerability is 'high' and disclosed a year before (patching is "
                    "pinned off, so the date changes nothing)")
    pinned = [f"segmentation: NASim's firewall is the network under every preset ({PINNED['segmentation']})",
              "patching: NASim's exploits are never patched (coverage 0)"]

    scenario = {
        "name": "nasim-import",
        "title": f"Imported from NASim ({doc.file})",
        "description": "Converted by tabletop import-nasim; see the header comment for what was not mapped.",
        "horizon_days": 30,
        "attacker": {"preset": automation},
        "posture": {"preset": posture, "overrides": json_copy(PINNED)},
        "zones": [{"id": f"subnet-{s}"} for s in range(1, n + 1)],
        "hosts": hosts,
        "flows": flows,
        "entry_points": entries,
        "vulnerabilities": list(vulns.values()),
        "objective": {"data": f"data-h{target[0]}-{target[1]}"},
    }
    return Imported(scenario, unmapped, pinned)


def json_copy(x: Any) -> Any:
    import copy

    return copy.deepcopy(x)


def _short(x: Any) -> str:
    text = str(x)
    return text if len(text) <= 80 else text[:77] + "..."


def _cost(doc: Document, path: tuple, value: Any, unmapped: list[str], what: str) -> float:
    """NASim's cost as effort hours: positive, at least 0.1, at most MAX_EFFORT_HOURS (capped, and said)."""
    x = _num(doc, path, value, 0.0)
    if x > MAX_EFFORT_HOURS:
        unmapped.append(f"{what} cost {x:g}: capped at {MAX_EFFORT_HOURS:g} effort hours")
        return MAX_EFFORT_HOURS
    return max(x, 0.1)


def import_file(path: str, automation: str = "ai-orchestrated", posture: str = "baseline") -> Imported:
    """Read a NASim YAML file (with the same safe loader and limits as scenarios) and convert it."""
    doc = read_document(path, "nasim")
    try:
        return convert(doc, automation, posture)
    except ScenarioError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError, OverflowError, IndexError, RecursionError) as e:
        raise ScenarioError([Problem(doc.file, 1, "", f"not a NASim scenario this importer understands ({e})")]
                            ) from None


def _comment(text: str) -> str:
    """One comment line: no line break or control character from the file can end the comment."""
    from simulator.inputs import clean

    return clean(text).replace("\n", " ").replace("\r", " ")


def to_yaml(imported: Imported, source: str) -> str:
    """The scenario file text, opening with a comment on where it came from and what was not mapped."""
    import yaml

    head = [f"# Imported from the NASim scenario {_comment(source)} by `tabletop import-nasim`.",
            "# Subnets became zones (subnet-N), hosts hS-I, firewall rules flows, internet rules entry points,",
            "# exploits network vulnerabilities, privilege escalations local ones (T1068), sensitive hosts data.",
            "# Pinned to NASim's semantics (posture overrides, whatever the preset):"] + [
                f"#   - {p}" for p in imported.pinned] + ["# Not mapped:"] + [
                f"#   - {_comment(u)}" for u in imported.unmapped]
    return "\n".join(head) + "\n" + yaml.safe_dump(imported.scenario, sort_keys=False, width=110)
