"""After-action reports (HSEEP-style AAR/IP) from a comparison, a sweep, a facilitator session or one run.

The report is built as plain data first (``Report``), every statement derived from the numbers, then rendered as
Markdown or as one self-contained HTML file with inline SVG charts. All user-supplied text (scenario names and
descriptions, notes, decisions) is escaped in both renderings.
"""

from __future__ import annotations

import html
import json
import math
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.report_text import few_runs
from simulator.stats import CellSummary, Estimate
from simulator.units import clock, duration

SOURCE_TEXT = {"edr": "EDR", "network": "network sensors", "rate": "the request-rate anomaly rule",
               "honeytoken": "honeytokens", "egress": "egress (large transfer) alerting", "team": "the exercise team",
               "impact": "the impact itself (a ransom note, a stopped line)", "mail": "the mail gateway",
               "outside": "an outside party's notice (law enforcement, a vendor, a partner)"}
BLOCK_TEXT = {"patched": "patching", "mfa": "MFA", "tiering": "admin tiering", "reset": "credential resets",
              "contained": "host isolation", "egress": "egress control"}
ACTIONS = {
    "objective": "Protect the crown-jewel data: egress filtering, large-transfer alerting, and honeytokens beside it.",
    "detection": "Raise detection: EDR coverage and tuned content on the zones the attacker crossed.",
    "patching": "Shorten the critical patch delay, widen coverage, add emergency patching on disclosure.",
    "containment": "Rehearse containment: isolate known hosts, reset credentials and scope the intrusion within hours.",
    "breakout": "Keep admin protocols (ssh, rdp, smb, winrm) to the admin zone and tier admin credentials.",
    "backlog": "Staff or automate triage and tune the noisiest benign alert sources.",
}


class ReportError(Exception):
    """The input is not a comparison, a sweep, a session or a run."""


# --- human names for parameters ------------------------------------------------------------------------------

PARAM_NAMES = {
    "automation": "Attacker automation",
    "posture": "Defender posture",
    "horizon_days": "Campaign length (days)",
    "defender_utc_offset": "Defender's time zone (hours from UTC)",
    "posture.segmentation.mode": "Segmentation",
    "posture.segmentation.restrict_admin_services": "Admin protocols kept to the admin zone",
    "posture.patching.coverage": "Patch coverage",
    "posture.patching.spread": "Spread of patch delays",
    "posture.patching.emergency_days": "Days to patch a critical vulnerability disclosed during the campaign",
    "posture.patching.edge_days_to_patch": "Days to patch an edge device",
    "posture.access_control.mfa_coverage": "MFA coverage",
    "posture.access_control.mfa_number_matching": "MFA number matching",
    "posture.access_control.admin_tiering": "Admin tiering",
    "posture.access_control.dump_yield": "Chance a dumped credential is reusable",
    "posture.monitoring.edr_coverage": "EDR coverage",
    "posture.monitoring.network_sensors": "Network sensors",
    "posture.monitoring.detection": "Detection content",
    "posture.monitoring.default_detection": "Detection content (techniques not listed)",
    "posture.monitoring.rate_threshold": "Request-rate alert threshold (per minute)",
    "posture.monitoring.honeytokens": "Honeytokens",
    "posture.soc.analysts": "SOC analysts on shift",
    "posture.soc.hours": "SOC hours",
    "posture.soc.triage_minutes": "Minutes to triage an alert",
    "posture.soc.benign_per_hour": "Benign alerts per hour",
    "posture.soc.recognition": "Chance an analyst recognises a low-confidence true alert",
    "posture.soc.automation": "SOC automation",
    "posture.incident_response.contain_hours": "Hours to contain a host in evidence",
    "posture.incident_response.isolate_hosts": "Incident response isolates hosts",
    "posture.incident_response.reset_credentials": "Incident response resets credentials",
    "posture.incident_response.block_egress": "Incident response may block egress",
    "posture.incident_response.scoping": "Chance scoping finds another compromised host",
    "posture.incident_response.scoping_trace": "Chance scoping follows the attacker's trail to a host",
    "posture.incident_response.edr_isolation": "Analyst isolates hosts in evidence from the EDR console",
    "posture.egress.rate_cap_records_per_hour": "Egress cap (records per hour)",
    "posture.egress.large_transfer_records": "Large-transfer alert threshold (records)",
    "posture.egress.filtering": "Egress filtering",
    "attacker.speed": "Attacker speed (times a manual operator)",
    "attacker.concurrency": "Attacker's concurrent lines of work",
    "attacker.false_finding_rate": "Chance an AI finding is false",
    "attacker.review_catch": "Chance a reviewer catches a false finding",
    "attacker.verification": "Chance an operator checks an AI finding",
    "attacker.takeover": "Chance an operator redoes a failed AI action",
    "attacker.operators": "Attacker's operators",
    "attacker.pace_minutes": "Attacker's minutes between two tasks after breakout",
    "attacker.lie_low_hours": "Hours the attacker lies low after noticing a response",
    "attacker.notices_response": "Chance the attacker notices a response aimed at it",
    "attacker.exfil_records_per_hour": "Attacker's exfiltration rate (records per hour)",
    "attacker.public_exploit_days": "Days from a flaw's disclosure to a public exploit",
    "posture.monitoring.outside_notice_days": "Median days to an outside party's notice",
    "attacker.hands_on_speed": "Speed of hands-on steps with AI help (times manual)",
    "posture.incident_response.cleanup_hours": "Hours an isolated host is out of service",
    "posture.soc.max_alert_age_hours": "Hours before an untriaged alert is auto-closed",
    "posture.monitoring.footprint_gain": "Detection gain per decade of requests",
}
"""Short names where the schema's description is a sentence, not a name; any other path is named from its
description (``param_name``)."""


def _schema_field(path: str) -> Any:
    """The pydantic field a dotted sweep path names (posture.X..., attacker.X...), or None."""
    import typing

    from pydantic import BaseModel

    from defenses.base import field_docs
    from defenses.posture import Posture
    from simulator.attacker import AttackerProfile

    field_docs()
    parts = path.split(".")
    model: Any = {"posture": Posture, "attacker": AttackerProfile}.get(parts[0])
    found = None
    for part in parts[1:]:
        if model is None or part not in getattr(model, "model_fields", {}):
            return None
        found = model.model_fields[part]
        args = [a for a in typing.get_args(found.annotation) if isinstance(a, type)] or [found.annotation]
        model = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), None)
    return found


PRESET_TEXT = {
    "automation": "The attacker's automation level: a preset (manual, ai-assisted, ai-orchestrated, autonomous)",
    "posture": "The defender's posture: a preset (weak, baseline, hardened)",
}


def param_description(path: str) -> str:
    """The schema's description of a parameter (its first sentence; a short one after its parent's: 'Median days
    from disclosure to patch, by severity: critical vulnerabilities'), '' when there is none."""
    if path in PRESET_TEXT:
        return PRESET_TEXT[path]

    def first(f: Any) -> str:
        text = " ".join((f.description or "").split()) if f is not None else ""
        return re.split(r"(?<=[a-z)])\. ", text)[0].rstrip(".")

    text = first(_schema_field(path))
    if text and len(text.split()) < 4 and path.count(".") > 1:
        parent = first(_schema_field(path.rsplit(".", 1)[0]))
        if parent:
            text = f"{parent}: {text[0].lower() + text[1:]}"
    return text


def param_name(path: str) -> str:
    """A parameter as a trainer reads it: 'posture.patching.days_to_patch.critical' -> 'Days to patch a critical
    vulnerability'; from PARAM_NAMES, else from the schema's description, else the path itself."""
    if path in PARAM_NAMES:
        return PARAM_NAMES[path]
    m = re.fullmatch(r"posture\.patching\.days_to_patch\.(critical|high|medium|low)", path)
    if m:
        return f"Days to patch a {m.group(1)}{'' if m.group(1) == 'critical' else '-severity'} vulnerability"
    text = param_description(path)
    if not text or len(text.split()) < 2:
        return path
    head = re.split(r": | \(|; |, by ", text)[0]
    if path.startswith("attacker.efforts."):
        head = f"Attacker's human minutes: {head[0].lower() + head[1:]}"
    return head if len(head) <= 70 else head[:67].rsplit(" ", 1)[0] + "..."


@dataclass
class Report:
    """An after-action report as data."""

    title: str
    kind: str
    overview: list[tuple[str, str]]
    timeline_title: str
    timeline_header: list[str]
    timeline: list[list[str]]
    outcome_header: list[str]
    outcomes: list[list[str]]
    strengths: list[str]
    improvements: list[tuple[str, str]]
    """(finding, area key for the improvement plan)."""
    chart: list[tuple[str, float, float | None, float | None]] = field(default_factory=list)
    """(label, value 0..1, low, high) for the success chart."""
    chart_title: str = ""
    appendix: list[tuple[str, str]] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    """Key findings: three to five sentences, each with its number and interval, computed from the cells."""
    outcome_notes: list[str] = field(default_factory=list)
    outcomes_more_header: list[str] = field(default_factory=list)
    outcomes_more: list[list[str]] = field(default_factory=list)
    """The outcome columns that do not fit one printed page beside the first ones."""
    legend: list[list[str]] = field(default_factory=list)
    """(name, column, what it is) for each parameter the cells vary."""
    by_cell: list[list[str]] = field(default_factory=list)
    """(cell, strength or area, finding): every finding about each cell, for the appendix."""
    reproduce_block: str = ""
    """A file to write before the reproduce command (a sweep file rebuilt from the rows)."""

    SHOWN = 5
    """Strengths and areas shown in the analysis; the rest go to the appendix."""

    @property
    def plan(self) -> list[tuple[str, str, str]]:
        """(action, owner, due): one action per area for improvement, owner and due left to the team."""
        seen: list[str] = []
        for _, area in self.improvements:
            if area not in seen:
                seen.append(area)
        return [(ACTIONS[a], "", "") for a in seen]


# --- building ------------------------------------------------------------------------------------------------


def _pct(x: float) -> str:
    """'42%'; a share that is not 0 or 1 never rounds to them ('under 1%', 'over 99%': one run in 200 is not none)."""
    if 0 < x < 0.005:
        return "under 1%"
    if 0.995 <= x < 1:
        return "over 99%"
    return f"{x:.0%}"


@dataclass
class _Item:
    """One finding about one cell: which control it is about, its value, how strongly it counts (score 0..1)."""

    good: bool
    control: str
    phrase: str
    """The finding without its cell, with '{v}' where the value goes."""
    value: float
    shown: str
    score: float
    area: str
    text: str
    """The finding about this cell as one sentence (the per-cell appendix)."""
    cell: str = ""


