"""The attacker profile: an automation level and its parameters (DESIGN.md section 4).

Automation levels change these parameters, never the engine's control flow. Presets live in
scenarios/presets/automation.yaml, each value with its source or marked as an assumption.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from defenses.base import Frozen
from defenses.calendar import Calendar

Gate = Literal["exploitation", "credential_use", "sensitive_access", "exfiltration"]


class Efforts(Frozen):
    """Median human minutes per action kind, before the profile's speed-up."""

    planning: float = Field(240, gt=0, le=100_000)
    """Target selection and tasking (always done by humans)."""
    scan: float = Field(60, gt=0, le=100_000)
    """Active scanning of the perimeter (T1595)."""
    fingerprint: float = Field(30, gt=0, le=100_000)
    """Gathering host information on one exposed host (T1592)."""
    stuffing: float = Field(60, gt=0, le=100_000)
    """A credential-stuffing run against one remote-access service (T1110.004 against T1133)."""
    discovery: float = Field(20, gt=0, le=100_000)
    """Enumerating what one foothold reaches (T1046)."""
    dump: float = Field(15, gt=0, le=100_000)
    """Harvesting credentials on one host (T1003 / T1552)."""
    lateral: float = Field(20, gt=0, le=100_000)
    """A logon to another host with credentials (T1021)."""
    collection: float = Field(60, gt=0, le=100_000)
    """Finding and classifying data on one host (T1213 / T1119)."""
    verify: float = Field(20, gt=0, le=100_000)
    """An operator checking an AI finding by hand (a credential, a data set)."""
    phishing: float = Field(120, gt=0, le=100_000)
    """Writing and sending one phishing campaign (T1566): pretexts, lookalike domain, mail."""
    persistence: float = Field(15, gt=0, le=100_000)
    """Creating a backdoor account (T1136)."""
    impact: float = Field(60, gt=0, le=100_000)
    """Deploying ransomware to the hosts held with admin rights (T1486), or manipulating an OT process (T0831)."""
    ot_preparation: float = Field(2400, gt=0, le=1_000_000)
    """Learning the process and preparing its manipulation once on the controller (ATT&CK for ICS T0882, Theft of
    Operational Information: the project files, the logic, the set points), always by people. Assumption: 40 hours
    of a prepared crew's work; the documented attacks took weeks to months of OT reconnaissance (Ukraine 2015,
    TRITON 2017, Industroyer2 2022), much of it waiting for access the model counts elsewhere."""
    exploit_reuse: float = Field(30, gt=0, le=100_000)
    """Using an exploit already weaponised in this campaign (the first use costs the vulnerability's effort)."""


