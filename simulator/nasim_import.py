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
``high`` and known for a year).
"""

from __future__ import annotations

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
    if not isinstance(subnets, list) or not subnets or not all(isinstance(n, int) and n > 0 for n in subnets):
        raise _fail(doc, ("subnets",), "must be a list of positive host counts")
    n = len(subnets)
    topo = d["topology"]
    if not isinstance(topo, list) or len(topo) != n + 1 or any(not isinstance(r, list) or len(r) != n + 1
                                                                for r in topo):
        raise _fail(doc, ("topology",), f"must be a {n + 1}x{n + 1} matrix (the internet and {n} subnets)")
    unmapped: list[str] = []

    # exploits and privilege escalations (the current format; the legacy one is {name: [prob, cost]})
    exploits: dict[str, dict[str, Any]] = {}
    for name, e in d["exploits"].items():
        if isinstance(e, list):
            exploits[name] = {"service": name, "os": None, "prob": float(e[0]), "cost": float(e[1]), "access": "user"}
        elif isinstance(e, dict):
            exploits[name] = e
        else:
            raise _fail(doc, ("exploits", name), "an exploit is a mapping (service, os, prob, cost, access)")
    privesc = d.get("privilege_escalation") or {}

    hosts: list[dict[str, Any]] = []
    vulns: dict[str, dict[str, Any]] = {}
    by_addr: dict[tuple[int, int], dict[str, Any]] = {}
    for key, conf in d["host_configurations"].items():
        s, i = _addr(doc, key, ("host_configurations", key))
        if not 1 <= s <= n or not 0 <= i < subnets[s - 1]:
            raise _fail(doc, ("host_configurations", key), f"host ({s}, {i}) is outside the subnets")
        if isinstance(conf, list):
            conf = {"services": conf}
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
                    "success": min(max(float(e.get("prob", 0.5)), 0.0), 1.0),
                    "effort_hours": max(float(e.get("cost", 1)), 0.1), "disclosed_day": -365,
                    "access": "admin" if e.get("access") == "root" else "user",
                    "description": f"NASim exploit {name}"})
                host["vulnerabilities"].append(vid)
        for name, p in privesc.items():
            p_os = p.get("os")
            if p.get("process") in conf.get("processes", []) and (p_os in (None, "None") or p_os == os_name):
                vid = f"NASIM-PE-{_svc(name)}"
                vulns.setdefault(vid, {
                    "id": vid, "technique": "T1068", "severity": "high",
                    "success": min(max(float(p.get("prob", 0.5)), 0.0), 1.0),
                    "effort_hours": max(float(p.get("cost", 1)), 0.1), "disclosed_day": -365, "access": "admin",
                    "description": f"NASim privilege escalation {name}"})
                host["vulnerabilities"].append(vid)
        value = conf.get("value", 0)
        if isinstance(value, (int, float)) and value < 0:
            host["honeytoken"] = True
        hosts.append(host)
        by_addr[(s, i)] = host
    for s, size in enumerate(subnets, 1):
        for i in range(size):
            if (s, i) not in by_addr:
                raise _fail(doc, ("host_configurations",), f"no configuration for host ({s}, {i})")

    sensitive: list[tuple[float, tuple[int, int]]] = []
    for key, value in d["sensitive_hosts"].items():
        addr = _addr(doc, key, ("sensitive_hosts", key))
        if addr not in by_addr:
            raise _fail(doc, ("sensitive_hosts", key), f"unknown host {key}")
        sensitive.append((float(value), addr))
        by_addr[addr]["data"] = [{"id": f"data-h{addr[0]}-{addr[1]}", "records": max(1, int(float(value) * 1000)),
                                  "description": f"NASim sensitive host value {value}"}]
    if not sensitive:
        raise _fail(doc, ("sensitive_hosts",), "no sensitive host: nothing to steal")
    sensitive.sort(key=lambda x: (-x[0], x[1]))
    target = sensitive[0][1]
    if len(sensitive) > 1:
        unmapped.append(f"goal: NASim wants root on all {len(sensitive)} sensitive hosts; this scenario's objective "
                        f"is the data on the most valuable one, h{target[0]}-{target[1]}")

    flows: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    for key, allowed in (d.get("firewall") or {}).items():
        a, b = _addr(doc, key, ("firewall", key))
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
    unmapped.append("severity and disclosure: every vulnerability is 'high' and disclosed a year before")

    scenario = {
        "name": "nasim-import",
        "title": f"Imported from NASim ({doc.file})",
        "description": "Converted by tabletop import-nasim; see the header comment for what was not mapped.",
        "horizon_days": 30,
        "attacker": {"preset": automation},
        "posture": {"preset": posture},
        "zones": [{"id": f"subnet-{s}"} for s in range(1, n + 1)],
        "hosts": hosts,
        "flows": flows,
        "entry_points": entries,
        "vulnerabilities": list(vulns.values()),
        "objective": {"data": f"data-h{target[0]}-{target[1]}"},
    }
    return Imported(scenario, unmapped)


def import_file(path: str, automation: str = "ai-orchestrated", posture: str = "baseline") -> Imported:
    """Read a NASim YAML file (with the same safe loader and limits as scenarios) and convert it."""
    doc = read_document(path)
    try:
        return convert(doc, automation, posture)
    except ScenarioError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError) as e:
        raise ScenarioError([Problem(doc.file, 1, "", f"not a NASim scenario this importer understands ({e})")]
                            ) from None


def to_yaml(imported: Imported, source: str) -> str:
    """The scenario file text, opening with a comment on where it came from and what was not mapped."""
    import yaml

    head = [f"# Imported from the NASim scenario {source} by `tabletop import-nasim`.",
            "# Subnets became zones (subnet-N), hosts hS-I, firewall rules flows, internet rules entry points,",
            "# exploits network vulnerabilities, privilege escalations local ones (T1068), sensitive hosts data.",
            "# Not mapped:"] + [f"#   - {u}" for u in imported.unmapped]
    return "\n".join(head) + "\n" + yaml.safe_dump(imported.scenario, sort_keys=False, width=110)