def _items(label: str, s: CellSummary) -> list[_Item]:
    """Strengths and areas for improvement of one cell, each computed from its numbers."""
    out: list[_Item] = []
    pre = f"{label}: "

    def add(good: bool, control: str, phrase: str, value: float, shown: str, score: float, text: str,
            area: str = "") -> None:
        out.append(_Item(good, control, phrase, value, shown, max(0.0, min(1.0, score)), area, pre + text, label))

    succ = s.success.value
    if succ is not None and succ >= 0.5:
        add(False, "Crown-jewel data", "the attacker met its objective in {v} of runs", succ, _pct(succ), succ,
            f"the attacker met its objective in {_pct(succ)} of runs [{s.success.low:.0%}-{s.success.high:.0%}], "
            f"median {duration(s.time_to_objective.value)} from the start.", "objective")
    elif succ is not None:
        add(True, "Keeping the objective safe", "the attacker met its objective in only {v} of runs", succ,
            _pct(succ), 1 - succ, f"the objective was met in only {_pct(succ)} of runs "
            f"[{s.success.low:.0%}-{s.success.high:.0%}].")
    det = s.detected.value or 0.0
    breached_share = None if s.breached is None else s.breached.value
    undetected = None if s.undetected is None else s.undetected.value
    if det >= 0.5:
        src = ", ".join(f"{SOURCE_TEXT.get(k, k)} {_pct(v)}" for k, v in s.detection_sources.items())
        add(True, "Detection", "the attack was detected in {v} of runs", det, _pct(det), det,
            f"the attack was detected in {_pct(det)} of runs (median {duration(s.time_to_detection.value)} from the "
            f"start); first alerts came from {src or 'no source'}.")
    elif undetected is not None and breached_share:
        if undetected >= 0.5:  # detection is about an intrusion: count the runs where there was one
            add(False, "Detection", "{v} of the intrusions were never detected", undetected, _pct(undetected),
                undetected, f"{_pct(undetected)} of the intrusions were never detected.", "detection")
    elif breached_share is None:
        add(False, "Detection", "{v} of runs were never detected", 1 - det, _pct(1 - det), 1 - det,
            f"{_pct(1 - det)} of runs were never detected.", "detection")
    patched = s.blocked_share.get("patched", 0.0)
    if patched >= 0.5:
        add(True, "Patching", "stopped at least one exploit in {v} of runs", patched, _pct(patched), patched,
            f"patching stopped at least one exploit in {_pct(patched)} of runs.")
    elif patched < 0.2:
        add(False, "Patching", "stopped an exploit in only {v} of runs", patched, _pct(patched), 1 - patched,
            f"patching stopped an exploit in only {_pct(patched)} of runs.", "patching")
    for key, control in (("mfa", "MFA"), ("tiering", "Admin tiering"), ("egress", "Egress control")):
        share = s.blocked_share.get(key, 0.0)
        if share >= 0.3:
            add(True, control, "stopped the attacker at least once in {v} of runs", share,
                _pct(share), share, f"{BLOCK_TEXT[key]} stopped the attacker at least once in {_pct(share)} of runs.")
    contained = s.contained.value or 0.0
    breached = None if s.breached is None else s.breached.value
    if contained >= 0.3:
        add(True, "Containment", "the attacker was evicted in {v} of runs", contained, _pct(contained), contained,
            f"the attacker was evicted in {_pct(contained)} of runs.")
    elif breached is not None and breached < 0.5:
        add(True, "Keeping the attacker out", "the attacker got a foothold in only {v} of runs", breached,
            _pct(breached), 1 - breached, f"the attacker got a foothold in only {_pct(breached)} of runs.")
    elif det >= 0.5:
        add(False, "Containment", "the attack was detected but the attacker evicted in only {v} of runs", contained,
            _pct(contained), det - contained, f"detected in {_pct(det)} of runs but evicted in only "
            f"{_pct(contained)}: footholds survived containment.", "containment")
    bt = s.breakout_time.value
    if bt is not None and bt < 60:
        add(False, "Segmentation (breakout)", "the attacker broke out in a median of {v} after initial access", bt,
            duration(bt), 1 - bt / 60, f"the attacker broke out in a median of {duration(bt)} after initial access.",
            "breakout")
    iso = s.response.get("hosts_isolated", 0.0)
    clean = s.response.get("clean_hosts_isolated", 0.0)
    if iso > 0 and clean / iso >= 0.1:
        add(False, "Scoping before isolation", "{v} of the hosts isolated were clean", clean / iso,
            f"{clean / iso:.0%}", clean / iso,
            f"the response isolated {iso:.1f} hosts a run ({s.response.get('isolated_host_hours', 0):.0f} host-hours "
            f"out of service), {clean / iso:.0%} of them clean: scoping pulled hosts the attacker was not on.",
            "containment")
    if s.soc_backlog_share >= 0.5:
        add(False, "SOC triage capacity", "the SOC queue backed up in {v} of runs", s.soc_backlog_share,
            _pct(s.soc_backlog_share), s.soc_backlog_share, f"the SOC queue backed up in "
            f"{_pct(s.soc_backlog_share)} of runs; alerts were auto-closed untriaged in "
            f"{_pct(s.alerts_dropped_share)}.", "backlog")
    return out


def _findings(label: str, s: CellSummary) -> tuple[list[str], list[tuple[str, str]]]:
    """Strengths and areas for improvement of one cell, each one sentence computed from its numbers."""
    items = _items(label, s)
    return [i.text for i in items if i.good], [(i.text, i.area) for i in items if not i.good]


def _grouped(items: Sequence[_Item], cells: int) -> list[tuple[str, str, float]]:
    """The findings grouped by control, one sentence each, ranked by effect (the largest share of runs the finding
    is about, then the number of cells): (sentence, area, score)."""
    groups: dict[str, list[_Item]] = {}
    for i in items:
        groups.setdefault(i.control, []).append(i)
    out = []
    for control, its in groups.items():
        its = sorted(its, key=lambda i: i.value)
        lo, hi = its[0], its[-1]
        rng = lo.shown if lo.shown == hi.shown else f"{lo.shown} to {hi.shown}"
        strongest = max(its, key=lambda i: i.score)
        word = "strongest" if lo.good else "worst"
        count = f"all {cells}" if len(its) == cells else f"{len(its)} of {cells}"
        if len(its) == 1:
            where = f"in one cell ({its[0].cell})" if cells > 1 else ""
        elif len(its) == 2:
            where = f"in {count} cells ({'; '.join(i.cell for i in its)})"
        else:
            where = f"in {count} cells ({word}: {strongest.cell})"
        out.append((f"{control}: {lo.phrase.format(v=rng)}{', ' + where if where else ''}.", lo.area,
                    strongest.score + len(its) * 1e-6))
    out.sort(key=lambda x: -x[2])
    return out


def _cell_label(s: CellSummary) -> str:
    return " / ".join(str(v) for _, v in s.label)


def _cell_words(s: CellSummary) -> str:
    """A cell as a sentence reads it: 'the ai-assisted attacker, weak posture', 'patch coverage 0.54'."""
    parts: list[str] = []
    for k, v in s.label:
        if k == "automation":
            parts.append(f"the {v} attacker")
        elif k == "posture" and parts and parts[-1].endswith(" attacker"):
            parts[-1] += f" against the {v} posture"
        elif k == "posture":
            parts.append(f"the {v} posture")
        else:
            name = param_name(k)
            parts.append(f"{name[0].lower() + name[1:] if not name[:3].isupper() else name} {v}")
    return ", ".join(parts)


def _share_ci(e: Estimate) -> str:
    """'42% [35-49]' (precision from the interval, as in the tables)."""
    from simulator.tables import _share

    return _share(e)


def _newcombe(a: Estimate, b: Estimate) -> tuple[float, float, float]:
    """b - a and its 95% interval (Newcombe's hybrid score from the two Wilson intervals: the cells taken as
    independent, which on common seeds errs wide)."""
    pa, pb = a.value or 0.0, b.value or 0.0
    la, ua = (a.low if a.low is not None else pa), (a.high if a.high is not None else pa)
    lb, ub = (b.low if b.low is not None else pb), (b.high if b.high is not None else pb)
    d = pb - pa
    return d, d - math.sqrt((pb - lb) ** 2 + (ua - pa) ** 2), d + math.sqrt((ub - pb) ** 2 + (pa - la) ** 2)


def _points(d: float, lo: float, hi: float) -> str:
    """'-38 points [-46, -30]'."""
    from simulator.tables import decimals, number

    dd = decimals(d * 100, lo * 100, hi * 100)
    return f"{number(d * 100, dd, True)} points [{number(lo * 100, dd, True)}, {number(hi * 100, dd, True)}]"


def _setting_effects(summaries: Sequence[CellSummary]) -> list[dict[str, Any]]:
    """For each label column, its largest effect on attacker success between two cells that differ in it alone:
    {factor, a, b, others, d, lo, hi, sa, sb}, the factors by their largest effect."""
    if not summaries:
        return []
    by = [k for k, _ in summaries[0].label]
    out = []
    for i, k in enumerate(by):
        order: list[Any] = []
        for s in summaries:
            v = s.label[i][1]
            if v not in order:
                order.append(v)
        best: dict[str, Any] | None = None
        rest: dict[tuple, list[CellSummary]] = {}
        for s in summaries:
            rest.setdefault(tuple(x for j, x in enumerate(s.label) if j != i), []).append(s)
        for others, cells in rest.items():
            cells = sorted(cells, key=lambda c: order.index(c.label[i][1]))
            for x, sa in enumerate(cells):
                for sb in cells[x + 1:]:
                    if sa.success.value is None or sb.success.value is None:
                        continue
                    d, lo, hi = _newcombe(sa.success, sb.success)
                    if best is None or abs(d) > abs(best["d"]):
                        best = {"factor": k, "a": sa.label[i][1], "b": sb.label[i][1], "others": others, "d": d,
                                "lo": lo, "hi": hi, "sa": sa, "sb": sb}
        if best is not None:
            out.append(best)
    out.sort(key=lambda e: -abs(e["d"]))
    return out


def _effect_sentence(e: dict[str, Any], lead: str) -> str:
    """'{lead} the defender's posture from weak to hardened lowered attacker success from 100% [98-100] to 0% [0-2],
    -100 points [-100, -97] (the ai-assisted attacker).'"""
    from simulator.stats import CellSummary

    k = e["factor"]
    name = {"automation": "the attacker's automation", "posture": "the defender's posture"}.get(k)
    name = name or param_name(k)[0].lower() + param_name(k)[1:]
    others = CellSummary(**{**e["sa"].__dict__, "label": e["others"]}) if e["others"] else None
    verb = "lowered" if e["d"] < 0 else "raised" if e["d"] > 0 else "left"
    tail = "" if e["lo"] > 0 or e["hi"] < 0 else ", an interval that includes no change"
    return (f"{lead} {name} from {e['a']} to {e['b']} {verb} attacker success from {_share_ci(e['sa'].success)} to "
            f"{_share_ci(e['sb'].success)}, {_points(e['d'], e['lo'], e['hi'])}{tail}"
            f"{f' ({_cell_words(others)})' if others else ''}.")


