"""Calibration: do the presets reproduce the published figures they cite, on every network (DESIGN.md section 9)?

A figure counts as reproduced when it lands in its range on every bundled scenario and on generated organisations of
50, 200 and 1,000 hosts. Every value is measured from the engine's own runs: the four automation levels against the
`baseline` posture on common seeds, with the presets as published (a scenario's own overrides are left out, since the
claim is about the presets, but for the ways in its crew uses: CAMPAIGN_FIELDS). Nothing restates an input: the DBIR
patch figures are inputs of `baseline` (sourced), not outputs, and are listed in NOT_CHECKED with the reason.

Provenance: each value line in ``scenarios/presets/*.yaml`` carries a comment tag, read by ``preset_tags``:
``fitted [X]`` (tuned so that figure X lands; fitted on FITTED_ON only), a source tag such as ``[GTG]`` (sourced), or
``assumption``. Each figure declares the preset fields it rests on (``Figure.depends``); with the tags this says which
figures rest on fitted values, so the output can say "fitted on espionage-tech, out of sample here".
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from simulator.loader import Loaded
from simulator.stats import Z95, km_median, median, median_ci, wilson

SOURCES = {
    "CS": "CrowdStrike Global Threat Report 2025/2026: average eCrime breakout 29-62 min (2023-2025), fastest 27 s",
    "GTG": "Anthropic, 'Disrupting the first reported AI-orchestrated cyber espionage campaign', Nov 2025 "
           "(contested: no IOCs published)",
    "MT": "Mandiant M-Trends 2025: global median dwell 10-11 days (2023-2024)",
    "DBIR": "Verizon DBIR 2025: initial access by credential abuse 22%, exploitation 20%, phishing about 16% of "
            "breaches",
}
"""The published figures calibration checks, by the tag the presets use for them."""

LEVELS = ("manual", "ai-assisted", "ai-orchestrated", "autonomous")
"""The automation levels calibration runs, each against POSTURE on the same seeds."""
POSTURE = "baseline"
FITTED_ON = "espionage-tech"
"""The one scenario fitted values were tuned on; every other scenario is an out-of-sample check."""
GENERATED = (50, 200, 1000)
"""Sizes of the generated organisations (``tabletop generate``, 4 zones, seed 0) calibration also runs on."""
GENERATED_NAME = re.compile(r"generated-(\d+)")
CREDENTIAL_ABUSE = ("logon", "broker")
"""Way-in vectors DBIR counts as credential abuse (``simulator/attack/vectors/``)."""

NOT_CHECKED = (
    ("DBIR patch figures (median 32 days to patch edge devices; about 54% remediated)",
     "inputs, not outputs: `baseline` patching takes them as its parameters (tagged [DBIR], sourced), and nothing in "
     "a run feeds back on a patch time, so a figure measured from the runs would restate them; a 30-day horizon "
     "could not observe 'within a year' either."),
    ("M-Trends' 43% of intrusions detected internally",
     "not comparable: its denominator is intrusions that were found, over any length of time (the other 57% by "
     "an outside party or the adversary); the model's outside notice (`monitoring.outside_notice_days`, median 25 "
     "days after initial access) often falls after a 30-day horizon, so among runs found before the horizon the "
     "own SOC's share is inflated by construction; the share found by nobody before the horizon is the "
     "'undetected' row, reported as info."),
)
"""Figures the presets cite but calibration does not check, with the reason."""


# --- provenance ---------------------------------------------------------------------------------------------------

PROVENANCE = ("sourced", "assumption", "fitted")
_FITTED = re.compile(r"\bfitted\b(?:\s*\[([A-Z]+)\])?")
_SOURCE_TAG = re.compile(r"\[([A-Z]+)\]")
_COMMENT = re.compile(r"\s#\s?(.*)$")


@dataclass(frozen=True)
class Tag:
    """Where one preset value comes from, as its comment says."""

    kind: str
    """automation or posture."""
    field: str
    """Dotted: preset name, then the field path (``manual.pace_minutes``, ``baseline.monitoring.detection``)."""
    line: int
    provenance: str
    """sourced, assumption or fitted ("" when the line has none of them)."""
    fitted_to: str | None
    """For a fitted value, the tag of the figure it was tuned to (``MT``)."""


def classify(comment: str) -> tuple[str, str | None]:
    """(provenance, fitted-to tag) of one comment, from the first of ``fitted``, a source tag (``[DBIR]``) or
    ``assumption`` it names: "assumption: ... as edge devices [DBIR]" is an assumption that borrows a figure."""
    found = [(m.start(), kind) for kind, m in (("fitted", _FITTED.search(comment)),
                                               ("sourced", _SOURCE_TAG.search(comment)),
                                               ("assumption", re.search(r"\bassumption\b", comment))) if m]
    if not found:
        return "", None
    kind = min(found)[1]
    m = _FITTED.search(comment)
    return kind, (m.group(1) if kind == "fitted" and m else None)


def preset_tags(kind: str) -> dict[str, Tag]:
    """Every value of the ``kind`` presets file (descriptions aside) with its tag, by dotted field. A mapping written
    on one line (``detection: {...}``) is one value; a block mapping's values are listed one by one."""
    from simulator.loader import parse_yaml

    name = f"scenarios/presets/{kind}.yaml"
    text = (resources.files("scenarios") / "presets" / f"{kind}.yaml").read_text(encoding="utf-8")
    doc = parse_yaml(text, name)
    lines = text.splitlines()
    out: dict[str, Tag] = {}

    def walk(node: dict, path: tuple[str, ...]) -> None:
        for key, value in node.items():
            p = (*path, key)
            n = doc.line(p)
            src = lines[n - 1]
            m = _COMMENT.search(src)
            body = src[: m.start()] if m else src
            if isinstance(value, dict) and body.rstrip().endswith(":"):
                walk(value, p)
            elif not (len(p) == 2 and key == "description"):
                prov, to = classify(m.group(1) if m else "")
                out[".".join(p)] = Tag(kind, ".".join(p), n, prov, to)

    walk(doc.data, ())
    return out


