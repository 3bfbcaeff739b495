"""After-action reports (HSEEP-style AAR/IP) from a comparison, a sweep, a facilitator session or one run.

The report is built as plain data first (``Report``), every statement derived from the numbers, then rendered as
Markdown or as one self-contained HTML file with inline SVG charts. All user-supplied text (scenario names and
descriptions, notes, decisions) is escaped in both renderings.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from simulator.report_text import COLUMNS, compare_rows, few_runs
from simulator.stats import CellSummary, Estimate
from simulator.units import clock, duration

SOURCE_TEXT = {"edr": "EDR", "network": "network sensors", "rate": "the request-rate anomaly rule",
               "honeytoken": "honeytokens", "egress": "egress (large transfer) alerting", "team": "the exercise team"}
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
    decisions: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    chart: list[tuple[str, float, float | None, float | None]] = field(default_factory=list)
    """(label, value 0..1, low, high) for the success chart."""
    chart_title: str = ""
    appendix: list[tuple[str, str]] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)

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


def _findings(label: str, s: CellSummary) -> tuple[list[str], list[tuple[str, str]]]:
    """Strengths and areas for improvement of one cell, each computed from its numbers."""
    good: list[str] = []
    bad: list[tuple[str, str]] = []
    pre = f"{label}: "
    if s.success.value is not None and s.success.value >= 0.5:
        bad.append((f"{pre}the attacker met its objective in {_pct(s.success.value)} of runs "
                    f"[{s.success.low:.0%}-{s.success.high:.0%}], median {duration(s.time_to_objective.value)} "
                    "from the start.", "objective"))
    elif s.success.value is not None:
        good.append(f"{pre}the objective was met in only {_pct(s.success.value)} of runs "
                    f"[{s.success.low:.0%}-{s.success.high:.0%}].")
    det = s.detected.value or 0.0
    breached_share = None if s.breached is None else s.breached.value
    undetected = None if s.undetected is None else s.undetected.value
    if det >= 0.5:
        src = ", ".join(f"{SOURCE_TEXT.get(k, k)} {_pct(v)}" for k, v in s.detection_sources.items())
        good.append(f"{pre}the attack was detected in {_pct(det)} of runs (median {duration(s.time_to_detection.value)}"
                    f" from the start); first alerts came from {src or 'no source'}.")
    elif undetected is not None and breached_share:
        if undetected >= 0.5:  # detection is about an intrusion: count the runs where there was one
            bad.append((f"{pre}{_pct(undetected)} of the intrusions were never detected.", "detection"))
    elif breached_share is None:
        bad.append((f"{pre}{_pct(1 - det)} of runs were never detected.", "detection"))
    patched = s.blocked_share.get("patched", 0.0)
    if patched >= 0.5:
        good.append(f"{pre}patching stopped at least one exploit in {_pct(patched)} of runs.")
    elif patched < 0.2:
        bad.append((f"{pre}patching stopped an exploit in only {_pct(patched)} of runs.", "patching"))
    for key in ("mfa", "tiering", "egress"):
        share = s.blocked_share.get(key, 0.0)
        if share >= 0.3:
            good.append(f"{pre}{BLOCK_TEXT[key]} stopped the attacker at least once in {_pct(share)} of runs.")
    contained = s.contained.value or 0.0
    breached = None if s.breached is None else s.breached.value
    if contained >= 0.3:
        good.append(f"{pre}the attacker was evicted in {_pct(contained)} of runs.")
    elif breached is not None and breached < 0.5:
        good.append(f"{pre}the attacker got a foothold in only {_pct(breached)} of runs.")
    elif det >= 0.5:
        bad.append((f"{pre}detected in {_pct(det)} of runs but evicted in only {_pct(contained)}: footholds "
                    "survived containment.", "containment"))
    if s.breakout_time.value is not None and s.breakout_time.value < 60:
        bad.append((f"{pre}the attacker broke out in a median of {duration(s.breakout_time.value)} after initial "
                    "access.", "breakout"))
    iso = s.response.get("hosts_isolated", 0.0)
    clean = s.response.get("clean_hosts_isolated", 0.0)
    if iso > 0 and clean / iso >= 0.1:
        bad.append((f"{pre}the response isolated {iso:.1f} hosts a run ({s.response.get('isolated_host_hours', 0):.0f} "
                    f"host-hours out of service), {clean / iso:.0%} of them clean: scoping pulled hosts the attacker "
                    "was not on.", "containment"))
    if s.soc_backlog_share >= 0.5:
        bad.append((f"{pre}the SOC queue backed up in {_pct(s.soc_backlog_share)} of runs; alerts were auto-closed "
                    f"untriaged in {_pct(s.alerts_dropped_share)}.", "backlog"))
    return good, bad


def _cell_label(s: CellSummary) -> str:
    return " / ".join(str(v) for _, v in s.label)


def from_summaries(scenario: Mapping[str, Any], summaries: Sequence[CellSummary], runs: int, seed: int,
                   reproduce: str, parameters: dict[str, Any]) -> Report:
    """A report over cells (a comparison or a sweep)."""
    strengths: list[str] = []
    improvements: list[tuple[str, str]] = []
    for s in summaries:
        g, b = _findings(_cell_label(s), s)
        strengths += g
        improvements += b
    by = [k for k, _ in summaries[0].label] if summaries else []
    timeline = [[_cell_label(s), *(_key_time(e) for e in (s.time_to_detection, s.breakout_time,
                                                          s.time_to_containment, s.time_to_objective, s.dwell_time))]
                for s in summaries]
    return Report(
        title=f"After-action report: {scenario.get('name')}",
        kind="comparison",
        overview=[
            ("Scenario", f"{scenario.get('name')}: {scenario.get('title', '')}"),
            ("Story", str(scenario.get("description", "")).strip()),
            ("Objective", str(scenario.get("objective", ""))),
            ("Cells", f"{len(summaries)} ({', '.join(_cell_label(s) for s in summaries)})"),
            ("Runs", f"{runs} per cell on common seeds (root seed {seed})"),
        ],
        timeline_title="Key times (medians over the runs where each happened)",
        timeline_header=[" / ".join(by) or "cell", "first detection", "breakout (after IA)", "first containment",
                         "objective met", "dwell"],
        timeline=timeline,
        outcome_header=[*by, *COLUMNS, ""],
        outcomes=compare_rows(summaries),
        strengths=strengths,
        improvements=improvements,
        chart=[(_cell_label(s), s.success.value or 0.0, s.success.low, s.success.high) for s in summaries],
        chart_title="Attacker success by cell (95% Wilson interval)",
        appendix=[("Reproduce", reproduce), ("Root seed", str(seed)), ("Runs per cell", str(runs))],
        parameters=parameters,
    )


def _key_time(e: Estimate) -> str:
    """A median time; with the number of runs behind it when they are too few for an interval."""
    return duration(e.value) + few_runs(e)


def from_session(data: Mapping[str, Any], parameters: dict[str, Any]) -> Report:
    """A report of one facilitated run."""
    r = data["result"]
    events: list[tuple[float, int, str, str]] = []
    backlog_seen = False
    for e in r["log"]:
        if e["kind"] == "soc-backlog":
            if backlog_seen:
                continue  # the first backlog is a key event; the count is in the analysis
            backlog_seen = True
        events.append((e["time"], 1, e["kind"], e["detail"] + (f" [{e['host']}]" if e.get("host") else "")))
    for e in r["timeline"]:
        if e["detected"] or (e["success"] and e["phase"] in ("initial-access", "lateral-movement")):
            what = f"{e['actor']} {e['technique']} on {e['host'] or '-'}"
            what += " (alert)" if e["detected"] else ""
            events.append((e["time"], 0, e["phase"], what))
    for n in data.get("notes", []):
        events.append((n["time"], 2, "note", n["text"]))
    # at the same minute an action comes before what it led to (a foothold, a breakout, the team's decision), as on
    # the facilitator screen: the engine logs those after the action's timeline record
    events.sort(key=lambda x: (x[0], x[1]))
    good: list[str] = []
    bad: list[tuple[str, str]] = []
    if r["outcome"] == "objective_met":
        bad.append((f"The attacker met its objective at {duration(r['time_to_objective'])}.", "objective"))
    if r["time_to_first_detection"] is not None:
        good.append(f"The attack was detected at {duration(r['time_to_first_detection'])}, first by "
                    f"{SOURCE_TEXT.get(r['first_detection_source'], r['first_detection_source'])}.")
    else:
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
        bad.append((f"The attacker broke out {duration(r['breakout_time'])} after initial access.", "breakout"))
    if r.get("soc_backlogs", 0):
        bad.append((f"The SOC queue backed up {r['soc_backlogs']} time(s).", "backlog"))
    outcome_header = ["outcome", "initial access", "first detection", "first containment", "objective met", "hosts",
                      "records out", "AI share", "decisions"]
    outcomes = [[r["outcome"].replace("_", " "), duration(r["time_to_initial_access"]),
                 duration(r["time_to_first_detection"]), duration(r["time_to_containment"]),
                 duration(r["time_to_objective"]), str(r["hosts_compromised"]), f"{r['records_exfiltrated']:,}",
                 "-" if r["ai_share"] is None else _pct(r["ai_share"]), str(len(data.get("decisions", [])))]]
    return Report(
        title=f"After-action report: tabletop exercise on {data['scenario']}",
        kind="session",
        overview=[
            ("Scenario", str(data["scenario"])),
            ("Attacker", str(data["automation"])),
            ("Posture", str(data["posture"])),
            ("Seed", str(data["seed"])),
            ("Played to", f"step {data['step']}" + (" (the end)" if data.get("finished") else "")),
        ],
        timeline_title="Timeline of key events",
        timeline_header=["when", "what", "detail"],
        timeline=[[clock(t), kind, text] for t, _, kind, text in events],
        outcome_header=outcome_header,
        outcomes=outcomes,
        strengths=good,
        improvements=bad,
        decisions=[(clock(d["time"]), d["done"]) for d in data.get("decisions", [])],
        notes=[(clock(n["time"]), n["text"]) for n in data.get("notes", [])],
        appendix=[("Reproduce", "tabletop tui --session SESSION.json (replays the decisions at the same steps)"),
                  ("Seed", str(data["seed"]))],
        parameters=parameters,
    )


RUN_KEYS = ("scenario", "automation", "posture", "seed", "outcome", "timeline", "log")


def from_run(data: Mapping[str, Any], parameters: dict[str, Any]) -> Report:
    """A report of one seeded run (`tabletop run --json`): the session report's sections, without decisions."""
    session = {"result": data, "scenario": data["scenario"], "automation": data["automation"],
               "posture": data["posture"], "seed": data["seed"], "step": len(data["timeline"]), "finished": True}
    rep = from_session(session, parameters)
    reproduce = (f"tabletop run {data['scenario']} --automation {data['automation']} --posture {data['posture']} "
                 f"--seed {data['seed']} --json")
    return replace(rep, title=f"After-action report: one run of {data['scenario']}", kind="run",
                   overview=[*rep.overview[:4], ("Replicate", str(data.get("replicate", 0)))],
                   outcome_header=rep.outcome_header[:-1], outcomes=[row[:-1] for row in rep.outcomes],
                   appendix=[("Reproduce", reproduce), ("Seed", str(data["seed"]))])


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


