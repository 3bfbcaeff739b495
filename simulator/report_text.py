"""Plain-text views of results for the terminal (pure functions: data in, text out)."""

from __future__ import annotations

from collections.abc import Sequence

from simulator.result import RunResult
from simulator.stats import CellSummary, Estimate
from simulator.units import clock, duration, span

OUTCOME_TEXT = {
    "objective_met": "OBJECTIVE MET: the attacker took the data out",
    "contained": "CONTAINED: the attacker was evicted before reaching the objective",
    "detected_not_contained": "DETECTED, NOT CONTAINED: the defender saw the attack but the attacker kept a foothold",
    "undetected_no_objective": "UNDETECTED, NO OBJECTIVE: the attacker got in, fell short of its objective, and the "
                               "intrusion was never seen",
}


def outcome_text(r: RunResult) -> str:
    """The headline of one run (a detected attacker that never got in kept no foothold). Short of the objective
    with records of its data out all the same (the objective asks for more of them), it says how many left: a
    'CONTAINED' beside 200,000 stolen case files reads as a win otherwise."""
    text = _outcome_text(r)
    lost = getattr(r, "records_exfiltrated", 0)
    if r.outcome != "objective_met" and lost and (getattr(r, "objectives", 1) or 1) == 1:
        text += f" (yet {lost:,} records of the objective's data left, fewer than the objective asks for)"
    return text


def _outcome_text(r: RunResult) -> str:
    if r.outcome != "objective_met" and r.time_to_initial_access is None:
        seen = getattr(r, "time_to_first_warning", None) is not None
        return "KEPT OUT: the attacker never got in" + ("; the defender saw its attempts from outside" if seen else "")
    n = getattr(r, "objectives", 1) or 1
    if n > 1:
        done = [e.detail.split(": ", 1)[-1] for e in getattr(r, "log", ()) if e.kind == "objective"]
        if r.outcome == "objective_met":
            return f"OBJECTIVES MET ({n} of {n}): " + ", then ".join(done)
        if done:
            tail = {"contained": "then the attacker was evicted", "detected_not_contained":
                    "the defender saw it, and it kept a foothold", "undetected_no_objective": "it was never seen"}
            return (f"OBJECTIVES PARTLY MET ({len(done)} of {n}): " + ", then ".join(done) + "; "
                    + tail.get(r.outcome, r.outcome))
    if r.outcome == "objective_met":
        done = [what for what, did in (("took the data out", r.records_exfiltrated),
                                       (f"encrypted {r.hosts_encrypted} hosts", getattr(r, "hosts_encrypted", 0)),
                                       ("stopped the OT process", getattr(r, "process_hours_disrupted", 0))) if did]
        if done:
            return "OBJECTIVE MET: the attacker " + ", then ".join(done)
    if r.outcome == "undetected_no_objective" and getattr(r, "time_to_first_warning", None) is not None:
        return ("UNDETECTED, NO OBJECTIVE: the attacker got in and fell short of its objective; the defender saw only "
                "its attempts from outside, never the intrusion")
    return OUTCOME_TEXT[r.outcome]


END_TEXT = {
    "objective_met": "the objective was met (the attacker kept its access to the horizon or its eviction)",
    "evicted": "the attacker was evicted and no way back in was left",
    "no_path_left": "no way in was left: every exposed service was patched or refused its logons",
    "horizon": "the horizon came (nothing more could happen before it)",
}
"""Why a run ended (RunResult.end_reason)."""


def end_text(r: RunResult) -> str:
    """Why the run ended, in words. A run whose objective was met goes on to the horizon or to the attacker's eviction;
    where the attacker held nothing at the end, say what took its hosts (its own encryption takes the hosts it
    encrypts out of service with it)."""
    if r.end_reason != "objective_met" or r.owned_hosts:
        return END_TEXT[r.end_reason]
    lost = [w for w, n in (("its own encryption", getattr(r, "hosts_encrypted", 0)), ("the response", r.hosts_isolated))
            if n]
    if not lost:
        return "the objective was met (the attacker held no host at the end)"
    return f"the objective was met (the attacker held no host at the end: {' and '.join(lost)} took them)"


def _later_way_in(r: RunResult) -> str:
    """Breakout counts from the way in the first move rests on: where that is not the first initial access (a
    foothold that led nowhere came first), say so, or the line reads as minutes after a way in days earlier."""
    at = next((e.time for e in r.log if e.kind == "breakout"), None)
    if at is None or r.breakout_time is None or r.time_to_initial_access is None:
        return ""
    way_in = at - r.breakout_time
    if way_in - r.time_to_initial_access < 1.0:
        return ""
    return f" after the way in at {duration(way_in)} (earlier footholds led no further; first move {duration(at)})"


def _early(r: RunResult) -> str:
    """Why a run that reached its horizon 'ended' before it: nothing was left to happen in between."""
    if r.end_reason != "horizon" or duration(r.end_time) == duration(r.horizon):
        return ""
    return (f" (nothing left to happen before the {duration(r.horizon)} horizon: the attacker's next try falls "
            "after it and no defender task is open)")


