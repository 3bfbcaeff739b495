"""Plain-text views of results for the terminal (pure functions: data in, text out)."""

from __future__ import annotations

from collections.abc import Sequence

from simulator.result import RunResult
from simulator.stats import CellSummary, Estimate
from simulator.units import clock, duration

OUTCOME_TEXT = {
    "objective_met": "OBJECTIVE MET: the attacker took the data out",
    "contained": "CONTAINED: the attacker was evicted before reaching the objective",
    "detected_not_contained": "DETECTED, NOT CONTAINED: the defender saw the attack but the attacker kept a foothold",
    "undetected_no_objective": "UNDETECTED, NO OBJECTIVE: the attacker neither succeeded nor was seen",
}


def run_text(r: RunResult, events: int = 15) -> str:
    """One run: outcome, key times, counts, and the first ``events`` timeline entries."""
    lines = [
        f"{r.scenario} | automation {r.automation} | posture {r.posture} | seed {r.seed}",
        "",
        OUTCOME_TEXT[r.outcome],
        "",
        "Times (from campaign start unless said)",
        f"  initial access        {duration(r.time_to_initial_access)}",
        f"  breakout (after IA)   {duration(r.breakout_time)}",
        f"  first detection       {duration(r.time_to_first_detection)}",
        f"  dwell (IA->detection) {duration(r.dwell_time)}",
        f"  first containment     {duration(r.time_to_containment)}",
        f"  objective met         {duration(r.time_to_objective)}",
        f"  run ended             {duration(r.end_time)}",
        "",
        "Counts",
        f"  hosts compromised {r.hosts_compromised} (held at end: {len(r.owned_hosts)}; "
        f"known to defender: {len(r.known_hosts)}; contained: {len(r.contained_hosts)})",
        f"  credentials harvested {r.credentials_harvested}; records exfiltrated {r.records_exfiltrated}"
        + (f" (+{r.records_wasted} of misread data)" if r.records_wasted else ""),
        f"  tactical actions: {r.actions_ai} by AI, {r.actions_human} by humans"
        + ("" if r.ai_share is None else f" (AI share {r.ai_share:.0%})"),
        f"  human decision points {r.human_decision_points}; operator hours {r.operator_hours:.1f}",
        f"  false findings acted on {r.false_findings_acted}, caught {r.false_findings_caught}",
        f"  alerts: {r.alerts_true} true, {r.alerts_benign} benign, {r.alerts_dropped} auto-closed; "
        f"analyst utilisation {'-' if r.analyst_utilisation is None else f'{r.analyst_utilisation:.0%}'}",
        f"  peak attacker request rate {r.peak_requests_per_minute / 60:.1f}/s",
    ]
    if events:
        lines += ["", f"Timeline (first {min(events, len(r.timeline))} of {len(r.timeline)} actions)"]
        lines.append(f"  {'when':<9} {'phase':<21} {'tech':<6} {'host':<15} {'actor':<5} result")
        for e in r.timeline[:events]:
            result = "ok" if e.success else f"blocked:{e.blocked}" if e.blocked else "failed"
            if e.false_finding:
                result += " (false finding)"
            if e.detected:
                result += " ALERT"
            lines.append(f"  {clock(e.time):<9} {e.phase:<21} {e.technique or '-':<6} {e.host or '-':<15} "
                         f"{e.actor:<5} {result}")
    return "\n".join(lines)


def _pct(e: Estimate) -> str:
    if e.value is None:
        return "-"
    return f"{e.value:4.0%} [{e.low:.0%}-{e.high:.0%}]"


def _med(e: Estimate) -> str:
    if e.value is None:
        return "- (n=0)"
    return f"{duration(e.value)} [{duration(e.low)}-{duration(e.high)}]"


def compare_table(scenario: str, summaries: Sequence[CellSummary], runs: int, seed: int) -> str:
    """The comparison: one row per cell, 95% intervals in brackets, the best and worst cells marked."""
    header = (f"{'automation':<16} {'posture':<9} {'attacker success':<17} {'time to objective':<24} "
              f"{'time to detection':<24} {'contained':<15} {'hosts':>5} {'AI':>4} {'gates':>5}")
    out = [
        f"{scenario}: {len(summaries)} cells x {runs} runs, root seed {seed}; every cell replays the same seeds.",
        "Success and contained: share of runs [Wilson 95% interval]. Times: median over the runs where it "
        "happened [95% interval].",
        "",
        header,
        "-" * len(header),
    ]
    values = [s.success.value or 0.0 for s in summaries]
    best, worst = min(values), max(values)
    for s in summaries:
        mark = ""
        if len(summaries) > 1 and best != worst:
            mark = "  <- best" if s.success.value == best else "  <- worst" if s.success.value == worst else ""
        ai = "-" if s.ai_share is None else f"{s.ai_share:.0%}"
        out.append(
            f"{s.automation:<16} {s.posture:<9} {_pct(s.success):<17} {_med(s.time_to_objective):<24} "
            f"{_med(s.time_to_detection):<24} {_pct(s.contained):<15} {s.hosts_compromised:5.1f} {ai:>4} "
            f"{s.decision_points:5.1f}{mark}"
        )
    out += ["", "best/worst: lowest/highest attacker success. hosts: mean compromised. AI: share of tactical "
            "actions done by AI. gates: mean human decision points."]
    return "\n".join(out)