def build(path: str | Path) -> Report:
    """Read a comparison (`tabletop compare --format json`), a sweep (JSON Lines), a session or a run
    (`tabletop run --json`) and build its report."""
    from simulator.loader import ScenarioError, load, load_document, parse_yaml
    from simulator.stats import group, summarize
    from simulator.sweep import read_rows

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ReportError(f"{path}:0: cannot read ({e})") from None
    if path.suffix == ".jsonl":
        try:
            rows = list(read_rows(path))
        except json.JSONDecodeError as e:
            raise ReportError(f"{path}:{e.lineno}: not JSON Lines ({e.msg})") from None
        if not rows:
            raise ReportError(f"{path}:1: no rows")
        keys = list(rows[0])
        # rows are: sweep, cell, replicate, seed, the parameters, then the outputs (from "scenario" on)
        params = keys[keys.index("seed") + 1:keys.index("scenario")] if "scenario" in keys else []
        by = params or ["automation", "posture"]
        groups = group(rows, by)
        summaries = [summarize(g, by) for g in groups.values()]
        name = rows[0]["scenario"]
        runs = max(len(g) for g in groups.values())
        cells = sorted({(r["automation"], r["posture"]) for r in rows})
        return from_summaries({"name": name}, summaries, runs, rows[0]["seed"],
                              f"tabletop sweep SWEEP.yaml --out {path.name} (sweep id {rows[0]['sweep']})",
                              _resolved(lambda: load(name), cells))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ReportError(f"{path}:{e.lineno}: not JSON ({e.msg})") from None
    if isinstance(data, dict) and data.get("kind") == "tabletop-session":
        def loader():
            return load_document(parse_yaml(data["scenario_text"], data["scenario_file"]))

        return from_session(data, _resolved(loader, [(data["automation"], data["posture"])]))
    if isinstance(data, dict) and "kind" not in data and all(k in data for k in RUN_KEYS):
        name = data["scenario"]
        return from_run(data, _resolved(lambda: load(name), [(data["automation"], data["posture"])]))
    if isinstance(data, dict) and data.get("kind") == "comparison":
        summaries = [_summary(c) for c in data["cells"]]
        source = data.get("scenario_file") or data["scenario"]
        try:
            s = load(source).scenario
            scenario = {"name": s.name, "title": s.title, "description": s.description,
                        "objective": s.objective.description or s.objective.data}
        except ScenarioError:  # a comparison of a file that has since moved: the numbers stand on their own
            scenario = {"name": data["scenario"]}
        reproduce = (f"tabletop compare {source} --automation {','.join(data['automation'])} --posture "
                     f"{','.join(data['posture'])} --runs {data['runs']} --seed {data['seed']}")
        cells = [(a, p) for p in data["posture"] for a in data["automation"]]
        return from_summaries(scenario, summaries, data["runs"], data["seed"], reproduce,
                              _resolved(lambda: load(source), cells))
    raise ReportError(f"{path}:1: kind: not a comparison (tabletop compare --format json), a sweep (.jsonl), a "
                      "session or a run (tabletop run --json)")