class AttackerProfile(Frozen):
    """How the attacker works."""

    preset: str = Field("custom", max_length=64)
    """The preset this profile started from."""
    description: str = Field("", max_length=2000)
    """One line on what this level is."""
    executor: Literal["human", "ai"]
    """Who executes tactical actions."""
    speed: float = Field(gt=0, le=1000)
    """Action speed relative to a manual operator."""
    concurrency: int = Field(ge=1, le=500)
    """Concurrent lines of work."""
    footprint: float = Field(ge=1, le=1_000_000)
    """Requests an action generates (scans multiply it)."""
    works_off_shift: bool
    """Keeps working outside the operators' shift (except where a human is needed)."""
    gates: tuple[Gate, ...] = ()
    """Approval gates a human operator must pass (AI executors only), as GTG-1002's operators did: ``exploitation``
    once before active exploitation of the perimeter, ``credential_use`` once before harvested credentials are first
    used, ``sensitive_access`` before the first move into each sensitive zone (``Zone.sensitive``: by default the
    administration tier and the zones holding an objective's data), ``exfiltration`` before each data set leaves."""
    gate_minutes: float = Field(30, gt=0, le=10_000)
    """Median operator minutes to review and approve at a gate (on shift)."""
    false_finding_rate: float = Field(ge=0, le=1)
    """Chance a finding is false: a hallucinated credential or vulnerability, or data misread as the target."""
    review_catch: float = Field(0.0, ge=0, le=1)
    """Chance a human reviewing a false finding at a gate catches it."""
    verification: float = Field(0.0, ge=0, le=1)
    """Chance an operator checks an AI finding (harvested credentials, a data classification) by hand before it is
    used; the check catches a false finding with ``review_catch``. (GTG-1002: the AI's claimed results "required
    careful validation".)"""
    takeover: float = Field(0.0, ge=0, le=1)
    """Chance an operator redoes a failed AI action by hand."""
    max_ai_effort_hours: float | None = Field(None, gt=0)
    """Exploits needing more human hours than this are weaponised and run by a human (None: the AI does all)."""
    operators: int = Field(2, ge=1, le=500)
    """Human operators available at once in an AI-executed campaign: hands-on actions and gate reviews queue for
    them. (A human-executed campaign has one operator per line of work.)"""
    human_speed: float = Field(1.0, gt=0, le=1000)
    """Speed of an operator's own hands-on actions in an AI-executed campaign."""
    hands_on_speed: float | None = Field(None, gt=0, le=1000)
    """Speed of the hands-on steps AI help does not shorten, in a human-executed campaign: a logon with an account
    in hand (T1021, T1078, T1199), harvesting with a known tool (T1003, T1552), creating an account (T1136), and
    running an exploit already weaponised or public. ``speed`` applies to the rest (writing and adapting exploits,
    scripting scans and enumeration, reading and summarising what they return, writing lures). None: ``speed``
    for every action."""
    public_exploit_days: float | None = Field(None, ge=0, le=3650)
    """Days after a vulnerability's disclosure from which a public exploit (a proof of concept, a framework module)
    exists and the attacker uses it: no weaponising, each use costs ``efforts.exploit_reuse``, whoever executes.
    A zero-day used before its disclosure is never public. None: every exploit is weaponised from its
    ``effort_hours``."""
    stuffing_success: float = Field(0.03, ge=0, le=1)
    """Chance an account's password is in the attacker's breach corpus."""
    spraying_success: float = Field(0.0, ge=0, le=1)
    """Share of accounts whose password is among the commonest ones a password spray (T1110.003) works through. Once
    the breach corpus has been run against an exposed logon service and found nothing, the attacker sprays it: the
    spray works through its list at a lockout-safe pace over ``spraying_days`` from its first round, each account in
    the list found at a point drawn in that span, and at each retry (``retry_days``) the crew runs a round and logs
    on with what has been found. Rounds are noise where sensors see the failed logons. 0: no spraying (one corpus
    run, then the service is closed)."""
    spraying_days: float = Field(14.0, gt=0, le=365)
    """Days a spray takes to work through its list at a lockout-safe pace (a guess or two per account per lockout
    window); after that, with no password of the list left to try, the service is closed."""
    exfil_records_per_hour: float = Field(gt=0, le=10**12)
    """Exfiltration rate before egress caps."""
    pace_minutes: float = Field(0.0, ge=0, le=100_000)
    """After breakout, median working minutes a line of work waits between two tasks ("low and slow": operators
    with other targets, or keeping quiet). 0: no pause."""
    discovery_breadth: int = Field(40, ge=1, le=100_000)
    """Most new targets one discovery puts on the attacker's list: every host holding data, then a sample of hosts
    caching admin credentials, then of the rest. Attackers act on a handful of what they enumerate; it also keeps a
    run's cost growing with what the attacker touches, not with the size of the network."""
    retry_days: float = Field(3.0, ge=1 / 1440, le=365)
    """Days before the attacker tries again what failed: rescanning the perimeter when initial access fails or after
    an eviction, and, while it holds hosts, retrying failed moves and using vulnerabilities disclosed since (at least
    an hour)."""
    quick_retries: int = Field(2, ge=0, le=20)
    """Times a task that failed by chance (an exploit or a logon that did not work, a dump that found nothing) is
    tried again at once before it waits for the next regrouping."""
    buys_zero_days: bool = False
    """Uses a vulnerability before its disclosure where the scenario prices it (``zero_day_days``)."""
    access_broker_days: float | None = Field(None, ge=0, le=365)
    """Days after the campaign starts when a valid account for an internet-facing logon service, bought from an
    access broker, is in hand (no noise before it is used; a second factor still stands in its way). None: no
    account is bought."""
    supplier_compromise_days: float | None = Field(None, ge=0, le=365)
    """Days after the campaign starts when the attacker holds the access of the scenario's suppliers (their
    accounts' standing remote logons, T1199). None: it does not go through suppliers."""
    phishing_recipients: int = Field(0, ge=0, le=100_000)
    """Users one phishing campaign writes to, in each group the scenario lists under ``phishing`` (0: the attacker
    does not phish). A campaign is retried at every regrouping, like any way in."""
    backdoor_share: float = Field(0.0, ge=0, le=1)
    """Chance, per host it gains admin rights on, that the attacker creates a backdoor account there (T1136): a way
    back in from outside after an eviction, until the defender sees its creation (an escalated alert on it). 0:
    none."""
    edr_evasion: float = Field(0.0, ge=0, le=0.95)
    """Share of EDR detections the attacker avoids on the hosts it acts on (tampering, living off the land),
    at a cost in time (``edr_evasion_cost``). Network sensors, rate rules and decoys still see it. 0: no evasion."""
    edr_evasion_cost: float = Field(0.5, ge=0, le=10)
    """Extra time per action on a host when evading EDR, as a share of the action's time."""
    mfa_fatigue: float = Field(0.0, ge=0, le=1)
    """Chance a push-bombing run (T1621: repeated MFA prompts) against an account with push MFA gets the user to
    approve; number matching (``access_control.mfa_number_matching``) defeats it. 0: the attacker does not try."""
    rotation_hours: float = Field(24.0, ge=0, le=24 * 365)
    """Hours to stand up new outside infrastructure (addresses) once the defender has blocked the current one."""
    lie_low_hours: float = Field(0.0, ge=0, le=24 * 365)
    """After it notices a response (a foothold isolated, a credential reset), every line of work pauses this long
    before its next task. 0: it carries on."""
    notices_response: float = Field(1.0, ge=0, le=1)
    """Chance it notices one response aimed at it (a session on an isolated host dropped, a logon refused after a
    reset) as a response, and so lies low (``lie_low_hours``). People working the intrusion see their sessions drop;
    an agent whose failures nobody reviews takes them as failed tasks and tries elsewhere."""
    fake_tries: int = Field(3, ge=1, le=100)
    """Hosts on which a hallucinated credential is tried before the attacker gives it up (each a failed logon)."""
    duration_spread: float = Field(0.5, ge=0, le=3)
    """Log-normal sigma of action durations."""
    calendar: Calendar = Calendar(utc_offset=8, shift_start=9, shift_end=18)
    """The operators' shift."""
    efforts: Efforts = Efforts()
    """Median human minutes per action kind."""

    @model_validator(mode="after")
    def _consistent(self) -> AttackerProfile:
        if self.executor == "human" and self.gates:
            raise ValueError("approval gates only apply when the AI executes (executor: ai)")
        return self