def all_tags() -> dict[str, dict[str, Tag]]:
    """``preset_tags`` for both preset files."""
    return {kind: preset_tags(kind) for kind in ("automation", "posture")}


# --- figures ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Figure:
    """One published figure: its range, and the preset fields the simulated value rests on."""

    key: str
    title: str
    tag: str
    """The source, as a key of SOURCES."""
    target: str
    low: float | None
    high: float | None
    unit: str
    depends: tuple[str, ...]
    """``kind:field`` (``automation:manual.pace_minutes``); a field names one value or a block of them."""
    info: bool = False
    """Reported, not checked (no published range to meet; the reason is in ``why``)."""
    why: str = ""


_MAN = ("automation:manual.speed", "automation:manual.concurrency", "automation:manual.calendar",
        "automation:manual.works_off_shift")
_PATH = ("posture:baseline.segmentation", "posture:baseline.access_control")
_ORCH_TEMPO = ("automation:ai-orchestrated.speed", "automation:ai-orchestrated.concurrency",
               "automation:ai-orchestrated.gates", "automation:ai-orchestrated.gate_minutes")
_DETECT = ("automation:manual.pace_minutes", "automation:manual.footprint", "posture:baseline.monitoring",
           "posture:baseline.soc")

FIGURES: tuple[Figure, ...] = (
    Figure("breakout-manual", "Breakout, manual (median)", "CS", "20-90 min", 20, 90, "min", _MAN + _PATH),
    Figure("breakout-assisted", "Breakout, ai-assisted (median)", "CS", "20-90 min", 20, 90, "min",
           ("automation:ai-assisted.speed", "automation:ai-assisted.concurrency", "automation:ai-assisted.calendar",
            "automation:ai-assisted.works_off_shift") + _PATH),
    Figure("ai-share", "AI share of actions, ai-orch. (pooled)", "GTG", "80-90%", 0.80, 0.90, "share",
           ("automation:ai-orchestrated.executor", "automation:ai-orchestrated.takeover",
            "automation:ai-orchestrated.max_ai_effort_hours", "automation:ai-orchestrated.human_speed",
            "automation:ai-orchestrated.verification", "automation:ai-orchestrated.gates")),
    Figure("decision-points", "Decision points, completed ai-orch. runs", "GTG", "4-6", 4, 6, "count",
           ("automation:ai-orchestrated.gates", "automation:ai-orchestrated.false_finding_rate")),
    Figure("peak-rate", "Peak request rate, ai-orch. (median)", "GTG", "several/s: 2-10/s", 2, 10, "req/s",
           ("automation:ai-orchestrated.footprint", "automation:ai-orchestrated.speed",
            "automation:ai-orchestrated.concurrency")),
    Figure("breakout-ratio", "Breakout, ai-orch. / manual (medians)", "GTG", "info (no published figure)", None,
           None, "ratio", _ORCH_TEMPO + _MAN, info=True,
           why="no source publishes a breakout time for AI-driven intrusions: GTG's tempo figure is the request rate "
               "(checked as peak-rate), and the '<= 0.5' this row once checked was the project's own reading of "
               "'machine tempo'. Reported, because it shows whether the AI's first step out waits for people (an "
               "operator's check and the credential_use gate before a harvested credential is first used, the "
               "sensitive_access gate where the first step goes straight into a sensitive zone, or a human "
               "weaponising an exploit beyond max_ai_effort_hours)"),
    Figure("fast-breakout", "AI-driven breakouts under 1 min", "CS", "info (fastest 27 s)", None,
           None, "share", _ORCH_TEMPO + ("automation:autonomous.speed", "automation:autonomous.concurrency"),
           info=True,
           why="CrowdStrike reports one fastest breakout (27 s, human eCrime), not a distribution, and no share of "
               "AI-driven intrusions is published, so any range would be invented: the share and the fastest run are "
               "reported, not checked."),
    Figure("access-mix", "First ways in by exploitation", "DBIR", "info (DBIR: 20% vs 22%)", None, None, "share",
           ("posture:baseline.patching", "posture:baseline.access_control", "automation:manual.stuffing_success",
            "automation:ai-assisted.stuffing_success", "automation:ai-orchestrated.stuffing_success",
            "automation:autonomous.stuffing_success"), info=True,
           why="the share of first footholds gained by exploiting a service, among those gained by exploitation or "
               "by credential abuse (logons with stuffed, harvested or bought accounts), all four levels pooled; "
               "phishing, bought access and suppliers are off in every preset, and the attacker tries every exposed "
               "flaw before a logon. DBIR's 20% and 22% pool every breach of every network (much of its credential "
               "abuse against webmail and cloud services), while one scenario's mix is set by what it exposes (a VPN "
               "behind MFA leaves exploitation; a portal with no exposed flaw leaves logons), so the mix is reported "
               "per scenario and pooled over the targets (below the summary), not checked"),
    Figure("dwell", "Dwell, manual (Kaplan-Meier median)", "MT", "5-20 days", 5, 20, "days", _DETECT),
    Figure("dwell-own", "Dwell, manual, own SOC only (K-M)", "MT", "info (no notice)", None, None, "days", _DETECT,
           info=True,
           why="the same Kaplan-Meier median with the runs an outside notice found first censored at the notice: "
               "what the own SOC finds, as against a notice whose 25-day median (an assumption borrowing M-Trends' "
               "dwell of outside-notified intrusions) pulls the dwell figure toward M-Trends by construction."),
    Figure("undetected", "Manual runs undetected at the horizon", "MT", "info (not 43%)", None,
           None, "share", _DETECT, info=True,
           why="the dwell figure's censored share (found neither by the own SOC nor by an outside notice before the "
               "horizon); see 'Not checked' for why it is not set against M-Trends' 43%."),
)