def _summary(c: Mapping[str, Any]) -> CellSummary:
    est = {k: Estimate(**v) for k, v in c.items() if isinstance(v, dict) and set(v) == {"value", "low", "high", "n"}}
    rest = {k: v for k, v in c.items() if k not in est}
    rest["label"] = tuple(tuple(x) for x in rest["label"])
    return CellSummary(**est, **rest)


# --- rendering -----------------------------------------------------------------------------------------------


def _md(text: Any) -> str:
    """Escape text for a Markdown table cell or line (no HTML, no table breaks)."""
    return html.escape(str(text), quote=False).replace("|", "\\|").replace("\n", " ")


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(_md(h) for h in header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return out


def markdown(r: Report) -> str:
    """The report as Markdown."""
    out = [f"# {_md(r.title)}", "", "## 1. Exercise overview", ""]
    out += _md_table(["", ""], r.overview)
    out += ["", f"## 2. {_md(r.timeline_title)}", ""] + _md_table(r.timeline_header, r.timeline)
    out += ["", "## 3. Outcomes", ""] + _md_table(r.outcome_header, r.outcomes)
    if r.chart:
        out += ["", f"{_md(r.chart_title)}:", ""]
        out += [f"- {_md(label)}: {v:.0%} [{(lo or 0):.0%}-{(hi or 0):.0%}]" for label, v, lo, hi in r.chart]
    out += ["", "## 4. Analysis", "", "### Strengths", ""]
    out += [f"- {_md(s)}" for s in r.strengths] or ["- None found in the data."]
    out += ["", "### Areas for improvement", ""]
    out += [f"- {_md(s)}" for s, _ in r.improvements] or ["- None found in the data."]
    if r.kind == "session":
        out += ["", "### Team decisions", ""] + (_md_table(["when", "decision"], r.decisions) if r.decisions
                                                  else ["No decision was taken."])
        out += ["", "### Scribe notes", ""] + (_md_table(["when", "note"], r.notes) if r.notes else ["No notes."])
    out += ["", "## 5. Improvement plan", ""] + _md_table(["action", "owner", "due"], r.plan)
    out += ["", "## Appendix: parameters and seeds", ""] + _md_table(["", ""], r.appendix)
    out += ["", "```json", json.dumps(r.parameters, indent=2), "```", ""]
    return "\n".join(out)


def _svg_chart(items: Sequence[tuple[str, float, float | None, float | None]]) -> str:
    """Horizontal bars 0..100% with interval whiskers, as inline SVG."""
    row, label_w, bar_w = 22, 260, 360
    h = row * len(items) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 60}" height="{h}" role="img">']
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


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    thead = f"<thead><tr>{head}</tr></thead>" if any(header) else ""  # key-value tables need no header
    return f"<table>{thead}<tbody>{body}</tbody></table>"


