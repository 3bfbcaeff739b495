"""Technique data: every technique the engine, the presets and the bundled scenarios name exists in the JSON."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from simulator.loader import bundled_names, load
from simulator.techniques import ENGINE_TECHNIQUES, data, ics_techniques, planned, techniques

ROOT = Path(__file__).resolve().parent.parent
TACTICS = {"reconnaissance", "resource-development", "initial-access", "execution", "persistence",
           "privilege-escalation", "defense-evasion", "credential-access", "discovery", "lateral-movement",
           "collection", "command-and-control", "exfiltration", "impact"}


def test_data_is_stamped_and_well_formed():
    d = data()
    assert d["domain"] == "enterprise-attack" and d["attack_version"]
    for tid, t in techniques().items():
        assert re.fullmatch(r"T\d{4}(\.\d{3})?", tid)
        assert t["name"] and set(t["tactics"]) <= TACTICS and t["tactics"]


def test_every_referenced_technique_exists():
    known = set(techniques()) | set(ics_techniques())
    used = set(ENGINE_TECHNIQUES)
    for path in list((ROOT / "simulator").rglob("*.py")) + list((ROOT / "defenses").glob("*.py")):
        used |= set(re.findall(r'"(T\d{4}(?:\.\d{3})?)"', path.read_text()))
    for kind in ("automation", "posture"):
        text = (resources.files("scenarios") / "presets" / f"{kind}.yaml").read_text()
        used |= set(re.findall(r"\b(T\d{4}(?:\.\d{3})?)\b", text))
    for name in bundled_names():
        s = load(name).scenario
        used |= {v.technique for v in s.vulnerabilities}
        assert set(planned(s)) <= known
    assert used <= known, used - known


def test_ics_techniques_are_apart():
    """ATT&CK for ICS ids (T0xxx) sit apart from the enterprise ones, which every Navigator layer may name."""
    ics = ics_techniques()
    assert "T0831" in ics and ics["T0831"]["name"] == "Manipulation of Control"
    assert not set(ics) & set(techniques()) and all(re.fullmatch(r"T0\d{3}", t) for t in ics)


def test_notice_carries_mitres_terms():
    text = (ROOT / "NOTICE").read_text()
    assert "The MITRE Corporation" in text and "hereby grants you a non-exclusive, royalty-free license" in text