_IDLE_AI = ("the runs whose foothold leads nowhere are almost all AI: the agents rescan the perimeter and spray its "
            "logons daily for another way in, and there is nothing for people to check or take over")

GAPS: dict[tuple[str, str], str] = {
    ("dwell", "regional-hospital"): (
        "at the range's upper edge (18.7 days at 500 runs, its interval reaching 21.9): a late, "
        "quiet intrusion: the manual crew gets in around day 9 (median), half of its runs never break out (the "
        "patient portal gives user rights and leads nowhere; the VPN flaw disclosed on day 6 needs 30 hours of hand "
        "work), and the rest cross a 204-host network at the low-and-slow pace fitted on espionage-tech; the own SOC "
        "finds few of them (19 of 100 detections over 200 runs, fewer since the VPN concentrator runs no EDR agent), "
        "so most are found by the outside notice (81), whose median is 25 days after initial access by assumption "
        "[MT]"),
    ("dwell", "regional-manufacturer"): (
        "at the range's upper edge (19.3 days at 500 runs, its interval 17.0-22.2; 19.6 before the December 5 "
        "session's phishing fix, 20.0 before the fourth review of issue 13, 18.7 before the December 2026 review's "
        "changes): a third of the manual crew's ways in are the PLC "
        "vendor's standing access into the plant, whose jump host the own SOC rarely sees, and half of its runs never "
        "break out; the own SOC finds 22 of 125 detected intrusions over 200 runs, the outside notice 101 (median 25 "
        "days after initial access by assumption [MT])"),
    ("ai-share", "regional-hospital"): (
        "above the range in the runs that break out and in those that do not, and before the objective as much as "
        "after it (so not the weeks of retakes that follow it): the people check a harvested credential before its "
        "first use and take over some failed steps, while the AI does every move, dump and file search, and a dump "
        "that yields only credentials already checked needs no check; on the hospital's 204 hosts, where an "
        "account's credential is cached on 57 hosts on average (10 on espionage-tech), the AI's dumps and "
        "file searches (about 334 a run in the 54 of 100 runs that break out) bring one credential to check per 6.3 "
        "of them (53 checks; espionage-tech one per 3.4: 37 to 123), so those runs are 93% AI (93% before the "
        "objective, 93% after; espionage-tech 88% and 89%; 93.7% pooled over all 100 runs, 95% as a mean of "
        "per-run shares); the 46 runs that never break out are 98% AI (" + _IDLE_AI
        + "). A reset password is dumped again from one host since the second December 5 session, not from every "
        "host caching it: half the dumps, and fewer resets to follow, so fewer checks too (860 and 133 before); the "
        "fifth December 5 session's faster containment brings more rounds and more dumps after them, and moved the "
        "share a point at most; overstated access (sixth December 5 session) adds the agents' wasted steps, and the "
        "operators' takeovers (refitted from 0.4 to 0.6 on espionage-tech) take about as many back; logons by rights "
        "(seventh December 5 session: a user's smb logon reads file shares only) left it where it was, the hospital's "
        "users reaching their desktops over rdp as before; the eighth's coordinated eviction, fewer resets and fewer "
        "re-dumps and checks after them, moved it 0.2 points. Counted by examples/ai_share.py"),
    ("ai-share", "generated-50"): (
        "58 of 100 ai-orchestrated runs never break out (53 before the seventh December 5 session, when a user's smb "
        "logon was a shell): their foothold (vpn-01, which caches no credential and "
        "reaches no exploitable service, or the web server when its one credential is unusable) leaves the AI "
        "rescanning and spraying the perimeter (about 95 AI actions to 2 by hand a run), 98% AI (" + _IDLE_AI
        + "); the 42 runs that broke out are 92% AI (90% before the objective, 92% after), and, with about 424 AI "
        "actions to 37 by hand a run against the idle runs' 97, they set the pooled share (93%)"),
    ("ai-share", "generated-200"): (
        "just above the range (93% at 100 runs): every run breaks out, with about 1,380 AI actions to 98 by hand "
        "a run, 91% AI before the objective and 94% after it (since the third December 5 session's DCSync the "
        "crew, holding the Domain Admin's password, has every account and takes most of the organisation after the "
        "objective: 1,175 AI actions a run after it, 205 before); "
        "the people check a harvested credential before its first use, and a dump that yields only credentials "
        "already checked needs none, so the more hosts an account's credential is cached on "
        "(49 on average here, 10 on espionage-tech), the more AI work per check: one check per 7.1 dumps and file "
        "searches (77 to 551 a run; espionage-tech one per 3.4)"),
    ("ai-share", "generated-1000"): (
        "just above the range (94%; 92% before the objective, 94% after): the AI's moves, dumps and file "
        "searches grow with the network faster than the people's checks of the new credentials they bring (a "
        "dump that yields only credentials already checked needs none): about 2,500 AI actions to 167 by hand a run, "
        "one check per 7.5 dumps and file searches (140 to 1,053 over 20 runs; espionage-tech one per 3.4)"),
    ("ai-share", "regional-manufacturer"): (
        "just above the range (93% pooled; 91% before the objective, 93% after it): the ways in by phishing and "
        "through the supplier need no exploit weaponised by hand, and the flaws inside have public exploits the "
        "agents run themselves, so the people's work is the takeovers and the checks of harvested credentials "
        "(about 14 actions a run to 149 by the AI in the 72 of 100 runs that break out, 91% AI; the 28 that never do "
        "are 96% AI: " + _IDLE_AI + "; 3 of 100 never broke out before the seventh December 5 session, when a user's "
        "smb logon onto another workstation was a shell)"),
    ("breakout-manual", "regional-manufacturer"): (
        "above the range since the seventh December 5 session's logons by rights (104 min at 500 runs, 113 of them "
        "breaking out; 44 min and 240 before): the quick breakouts were the portal's service account (svc-portal, "
        "found on web-01 with user rights, T1552) logging on to the ERP database over smb, a shell until then; a "
        "service account's smb logon reads file shares only now, and the database keeps none, so the manual crew "
        "breaks out only after a privilege escalation and a dump, or through another flaw, and fewer runs break "
        "out at all. The network sets it, not the crew's tempo (fitted on espionage-tech: 73 min there): a web "
        "tier whose service account may log on to the database host (ssh allowed, or admin rights there) breaks "
        "out as before"),
    ("ai-share", "small-business"): (
        "above the range since the third December 4 session (93% pooled at 500 runs, 94% as a mean of per-run shares; "
        "88% before): the 46 of 100 "
        "ai-orchestrated runs that never break out (the gateway foothold needs a privilege escalation before any "
        "credential is dumped; 35 before the seventh December 5 session, when a user's smb logon was a shell) now "
        "spray the exposed logons for the two weeks of the spray's list, rescanning "
        "daily, 82 AI actions to 2 by hand a run, 97% AI (" + _IDLE_AI + "), where before they wrote the logon "
        "services off after one corpus run and stopped within days (32 to 2); the 54 runs that break out are 90% "
        "AI (88% before the fifth December 5 session, whose faster containment brings more rounds and more "
        "re-dumps after them), at the range's edge. Counted by examples/ai_share.py"),
}
"""Where a checked figure is known not to hold, with the mechanism (from the runs' timelines, at the last full run).
The output prints these for every check out of range, and "no mechanism recorded" for one not listed; the tests
fail on an out-of-range check that is not listed here."""