def _key_findings(summaries: Sequence[CellSummary]) -> list[str]:
    """Three to five findings, each one sentence with its number and interval, computed from the cells: the best and
    worst cell, the largest effect of one setting (and of the next setting), where detection came from, what the
    response cost."""
    from simulator.stats import wilson

    out: list[str] = []
    known = [s for s in summaries if s.success.value is not None]
    if not known:
        return ["No cell has a measured attacker success: nothing to summarise."]
    lo = min(known, key=lambda s: s.success.value)
    hi = max(known, key=lambda s: s.success.value)
    same_lo = sum(1 for s in known if _share_ci(s.success) == _share_ci(lo.success)) - 1
    same_hi = sum(1 for s in known if _share_ci(s.success) == _share_ci(hi.success)) - 1

    def also(n: int) -> str:
        return f", and {n} other cell{'' if n == 1 else 's'}" if n else ""

    if len(known) == 1 or _share_ci(lo.success) == _share_ci(hi.success):
        out.append(f"The attacker met its objective in {_share_ci(hi.success)} of runs"
                   + (f" in every cell ({len(known)})." if len(known) > 1 else f" ({_cell_words(hi)})."))
    else:
        out.append(f"Attacker success ranged from {_share_ci(lo.success)} ({_cell_words(lo)}{also(same_lo)}) to "
                   f"{_share_ci(hi.success)} ({_cell_words(hi)}{also(same_hi)}).")
    effects = _setting_effects(known)
    if effects:
        out.append(_effect_sentence(effects[0], "The largest effect of one setting:"))
    if len(effects) > 1:
        out.append(_effect_sentence(effects[1], "The next largest, from another setting:"))
    detected = [(s, round((s.detected.value or 0.0) * s.runs)) for s in summaries]
    total = sum(n for _, n in detected)
    if total:
        counts: dict[str, float] = {}
        for s, n in detected:
            for k, v in s.detection_sources.items():
                counts[k] = counts.get(k, 0.0) + v * n
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        k0, c0 = ranked[0]
        w_lo, w_hi = wilson(round(c0), total)
        share = Estimate(c0 / total, w_lo, w_hi, total)
        rest = ", ".join(f"{SOURCE_TEXT.get(k, k)} {c / total:.0%}" for k, c in ranked[1:3])
        out.append(f"Detection came first from {SOURCE_TEXT.get(k0, k0)} in {_share_ci(share)} of the {total:,} "
                   f"detected runs over all cells{'; then ' + rest if rest else ''}.")
    else:
        out.append("No run in any cell was detected.")
    iso = sum(s.response.get("hosts_isolated", 0.0) * s.runs for s in summaries)
    if iso >= 0.5:
        clean = sum(s.response.get("clean_hosts_isolated", 0.0) * s.runs for s in summaries)
        c_lo, c_hi = wilson(round(clean), round(iso))
        costly = max(summaries, key=lambda s: s.response.get("isolated_host_hours", 0.0))
        clean_share = _share_ci(Estimate(clean / iso, c_lo, c_hi, round(iso)))
        out.append(f"The response isolated {iso:,.0f} hosts over all runs, {clean_share} "
                   f"of them clean (hosts the attacker was not on); the costliest cell ({_cell_words(costly)}) took "
                   f"{costly.response.get('isolated_host_hours', 0.0):,.0f} host-hours a run out of service.")
    else:
        out.append("The response isolated no host in any run.")
    return out[:5]


def _table_of(columns: Sequence[Any]) -> tuple[list[str], list[list[str]]]:
    """A tables.Column list as (header, rows) for a report (headers on one line)."""
    header = [" ".join(x for x in c.lines if x) for c in columns]
    return header, [list(r) for r in zip(*(c.cells for c in columns), strict=True)]


def _key_time_columns(summaries: Sequence[CellSummary]) -> list[Any]:
    """Label columns, then the key times, each column in one unit named in its header."""
    from simulator.tables import Column, estimate, time_unit

    cols = [Column(param_name(k), [str(v) for v in (dict(s.label)[k] for s in summaries)]) for k, _ in
            (summaries[0].label if summaries else ())]
    for attr, head in (("time_to_detection", "first detection"), ("breakout_time", "breakout (after IA)"),
                       ("time_to_containment", "first containment"), ("time_to_objective", "objective met"),
                       ("dwell_time", "dwell")):
        unit, size = time_unit([getattr(s, attr).value for s in summaries])
        cols.append(Column(f"{head} ({unit})", [estimate(getattr(s, attr).value, scale=size) + few_runs(getattr(
            s, attr)) for s in summaries]))
    return cols


def from_summaries(scenario: Mapping[str, Any], summaries: Sequence[CellSummary], runs: int, seed: int,
                   reproduce: str, parameters: dict[str, Any], overview: Sequence[tuple[str, str]] = (),
                   reproduce_block: str = "", losses: Sequence[Any] | None = None) -> Report:
    """A report over cells (a comparison or a sweep): key findings first, then the overview, the key times, the
    outcomes, strengths and areas grouped by control and ranked (five of each; the rest in the appendix)."""
    from simulator.tables import COMPARE_AFTER, COMPARE_NOTES, LOSS_AFTER, comparison_columns

    items = [i for s in summaries for i in _items(_cell_words(s), s)]
    good = _grouped([i for i in items if i.good], len(summaries))
    bad = _grouped([i for i in items if not i.good], len(summaries))
    by = [k for k, _ in summaries[0].label] if summaries else []
    cols = comparison_columns(summaries, losses)
    for c, k in zip(cols, by, strict=False):
        c.header = c.name = param_name(k)
    main = [c for c in cols if c.priority <= 5]
    more = [c for c in cols if c.priority == 0 or c.priority > 5]
    head, rows = _table_of(main)
    more_head, more_rows = _table_of(more)
    tl_head, tl_rows = _table_of(_key_time_columns(summaries))
    story = str(scenario.get("description", "")).strip()
    ov = [("Scenario", f"{scenario.get('name')}: {scenario['title']}" if scenario.get("title") else
           f"{scenario.get('name')} ({scenario.get('note') or 'scenario file not read'})")]
    if story:
        ov.append(("Story", story))
    if scenario.get("objective"):
        ov.append(("Objective", str(scenario["objective"])))
    ov += list(overview)
    ov += [("Cells", f"{len(summaries)}: " + "; ".join(_cell_label(s) for s in summaries)),
           ("Runs", f"{runs} per cell on common seeds (root seed {seed})")]
    legend = [[param_name(k), k, param_description(k)] for k in by] if set(by) - {"automation", "posture"} else []
    return Report(
        title=f"After-action report: {scenario.get('name')}",
        kind="comparison",
        overview=ov,
        timeline_title="Key times (medians over the runs where each happened)",
        timeline_header=tl_head,
        timeline=tl_rows,
        outcome_header=head,
        outcomes=rows,
        outcome_notes=[COMPARE_NOTES, COMPARE_AFTER, *([LOSS_AFTER] if losses else [])],
        outcomes_more_header=more_head,
        outcomes_more=more_rows,
        strengths=[t for t, _, _ in good],
        improvements=[(t, a) for t, a, _ in bad],
        chart=[(_cell_label(s), s.success.value or 0.0, s.success.low, s.success.high) for s in summaries],
        chart_title="Attacker success by cell (95% Wilson interval)",
        appendix=[("Reproduce", reproduce), ("Root seed", str(seed)), ("Runs per cell", str(runs))],
        parameters=parameters,
        findings=_key_findings(summaries),
        legend=legend,
        by_cell=[[i.cell, "strength" if i.good else "area", i.text[len(i.cell) + 2:]] for i in items],
        reproduce_block=reproduce_block,
    )


def _key_time(e: Estimate) -> str:
    """A median time; with the number of runs behind it when they are too few for an interval."""
    return duration(e.value) + few_runs(e)


def _key_events(r: Mapping[str, Any], when, orders: Mapping[float, int] | None = None) -> list[list[str]]:
    """The run's key events as rows (when, what, detail): log lines, footholds, lateral moves and every action that
    raised an alert. ``when`` formats a minute; ``orders`` (the minute an order of the team was carried out -> its
    number) labels the log lines that order wrote as the team's."""
    events: list[tuple[float, int, str, str]] = []
    backlog_seen = False
    orders = orders or {}
    for e in r["log"]:
        kind = e["kind"]
        if kind == "soc-backlog":
            if backlog_seen:
                continue  # the first backlog is a key event; the count is in the analysis
            backlog_seen = True
        n = next((n for t, n in orders.items() if abs(t - e["time"]) < 1e-3), None)
        if n is not None and kind in ("containment", "decision"):
            kind = f"order {n} ({'done' if kind == 'decision' else 'effect'})"
        elif kind == "containment":
            kind = "containment (incident response)"
        events.append((e["time"], 1, kind, e["detail"] + (f" [{e['host']}]" if e.get("host") else "")))
    for e in r["timeline"]:
        if e["detected"] or (e["success"] and e["phase"] in ("initial-access", "lateral-movement")):
            what = f"{e['actor']} {e['technique']} on {e['host'] or '-'}"
            what += " (alert)" if e["detected"] else ""
            events.append((e["time"], 0, e["phase"], what))
    # at the same minute an action comes before what it led to (a foothold, a breakout, the team's decision), as on
    # the facilitator screen: the engine logs those after the action's timeline record
    events.sort(key=lambda x: (x[0], x[1]))
    return [[when(t), kind, text] for t, _, kind, text in events]


RUN_KEYS = ("scenario", "automation", "posture", "seed", "outcome", "timeline", "log")


def from_run(data: Mapping[str, Any], parameters: dict[str, Any]) -> Report:
    """A report of one seeded run (`tabletop run --json`): key events, outcome, findings, how to reproduce."""
    r = data
    good: list[str] = []
    bad: list[tuple[str, str]] = []
    if r["outcome"] == "objective_met":
        bad.append((f"The attacker met its objective at {duration(r['time_to_objective'])}.", "objective"))
    if r["time_to_first_detection"] is not None:
        good.append(f"The attack was detected at {duration(r['time_to_first_detection'])}, first by "
                    f"{SOURCE_TEXT.get(r['first_detection_source'], r['first_detection_source'])}.")
    elif r["time_to_initial_access"] is not None:
        bad.append(("The attack was never detected.", "detection"))
    if r["outcome"] == "contained":
        good.append(f"The attacker was evicted (first containment at {duration(r['time_to_containment'])}).")
    elif r["time_to_initial_access"] is None:
        good.append("The attacker never got in: no foothold was gained.")
    elif r["time_to_first_detection"] is not None:
        bad.append(("Detected but not evicted: footholds survived.", "containment"))
    for key, text in BLOCK_TEXT.items():
        n = r.get(f"blocked_{key}", 0)
        if n and key != "contained":
            good.append(f"{text[0].upper() + text[1:]} stopped {n} attacker {'action' if n == 1 else 'actions'}.")
    if r["breakout_time"] is not None and r["breakout_time"] < 60:
        bad.append((f"The attacker broke out {duration(r['breakout_time'])} after its way in.", "breakout"))
    if r.get("soc_backlogs", 0):
        bad.append((f"The SOC queue backed up {r['soc_backlogs']} time(s).", "backlog"))
    outcomes = [[r["outcome"].replace("_", " "), duration(r["time_to_initial_access"]),
                 duration(r["time_to_first_detection"]), duration(r["time_to_containment"]),
                 duration(r["time_to_objective"]), str(r["hosts_compromised"]), f"{r['records_exfiltrated']:,}",
                 "-" if r["ai_share"] is None else _pct(r["ai_share"])]]
    reproduce = (f"tabletop run {data['scenario']} --automation {data['automation']} --posture {data['posture']} "
                 f"--seed {data['seed']} --json")
    return Report(
        title=f"After-action report: one run of {data['scenario']}",
        kind="run",
        overview=[("Scenario", str(data["scenario"])), ("Attacker", str(data["automation"])),
                  ("Posture", str(data["posture"])), ("Seed", str(data["seed"])),
                  ("Replicate", str(data.get("replicate", 0)))],
        timeline_title="Timeline of key events",
        timeline_header=["when", "what", "detail"],
        timeline=_key_events(r, clock),
        outcome_header=["outcome", "initial access", "first detection", "first containment", "objective met",
                        "hosts", "records out", "AI share"],
        outcomes=outcomes,
        strengths=good,
        improvements=bad,
        appendix=[("Reproduce", reproduce), ("Seed", str(data["seed"]))],
        parameters=parameters,
    )


# --- the session report --------------------------------------------------------------------------------------
#
# A facilitated session's after-action report is built from the session REPLAYED (load_session refuses one whose
# stored result its replay does not give), never from the file's own account of itself. Its sections are blocks of
# plain data rendered by one Markdown and one HTML writer; every string in them is escaped by the writer.

OUTCOME_WORDS = {"objective_met": "objective met", "contained": "contained (the attacker was evicted)",
                 "detected_not_contained": "detected, not contained",
                 "undetected_no_objective": "undetected, no objective"}
