"""A synthetic organisation of N hosts in K zones, valid against the schema and deterministic by seed.

Layout: a DMZ (web, VPN, mail), K-2 inner zones alternating between workstations (``corp-N``) and servers
(``srv-N``), and an admin zone (domain controllers, jump hosts). Workstations and servers come in groups of up to 50
identical hosts (``count``), so a 10,000-host file stays small. Vulnerabilities, accounts and cached credentials follow
common patterns (web and VPN bugs at the edge, privilege escalation on endpoints, a legacy file-sharing bug on some
workstation groups, helpdesk and server admins, service accounts); one server holds the crown-jewel data.
"""

from __future__ import annotations

import random
from typing import Any

GROUP = 50
"""Most hosts in one group entry."""

VULNS = [
    {"id": "SYN-GEN-WEB", "technique": "T1190", "service": "https", "severity": "critical", "success": 0.5,
     "effort_hours": 6, "disclosed_day": -40, "access": "user"},
    {"id": "SYN-GEN-VPN", "technique": "T1190", "service": "vpn", "severity": "critical", "success": 0.6,
     "effort_hours": 20, "disclosed_day": 5, "access": "admin", "edge": True},
    {"id": "SYN-GEN-WIN-LPE", "technique": "T1068", "severity": "high", "success": 0.6, "effort_hours": 4,
     "disclosed_day": -90, "access": "admin"},
    {"id": "SYN-GEN-LNX-LPE", "technique": "T1068", "severity": "high", "success": 0.5, "effort_hours": 6,
     "disclosed_day": -30, "access": "admin"},
    {"id": "SYN-GEN-SMB", "technique": "T1210", "service": "smb", "severity": "critical", "success": 0.4,
     "effort_hours": 12, "disclosed_day": -300, "access": "admin"},
    {"id": "SYN-GEN-SQL", "technique": "T1210", "service": "sql", "severity": "medium", "success": 0.35,
     "effort_hours": 8, "disclosed_day": -200, "access": "user"},
]


