"""The ATT&CK techniques the model uses (names and tactics), from the JSON shipped with the package."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def data() -> dict[str, Any]:
    """The whole file: ATT&CK version, domain and techniques."""
    return json.loads((resources.files("simulator") / "data" / "attack_techniques.json").read_text(encoding="utf-8"))


def techniques() -> dict[str, dict[str, Any]]:
    """Technique id -> {name, tactics}."""
    return data()["techniques"]


def ics_techniques() -> dict[str, dict[str, Any]]:
    """ATT&CK for ICS technique id -> {name, tactics} (an ot-disruption objective's impact)."""
    return data().get("ics_techniques", {})


def name(technique: str) -> str:
    """The technique's name, or the id itself if unknown."""
    return (techniques().get(technique) or ics_techniques().get(technique, {})).get("name", technique)


ENGINE_TECHNIQUES = ("T1595", "T1592", "T1133", "T1110.004", "T1110.003", "T1078", "T1046", "T1003", "T1552",
                     "T1021", "T1210", "T1213", "T1119", "T1039", "T1041", "T1567")
"""Techniques the engine itself uses, whatever the scenario (a scenario adds those of its vulnerabilities)."""


def planned(scenario) -> list[str]:
    """Every technique the attacker may use in ``scenario``, in kill-chain order."""
    ids = set(ENGINE_TECHNIQUES) | {v.technique for v in scenario.vulnerabilities}
    if any(h.role == "domain-controller" and (h.os == "windows" if h.domain is None else h.domain)
           for h in scenario.hosts):
        ids |= {"T1003.006", "T1558.001"}  # DCSync (``Collection._dcsync``), then golden tickets with its krbtgt key
    if any(h.data for h in scenario.hosts if h.zone not in scenario.web_egress_zones()):
        ids.add("T1074.002")  # data staged where users browse, under egress filtering (``Exfiltration._stage``)
    order = list(techniques())
    return sorted(ids, key=lambda t: (order.index(t) if t in order else len(order), t))