def response_text(r: RunResult) -> str:
    """What the response cost the business, in one line."""
    clean = (f", {r.clean_hosts_isolated or 'none'} of them clean"
             + (f" ({r.clean_isolated_host_hours:.0f} h)" if r.clean_hosts_isolated else "")
             if r.hosts_isolated else "")
    return (f"  response cost: {r.hosts_isolated} isolation{'' if r.hosts_isolated == 1 else 's'}, "
            f"{r.isolated_host_hours:.0f} host-hours out of service{clean}; "
            f"egress blocked {r.egress_blocked_hours:.0f} h; {r.credentials_reset} credentials reset; "
            f"attacker infrastructure blocked {r.infrastructure_blocks}x")


def run_text(r: RunResult, events: int = 15) -> str:
    """One run: outcome, key times, counts, and the first ``events`` timeline entries."""
    lines = [
        f"{r.scenario} | automation {r.automation} | posture {r.posture} | seed {r.seed}"
        + (f", replicate {r.replicate}" if r.replicate else ""),
        "",
        outcome_text(r),
        f"Run ended: {end_text(r)}"
        + (f"; the attacker got back in {r.reentries}x after losing every foothold" if r.reentries else "") + ".",
        "",
        "Times (from campaign start unless said)",
        f"  first warning         {duration(r.time_to_first_warning)}",
        f"  initial access        {duration(r.time_to_initial_access)}",
        f"  breakout (after IA)   {duration(r.breakout_time)}" + _later_way_in(r),
        f"  first detection       {duration(r.time_to_first_detection)}",
        f"  dwell (IA->detection) {duration(r.dwell_time)}",
        f"  first containment     {duration(r.time_to_containment)}",
        *([f"  objective met         {duration(r.time_to_objective)}"] if r.objectives < 2 else
          [f"  objective {k + 1} met       {duration(t)}" for k, t in enumerate(r.objective_times)]),
        f"  run ended             {duration(r.end_time)}" + _early(r),
        "",
        "Counts",
        f"  hosts compromised {r.hosts_compromised} (held at end: {len(r.owned_hosts)}; "
        f"known to defender: {len(r.known_hosts)}"
        + (f", and the {r.hosts_encrypted} encrypted, each showing the ransom note"
           if getattr(r, "hosts_encrypted", 0) else "")
        + f"; isolated at end: {len(r.contained_hosts)})",
        *([f"  hosts encrypted {r.hosts_encrypted}: {r.downtime_hours:.0f} host-hours out of service until "
           f"restored or rebuilt (the horizon at most)"] if getattr(r, "hosts_encrypted", 0) else []),
        *([f"  OT process down {r.process_hours_disrupted:.0f} h"] if getattr(r, "process_hours_disrupted", 0)
          else []),
        f"  credentials harvested {r.credentials_harvested}; records exfiltrated {r.records_exfiltrated}"
        + (f" (+{r.records_wasted} of misread data)" if r.records_wasted else ""),
        f"  tactical actions: {r.actions_ai} by AI, {r.actions_human} by humans"
        + ("" if r.ai_share is None else f" (AI share {r.ai_share:.0%})"),
        f"  human decision points {r.human_decision_points}; operator hours {r.operator_hours:.1f}",
        f"  false findings acted on {r.false_findings_acted}, caught {r.false_findings_caught}",
        f"  alerts: {r.alerts_true} true, {r.alerts_benign} benign, {r.alerts_dropped} auto-closed; "
        f"analyst utilisation {'-' if r.analyst_utilisation is None else f'{r.analyst_utilisation:.0%}'}",
        f"  peak attacker request rate {r.peak_requests_per_minute / 60:.1f}/s",
        response_text(r),
    ]
    if events:
        lines += ["", f"Timeline (first {min(events, len(r.timeline))} of {len(r.timeline)} actions)"]
        lines.append(f"  {'when':<9} {'phase':<21} {'tech':<9} {'host':<15} {'actor':<5} result")
        for e in r.timeline[:events]:
            result = "ok" if e.success else f"blocked:{e.blocked}" if e.blocked else "failed"
            if e.false_finding:
                result += " (false finding)"
            if e.detected:
                result += " ALERT"
            lines.append(f"  {clock(e.time):<9} {e.phase:<21} {e.technique or '-':<9} {e.host or '-':<15} "
                         f"{e.actor:<5} {result}")
    return "\n".join(lines)


def _pct(e: Estimate) -> str:
    if e.value is None:
        return "-"
    return f"{e.value:.0%} [{e.low * 100:.0f}-{e.high * 100:.0f}]"


def few_runs(e: Estimate) -> str:
    """' (3 runs)' after a median that rests on too few runs for a 95% interval; '' otherwise."""
    return f" ({e.n} run{'' if e.n == 1 else 's'})" if e.value is not None and e.low is None else ""


def _med(e: Estimate) -> str:
    return span(e.value, e.low, e.high) + few_runs(e)