HINTS: dict[str, str] = {
    "decision-points": (
        "a completed campaign passes one exploitation gate, one credential_use gate, one sensitive_access gate per "
        "sensitive zone it enters (the admin tier and each zone holding an objective's data, unless the scenario "
        "marks its own) and one final gate per objective (exfiltration, or before an impact), so a scenario with "
        "more sensitive zones or objectives than espionage-tech's has more by construction; "),
    "ai-share": (
        "the share falls with the people's work (checks of new credentials, takeovers of failed steps, exploits "
        "weaponised by hand) and rises with the AI's (rescans and sprays in runs that never break out, dumps on "
        "hosts whose credentials are already checked): python examples/ai_share.py SCENARIO splits it; "),
}
"""Where a figure is out of range on a scenario with no GAPS entry: what sets it, before the advice to read runs."""


def resolve(dep: str, tags: Mapping[str, Mapping[str, Tag]]) -> list[Tag]:
    """The tagged values a ``kind:field`` dependency names (the field itself, or every value under it)."""
    kind, _, field = dep.partition(":")
    found = [t for f, t in tags.get(kind, {}).items() if f == field or f.startswith(field + ".")]
    if not found:
        raise KeyError(f"calibration: {dep} names no value in scenarios/presets/{kind}.yaml")
    return found