def to_html(r: Report) -> str:
    """The report as one self-contained HTML file (inline CSS and SVG, no external resources)."""
    e = html.escape
    parts = [
        "<!doctype html>", '<html lang="en"><head><meta charset="utf-8">', f"<title>{e(r.title)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
        "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .5em;"
        "font-size:13px;text-align:left}th{background:#f3f3f3}h2{border-bottom:2px solid #444;padding-bottom:.2em}"
        "pre{background:#f7f7f7;padding:1em;overflow:auto;font-size:12px}</style></head><body>",
        f"<h1>{e(r.title)}</h1>", "<h2>1. Exercise overview</h2>", _html_table(["", ""], r.overview),
        f"<h2>2. {e(r.timeline_title)}</h2>", _html_table(r.timeline_header, r.timeline),
        "<h2>3. Outcomes</h2>", _html_table(r.outcome_header, r.outcomes),
    ]
    if r.chart:
        parts += [f"<h3>{e(r.chart_title)}</h3>", _svg_chart(r.chart)]
    parts += ["<h2>4. Analysis</h2>", "<h3>Strengths</h3><ul>"]
    parts += [f"<li>{e(s)}</li>" for s in r.strengths] or ["<li>None found in the data.</li>"]
    parts += ["</ul><h3>Areas for improvement</h3><ul>"]
    parts += [f"<li>{e(s)}</li>" for s, _ in r.improvements] or ["<li>None found in the data.</li>"]
    parts.append("</ul>")
    if r.kind == "session":
        parts += ["<h3>Team decisions</h3>", _html_table(["when", "decision"], r.decisions) if r.decisions else
                  "<p>No decision was taken.</p>", "<h3>Scribe notes</h3>",
                  _html_table(["when", "note"], r.notes) if r.notes else "<p>No notes.</p>"]
    parts += ["<h2>5. Improvement plan</h2>", _html_table(["action", "owner", "due"], r.plan),
              "<h2>Appendix: parameters and seeds</h2>", _html_table(["", ""], r.appendix),
              f"<pre>{e(json.dumps(r.parameters, indent=2))}</pre>", "</body></html>"]
    return "\n".join(parts)