def generate(hosts: int, zones: int = 4, seed: int = 0, name: str | None = None) -> dict[str, Any]:
    """The scenario as plain data (write it with ``to_yaml``)."""
    if hosts < 10:
        raise ValueError("--hosts must be at least 10")
    if zones < 3:
        raise ValueError("--zones must be at least 3 (dmz, one inner zone, admin)")
    rng = random.Random(seed)
    inner = [f"corp-{i // 2 + 1}" if i % 2 == 0 else f"srv-{i // 2 + 1}" for i in range(zones - 2)]
    corp = [z for z in inner if z.startswith("corp")]
    srv = [z for z in inner if z.startswith("srv")] or corp
    n_admin = max(2, hosts // 100)
    n_dmz = 3
    rest = hosts - n_admin - n_dmz - 1  # one more: the crown-jewel server
    n_srv = max(1, int(rest * 0.3)) if srv is not corp else 0
    n_corp = rest - n_srv
    out_hosts: list[dict[str, Any]] = [
        {"id": "web-01", "zone": "dmz", "role": "web", "os": "linux", "services": ["https", "ssh"],
         "vulnerabilities": ["SYN-GEN-WEB"], "credentials": ["svc-deploy"]},
        {"id": "vpn-01", "zone": "dmz", "role": "vpn", "os": "appliance", "services": ["vpn", "https"],
         "vulnerabilities": ["SYN-GEN-VPN"], "credentials": []},
        {"id": "mail-01", "zone": "dmz", "role": "mail-sso", "os": "linux", "services": ["https", "sso"],
         "credentials": []},
    ]
    accounts: list[dict[str, Any]] = []
    users: list[str] = []

    def groups(total: int, zone_list: list[str], prefix: str) -> list[tuple[str, str, int]]:
        per_zone = [total // len(zone_list) + (1 if i < total % len(zone_list) else 0) for i in range(len(zone_list))]
        out = []
        for zone, count in zip(zone_list, per_zone, strict=True):
            g = 0
            while count > 0:
                size = min(GROUP, count)
                g += 1
                out.append((f"{prefix}-{zone}-g{g}", zone, size))
                count -= size
        return out

    ws_groups = groups(n_corp, corp, "ws")
    for gid, zone, size in ws_groups:
        user = f"user-{gid}"
        users.append(user)
        accounts.append({"id": user, "kind": "user", "logon": [gid, "vpn-01", "mail-01"]})
        vulns = ["SYN-GEN-WIN-LPE"] + (["SYN-GEN-SMB"] if rng.random() < 0.3 else [])
        out_hosts.append({"id": gid, "count": size, "zone": zone, "role": "workstation", "os": "windows",
                          "services": ["smb", "rdp"], "vulnerabilities": vulns,
                          "credentials": [user, f"helpdesk-{zone}"]})
    for zone in corp:
        accounts.append({"id": f"helpdesk-{zone}", "kind": "admin", "tier_zones": [zone],
                         "logon": [g for g, z, _ in ws_groups if z == zone]})
    srv_groups = groups(n_srv, srv, "srv") if n_srv else []
    for gid, zone, size in srv_groups:
        vulns = ["SYN-GEN-LNX-LPE"] + (["SYN-GEN-SQL"] if rng.random() < 0.3 else [])
        out_hosts.append({"id": gid, "count": size, "zone": zone, "role": "server", "os": "linux",
                          "services": ["ssh", "sql", "https"], "vulnerabilities": vulns,
                          "credentials": ["svc-app", "srv-admin"]})
    jewel_zone = srv[-1]
    out_hosts.append({
        "id": "crown-01", "zone": jewel_zone, "role": "source-repository", "os": "linux",
        "services": ["ssh", "https"], "vulnerabilities": ["SYN-GEN-LNX-LPE"], "credentials": ["svc-app"],
        "data": [{"id": "crown-jewels", "records": 500_000, "description": "the organisation's crown-jewel data"}],
    })
    out_hosts.append({"id": "dc", "count": n_admin, "zone": "admin", "role": "domain-controller", "os": "windows",
                      "services": ["smb", "rdp", "ldap", "ssh"], "credentials": ["domain-admin", "srv-admin"]})
    server_logon = [g for g, _, _ in srv_groups] + ["crown-01"]
    accounts += [
        {"id": "srv-admin", "kind": "admin", "tier_zones": sorted(set(srv)) + ["admin"],
         "logon": server_logon + ["dc"]},
        {"id": "domain-admin", "kind": "admin", "tier_zones": ["admin"], "logon": ["dc"]},
        {"id": "svc-app", "kind": "service", "logon": server_logon},
        {"id": "svc-deploy", "kind": "service", "logon": server_logon[:1]},
    ]
    # a few engineers reach the crown jewels directly
    for user in users[: max(1, len(users) // 10)]:
        next(a for a in accounts if a["id"] == user)["logon"].append("crown-01")
    flows = [{"from": "dmz", "to": z, "services": ["https", "sql", "ssh"]} for z in srv]
    flows += [{"from": "dmz", "to": z, "services": ["rdp", "smb"]} for z in corp]
    flows += [{"from": c, "to": z, "services": ["smb", "https", "ssh"]} for c in corp for z in srv]
    flows += [{"from": c, "to": "dmz", "services": ["https"]} for c in corp]
    flows += [{"from": z, "to": "admin", "services": ["ldap"]} for z in inner]
    flows += [{"from": "admin", "to": z, "services": ["rdp", "ssh", "smb", "winrm"]} for z in ["dmz", *inner]]
    if jewel_zone in corp:  # with a single inner zone, workstations and the crown jewels share it
        flows = [f for f in flows if not (f["from"] == f["to"])]
    return {
        "name": name or f"generated-{hosts}",
        "title": f"Generated organisation: {hosts} hosts in {zones} zones (seed {seed})",
        "description": "Made by tabletop generate.",
        "horizon_days": 30,
        "attacker": {"preset": "ai-orchestrated"},
        "posture": {"preset": "baseline"},
        "zones": [{"id": "dmz"}] + [{"id": z} for z in inner] + [{"id": "admin"}],
        "hosts": out_hosts,
        "accounts": accounts,
        "flows": flows,
        "entry_points": [{"host": "web-01", "services": ["https"]}, {"host": "vpn-01", "services": ["vpn"]},
                         {"host": "mail-01", "services": ["sso"]}],
        "vulnerabilities": VULNS,
        "objective": {"data": "crown-jewels", "description": "take the crown-jewel data out"},
    }


def to_yaml(data: dict[str, Any], hosts: int, zones: int, seed: int) -> str:
    import yaml

    head = (f"# {data['name']}: a synthetic organisation made by `tabletop generate --hosts {hosts} --zones {zones} "
            f"--seed {seed}`.\n# Topology: a DMZ (web, VPN, mail), inner zones of workstations (corp-N) and servers "
            "(srv-N), an admin zone.\n# Expected attack path: the web or VPN bug (T1190) or stuffed credentials "
            "(T1133) -> workstations or servers\n# (T1021/T1210) -> escalation (T1068) and dumps (T1003) -> "
            "crown-01 -> exfiltration (T1041).\n")
    return head + yaml.safe_dump(data, sort_keys=False, width=110)