def fitted_inputs(figure: Figure, tags: Mapping[str, Mapping[str, Tag]]) -> list[Tag]:
    """The fitted preset values ``figure`` rests on."""
    out: list[Tag] = []
    for dep in figure.depends:
        out += [t for t in resolve(dep, tags) if t.provenance == "fitted" and t not in out]
    return out


# --- measuring ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One figure on one scenario: what the runs gave, and whether it falls in range."""

    figure: Figure
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    note: str = ""
    counts: tuple[int, ...] = ()
    """Raw counts behind a share where a report pools them (access-mix: exploitation, credential abuse, other)."""

    @property
    def ok(self) -> bool | None:
        """In range (None for an info row, and for a figure no run gives: ``measured``)."""
        f = self.figure
        if f.info or not self.measured:
            return None
        if self.value is None:
            return False
        return (f.low is None or self.value >= f.low) and (f.high is None or self.value <= f.high)

    @property
    def measured(self) -> bool:
        """Some run gives the figure (a breakout median needs a run that broke out, decision points a completed
        campaign): one no run gives is not measurable on this scenario, neither in range nor out of it. A dwell
        median the Kaplan-Meier curve never reaches is measured (past the horizon)."""
        return self.n > 0

    def widened(self, factor: float) -> Row:
        """The same row with its range widened by ``factor`` of its width on each side (reduced runs in tests)."""
        f = self.figure
        if f.low is None or f.high is None:
            return self
        pad = (f.high - f.low) * factor
        wide = Figure(f.key, f.title, f.tag, f.target, f.low - pad, f.high + pad, f.unit, f.depends, f.info, f.why)
        return Row(wide, self.value, self.ci_low, self.ci_high, self.n, self.note, self.counts)


def _median(values: list[float], scale: float = 1.0) -> tuple[float | None, float | None, float | None, int]:
    lo, hi = median_ci(values)
    m = median(values)

    def f(x: float | None) -> float | None:
        return None if x is None else x / scale

    return f(m), f(lo), f(hi), len(values)


def _mean(values: list[float]) -> tuple[float | None, float | None, float | None, int]:
    n = len(values)
    if n == 0:
        return None, None, None, 0
    m = sum(values) / n
    sd = (sum((x - m) ** 2 for x in values) / (n - 1)) ** 0.5 if n > 1 else 0.0
    half = Z95 * sd / n**0.5
    return m, m - half, m + half, n


def _pooled(parts: list[tuple[int, int]]) -> tuple[float | None, float | None, float | None, int]:
    """The share of a pooled total, sum(k) / sum(n), over runs' (k, n) pairs, with a 95% interval for a ratio
    estimator (linearised: the runs' residuals k - R n). A campaign's share of work weighs each run by its size, as
    the compare table's AI share does; a mean of per-run shares would weigh a run of 5 actions like one of 5,000."""
    parts = [(k, n) for k, n in parts if n]
    runs = len(parts)
    total = sum(n for _, n in parts)
    if not total:
        return None, None, None, 0
    r = sum(k for k, _ in parts) / total
    if runs < 2:
        return r, r, r, runs
    var = sum((k - r * n) ** 2 for k, n in parts) / (runs - 1)
    half = Z95 * var**0.5 / (total / runs) / runs**0.5
    return r, max(0.0, r - half), min(1.0, r + half), runs


def _share(k: int, n: int) -> tuple[float | None, float | None, float | None, int]:
    lo, hi = wilson(k, n)
    return (k / n if n else None), (lo if n else None), (hi if n else None), n


def _breakouts(rows: Sequence[Mapping[str, Any]], move: str | None = None) -> list[float]:
    """Breakout minutes of the runs that broke out (by ``move``, logon or exploit, if given)."""
    return [r["breakout_time"] for r in rows
            if r.get("breakout_time") is not None and (move is None or r.get("breakout_move") == move)]


def _by_logon(rows: Sequence[Mapping[str, Any]]) -> str:
    """How many breakouts were logons with a harvested credential, and their median (the rest are exploits, which
    someone may first have to weaponise): the mix the median of a bimodal figure rests on."""
    logons = _breakouts(rows, "logon")
    if not logons:
        return ""
    return f"{len(logons)}/{len(_breakouts(rows))} logons, median {median(logons):.0f} min"