def _dwell(s: CellSummary) -> str:
    """Dwell's Kaplan-Meier median, or why there is none: never breached, or over half never detected."""
    e = s.dwell_time
    if e.n == 0:
        return "-"
    if e.value is None:
        return "not reached" if s.undetected is None else f"not reached ({s.undetected.value:.0%} undet.)"
    detected = e.n - round((s.undetected.value or 0.0) * e.n) if s.undetected is not None else e.n
    return span(e.value, e.low, e.high) + (f" ({detected} detected)" if e.low is None or e.high is None else "")


def _records(x: float) -> str:
    return f"{x / 1e6:.2f}M" if x >= 1e6 else f"{x / 1e3:.0f}k" if x >= 1e3 else f"{x:.0f}"


COLUMNS = ("attacker success", "time to objective", "time to detection", "time to contain", "dwell", "contained",
           "hosts", "records", "AI", "gates")


def compare_rows(summaries: Sequence[CellSummary]) -> list[list[str]]:
    """The table's cells as text: label columns, then COLUMNS, then the best/worst mark."""
    values = [s.success.value or 0.0 for s in summaries]
    best, worst = (min(values), max(values)) if values else (0, 0)
    out = []
    for s in summaries:
        mark = ""
        if len(summaries) > 1 and best != worst:
            mark = "<- best" if s.success.value == best else "<- worst" if s.success.value == worst else ""
        out.append([str(v) for _, v in s.label] + [
            _pct(s.success), _med(s.time_to_objective), _med(s.time_to_detection), _med(s.time_to_containment),
            _dwell(s), _pct(s.contained), f"{s.hosts_compromised:.1f}", _records(s.records_exfiltrated),
            "-" if s.ai_share is None else f"{s.ai_share:.0%}", f"{s.decision_points:.1f}", mark,
        ])
    return out


def compare_table(title: str, summaries: Sequence[CellSummary]) -> str:
    """The comparison: one row per cell, 95% intervals in brackets, the best and worst cells marked."""
    by = [k for k, _ in summaries[0].label] if summaries else []
    header = [*by, *COLUMNS, ""]
    rows = compare_rows(summaries)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    numeric = set(range(len(by) + 6, len(by) + 10))

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths,
                                                                                                  strict=True)))

    out = [
        title,
        "Shares: % of runs [Wilson 95% interval]. Times: median over the runs where it happened [95% interval], "
        "from the campaign start. Dwell: Kaplan-Meier median from initial access, runs never detected counted as "
        "censored at the horizon.",
        "",
        line(header).rstrip(),
        "-" * len(line(header).rstrip()),
    ]
    out += [line(r).rstrip() for r in rows]
    out += ["", "best/worst: lowest/highest attacker success. hosts, records: means per run. AI: share of tactical "
            "actions done by AI. gates: mean human decision points."]
    return "\n".join(out)


def summaries_csv(summaries: Sequence[CellSummary]) -> str:
    """One CSV row per cell: label columns, then every estimate as value/low/high/n."""
    import csv
    import io

    buf = io.StringIO()
    rows = []
    for s in summaries:
        row = dict(s.label)
        row["runs"] = s.runs
        for name in ("success", "breached", "detected", "contained", "time_to_objective", "time_to_detection",
                     "time_to_containment", "dwell_time", "breakout_time"):
            e = getattr(s, name)
            row.update({name: e.value, f"{name}_low": e.low, f"{name}_high": e.high, f"{name}_n": e.n})
        for name in ("hosts_compromised", "records_exfiltrated", "ai_share", "decision_points",
                     "peak_requests_per_second"):
            row[name] = getattr(s, name)
        if s.undetected is not None:
            row["undetected_breached"] = s.undetected.value
        row.update(s.response)
        row.update({f"ended_{k}": v for k, v in s.ended.items()})
        rows.append(row)
    w = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else [], lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def fundamentals_table(scenario: str, changes, base: str, attacker: str, runs: int, seed: int, sentence: str) -> str:
    """The ranked changes with their paired effects, and the computed verdict."""
    head = ["rank", "change", "attacker success", "time to detection", "records lost"]
    rows = []
    for i, c in enumerate(changes, 1):
        det = c.detection
        rows.append([
            str(i), c.name,
            f"{c.success.mean * 100:+.0f} pts [{c.success.low * 100:+.0f}, {c.success.high * 100:+.0f}]",
            f"{det.mean / 60:+.1f} h [{det.low / 60:+.1f}, {det.high / 60:+.1f}]" if det.n else "- (never in both)",
            f"{c.data_lost.mean:+,.0f} [{c.data_lost.low:+,.0f}, {c.data_lost.high:+,.0f}]",
        ])
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]

    def line(cells):
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [
        f"{scenario}: fundamentals from the '{base}' posture, {runs} runs per cell on common seeds (root seed {seed}).",
        f"Controls: each upgraded alone, against the '{attacker}' attacker. Automation: the attacker changed, against "
        f"'{base}'.",
        "Effects: mean paired difference (changed - base) [95% interval]. Time to detection: from initial access, over "
        "the runs where the attacker got in in both cells (an undetected intrusion counts to the horizon).",
        "",
        line(head),
        "-" * len(line(head)),
        *[line(r) for r in rows],
        "",
        sentence,
    ]
    return "\n".join(out)