AREAS = {
    "first-order": ("Time to the first decision", "SOC lead",
                    "Agree in advance who may order an isolation or an egress block on an escalated alert, and on "
                    "what evidence, so the first order does not wait for the playbook."),
    "duplicate": ("Hand-off with incident response", "IR lead",
                  "Before ordering a response, check what incident response's playbook has already done (the player "
                  "feed lists it); agree who acts on what."),
    "late-egress": ("Timing of the egress block", "Network team",
                    "Agree the trigger for an egress block (which alert, who decides) so it is in place before data "
                    "leaves."),
    "cf-worse": ("Orders that made it worse", "SOC lead",
                 "Walk through the orders with the counterfactual figures: which one cost more than it saved?"),
    "same-seed-worse": ("Orders that made it worse", "SOC lead",
                        "Walk through the orders against the run without them: which one cost more than it saved?"),
    "clean": ("Scoping before isolation", "IR lead",
              "Confirm evidence of the attacker on a host (what the alert named, what EDR shows) before isolating it."),
    "notes": ("Scribe notes", "Facilitator",
              "Name a scribe, and take at least one note (the decision and its reason) at every inject."),
    "cancelled": ("Decisions taken back", "",
                  "Discuss what made the team take the order back, and what would have settled it at the time."),
    "objective": ("Crown-jewel data", "Network team", ACTIONS["objective"]),
    "detection": ("Detection", "Detection engineering", ACTIONS["detection"]),
    "no-order": ("Time to the first decision", "SOC lead",
                 "Rehearse the first decision on an escalated alert: who orders what, on what evidence."),
    "backlog": ("SOC triage capacity", "SOC lead", ACTIONS["backlog"]),
}
"""Area of an improvement -> (name, owner role, action) for the improvement plan."""

STOP_TEXT = {"patched": "patching", "mfa": "MFA", "tiering": "admin tiering",
             "infrastructure": "perimeter blocks of the attacker's addresses (incident response)"}


@dataclass
class Section:
    """One section of a session report: a heading and blocks of plain data."""

    title: str
    blocks: list[tuple] = field(default_factory=list)
    """('p', text), ('lead', label, text), ('ul', [text]), ('table', header, rows), ('kv', rows), ('pre', text),
    ('h', text) a sub-heading, ('fac', text) a facilitator-only remark, ('json', data)."""


@dataclass
class SessionReport:
    """The after-action report of a facilitated session."""

    title: str
    sections: list[Section]
    strengths: list[str]
    improvements: list[tuple[str, str]]
    observations: list[str] = field(default_factory=list)
    kind: str = "session"


@dataclass
class _Window:
    """An order of the team in effect from ``start`` to ``end`` (what it can stop: 'contained', 'egress', 'reset')."""

    order: Any
    key: str
    start: float
    end: float
    host: str | None = None