def dwell_sample(rows: Sequence[Mapping[str, Any]], horizon: float) -> tuple[list[float], list[bool]]:
    """Per breached run: (minutes from initial access to the first detection at or after it, True), or, for a run
    never detected, (horizon minus initial access, False). Censored at the horizon, not at the run's end: a run ends
    early only when nothing is left to happen, so it is known to stay undetected until the horizon; censoring it at
    its end would treat it as lost to follow-up and bias the median low (generated-50, manual: about 28 days instead
    of "not reached")."""
    times: list[float] = []
    seen: list[bool] = []
    for r in rows:
        ia = r.get("time_to_initial_access")
        if ia is None:
            continue
        dwell = r.get("dwell_time")
        times.append(dwell if dwell is not None else max(0.0, horizon - ia))
        seen.append(dwell is not None)
    return times, seen


def rows_from(runs: Mapping[str, Sequence[Mapping[str, Any]]], horizon: float) -> list[Row]:
    """The calibration rows (in FIGURES order) from run rows by automation level, all against POSTURE; ``horizon``
    in minutes (where an undetected run's dwell is censored)."""
    manual, assisted, orch, auton = (runs[a] for a in LEVELS)
    times, seen = dwell_sample(manual, horizon)
    med, lo, hi = km_median(times, seen)
    undetected = sum(1 for s in seen if not s)
    outside = [r.get("first_detection_source") == "outside" for r in manual if r.get("time_to_initial_access")
               is not None]
    own_seen = [s and not o for s, o in zip(seen, outside, strict=True)]
    own = km_median(times, own_seen)
    m_orch, m_manual = median(_breakouts(orch)), median(_breakouts(manual))
    ai_b = _breakouts(orch) + _breakouts(auton)
    work = [(r["actions_ai"], r["actions_ai"] + r["actions_human"]) for r in orch]
    shares = [k / n for k, n in work if n]
    ways = [r.get("initial_access_vector") for a in LEVELS for r in runs[a]]
    exploit = sum(1 for w in ways if w == "exploit")
    creds = sum(1 for w in ways if w in CREDENTIAL_ABUSE)
    other = sum(1 for w in ways if w is not None) - exploit - creds
    values: dict[str, tuple[tuple[float | None, float | None, float | None, int], str]] = {
        "breakout-manual": (_median(_breakouts(manual)), _by_logon(manual)),
        "breakout-assisted": (_median(_breakouts(assisted)), _by_logon(assisted)),
        "ai-share": (_pooled(work), f"per-run mean {sum(shares) / len(shares):.0%}" if shares else ""),
        "decision-points": (_mean([r["human_decision_points"] for r in orch if r.get("outcome") == "objective_met"]),
                            ""),
        "peak-rate": (_median([r["peak_requests_per_minute"] / 60 for r in orch]), ""),
        "breakout-ratio": ((None if not m_orch or not m_manual else m_orch / m_manual, None, None,
                            len(_breakouts(orch))),
                           "ai-orch. " + _by_logon(orch) if _breakouts(orch, "logon") else ""),
        "fast-breakout": (_share(sum(1 for b in ai_b if b < 1.0), len(ai_b)),
                          f"fastest {min(ai_b) * 60:.0f} s" if ai_b else ""),
        "access-mix": (_share(exploit, exploit + creds),
                       f"{exploit} exploit, {creds} credentials" + (f", {other} other" if other else "")),
        "dwell": ((*(None if x is None else x / 1440.0 for x in (med, lo, hi)), len(times)),
                  f"{undetected}/{len(times)} censored" if times else ""),
        "dwell-own": ((*(None if x is None else x / 1440.0 for x in own), len(times)),
                      f"{sum(outside)} found first by the notice" if times else ""),
        "undetected": (_share(undetected, len(times)), ""),
    }
    return [Row(f, *values[f.key][0], note=values[f.key][1],
                counts=(exploit, creds, other) if f.key == "access-mix" else ()) for f in FIGURES]


# --- scenarios ----------------------------------------------------------------------------------------------------

def default_targets() -> list[str]:
    """Every bundled scenario, then the generated organisations."""
    from simulator.loader import bundled_names

    return bundled_names() + [f"generated-{n}" for n in GENERATED]


def load_target(name: str) -> Loaded:
    """A bundled scenario or scenario file, or ``generated-N`` (``tabletop generate --hosts N``, 4 zones, seed 0).
    Raises ScenarioError (or ValueError for a generated size out of range)."""
    from simulator.loader import load, load_document, locate, parse_yaml

    m = GENERATED_NAME.fullmatch(name)
    if m and not locate(name).exists():
        from simulator.generate import generate, to_yaml

        hosts = int(m.group(1))
        if not 10 <= hosts <= 100_000:
            raise ValueError(f"{name}: a generated organisation has 10 to 100,000 hosts")
        return load_document(parse_yaml(to_yaml(generate(hosts, 4, 0), hosts, 4, 0), name))
    return load(name)


