"""Run results: flat, frozen, typed records (DESIGN.md section 6). Summaries are pure functions over them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Literal

Outcome = Literal["objective_met", "contained", "detected_not_contained", "undetected_no_objective"]
EndReason = Literal["objective_met", "evicted", "no_path_left", "horizon"]
END_REASONS: tuple[EndReason, ...] = ("objective_met", "evicted", "no_path_left", "horizon")
"""Why a run ended: the objective was met (the run still goes on to the horizon: the attacker keeps its access), the
attacker was evicted and had no way back in, it never got in (or lost every foothold) and no way in was left in the
network, or the horizon came."""
OUTCOMES: tuple[Outcome, ...] = ("objective_met", "contained", "detected_not_contained", "undetected_no_objective")


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One attacker action."""

    time: float
    """Minute the action resolved."""
    phase: str
    technique: str
    host: str | None
    actor: str
    success: bool
    detected: bool
    """An alert was raised for it."""
    blocked: str | None
    """The control that stopped it, if any."""
    false_finding: bool
    """It acted on a false finding."""


_NEW = object.__new__
_T_SET = tuple(getattr(TimelineEvent, f).__set__ for f in TimelineEvent.__slots__)


def timeline_event(time: float, phase: str, technique: str, host: str | None, actor: str, success: bool,
                   detected: bool, blocked: str | None, false_finding: bool) -> TimelineEvent:
    """``TimelineEvent(...)``, the same object, at about half the cost: a frozen dataclass's ``__init__`` sets each
    field through ``object.__setattr__``; the slots' own setters do it directly (the engine builds one per action)."""
    e = _NEW(TimelineEvent)
    s0, s1, s2, s3, s4, s5, s6, s7, s8 = _T_SET
    s0(e, time)
    s1(e, phase)
    s2(e, technique)
    s3(e, host)
    s4(e, actor)
    s5(e, success)
    s6(e, detected)
    s7(e, blocked)
    s8(e, false_finding)
    return e


@dataclass(frozen=True, slots=True)
class LogEvent:
    """A non-action event: a gate, an alert escalated, a containment, the objective met."""

    time: float
    kind: str
    detail: str
    host: str | None = None