def _posture_stops(stops: Mapping[str, int]) -> str:
    """'Posture: patching stopped 8 attacker actions; MFA 1.'"""
    parts = [f"{what} {k}" for what, k in stops.items()]
    first, k = next(iter(stops.items()))
    return f"Posture: {first} stopped {_plural(k, 'attacker action')}" + "".join(f"; {p}" for p in parts[1:]) + "."


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _wall(seconds: float) -> str:
    """Wall-clock seconds as '1 h 32 min' / '12 min' / '40 s'."""
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    h, m = divmod(s // 60, 60)
    return f"{h} h {m:02d} min" if h else f"{m} min"


def _ci(d: Mapping[str, float]) -> str:
    return f"{d['success']:.0%} [{d['low']:.0%}-{d['high']:.0%}]"


def _step_times(fac: Any) -> dict[int, float]:
    """The session's clock after each step: a cancellation is stored by its step only, so the orders are replayed on
    a copy (as load_session replays them) reading the clock after every step. Empty if the copy does not come out
    as the session did."""
    from simulator.facilitator import Facilitator

    copy = Facilitator(fac.loaded, fac.seed, fac.automation, fac.posture)
    times = {0: copy.now}

    def play_to(step: int) -> None:
        while copy.step < step and not copy.done:
            copy.advance()
            times[copy.step] = copy.now

    acts = [(o.step, o.injects_seen, 0, i) for i, o in enumerate(fac.orders)]
    acts += [(o.cancelled_step, o.injects_seen, 1, i) for i, o in enumerate(fac.orders) if o.cancelled_step is not None]
    for step, _seen, what, i in sorted(acts):
        play_to(step)
        if copy.done:
            break
        if what == 0:
            copy.decide(fac.orders[i].kind, fac.orders[i].target, check=False)
        elif i < len(copy.orders) and copy.orders[i].status == "requested":
            copy.orders[i].status, copy.orders[i].cancelled_step = "cancelled", copy.step
    play_to(fac.step)
    return times if copy.run.result().to_dict() == fac.run.result().to_dict() else {}


def _effects(fac: Any, r: Any) -> dict[int, str]:
    """Order number -> what the run's containment record said when the order was carried out ('blocked egress',
    'reset 2 credentials', 'nothing new to contain'): the order's own words say what was asked for, this says what
    changed."""
    out: dict[int, str] = {}
    used: set[int] = set()
    for o in fac.orders:
        if o.status != "done" or o.kind not in ("reset_credentials", "block_egress") or o.done_time is None:
            continue
        for i, e in enumerate(r.log):
            if i not in used and e.kind == "decision" and e.detail == o.done and abs(e.time - o.done_time) < 1e-3:
                used.add(i)
                if i and r.log[i - 1].kind == "containment" and abs(r.log[i - 1].time - e.time) < 1e-3:
                    out[o.n] = r.log[i - 1].detail
                break
    return out


def _windows(fac: Any, r: Any, effects: Mapping[int, str]) -> list[_Window]:
    """When each order of the team that changed something was in effect (the posture's times, as the order took)."""
    out = []
    end = r.end_time
    for o in fac.orders:
        if o.status != "done" or o.done_time is None:
            continue
        _delay, _cost, until, egress = fac.plan(o.kind, o.target)
        if o.kind == "isolate_host" and o.done == f"isolated {o.target}":
            out.append(_Window(o, "contained", o.done_time, o.done_time + until if until is not None else end,
                               o.target))
        elif o.kind == "block_egress" and "blocked egress" in effects.get(o.n, ""):
            out.append(_Window(o, "egress", o.done_time, o.done_time + egress if egress is not None else end))
        elif o.kind == "reset_credentials" and "reset" in effects.get(o.n, ""):
            out.append(_Window(o, "reset", o.done_time, float("inf")))
    return out


def _stops(r: Any, windows: Sequence[_Window], ir_lines: Sequence[Any]):
    """The attacker's actions a control or a response stopped, each credited to whoever stopped it: an order of the
    team (its number -> the actions) or the posture (what -> count). An action stopped by an isolation, a credential
    reset or an egress block is the team's only when the team's order was the one in effect."""
    team: dict[int, list[Any]] = {}
    posture: dict[str, int] = {}

    def ir_did(word: str, t: float) -> bool:
        return any(s.time <= t and word in s.text for s in ir_lines)

    for e in r.timeline:
        if not e.blocked:
            continue
        t = e.time
        live = [w for w in windows if w.start - 1e-3 <= t <= w.end + 1e-3]  # times are kept to 4 decimals
        who: Any = None
        if e.blocked == "egress":
            who = next((w.order.n for w in live if w.key == "egress"), None) or "egress block by incident response"
        elif e.blocked == "contained":
            mine = next((w.order.n for w in live if w.key == "contained" and w.host == e.host), None)
            if mine is not None:
                who = mine
            elif any(w.key == "contained" for w in live):
                who = "host isolation (the team's or incident response's)"
            else:
                who = "host isolation by incident response"
        elif e.blocked == "reset":
            resets = [w.order.n for w in live if w.key == "reset"]
            if resets and not ir_did("reset", t):
                who = resets[0]
            elif resets:
                who = "credential resets (the team's and incident response's)"
            else:
                who = "credential resets by incident response"
        else:
            who = STOP_TEXT.get(e.blocked, BLOCK_TEXT.get(e.blocked, e.blocked))
        if isinstance(who, int):
            team.setdefault(who, []).append(e)
        else:
            posture[who] = posture.get(who, 0) + 1
    return team, posture


def _over_seeds(fac: Any, n: int, show_progress: bool) -> dict[str, Any]:
    """``fac.over_seeds(n)``, with a progress bar (or a few lines) on stderr when it looks like taking more than a
    moment (judged from the first seed)."""
    import time
    from contextlib import ExitStack

    from simulator.progress import progress

    with ExitStack() as stack:
        start = time.monotonic()
        state: dict[str, Any] = {"tick": None, "shown": 0}

        def tick(done: int, total: int) -> None:
            if state["tick"] is None:
                if not show_progress or done != 1 or (time.monotonic() - start) * total < 1.5:
                    return
                state["tick"] = stack.enter_context(progress(total, "counterfactual, seeds played"))
            state["tick"](done - state["shown"])
            state["shown"] = done

        return fac.over_seeds(n, progress=tick)


def from_session(fac: Any, source: str, parameters: dict[str, Any], runs: int = 200,
                 show_progress: bool = False) -> SessionReport:
    """The after-action report of a replayed session (``load_session``): the exercise, each inject with its
    questions, handout and the notes taken at it, the team's orders (the team's, never a control's) apart from what
    incident response did on its own, what the defender saw and when, the truth for the facilitator, the
    counterfactuals (the same seed without the orders; the orders over ``runs`` seeds against doing nothing),
    strengths and areas for improvement computed from all that, the improvement plan, the branches and the player
    feed."""
    r = fac.run.result()
    sc = fac.loaded.scenario

    def at(minutes: float | None) -> str:
        return "-" if minutes is None else fac.clock(minutes)

    orders = list(fac.orders)
    given = [o for o in orders if o.kind != "nothing"]
    effective = [o for o in orders if o.kind != "nothing" and o.status != "cancelled"]
    by_n = {o.n: o for o in orders}
    effects = _effects(fac, r)
    windows = _windows(fac, r, effects)
    feed = sorted(fac.feed, key=lambda s: s.time)
    step_times = _step_times(fac) if any(o.status == "cancelled" for o in orders) else {}
    team_ends = [w.end for w in windows if w.key in ("contained", "egress")]
    ir_lines = [s for s in feed if s.kind == "response"]
    posture_lines = [s for s in feed if s.kind == "response" or (s.kind == "restored" and not any(
        abs(s.time - t) < 1e-3 for t in team_ends))]  # a host back or egress open again at an order's end: the team's
    alerts = [s for s in feed if s.kind == "alert"]
    backlogs = [e for e in r.log if e.kind == "soc-backlog"]  # the SOC's own queue: the run's record of it
    events = [e.time for e in r.timeline] + [e.time for e in r.log]
    ia = r.time_to_initial_access
    players = [(k, i) for k, i in enumerate(fac.injects, 1) if i.audience == "players"]
    notes_at: dict[int, list[Any]] = {}
    for n in fac.notes:
        notes_at.setdefault(n.injects_seen, []).append(n)
    team_stops, posture_stops = _stops(r, windows, ir_lines)

    def cancelled_at(o: Any) -> str:
        t = step_times.get(o.cancelled_step) if o.cancelled_step is not None else None
        return at(t) if t is not None else f"step {o.cancelled_step}"

    # --- 1. overview
    span = (f"{at(min(events))} to {at(max(events))} ({duration(max(events) - min(events))}, the defender's local "
            f"clock, UTC{fac.offset:+g})" if events else "-")
    played = (f"the end ({at(r.end_time)})" if fac.done else
              f"{at(fac.now)} (step {fac.step}): the session was saved before the end")
    wall = fac.timers.get("exercise")
    overview = [
        ("Date", fac.created or "-"),
        ("Scenario", f"{sc.name}: {sc.title}".rstrip(": ")),
        ("Attacker", f"{fac.automation} (automation level)"),
        ("Posture", str(fac.posture)),
        ("Seed", str(fac.seed)),
        ("Exercise time (wall clock)", _wall(wall) if wall is not None and 0 <= wall < 1e7 else "not recorded"),
        ("Simulated span", span),
        ("Played to", played),
        ("Outcome" if fac.done else "Outcome so far", OUTCOME_WORDS.get(r.outcome, r.outcome)
         + f"; {r.records_exfiltrated:,} records lost"),
    ]
    s1 = Section("1. Exercise overview", [("kv", overview), ("h", "Participants")])
    s1.blocks.append(("table", ["name", "role"], [[p.get("name", ""), p.get("role", "")] for p in fac.participants])
                     if fac.participants else ("p", "No participants were recorded in the session."))
    s1.blocks.append(("h", "Exercise objectives"))
    s1.blocks.append(("ul", list(sc.exercise.objectives)) if sc.exercise.objectives else
                     ("p", "The scenario states none (a scenario file lists them under exercise: objectives)."))

    # --- 2. injects and notes
    s2 = Section("2. Injects, discussion and notes", [("p", (
        "Each inject in the order it came, on the defender's local clock. Facilitator-only injects (about the "
        "attacker's side) were not shown to the room. A note is listed under the latest inject shown when it was "
        "taken."))])

    def note_lines(k: int) -> list[str]:
        return [f"{fac.clock(n.time, False)}: {n.text}" for n in notes_at.get(k, [])]

    early = [o for o in orders if o.injects_seen == 0]
    if notes_at.get(0) or early:
        s2.blocks.append(("h", "Before the first inject"))
        if early:
            s2.blocks.append(("lead", "Orders given here:", "; ".join(f"order {o.n}, {o.label} ({o.owner})"
                                                                        for o in early)))
        if notes_at.get(0):
            s2.blocks += [("lead", "Notes", ""), ("ul", note_lines(0))]
    for k, inj in enumerate(fac.injects, 1):
        spent = fac.timers.get(f"inject {k}")
        talk = f"; discussed for {_wall(spent)} (wall clock)" if spent is not None and 0 <= spent < 1e7 else ""
        s2.blocks.append(("h", f"Inject {k}: {inj.title}"))
        s2.blocks.append(("p", f"{at(inj.time)}. Shown to the room{talk}.") if inj.audience == "players" else
                         ("fac", f"{at(inj.time)}: about the attacker's side, not shown to the room{talk}."))
        if inj.questions:
            s2.blocks += [("lead", "Questions", ""), ("ul", list(inj.questions))]
        if inj.handout:
            s2.blocks += [("lead", "Handout", ""), ("pre", inj.handout)]
        here = [o for o in orders if o.injects_seen == k]
        if here:
            s2.blocks.append(("lead", "Orders given here:", "; ".join(f"order {o.n}, {o.label} ({o.owner})"
                                                                        for o in here)))
        lines = note_lines(k)
        if lines:
            s2.blocks += [("lead", "Notes", ""), ("ul", lines)]
        elif inj.audience == "players":
            s2.blocks.append(("lead", "Notes:", "none were taken at this inject."))

    # --- 3. orders
    rows = []
    for o in orders:
        if o.status == "done":
            done = at(o.done_time)
        elif o.status == "cancelled":
            done = f"cancelled {cancelled_at(o)} (taken back before it was done)"
        else:
            done = "not done when the session was saved"
        did = o.done or "-"
        if effects.get(o.n) == "nothing new to contain":
            did += (": egress was already blocked, nothing changed" if o.kind == "block_egress" else
                    ": every credential it named was already reset, nothing changed")
        newly = re.fullmatch(r"reset (\d+) credentials?", effects.get(o.n, ""))
        if o.kind == "reset_credentials" and newly and effects[o.n] != o.done:
            did += f" ({newly.group(1)} of them newly; the others were already reset)"
        end = next((w.end for w in windows if w.order is o and w.key in ("contained", "egress")), None)
        if end is not None and any(abs(s.time - end) < 1e-3 for s in feed if s.kind == "restored"):
            did += f"; {'lifted' if o.kind == 'block_egress' else 'back in service'} {at(end)}"
        rows.append([str(o.n), o.label, o.owner, at(o.time), at(o.due), done, o.cost, did])
    s3 = Section("3. Team decisions: the orders", [("p", (
        "Every order below is the team's. Each took the time the posture gives that response (from requested to "
        "due) and had the cost shown; 'what it did' is what the simulation recorded when it was carried out."))])
    s3.blocks.append(("table", ["#", "order", "owner", "requested", "due", "done", "cost", "what it did"], rows)
                     if rows else ("p", "The team gave no order."))
    s3.blocks.append(("h", "Incident response (posture) acted on its own"))
    if posture_lines:
        s3.blocks.append(("p", "Its playbook, not an order of the team"
                               + (" (an escalation by the team hands incident response the case: what its playbook "
                                  "then did is listed here)" if any(o.kind == "escalate" for o in effective) else "")
                               + ":"))
        s3.blocks.append(("ul", [f"{at(s.time)}: Incident response (posture) acted: "
                                 + (s.text[len("Incident response: "):] if s.text.startswith("Incident response: ")
                                    else s.text) for s in posture_lines]))
    else:
        s3.blocks.append(("p", "Incident response took no action of its own."))

    # --- 4. what the defender saw
    s4 = Section("4. What the defender saw, and when")
    if alerts:
        s4.blocks.append(("p", f"The first alert escalated to the team came at {at(alerts[0].time)}: "
                               f"{alerts[0].text.removeprefix('Alert escalated. ')}. {_plural(len(alerts), 'alert')} "
                               "were escalated in all." if len(alerts) != 1 else
                               f"The only alert escalated to the team came at {at(alerts[0].time)}: "
                               f"{alerts[0].text.removeprefix('Alert escalated. ')}."))
    else:
        s4.blocks.append(("p", f"No alert was escalated to the team before {at(fac.now)}."))
    if backlogs:
        s4.blocks.append(("p", f"The SOC queue backed up {_plural(len(backlogs), 'time')} (the run's record; first at "
                               f"{at(backlogs[0].time)}: {backlogs[0].detail})."))
    s4.blocks.append(("p", "The whole player feed is in Appendix A."))
    s4.blocks.append(("h", "Facilitator's view: the truth"))
    s4.blocks.append(("fac", "What follows is the attacker's side, from the simulation's record: the room did not see "
                             "it during play."))
    truth = []
    if ia is None:
        truth.append("The attacker never got in." if fac.done else
                     f"The attacker had not got in by {at(fac.now)}, when the session was saved.")
    else:
        foothold = next((f.text for f in fac.fac_feed if abs(f.time - ia) < 1e-3), "")
        truth.append(f"Initial access: {at(ia)}" + (f" ({foothold})" if foothold else "") + ".")
        same = bool(alerts) and r.time_to_first_detection is not None \
            and abs(alerts[0].time - r.time_to_first_detection) < 1e-3
        if alerts:
            lag = alerts[0].time - ia
            truth.append(f"The first escalated alert came {duration(lag)} after initial access"
                         + (f" (the dwell time); it showed the attacker inside (from "
                            f"{SOURCE_TEXT.get(r.first_detection_source, r.first_detection_source)})." if same
                            else ".") if lag >= 0 else
                         f"The first escalated alert came {duration(-lag)} before initial access (an attempt from "
                         "outside).")
        else:
            truth.append(f"No alert reached the team in the {duration(fac.now - ia)} after initial access.")
        if r.time_to_first_detection is not None and not same:
            truth.append(f"First alert showing the attacker inside: {at(r.time_to_first_detection)}, "
                         f"{duration(r.dwell_time)} after initial access (dwell), from "
                         f"{SOURCE_TEXT.get(r.first_detection_source, r.first_detection_source)}.")
        if r.breakout_time is not None:
            truth.append(f"Breakout (first lateral movement): {at(ia + r.breakout_time)}, "
                         f"{duration(r.breakout_time)} after initial access.")
    truth += [f"{at(f.time)}: {f.text}." for f in fac.fac_feed if ia is None or abs(f.time - ia) >= 1e-3]
    if getattr(r, "objectives", 1) > 1:
        for k, t in enumerate(r.objective_times):
            if t is not None:
                truth.append(f"The attacker met objective {k + 1} of {r.objectives} at {at(t)}.")
            elif fac.done:
                truth.append(f"The attacker did not meet objective {k + 1} of {r.objectives}.")
    elif r.time_to_objective is not None:
        truth.append(f"The attacker met its objective at {at(r.time_to_objective)} "
                     f"({r.records_exfiltrated:,} records out).")
    elif fac.done:
        truth.append("The attacker did not meet its objective.")
    if fac.done:
        from simulator.report_text import END_TEXT, end_text

        text = end_text(r) if r.end_reason in END_TEXT else r.end_reason
        truth.append(f"The run ended at {at(r.end_time)}: {text}.")
    s4.blocks.append(("ul", truth))
    s4.blocks.append(("h", "What stopped the attacker (truth)"))
    stops = [f"Order {n} ({by_n[n].label}, {by_n[n].owner}): stopped {_plural(len(es), 'attacker action')}: "
             + "; ".join(f"{e.phase} on {e.host or '-'} at {at(e.time)}" for e in es[:5])
             + (f"; and {len(es) - 5} more" if len(es) > 5 else "") + "." for n, es in sorted(team_stops.items())]
    if posture_stops:
        stops.append(_posture_stops(posture_stops))
    s4.blocks.append(("ul", stops) if stops else ("p", "Nothing stopped an attacker action."))

    # --- 5. counterfactuals
    s5 = Section("5. Outcome and counterfactuals")
    strengths: list[str] = []
    areas: list[tuple[str, str, str]] = []
    """(finding, area key, owner role or '' for the area's own)."""
    observations: list[str] = []
    s5.blocks.append(("h", "(a) The same seed without the team's orders"))
    if not effective:
        s5.blocks.append(("p", "The team gave no order that stood (none, or every one taken back): the counterfactual "
                               "is the same run. The session's result is the result without orders."))
    else:
        mine = fac.with_orders()
        none = fac.without_orders()
        label = "this session" if fac.done else "this session, if played to the end"

        def col(x: Any) -> list[str]:
            det = x.time_to_first_detection
            dia = x.time_to_initial_access
            return [OUTCOME_WORDS.get(x.outcome, x.outcome), f"{x.records_exfiltrated:,}", at(dia),
                    at(det) + (f" ({duration(det - dia)} after initial access)" if det is not None and dia is not None
                               else ""),
                    at(x.time_to_containment), at(x.time_to_objective) if x.time_to_objective is not None else
                    "not met", str(x.hosts_compromised),
                    f"{x.hosts_isolated} ({x.clean_hosts_isolated} of clean hosts)",
                    f"{x.isolated_host_hours:,.0f} h", f"{x.egress_blocked_hours:,.0f} h", str(x.credentials_reset)]

        names = ["outcome", "records lost", "initial access", "first detection", "first containment",
                 "objective met", "hosts compromised", "isolations", "host-hours out of service", "egress blocked",
                 "credentials reset"]
        s5.blocks.append(("table", ["", label, "same seed, no orders"],
                          [[n, a, b] for n, a, b in zip(names, col(mine), col(none), strict=True)]))
        dm = none.records_exfiltrated - mine.records_exfiltrated
        met_m, met_n = mine.outcome == "objective_met", none.outcome == "objective_met"
        if dm > 0 or (met_n and not met_m):
            strengths.append(f"On this seed the team's orders kept {dm:,} records in: {none.records_exfiltrated:,} "
                             f"left without them ({OUTCOME_WORDS[none.outcome]}), {mine.records_exfiltrated:,} with "
                             f"them ({OUTCOME_WORDS[mine.outcome]}).")
        elif dm < 0 or (met_m and not met_n):
            areas.append((f"On this seed the attacker did better with the team's orders than without: "
                          f"{mine.records_exfiltrated:,} records lost against {none.records_exfiltrated:,} "
                          f"({OUTCOME_WORDS[mine.outcome]} against {OUTCOME_WORDS[none.outcome]}).",
                          "same-seed-worse", ""))
        else:
            observations.append(f"On this seed the orders changed neither the outcome ({OUTCOME_WORDS[mine.outcome]}) "
                                f"nor the records lost ({mine.records_exfiltrated:,}).")
    s5.blocks.append(("h", f"(b) The team's orders over {runs} seeds" if runs else "(b) The team's orders over seeds"))
    cf: dict[str, Any] | None = None
    if not runs:
        s5.blocks.append(("p", "Not computed (--counterfactual-runs 0)."))
    elif not effective:
        s5.blocks.append(("p", "No order stood: over any seeds the team's arm is doing nothing, the same runs."))
    else:
        cf = _over_seeds(fac, runs, show_progress)
        a, b = cf["nothing"], cf["team"]
        if b["high"] < a["low"]:
            verdict = "lower, beyond the 95% intervals"
            strengths.append(f"Over {runs} seeds the team's orders lowered attacker success from {_ci(a)} to {_ci(b)} "
                             "(the 95% intervals do not overlap).")
        elif b["low"] > a["high"]:
            verdict = "higher, beyond the 95% intervals"
            areas.append((f"Over {runs} seeds the team's orders raised attacker success from {_ci(a)} to {_ci(b)} "
                          "(the 95% intervals do not overlap).", "cf-worse", ""))
        else:
            verdict = "no change beyond the 95% intervals"
            observations.append(f"Over {runs} seeds attacker success was {_ci(a)} doing nothing and {_ci(b)} with "
                                "the team's orders: the intervals overlap, no change shown at this number of runs.")
        moved = (f"Your orders moved attacker success from {_ci(a)} to {_ci(b)}" if _ci(a) != _ci(b) else
                 f"Your orders left attacker success at {_ci(b)}, as doing nothing")
        s5.blocks.append(("p", (
            f"{moved} ({verdict}); records lost (mean) from "
            f"{a['records_mean']:,.0f} to {b['records_mean']:,.0f}; isolated host-hours (mean) from "
            f"{a['isolated_host_hours']:,.0f} to {b['isolated_host_hours']:,.0f}; egress blocked (mean) from "
            f"{a['egress_blocked_hours']:,.0f} h to {b['egress_blocked_hours']:,.0f} h.")))
        s5.blocks.append(("table", ["over seeds 0-" + str(runs - 1), "doing nothing", "the team's orders"], [
            ["attacker success [95% interval]", _ci(a), _ci(b)],
            ["records lost (mean)", f"{a['records_mean']:,.0f}", f"{b['records_mean']:,.0f}"],
            ["records lost (median)", f"{a['records_median']:,}", f"{b['records_median']:,}"],
            ["isolated host-hours (mean)", f"{a['isolated_host_hours']:,.0f}", f"{b['isolated_host_hours']:,.0f}"],
            ["of them clean hosts (mean)", f"{a['clean_isolated_host_hours']:,.0f}",
             f"{b['clean_isolated_host_hours']:,.0f}"],
            ["egress blocked, hours (mean)", f"{a['egress_blocked_hours']:,.0f}", f"{b['egress_blocked_hours']:,.0f}"],
        ]))
        s5.blocks.append(("p", "Each seed is played twice: once doing nothing, once with the team's orders given at "
                               "the same minutes on the same targets ("
                               + "; ".join(cf["orders"]) + "), on common random numbers. On other seeds the attacker "
                               "may be elsewhere by then: the figure says how the orders as given fare against the "
                               "attacker's luck, not what the best orders would have been."))

    # --- 6. analysis: strengths and areas, each from the figures above
    if alerts:
        a0 = alerts[0].time
        first = min(given, key=lambda o: o.time) if given else None
        ir_first = ir_lines[0].time if ir_lines else None
        if first is None:
            areas.append((f"The team gave no order in the {duration(fac.now - a0)} after the first escalated alert "
                          f"({at(a0)}).", "no-order", ""))
        elif first.time < a0:
            observations.append(f"The team's first order (order {first.n}, {first.label}) came before any alert was "
                                f"escalated ({duration(a0 - first.time)} before the first).")
        else:
            lag = first.time - a0
            text = (f"The team's first order (order {first.n}, {first.label}) came "
                    + (f"{duration(lag)} after the first escalated alert ({at(a0)})" if lag >= 1 else
                       f"in the same simulated minute as the first escalated alert ({at(a0)})"))
            late = []
            if ir_first is not None and ir_first <= first.time:
                late.append(f"incident response had already acted on its own at {at(ir_first)}")
            if r.time_to_objective is not None and r.time_to_objective <= first.time:
                late.append(f"the attacker had already met its objective at {at(r.time_to_objective)} (truth)")
            if late:
                areas.append((text + ": " + " and ".join(late) + ".", "first-order", ""))
            else:
                strengths.append(text + (f", before incident response acted on its own ({at(ir_first)})"
                                         if ir_first is not None else "") + ".")
    elif ia is not None:
        areas.append((f"No alert reached the team in the {duration(fac.now - ia)} after initial access (truth).",
                      "detection", ""))
    for o in orders:
        if o.status != "done":
            continue
        if o.kind == "isolate_host" and o.done.endswith("was already isolated"):
            mine_before = next((p for p in orders if p is not o and p.kind == "isolate_host" and p.target == o.target
                                and p.done == f"isolated {o.target}" and p.done_time is not None
                                and p.done_time <= o.done_time), None)
            if mine_before is not None:
                who = f"the team's own order {mine_before.n} had isolated it at {at(mine_before.done_time)}"
            else:
                pattern = re.compile(rf"(?<![\w.-]){re.escape(o.target or '')}(?![\w.-])")
                ir = [s for s in ir_lines if s.time <= o.done_time and pattern.search(s.text)]
                who = (f"incident response had isolated it at {at(ir[-1].time)}, "
                       f"{duration(o.done_time - ir[-1].time)} earlier" if ir else "it was already isolated")
            areas.append((f"Order {o.n} ({o.label}), given at {at(o.time)}, was carried out at {at(o.done_time)}, "
                          f"but {who}: the order changed nothing.", "duplicate", o.owner))
        elif effects.get(o.n) == "nothing new to contain":
            what = "egress was already blocked" if o.kind == "block_egress" else \
                "every credential it named was already reset"
            word = "blocked egress" if o.kind == "block_egress" else "reset"
            ir = [s for s in ir_lines if s.time <= o.done_time and word in s.text]
            by = f" (incident response at {at(ir[-1].time)})" if ir else ""
            areas.append((f"Order {o.n} ({o.label}), given at {at(o.time)}, was carried out at {at(o.done_time)}, "
                          f"when {what}{by}: the order changed nothing.", "duplicate", o.owner))
    if r.time_to_objective is not None:
        for o in given:
            if o.kind != "block_egress":
                continue
            if o.time >= r.time_to_objective:
                areas.append((f"Order {o.n} (block egress) was given at {at(o.time)}, "
                              f"{duration(o.time - r.time_to_objective)} after the attacker had met its objective at "
                              f"{at(r.time_to_objective)} (truth): the data had already left.", "late-egress", ""))
            elif o.done_time is not None and o.done_time >= r.time_to_objective:
                areas.append((f"Order {o.n} (block egress) was given at {at(o.time)} but took effect at "
                              f"{at(o.done_time)}, after the attacker had met its objective at "
                              f"{at(r.time_to_objective)} (truth).", "late-egress", ""))
    for n, es in sorted(team_stops.items()):
        o = by_n[n]
        strengths.append(f"Order {n} ({o.label}, {o.owner}) stopped {_plural(len(es), 'attacker action')} (truth): "
                         + "; ".join(f"{e.phase} on {e.host or '-'} at {at(e.time)}" for e in es[:3])
                         + (f"; and {len(es) - 3} more" if len(es) > 3 else "") + ".")
    if posture_stops:
        strengths.append(_posture_stops(posture_stops))
    if r.hosts_isolated:
        if r.clean_hosts_isolated:
            areas.append((f"{r.clean_hosts_isolated} of the {r.hosts_isolated} isolations in this run "
                          f"{'was' if r.clean_hosts_isolated == 1 else 'were'} of hosts "
                          f"the attacker was not on ({r.clean_isolated_host_hours:,.0f} host-hours of clean hosts out "
                          f"of service; the count covers the team's isolations and incident response's together).",
                          "clean", ""))
        else:
            strengths.append(f"Every one of the {_plural(r.hosts_isolated, 'isolation')} in this run was of a host "
                             "the attacker was on (no clean host taken out of service).")
    if players:
        bare = [(k, i) for k, i in players if not notes_at.get(k)]
        if bare:
            ks = [str(k) for k, _ in bare]
            areas.append(((f"{len(bare)} of the {_plural(len(players), 'inject')} shown to the room have no notes: "
                           if len(bare) < len(players) else
                           f"None of the {_plural(len(players), 'inject')} shown to the room has a note: ")
                          + ("inject " + ks[0] if len(ks) == 1 else "injects " + ", ".join(ks[:-1]) + " and " + ks[-1])
                          + " (section 2).",
                          "notes", ""))
        else:
            strengths.append(f"Every inject shown to the room has at least one note ({_plural(len(fac.notes), 'note')}"
                             " in all).")
    for o in orders:
        if o.status == "cancelled":
            areas.append((f"Order {o.n} ({o.label}), given at {at(o.time)}, was taken back at {cancelled_at(o)} "
                          "before it was done.", "cancelled", o.owner))
    if r.outcome == "objective_met":
        areas.append((f"The attacker met its objective at {at(r.time_to_objective)}: {r.records_exfiltrated:,} "
                      "records out.", "objective", ""))
    elif r.outcome == "contained":
        strengths.append(f"The attacker was evicted (first containment at {at(r.time_to_containment)}).")
    if backlogs:
        areas.append((f"The SOC queue backed up {_plural(len(backlogs), 'time')} (first at {at(backlogs[0].time)}).",
                      "backlog", ""))
    s6 = Section("6. Analysis: strengths and areas for improvement", [
        ("p", "Each statement follows from the figure it names; '(truth)' marks what only the facilitator could see."),
        ("h", "Strengths"), ("ul", strengths or ["None found in the session's data."]),
        ("h", "Areas for improvement"), ("ul", [t for t, _, _ in areas] or ["None found in the session's data."])])
    if observations:
        s6.blocks += [("h", "Observations (neither a strength nor an area for improvement)"), ("ul", observations)]

    # --- 7. improvement plan
    plan: list[list[str]] = []
    for text, key, owner in areas:
        name, role, action = AREAS[key]
        row = [name, action, owner or role or "-", ""]
        which = re.match(r"Order \d+ \([^)]*\)", text)
        if key in ("cancelled", "duplicate") and which:
            row[1] = f"{which.group(0)}: {action}"
        if row not in plan:
            plan.append(row)
    s7 = Section("7. Improvement plan", [("table", ["area", "action", "owner (role)", "due"], plan) if plan else
                                         ("p", "No area for improvement was found in the session's data."),
                                         ("p", "Names for the roles and due dates are the team's to fill in.")])
    sections = [s1, s2, s3, s4, s5, s6, s7]

    # --- 8. branches
    if fac.branches:
        from simulator.facilitator import Order

        brows = []
        for b in fac.branches:
            done = b.get("finished") is True
            labels = []
            for row in b.get("orders", []) if isinstance(b.get("orders"), list) else []:
                try:
                    labels.append(Order(**row).label)
                except (TypeError, KeyError, AttributeError):  # a branch is the file's word: shown, never trusted
                    labels.append(str(row.get("kind", "?")) if isinstance(row, dict) else "?")
            records = b.get("records")
            brows.append([str(b.get("label", "")), str(b.get("clock", "-")) + ("" if done else " (left off here)"),
                          "; ".join(labels) or "none",
                          OUTCOME_WORDS.get(str(b.get("outcome")), str(b.get("outcome"))) + ("" if done else
                                                                                            " (so far)"),
                          f"{records:,}" if isinstance(records, int) else str(records)])
        brows.append(["final (this report)", at(fac.now) + ("" if fac.done else " (saved here)"),
                      "; ".join(o.label for o in orders) or "none",
                      OUTCOME_WORDS.get(r.outcome, r.outcome) + ("" if fac.done else " (so far)"),
                      f"{r.records_exfiltrated:,}"])
        sections.append(Section(f"{len(sections) + 1}. Branches", [
            ("p", "The exercise was rewound to an inject and played again; each earlier branch as it was left:"),
            ("table", ["branch", "left off at", "orders", "outcome", "records lost"], brows)]))

    # --- appendices
    feed_rows = [(s.time, i, [at(s.time), s.kind, s.text]) for i, s in enumerate(feed)]
    feed_rows += [(step_times[o.cancelled_step], len(feed) + o.n,
                   [at(step_times[o.cancelled_step]), "order", f"Order {o.n} cancelled: {o.label}"])
                  for o in orders if o.status == "cancelled" and o.cancelled_step in step_times]
    feed_rows.sort(key=lambda x: (x[0], x[1]))
    sections.append(Section("Appendix A: the player feed (what the room saw)", [
        ("table", ["when", "what", "text"], [row for _, _, row in feed_rows]) if feed_rows else
        ("p", "The feed is empty.")]))
    done_at = {o.done_time: o.n for o in orders if o.status == "done" and o.done_time is not None}
    sections.append(Section("Appendix B (facilitator): the attacker's key events (truth)", [
        ("table", ["when", "what", "detail"], _key_events(r.to_dict(), at, done_at))]))
    command = f"tabletop tui --session {shlex.quote(source)}"
    sections.append(Section("Appendix C: reproduce, seeds and parameters", [("kv", [
        ("Reproduce", f"{command} (replays the orders and notes at the same steps, to the same state)"),
        ("Report", f"tabletop report {shlex.quote(source)} --out aar.html --counterfactual-runs {runs}"),
        ("Seed", str(fac.seed)),
        ("Counterfactual seeds", f"0-{runs - 1}" if runs else "none"),
        ("Scenario file", fac.loaded.document.file),
    ]), ("json", parameters)]))
    improvements = [(t, k) for t, k, _ in areas]
    return SessionReport(f"After-action report: tabletop exercise on {sc.name}", sections, strengths, improvements,
                         observations)



def _resolved(scenario_loader, cells: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Every attacker profile and posture the report's numbers rest on, resolved (file overrides included)."""
    from simulator.loader import ScenarioError

    try:
        loaded = scenario_loader()
    except ScenarioError as e:  # the numbers stand; the appendix says why parameters are missing
        return {"note": f"the scenario could not be reloaded to list parameters: {e}"}
    out: dict[str, Any] = {"scenario_overrides": {"attacker": loaded.scenario.attacker.overrides,
                                                  "posture": loaded.scenario.posture.overrides}}
    for a, p in cells:
        l2 = loaded.with_presets(automation=a, posture=p)
        out.setdefault("attacker", {})[a] = l2.attacker.model_dump(mode="json")
        out.setdefault("posture", {})[p] = l2.posture.model_dump(mode="json")
    return out


def build(path: str | Path, counterfactual_runs: int = 200, show_progress: bool = False) -> Report | SessionReport:
    """Read a comparison (`tabletop compare --format json`), a sweep (JSON Lines), a session or a run
    (`tabletop run --json`) and build its report. A session is replayed (and refused if it does not replay); its
    orders are replayed over ``counterfactual_runs`` seeds against doing nothing (0: not at all), with progress on
    stderr when that takes more than a moment and ``show_progress``."""
    from simulator.inputs import ScenarioError, group_rows, read_result
    from simulator.loader import bundled_names, bundled_path, load_bundled
    from simulator.stats import summarize

    # Every read goes through the input layer (regular files, size caps, typed models, FILE:LINE: field: message).
    # A name inside the file (a result's scenario, a comparison's scenario_file) is reloaded only when it is a
    # bundled scenario: a file never makes the tool open another file.
    path = Path(path)
    if path.suffix == ".jsonl":
        try:  # streamed: rows are checked as read and kept in compact columns per group (the parameters' columns)
            grouped = group_rows(path, None)
        except ScenarioError as e:
            raise ReportError(str(e.problems[0])) from None
        by = list(next(iter(grouped.groups.values())).label)
        summaries = [summarize(g, by) for g in grouped.groups.values()]
        first = grouped.first
        name = first.scenario
        runs = max(len(g) for g in grouped.groups.values())
        grid: dict[str, list[Any]] = {k: [] for k in by}
        for key in grouped.groups:
            for k, v in zip(by, key, strict=True):
                if v not in grid[k]:
                    grid[k].append(v)
        sweep_file = _sweep_text(name, runs, first.seed, grid)
        checked = _sweep_id(name, runs, first.seed, grid) if name in bundled_names() else None
        target = str(path.with_name(f"{path.stem}.sweep.yaml"))
        if checked == first.sweep:
            s = load_bundled(name).scenario
            scenario = {"name": s.name, "title": s.title, "description": s.description,
                        "objective": "; then ".join(g.description or g.data for g in s.goals)}
            check = f"checked: this sweep file gives sweep id {first.sweep}, the rows' own"
        else:
            scenario = {"name": name, "note": "scenario file not read: the rows name the scenario, not its file"
                        + ("; its text is not the bundled scenario's of that name" if checked else "")}
            check = (f"not checked: the rows' sweep id {first.sweep} needs the base scenario's text, and a file "
                     "named inside another file is never opened")
        return from_summaries(
            scenario, summaries, runs, first.seed,
            f"write the sweep file below to {target}, then: tabletop sweep {shlex.quote(target)} --out "
            f"{shlex.quote(str(path))} ({check})",
            _resolved(lambda: load_bundled(name), sorted(grouped.cells)),
            overview=[("Sweep", f"{path.name}: sweep id {first.sweep}, {len(summaries)} cells x {runs} runs "
                                f"({grouped.runs:,} runs)")],
            reproduce_block=sweep_file)
    try:
        kind, data, _ = read_result(path, ("comparison", "session", "run"))
    except ScenarioError as e:
        raise ReportError(str(e.problems[0])) from None
    if kind == "session":
        from simulator.facilitator import SessionError, load_session

        try:
            fac = load_session(path)  # replayed: a session that does not replay is refused, nothing is written
        except SessionError as e:
            raise ReportError(str(e)) from None
        return from_session(fac, str(path), _resolved(lambda: fac.loaded, [(fac.automation, fac.posture)]),
                            counterfactual_runs, show_progress)
    if kind == "run":
        name = data["scenario"]
        return from_run(data, _resolved(lambda: load_bundled(name), [(data["automation"], data["posture"])]))
    if kind == "comparison":
        summaries = [_summary(c) for c in data["cells"]]
        losses = _losses(data["cells"])
        source = data.get("scenario_file") or data["scenario"]
        name = data["scenario"]
        bundled = name in bundled_names() and source in (name, str(bundled_path(name)))
        if bundled:
            s = load_bundled(name).scenario
            scenario = {"name": s.name, "title": s.title, "description": s.description,
                        "objective": "; then ".join(g.description or g.data for g in s.goals)}
        else:  # a comparison of a file: its numbers stand on their own (the file it names is not opened)
            scenario = {"name": name, "note": f"scenario file not read: {source}"}
        reproduce = (f"tabletop compare {shlex.quote(name if bundled else source)} --automation "
                     f"{','.join(data['automation'])} --posture {','.join(data['posture'])} --runs {data['runs']} "
                     f"--seed {data['seed']} --format json > {shlex.quote(str(path))}")
        cells = [(a, p) for p in data["posture"] for a in data["automation"]]
        return from_summaries(scenario, summaries, data["runs"], data["seed"], reproduce,
                              _resolved(lambda: load_bundled(name), cells), losses=losses,
                              overview=[("Comparison", f"{path.name}: {len(data['automation'])} attacker levels x "
                                                       f"{len(data['posture'])} postures")])
    raise ReportError(f"{path}:1: kind: not a comparison (tabletop compare --format json), a sweep (.jsonl), a "
                      "session or a run (tabletop run --json)")


def _losses(cells: Sequence[Mapping[str, Any]]) -> list[Any] | None:
    """Each cell's loss estimate from a comparison saved with a loss model (None without one)."""
    from simulator.loss import LossEstimate

    if not any(c.get("loss") for c in cells):
        return None
    out = []
    for c in cells:
        e = c.get("loss")
        out.append(None if not e else LossEstimate(e["mean"], e["low"], e["high"], e["p90"], int(c.get("runs") or 0),
                                                   e["currency"]))
    return out


def _sweep_text(scenario: str, replicates: int, seed: int, grid: Mapping[str, Sequence[Any]]) -> str:
    """A sweep file that runs the cells the rows show (YAML, values as JSON, which YAML reads)."""
    lines = [f"scenario: {json.dumps(scenario)}", f"replicates: {replicates}", f"seed: {seed}", "grid:"]
    lines += [f"  {json.dumps(k)}: {json.dumps(list(v))}" for k, v in grid.items()]
    return "\n".join(lines) + "\n"


def _sweep_id(scenario: str, replicates: int, seed: int, grid: Mapping[str, Sequence[Any]]) -> str | None:
    """The sweep id the rebuilt sweep file gives with the bundled scenario ``scenario`` (None if it cannot be
    computed)."""
    from simulator.loader import bundled_path
    from simulator.sweep import SweepSpec, expand_grid

    p = bundled_path(scenario)
    try:
        text = p.read_text(encoding="utf-8") if p is not None else None
    except OSError:
        return None
    if text is None:
        return None
    return SweepSpec(text, str(p), tuple(expand_grid(dict(grid))), replicates, seed).id


def _summary(c: Mapping[str, Any]) -> CellSummary:
    est = {k: Estimate(**v) for k, v in c.items() if isinstance(v, dict) and set(v) == {"value", "low", "high", "n"}}
    rest = {k: v for k, v in c.items() if k not in est and k != "loss"}
    rest["label"] = tuple(tuple(x) for x in rest["label"])
    rest["objectives"] = tuple(Estimate(**v) for v in rest.get("objectives") or ())
    return CellSummary(**est, **rest)


# --- rendering -----------------------------------------------------------------------------------------------


_MD_INLINE = re.compile(r"([\\`*_\[\]|~@])")
_MD_AUTOLINK = re.compile(r"(?i)(?<=[a-z0-9+.-]):(?=//)|(?<=\bmailto):|(?<=\bxmpp):|(?<=\bwww)\.")
_MD_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))")