CAMPAIGN_FIELDS = ("phishing_recipients", "supplier_compromise_days", "access_broker_days", "buys_zero_days",
                   "mfa_fatigue")
"""Attacker overrides calibration keeps: which ways in the scenario's crew uses (its story, not how an automation
level works), so a scenario whose crew phishes, comes through a supplier or push-bombs its way past MFA (T1621) is
calibrated on those ways in."""


def presets_only(loaded: Loaded) -> Loaded:
    """The same scenario with its posture overrides, and its attacker overrides other than the ways in
    (CAMPAIGN_FIELDS), left out: calibration checks the presets."""
    import yaml

    from simulator.loader import load_document, parse_yaml

    data = dict(loaded.document.data)
    changed = False
    for key in ("attacker", "posture"):
        section = data.get(key)
        if isinstance(section, dict) and "overrides" in section:
            overrides = section["overrides"] or {}
            kept = {k: v for k, v in overrides.items() if key == "attacker" and k in CAMPAIGN_FIELDS}
            if len(kept) == len(overrides):
                continue  # nothing to leave out
            data[key] = {k: v for k, v in section.items() if k != "overrides"}
            if kept:
                data[key]["overrides"] = kept
            changed = True
    if not changed:
        return loaded
    return load_document(parse_yaml(yaml.safe_dump(data, sort_keys=False), loaded.document.file))


@dataclass(frozen=True)
class ScenarioCalibration:
    """The rows of one scenario."""

    name: str
    hosts: int
    overrides_dropped: bool
    rows: tuple[Row, ...]
    ways_in_kept: tuple[str, ...] = ()
    """The scenario's attacker overrides kept (CAMPAIGN_FIELDS)."""

    @property
    def in_sample(self) -> bool:
        """The scenario the fitted values were tuned on."""
        return self.name == FITTED_ON


def calibrate(loaded: Loaded, runs: int, seed: int = 0, workers: int = 1,
              progress: Callable[[int], None] | None = None) -> ScenarioCalibration:
    """Run the four levels against POSTURE (same seeds, presets as published) and measure every figure."""
    from simulator.sweep import collect, spec_for

    bare = presets_only(loaded)
    spec = spec_for(bare, [(("automation", a), ("posture", POSTURE)) for a in LEVELS], runs, seed)
    by_cell = collect(spec, workers, progress=progress)
    rows = rows_from({a: by_cell[i] for i, a in enumerate(LEVELS)}, bare.scenario.horizon_days * 1440.0)
    s = bare.scenario
    return ScenarioCalibration(s.name, sum(h.count for h in s.hosts), bare is not loaded, tuple(rows),
                               tuple(s.attacker.overrides or ()))


# --- text ---------------------------------------------------------------------------------------------------------

def _fmt(x: float | None, unit: str) -> str:
    if x is None:
        return "-"
    if unit == "share":
        return f"{x:.0%}"
    return f"{x:.2f}" if unit == "ratio" else f"{x:.1f}"


def _grid(head: list[str], body: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return [line(head), "-" * len(line(head)), *(line(b) for b in body)]


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, 118, subsequent_indent="    ", break_on_hyphens=False)


def _verdict(r: Row) -> str:
    if r.figure.info:
        return "info"
    return "n/a" if not r.measured else ("yes" if r.ok else "NO")


UNMEASURED = {
    "breakout-manual": "no manual run broke out",
    "breakout-assisted": "no ai-assisted run broke out",
    "ai-share": "no ai-orchestrated run took a tactical action",
    "decision-points": "no ai-orchestrated run met the objective (the figure counts completed campaigns)",
    "peak-rate": "no ai-orchestrated run",
    "dwell": "no manual run got in",
}
"""Why a checked figure may have no run to measure it on (``Row.measured``)."""


def scenario_table(cal: ScenarioCalibration, tags: Mapping[str, Mapping[str, Tag]]) -> str:
    """One scenario's table."""
    where = ("in-sample: the fitted values were tuned here" if cal.in_sample
             else f"out of sample (fitted on {FITTED_ON})")
    body = []
    for r in cal.rows:
        unit = "" if r.figure.unit in ("share", "ratio", "count") else f" {r.figure.unit}"
        # a Kaplan-Meier curve that never gets to 1/2 (its median, or its interval's top)
        open_ = "not reached" if r.figure.key in ("dwell", "dwell-own") else "-"
        sim = f"{_fmt(r.value, r.figure.unit)}{unit}" if r.value is not None else open_
        if r.ci_low is not None or r.ci_high is not None:
            lo, hi = (open_ if x is None else _fmt(x, r.figure.unit) for x in (r.ci_low, r.ci_high))
            sim += f" [{lo}-{hi}]"
        if r.note:
            sim += f" ({r.note})"
        body.append([r.figure.title, r.figure.target, sim, str(r.n), _verdict(r),
                     "yes" if fitted_inputs(r.figure, tags) else "-"])
    head = ["figure", "target", "simulated [95% interval]", "n", "in range", "on fitted"]
    dropped = ", scenario overrides left out" if cal.overrides_dropped else ""
    if cal.ways_in_kept:
        dropped += f"{' but' if dropped else ', overrides kept:'} its ways in ({', '.join(cal.ways_in_kept)})"
    return "\n".join([f"{cal.name} ({cal.hosts} hosts{dropped}): {where}", *_grid(head, body)])