@dataclass(frozen=True)
class RunResult:
    """Everything one seeded run produced. Times are minutes from the campaign start unless named otherwise."""

    scenario: str
    automation: str
    posture: str
    seed: int
    replicate: int
    outcome: Outcome
    end_reason: EndReason
    end_time: float
    horizon: float
    """The scenario's horizon (minutes). A run may end before it only when nothing more can happen: a figure
    censored at the run's end is censored at the horizon."""
    time_to_initial_access: float | None
    initial_access_vector: str | None
    """How the first foothold was gained: the way-in vector's name (``exploit``, ``logon``, ``broker``,
    ``phishing``, ``supplier``; ``simulator/attack/vectors/``), None if the attacker never got in."""
    breakout_time: float | None
    """Minutes from the initial access the first successful lateral movement rests on (its source host's way in, or
    its credential's if later) to that movement: not from an earlier foothold that led nowhere. A move onto another
    entry point is not a breakout (a second foothold at the perimeter)."""
    breakout_move: str | None
    """How that movement was made: ``logon`` (T1021, with a harvested credential) or ``exploit`` (T1210)."""
    time_to_objective: float | None
    time_to_first_detection: float | None
    """First recognised (escalated) alert about the intrusion: one showing the attacker on an own host (an internal
    source, or an access that succeeded). Never before initial access."""
    time_to_first_warning: float | None
    """First recognised alert of any kind, including scans and failed attempts from outside before initial access."""
    time_to_containment: float | None
    """First isolation of a host or reset of a credential."""
    dwell_time: float | None
    """Initial access to the first detection (None if either never happened: a censored figure over runs)."""
    hosts_compromised: int
    credentials_harvested: int
    records_exfiltrated: int
    """Records of the objective's data that left."""
    records_wasted: int
    """Records of misread (non-objective) data exfiltrated."""
    hosts_encrypted: int
    """Hosts ransomware encrypted (a ransomware objective)."""
    downtime_hours: float
    """Host-hours out of service because of the encryption (restore from backup or rebuild, per host)."""
    process_hours_disrupted: float
    """Hours the OT process was down (an ``ot-disruption`` objective met), counted to the horizon at most."""
    objectives: int
    """How many objectives the scenario sets (``objectives``; 1 for a single ``objective``)."""
    objectives_met: int
    """How many were met, in order (the attacker turns to the next once one is met)."""
    objective_times: tuple[float | None, ...]
    """Minutes from the campaign start at which each objective was met (None: not met), in the scenario's order."""
    actions_human: int
    actions_ai: int
    ai_share: float | None
    """Share of tactical actions done by AI."""
    human_decision_points: int
    false_findings_acted: int
    false_findings_caught: int
    alerts_true: int
    alerts_benign: int
    alerts_dropped: int
    analyst_utilisation: float | None
    peak_requests_per_minute: float
    operator_hours: float
    first_detection_source: str | None
    """What raised the first recognised alert: edr, network, rate, honeytoken, egress or team."""
    blocked_patched: int
    """Attacker actions stopped by a patch (likewise for the other blocked_* counts)."""
    blocked_mfa: int
    blocked_tiering: int
    blocked_reset: int
    blocked_contained: int
    blocked_egress: int
    blocked_infrastructure: int
    blocked_decoy: int
    """Logons with a deployed decoy account, refused (it logs on nowhere) and seen."""
    soc_backlogs: int
    """Times the SOC queue backed up (more than two alerts waiting per analyst)."""
    hosts_isolated: int
    """Response costs: isolations of a host (a host isolated again after its restore counts again)."""
    clean_hosts_isolated: int
    """Isolations of a host the attacker was not on at the time (a scoping false positive, a stale lead)."""
    isolated_host_hours: float
    """Host-hours out of service through isolation, to the restore after cleanup (or the horizon)."""
    clean_isolated_host_hours: float
    """The part of those hours spent on hosts the attacker was not on."""
    egress_blocked_hours: float
    """Hours outbound traffic was blocked."""
    credentials_reset: int
    infrastructure_blocks: int
    """Times the defender blocked the attacker's outside infrastructure (each cost the attacker a rotation)."""
    krbtgt_resets: int
    """Times the defender reset the domain's Kerberos key (krbtgt): twice is one eviction of forged tickets."""
    forged_logons: int
    """Logons (and directory syncs) with a reset domain account let through by a forged Kerberos ticket (golden
    ticket, T1558.001), the krbtgt key a DCSync brought still accepted."""
    reentries: int
    """Times the attacker got back in after losing every foothold."""
    quiet_hours: float
    """Hours the attacker lay low after noticing a response (``lie_low_hours``), up to the run's end."""
    owned_hosts: tuple[str, ...]
    """Truth at the end: hosts the attacker holds."""
    known_hosts: tuple[str, ...]
    """Belief at the end: hosts the defender knows were compromised."""
    contained_hosts: tuple[str, ...]
    timeline: tuple[TimelineEvent, ...]
    log: tuple[LogEvent, ...]

    def to_dict(self, timeline: bool = True) -> dict:
        """Plain data; ``timeline=False`` leaves out the timeline and log (one flat row for sweeps)."""
        if timeline:
            return asdict(self)
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("timeline", "log")}

    def row(self) -> dict:
        """The scalar outputs as one flat row (host lists become counts; no timeline)."""
        row = self.to_dict(timeline=False)
        for name in ("owned_hosts", "known_hosts", "contained_hosts"):
            row[name] = len(row[name])
        return row

    def to_json(self, indent: int | None = 2) -> str:
        """Deterministic JSON (same scenario + seed -> the same bytes)."""
        return json.dumps(self.to_dict(), indent=indent, sort_keys=False, allow_nan=False)