def _md(text: Any, start: bool = False) -> str:
    """Escape text for Markdown: no HTML, no link, image, autolink, emphasis or code span, no table break; one line.
    ``start``: the text begins a line (a paragraph or a list item), so a leading '#', '>', '-', '1.' is escaped too."""
    s = _MD_INLINE.sub(r"\\\1", str(text).replace("\r", ""))
    s = html.escape(s, quote=False).replace("\n", " ")
    s = _MD_AUTOLINK.sub(lambda m: "\\" + m.group(0), s)
    if start:
        s = _MD_LINE_START.sub(lambda m: m.group(1) + (m.group(2) + "\\" if m.group(2)[0].isdigit() else
                                                         "\\" + m.group(2)), s)
    return s


def _fence(text: str, info: str = "") -> list[str]:
    """A fenced code block that ``text`` cannot close (a fence longer than any run of backticks in it)."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, *text.replace("\r", "").splitlines(), fence]


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(_md(h) for h in header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return out


def _sections(r: Report) -> list[tuple[str, list[tuple]]]:
    """The report as (title, blocks) in order; blocks as in Section (plus ('ol', items), ('chart', items))."""
    secs: list[tuple[str, list[tuple]]] = []
    if r.findings:
        secs.append(("Key findings", [("ol", r.findings), ("p", "Each finding is computed from the data below; "
                                                            "intervals are 95%.")]))
    ov: list[tuple] = [("kv", r.overview)]
    if r.legend:
        ov += [("h", "Parameters varied"), ("table", ["name", "column", "what it is (the schema's description)"],
                                            r.legend)]
    secs.append(("Exercise overview", ov))
    secs.append((r.timeline_title, [("figtable", r.timeline_header, r.timeline)]))
    out: list[tuple] = [("figtable", r.outcome_header, r.outcomes)]
    if r.outcomes_more:
        out += [("p", "More figures for the same cells:"), ("figtable", r.outcomes_more_header, r.outcomes_more)]
    out += [("p", n) for n in r.outcome_notes]
    if r.chart:
        out += [("chart", r.chart_title, r.chart)]
    secs.append(("Outcomes", out))
    n = r.SHOWN
    more_s, more_i = r.strengths[n:], r.improvements[n:]
    ana: list[tuple] = []
    if r.findings:
        ana.append(("p", "Grouped by control and ranked by effect (the largest share of runs a finding is about); "
                         f"at most {n} of each here, the rest in appendix A."))
    ana += [("h", "Strengths"), ("ul", r.strengths[:n] or ["None found in the data."])]
    if more_s:
        ana.append(("p", f"{len(more_s)} more in appendix A."))
    ana += [("h", "Areas for improvement"), ("ul", [t for t, _ in r.improvements[:n]] or
                                              ["None found in the data."])]
    if more_i:
        ana.append(("p", f"{len(more_i)} more in appendix A."))
    secs.append(("Analysis", ana))
    secs.append(("Improvement plan", [("table", ["action", "owner", "due"], r.plan)]))
    numbered = [(f"{i}. {t}", b) for i, (t, b) in enumerate(secs, 1)]
    app: list[tuple] = []
    if more_s or more_i or r.by_cell:
        if more_s:
            app += [("h", "More strengths"), ("ul", more_s)]
        if more_i:
            app += [("h", "More areas for improvement"), ("ul", [t for t, _ in more_i])]
        if r.by_cell:
            app += [("h", "Every finding, by cell"), ("table", ["cell", "kind", "finding"], r.by_cell)]
        numbered.append(("Appendix A: more findings", app))
    tail: list[tuple] = [("kv", r.appendix)]
    if r.reproduce_block:
        tail += [("pre", r.reproduce_block)]
    tail += [("h", "Resolved parameters"), ("json", r.parameters)]
    numbered.append(("Appendix B: parameters and seeds" if app else "Appendix: parameters and seeds", tail))
    return numbered


def markdown(r: Report | SessionReport) -> str:
    """The report as Markdown."""
    if isinstance(r, SessionReport):
        return _session_markdown(r)
    out = [f"# {_md(r.title, True)}", ""]
    for title, blocks in _sections(r):
        out += [f"## {_md(title)}", ""]
        for b in blocks:
            if b[0] == "ol":
                out += [f"{i}. {_md(x)}" for i, x in enumerate(b[1], 1)]
            elif b[0] == "figtable":
                out += _md_table(b[1], b[2])
            elif b[0] == "chart":
                continue  # the outcomes table has every figure the chart draws
            else:
                out += _md_block(b)
            out.append("")
    return "\n".join(out)


def _md_block(b: tuple) -> list[str]:
    kind = b[0]
    if kind == "p":
        return [_md(b[1], True)]
    if kind == "lead":
        return [f"**{_md(b[1])}** {_md(b[2])}".rstrip()]
    if kind == "h":
        return [f"### {_md(b[1])}"]
    if kind == "fac":
        return [f"> **Facilitator only.** {_md(b[1])}"]
    if kind == "ul":
        return [f"- {_md(x, True)}" for x in b[1]]
    if kind == "table":
        return _md_table(b[1], b[2])
    if kind == "kv":
        return _md_table(["", ""], b[1])
    if kind == "pre":
        return _fence(str(b[1]), "text")
    if kind == "json":  # resolved parameters: one row per value, dotted path and value (never a JSON dump)
        return _md_table(["parameter", "value"], _flat(b[1]))
    return []


def _flat(d: Any, prefix: str = "") -> list[list[str]]:
    """Nested parameters as rows of (path, value), the path's parts joined with ' › ' (dots would read as web
    addresses to a renderer that links them: 'soc.ai'); lists of plain values joined with commas."""
    rows: list[list[str]] = []
    if isinstance(d, Mapping):
        for k, v in d.items():
            rows += _flat(v, f"{prefix} › {k}" if prefix else str(k))
    elif isinstance(d, list | tuple) and all(not isinstance(x, Mapping | list | tuple) for x in d):
        rows.append([prefix, ", ".join(str(x) for x in d) or "-"])
    elif isinstance(d, list | tuple):
        for i, v in enumerate(d):
            rows += _flat(v, f"{prefix} › {i}")
    else:
        rows.append([prefix, "-" if d is None else str(d)])
    return rows


def _session_markdown(r: SessionReport) -> str:
    out = [f"# {_md(r.title, True)}", ""]
    for sec in r.sections:
        out += [f"## {_md(sec.title)}", ""]
        for b in sec.blocks:
            out += _md_block(b)
            out.append("")
    return "\n".join(out)


def _svg_chart(items: Sequence[tuple[str, float, float | None, float | None]]) -> str:
    """Horizontal bars 0..100% with interval whiskers, as inline SVG."""
    row, label_w, bar_w = 22, 260, 360
    h = row * len(items) + 30
    w = label_w + bar_w + 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img">']
    for i, (label, v, lo, hi) in enumerate(items):
        y = 10 + i * row
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" font-size="12">{html.escape(label)}'
                     "</text>")
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w * v:.1f}" height="14" fill="#d9534f"/>')
        if lo is not None and hi is not None:
            parts.append(f'<line x1="{label_w + bar_w * lo:.1f}" x2="{label_w + bar_w * hi:.1f}" y1="{y + 10}" '
                         f'y2="{y + 10}" stroke="#222" stroke-width="2"/>')
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 14}" font-size="12">{v:.0%}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "") -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    thead = f"<thead><tr>{head}</tr></thead>" if any(header) else ""  # key-value tables need no header
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}>{thead}<tbody>{body}</tbody></table>"


CSS = (
    "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.4}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .5em;font-size:13px;"
    "text-align:left;vertical-align:top}td:empty{width:7em}th{background:#f3f3f3}"
    "h2{border-bottom:2px solid #444;padding-bottom:.2em}"
    "h3{margin-bottom:.3em}pre{background:#f7f7f7;padding:1em;overflow:auto;font-size:12px;white-space:pre-wrap}"
    ".fac{border-left:4px solid #b58900;background:#fdf6e3;padding:.3em .6em}svg{max-width:100%;height:auto}"
    "table.fig td{white-space:nowrap}"
    "@media print{@page{size:A4;margin:15mm 14mm}"
    "body{max-width:none;margin:0;padding:0;font-size:10pt;color:#000;background:none}"
    "*{background:none!important;box-shadow:none!important}"
    "section.major+section.major{break-before:page;page-break-before:always}"
    "h1,h2,h3{break-after:avoid;page-break-after:avoid}"
    "table{width:100%}td,th{font-size:8.5pt;border-color:#888;overflow-wrap:break-word}"
    "tr,li,pre,.fac{break-inside:avoid;page-break-inside:avoid}thead{display:table-header-group}"
    "table.fig td{white-space:nowrap;font-size:8pt;padding:.15em .3em}table.fig th{font-size:8pt;padding:.15em .3em}"
    "pre{border:1px solid #888}.fac{border-left:3px solid #000}a{color:#000;text-decoration:none}}"
)
"""The reports' style: on screen, and for print (A4, no backgrounds, a new page for each major section, no table
row split across pages, headers repeated)."""


def _html_block(b: tuple) -> str:
    e = html.escape
    kind = b[0]
    if kind == "p":
        return f"<p>{e(b[1])}</p>"
    if kind == "lead":
        return f"<p><strong>{e(b[1])}</strong> {e(b[2])}</p>"
    if kind == "h":
        return f"<h3>{e(b[1])}</h3>"
    if kind == "fac":
        return f'<p class="fac"><strong>Facilitator only.</strong> {e(b[1])}</p>'
    if kind in ("ul", "ol"):
        return f"<{kind}>" + "".join(f"<li>{e(x)}</li>" for x in b[1]) + f"</{kind}>"
    if kind == "table":
        return _html_table(b[1], b[2])
    if kind == "figtable":
        return _html_table(b[1], b[2], "fig")
    if kind == "kv":
        return _html_table(["", ""], b[1])
    if kind == "pre":
        return f"<pre>{e(str(b[1]))}</pre>"
    if kind == "json":
        return _html_table(["parameter", "value"], _flat(b[1]))
    if kind == "chart":
        return f"<h3>{e(b[1])}</h3>" + _svg_chart(b[2])
    return ""


def to_html(r: Report | SessionReport) -> str:
    """The report as one self-contained HTML file (inline CSS and SVG, no external resources)."""
    if isinstance(r, SessionReport):
        return _session_html(r)
    e = html.escape
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">', f"<title>{e(r.title)}</title>",
             f"<style>{CSS}</style></head><body>", f"<h1>{e(r.title)}</h1>"]
    for title, blocks in _sections(r):
        major = ' class="major"' if title.startswith("Appendix") else ""
        parts += [f"<section{major}>", f"<h2>{e(title)}</h2>", *(_html_block(b) for b in blocks), "</section>"]
    parts.append("</body></html>")
    return "\n".join(parts)


def _session_html(r: SessionReport) -> str:
    e = html.escape
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">', f"<title>{e(r.title)}</title>",
             f"<style>{CSS}</style></head><body>", f"<h1>{e(r.title)}</h1>"]
    for sec in r.sections:
        parts += ['<section class="major">', f"<h2>{e(sec.title)}</h2>", *(_html_block(b) for b in sec.blocks),
                  "</section>"]
    parts.append("</body></html>")
    return "\n".join(parts)