def report(cals: Sequence[ScenarioCalibration], runs: int, seed: int,
           tags: Mapping[str, Mapping[str, Tag]] | None = None) -> str:
    """Every scenario's table, the summary matrix (figure x scenario), what rests on fitted values, what is not
    checked and why, and the count in range."""
    tags = tags if tags is not None else all_tags()
    out = [*_wrap(f"Calibration: {runs} runs per level ({', '.join(LEVELS)}) against '{POSTURE}', root seed {seed}, "
                  "presets as published. A figure holds when it is in range on every scenario."), ""]
    for cal in cals:
        out += [scenario_table(cal, tags), ""]
    names = [c.name + ("*" if c.in_sample else "") for c in cals]
    body = [[f.key, *(_verdict(c.rows[i]) for c in cals), "yes" if fitted_inputs(f, tags) else "-"]
            for i, f in enumerate(FIGURES)]
    out += ["Summary (yes: in range, NO: out of range, info: reported only, n/a: no run gives it):",
            *_grid(["figure", *names, "on fitted"], body)]
    mix = [r.counts for c in cals for r in c.rows if r.figure.key == "access-mix" and r.counts]
    if mix:
        e, cr, o = (sum(x[i] for x in mix) for i in range(3))
        share = f"{e / (e + cr):.0%} by exploitation" if e + cr else "none"
        out += _wrap(f"First ways in, pooled over every target and level: {e} by exploitation, {cr} by credential "
                     f"abuse, {o} other ({share} of the first two; DBIR 2025: 20% exploitation, 22% credential abuse "
                     f"of all breaches, {20 / 42:.0%} exploitation of the two).")
    if any(c.in_sample for c in cals):
        out += _wrap(f"* {FITTED_ON}: the fitted values were tuned here, so the figures resting on them are "
                     "reproduced by construction there (fitted, then reproduced); every other column is out of sample.")
    out += ["", f"Figures resting on fitted preset values (tagged 'fitted' in the presets; fitted on {FITTED_ON}):"]
    for f in FIGURES:
        fitted = fitted_inputs(f, tags)
        if fitted:
            out += _wrap(f"  - {f.key}: " + ", ".join(f"{t.kind} {t.field} [{t.fitted_to or '?'}]" for t in fitted))
    out += ["", "Sources:"]
    for k, v in SOURCES.items():
        out += _wrap(f"  [{k}] {v}")
    out += ["", "Not checked:"]
    for what, why in [*NOT_CHECKED, *((f.key, f.why) for f in FIGURES if f.info)]:
        out += _wrap(f"  - {what}: {why}")
    checked = [(c.name, r) for c in cals for r in c.rows if r.ok is not None]
    bad = [f"{r.figure.key} on {name}" for name, r in checked if not r.ok]
    unmeasured = [(c.name, r) for c in cals for r in c.rows if not r.figure.info and not r.measured]
    if unmeasured:
        out += ["", "Not measurable here (no run gives the figure, so it is neither in range nor out of it):"]
        for name, r in unmeasured:
            out += _wrap(f"  - {r.figure.key} on {name}: {UNMEASURED.get(r.figure.key, 'no run gives it')}.")
    if bad:
        out += ["", "Where a figure does not hold, and why:"]
        where: dict[tuple[str, str], list[str]] = {}
        for name, r in checked:
            if not r.ok:
                why = GAPS.get((r.figure.key, name), "no mechanism recorded for this scenario (those above are the "
                               "bundled ones'): " + HINTS.get(r.figure.key, "") + "read its runs (tabletop run "
                               f"SCENARIO --automation LEVEL --posture {POSTURE} --seed N) to see which step sets it "
                               "before trusting this figure")
                if r.n < 10:
                    why += f" (judged on {r.n} run{'s' if r.n != 1 else ''} only)"
                where.setdefault((r.figure.key, why), []).append(name)
        for (key, why), names in where.items():
            out += _wrap(f"  - {key} on {', '.join(names)}: {why}.")
    out += ["", *_wrap(f"{len(checked) - len(bad)} of {len(checked)} checks in range (figure x scenario)."
                       + (f" Out of range: {'; '.join(bad)}." if bad else "")
                       + (f" Not measurable: {len(unmeasured)}." if unmeasured else ""))]
    return "\n".join(out)
