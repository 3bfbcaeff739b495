"""The one protocol through which defender controls plug into the engine.

The engine core never names a specific control. It hands every control the same small surface:

    ControlConfig  (pydantic, frozen)   -- what a scenario file says about the control
      .allows_flow(src, dst, svc, listed)-- static: consulted once per scenario when reachability is built
      .behaviour(ctx) -> Control | None -- per run: the mutable behaviour, or None when the control does nothing

    Control (per run)
      .start()                          -- sample per-run facts, start simpy processes
      .check(action) -> str | None      -- before an attacker action resolves: a reason it is blocked, or None
      .observe(action)                  -- after it resolves: telemetry, alerts
      .on_alert(alert)                  -- an alert was raised (by any control)
      .on_escalation(alert)             -- an analyst recognised a true positive
      .limit_exfil_rate(rate) -> rate   -- records per hour the attacker may move out
      .catch_up(now)                    -- bring events the control keeps itself up to now (before log writes)

Controls talk to each other only through the context (``ctx.raise_alert``, ``ctx.escalate``, ``ctx.contain``,
``ctx.block_infrastructure``), so monitoring does not import the SOC and the
SOC does not import incident response.

An alert carries what its sensor saw (DESIGN.md 5.1): the source (an internal host, or the attacker's outside
infrastructure), the target, the account, the technique, the phase and whether the action succeeded. That is all an
analyst who recognises it learns; ``Alert.evidence_hosts`` says which own hosts it shows the attacker is on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:  # pragma: no cover
    import random

    import simpy


class Frozen(BaseModel):
    """Base of every scenario-file model: immutable, unknown keys rejected; its attribute docstrings become field
    descriptions when ``field_docs()`` is called."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


@cache
def field_docs() -> None:
    """Every scenario-file model's attribute docstrings as its fields' descriptions (once per process), for the JSON
    Schema and the report's parameter names. Read on demand rather than with pydantic's ``use_attribute_docstrings``,
    which reads each class's source as it is defined: 0.1 s at the start of every command and every worker, for
    descriptions only those two need. The same text pydantic would give: the string right after a field's
    annotation, cleaned with ``inspect.cleandoc``; a description given with ``Field`` is kept."""
    import ast
    import inspect
    import sys

    models: list[type[BaseModel]] = []
    stack: list[type[BaseModel]] = [Frozen]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in models:
                models.append(sub)
                stack.append(sub)
    docs: dict[tuple[str, str], dict[str, str]] = {}
    for module in sorted({m.__module__ for m in models}):
        tree = ast.parse(inspect.getsource(sys.modules[module]))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                found = docs.setdefault((module, node.name), {})
                for a, b in zip(node.body, node.body[1:], strict=False):
                    if (isinstance(a, ast.AnnAssign) and isinstance(a.target, ast.Name) and isinstance(b, ast.Expr)
                            and isinstance(b.value, ast.Constant) and isinstance(b.value.value, str)):
                        found[a.target.id] = inspect.cleandoc(b.value.value)
    for cls in models:
        for name, f in cls.__pydantic_fields__.items():
            if f.description is None:
                for owner in cls.__mro__:
                    text = docs.get((owner.__module__, owner.__name__), {}).get(name)
                    if text is not None:
                        f.description = text
                        break

    done: set[type[BaseModel]] = set()

    def rebuild(cls: type[BaseModel]) -> None:  # the models a model's fields name first: their schemas are reused
        if cls in done:
            return
        done.add(cls)
        for f in cls.__pydantic_fields__.values():
            for dep in _models_in(f.annotation):
                rebuild(dep)
        cls.model_rebuild(force=True)

    for cls in models:
        rebuild(cls)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation names (through unions, containers and Annotated)."""
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


@dataclass(slots=True)
class Action:
    """One attacker action as the defenders see it; filled in by the engine as it resolves."""

    start: float
    """Simulation minute the action started."""
    phase: str
    technique: str
    actor: str
    """'human' or 'ai'."""
    host: int | None
    """Index of the host acted on (None for actions against no single host, e.g. a perimeter scan)."""
    src_zone: str | None
    """Zone the action comes from ('internet' for actions from outside)."""
    dst_zone: str | None
    footprint: float
    """Requests/events the action generates."""
    duration: float = 0.0
    src_host: int | None = None
    """Host the action is launched from (None from the internet)."""
    account: int | None = None
    """Index of the account whose credentials the action uses."""
    vuln: int | None = None
    """Index of the vulnerability exploited."""
    service: str | None = None
    records: int = 0
    """Records moved (exfiltration only)."""
    honeytoken: bool = False
    """The action touched a decoy (account, host or data set)."""
    false_finding: bool = False
    """The action acts on a false finding (hallucinated credential or vulnerability, misread data)."""
    success: bool = False
    blocked: str | None = None
    """Why a control stopped it ('patched', 'mfa', 'tiering', 'reset', 'contained', 'egress', 'decoy': a deployed
    decoy account's logon), else None."""
    detected: bool = False
    """An alert was raised for this action."""
    infrastructure: int | None = None
    """For an action from outside: the generation of outside infrastructure (addresses) it came from."""
    evasion: float = 0.0
    """Share of EDR detections the attacker avoids on this action (its profile's ``edr_evasion``)."""
    origin: int | None = None
    """For an exfiltration from a host the data was staged on: the host it was read on (``Alert.origin``)."""
    forged: bool = False
    """A logon (or directory sync) with a reset domain account made with a forged Kerberos ticket (a golden ticket,
    T1558.001) the domain still accepts: a password reset does not refuse it."""


@dataclass(slots=True)
class Alert:
    """An alert in the SOC queue. Benign alerts have ``true_positive`` False and no action."""

    time: float
    confidence: str
    """'low' (a per-technique detection) or 'high' (rate anomaly, honeytoken, large transfer)."""
    true_positive: bool
    source: str
    """What raised it: 'edr', 'network', 'rate', 'honeytoken', 'egress', 'benign', 'team' (the exercise team's own
    finding), 'impact' (a ransomware or OT impact announcing itself), 'mail' (the mail gateway caught a phishing
    campaign), 'outside' (an outside party's notice, ``monitoring.outside_notice_days``)."""
    host: int | None = None
    """The target host of the action seen (None for actions against no single host)."""
    account: int | None = None
    technique: str | None = None
    src_host: int | None = None
    """The internal host the action came from; None when it came from outside (``src_zone`` 'internet')."""
    src_zone: str | None = None
    success: bool = False
    """Whether the action seen succeeded (a failed logon, a failed exploit: False)."""
    phase: str | None = None
    vuln: int | None = None
    """The vulnerability the action exploited, where the sensor saw one."""
    infrastructure: int | None = None
    """For an action from outside: the attacker's addresses it came from (a generation number)."""
    password_ok: bool = False
    """A logon refused after its password was accepted (by MFA, a push the user declined, or the account's logon
    rights: admin tiering): whoever tried it knows the account's current password (a wrong or reset password is
    refused before either is checked)."""
    planted: tuple[int, ...] = ()
    """For the use of a decoy (honeytoken) account: the hosts the defender planted it on (its credential is cached
    there and nowhere else), so whoever used it got it from one of them."""
    origin: int | None = None
    """For data seen leaving a host it was staged on: the host it came from (the records say whose they are, and the
    staging transfer is in that host's logs), where the attacker had to be to read it."""

    @property
    def outside(self) -> bool:
        """The action came from the attacker's outside infrastructure (scanning, exploits, logons from the internet)."""
        return self.src_host is None and self.src_zone == "internet"

    def evidence_hosts(self, planted: bool = True) -> tuple[int, ...]:
        """Own hosts this alert shows the attacker is on: the source of an internal action, the target of an
        access (initial access, lateral movement) that succeeded, and the hosts a decoy account used (from inside or
        from outside) was planted on (``planted=False`` leaves those out). A failed attempt or a scan is no such
        evidence."""
        out: list[int] = []
        if self.src_host is not None:
            out.append(self.src_host)
        if self.success and self.host is not None and self.phase in ACCESS_PHASES and self.host not in out:
            out.append(self.host)
        if self.source == "team" and self.host is not None and self.host not in out:
            out.append(self.host)  # a team's escalation names a host on its own evidence (an outside notice names
            # the host as its source: the first line)
        if self.origin is not None and self.success and self.origin not in out:
            out.append(self.origin)  # staged data seen leaving: where it was read is a held host too
        if planted:  # a decoy used: where it was planted was dumped
            out.extend(h for h in self.planted if h not in out)
        return tuple(out)


ACCESS_PHASES = frozenset({"initial-access", "lateral-movement"})
"""Phases whose success puts the attacker on the target host."""
THEFT_PHASES = frozenset({"collection", "exfiltration"})
"""Phases whose alerts are evidence of data theft or staging (grounds to block egress)."""


@dataclass(slots=True)
class Belief:
    """What the defender believes, kept apart from the truth (hosts the attacker actually holds)."""

    known_hosts: set[int] = field(default_factory=set)
    """Hosts the defender knows are compromised."""
    known_credentials: set[int] = field(default_factory=set)
    """Accounts the defender knows are stolen."""
    contained_hosts: set[int] = field(default_factory=set)
    """Hosts isolated now (a host is restored after cleanup and leaves this set)."""
    network_isolated: set[int] = field(default_factory=set)
    """Those of them only cut off from the network by an automation (not cleaned): incident response may take
    them over."""
    reset_credentials: set[int] = field(default_factory=set)
    """Accounts whose password the defender has changed (at least once)."""
    reset_at: dict[int, float] = field(default_factory=dict)
    """Account -> minute of its last reset."""
    credential_seen_at: dict[int, float] = field(default_factory=dict)
    """Account -> the last minute a recognised alert showed the attacker using it."""
    egress_blocked: bool = False
    response_started: bool = False
    rebuilt: dict[int, float] = field(default_factory=dict)
    """Hosts cleaned and restored -> minute of the rebuild (the hole the evidence showed is closed, and every patch
    the patching schedule would give the host for what was disclosed by then)."""
    cleaned: dict[int, float] = field(default_factory=dict)
    """Hosts back in service clean -> minute: rebuilt (as ``rebuilt``) or restored from a backup after ransomware
    (clean, but as vulnerable as the backup was)."""
    watched: dict[int, float] = field(default_factory=dict)
    """Hosts under heightened watch (after an outside alert against them) -> minute the watch ends."""
    blocked_infrastructure: set[int] = field(default_factory=set)
    """Generations of the attacker's outside infrastructure (addresses) blocked at the perimeter."""

    def due_for_reset(self, accounts: set[int]) -> set[int]:
        """Those of ``accounts`` never reset, or seen in the attacker's hands after their last reset (it harvested
        the new password where the user logs on: a reset while the attacker holds such a host does not last)."""
        return {a for a in accounts if a not in self.reset_credentials
                or self.credential_seen_at.get(a, -1.0) > self.reset_at.get(a, math.inf)}


class Context(Protocol):
    """What a control may see and do during a run (implemented by the engine)."""

    env: simpy.Environment
    rng: random.Random
    """The defender's own random stream."""
    net: Any
    """The compiled network (simulator.build.Network)."""
    belief: Belief
    owned: dict[int, str]
    """The truth: host index -> 'user' or 'admin'. Read-only for controls; change it through ``contain``."""
    harvested: set[int]
    """The truth: accounts whose credentials the attacker holds (a reset one until a refused logon tells it)."""
    fresh_credentials: set[int]
    """The truth: reset accounts whose new password the attacker has harvested since (a logon with it works)."""
    controls: list[Control]
    """The run's controls (those switched on): a control may read another's configuration, never its state."""
    trail_logons: dict[int, set[int]]
    """Records monitoring keeps for the response's scoping: account -> hosts where a logon by the attacker with it is
    on record."""
    trail_links: dict[int, set[int]]
    """Records monitoring keeps: host -> hosts a connection by the attacker to or from it is on record."""

    def uniform(self, purpose: int, a: int, b: int = 0) -> float:
        """A uniform draw that is a pure function of (run seed, purpose, a, b): common random numbers across cells."""

    def substream(self, purpose: int) -> random.Random:
        """A random stream of the control's own, a pure function of (run seed, purpose)."""

    def stream_seed(self, purpose: int) -> int:
        """The 64-bit seed of that stream (to seed another generator, e.g. numpy's, for bulk draws)."""

    def raise_alert(self, alert: Alert, action: Action | None = None) -> None: ...

    def escalate(self, alert: Alert) -> None: ...

    def contain(self, hosts: set[int], credentials: set[int], block_egress: bool = False,
                until: float | None = None, egress_until: float | None = None, false_alarm: bool = False,
                eradicate: bool = True, by: str = "the SOC's automation", note: str | None = None) -> None:
        """Isolate ``hosts`` (interrupting attacker work on them) until minute ``until``, when they come back cleaned
        and rebuilt (None: for the rest of the run); reset ``credentials``; block egress until ``egress_until``.
        Every hour of it is a business cost in the result. ``false_alarm``: an isolation on no evidence of the
        intrusion (an automation's false positive): a cost, never the response's time to containment.
        ``eradicate`` False: a network isolation only (an automation's): when it ends the host comes back as it
        was, the attacker's hold included, unless incident response took it over meanwhile. ``by``: who cut the
        hosts off, and ``note`` what becomes of them (by default: released as they were), for the log."""

    def block_infrastructure(self, generation: int) -> None:
        """Block one generation of the attacker's outside infrastructure (addresses an alert saw) at the perimeter."""

    def reset_krbtgt(self) -> None:
        """Reset the domain's Kerberos key (krbtgt) once: tickets forged with the key before the previous one stop
        working."""

    def backdoor_seen(self) -> None:
        """Audit the accounts created in the domain and disable the attacker's (those made so far)."""

    def record(self, kind: str, detail: str, host: int | None = None, at: float | None = None) -> None:
        """Write a defender event to the run's log (``at``: when it happened, if earlier than now)."""

    def busy(self, delta: int) -> None:
        """Count defender work in flight on a true positive (+1 when it starts, -1 when it ends); the run may end
        early once the attacker has nothing left to do and this count is zero."""

    @property
    def request_rate(self) -> float:
        """The attacker's aggregate request rate right now (requests per minute): a result, not a detection input."""

    def source_rate(self, src_host: int | None, infrastructure: int | None = None) -> float:
        """Requests per minute coming right now from one source: an internal host, or (``src_host`` None) one
        generation of the attacker's outside addresses."""


class Control:
    """Per-run behaviour of one control. Every hook is optional; the engine only calls the ones a class overrides."""

    hooks: ClassVar[tuple[str, ...]] = (
        "start", "check", "observe", "on_alert", "on_escalation", "limit_exfil_rate", "harvest_yield", "metrics",
        "on_decision", "catch_up",
    )

    def __init__(self, config: Any, ctx: Context) -> None:
        self.config = config
        self.ctx = ctx

    def start(self) -> None:
        """Sample per-run facts and start processes."""

    def check(self, action: Action) -> str | None:
        """Return why ``action`` is blocked, or None."""
        return None

    def observe(self, action: Action) -> None:
        """See a resolved action."""

    def on_alert(self, alert: Alert) -> None:
        """An alert was raised."""

    def on_escalation(self, alert: Alert) -> None:
        """A true positive was recognised."""

    def limit_exfil_rate(self, rate: float) -> float:
        """Cap on records per hour."""
        return rate

    def harvest_yield(self, host: int, account: int) -> bool:
        """Whether a credential of ``account`` cached on ``host`` is there and reusable when the attacker dumps it."""
        return True

    def metrics(self) -> dict[str, float | int | None]:
        """Figures this control adds to the run result."""
        return {}

    def catch_up(self, now: float) -> None:
        """Bring events the control keeps itself (not as simpy events) up to ``now``. The engine calls it before it
        writes to the timeline or the log and before results, so what the control records stays in time order."""

    def on_decision(self, kind: str, target: str | None) -> bool:
        """A tabletop team's decision (``raise_monitoring``, ``escalate``, ...) during a run. Return True if this
        control acted on it."""
        return False

    @classmethod
    @cache
    def overridden(cls) -> list[str]:
        """Names of the hooks this behaviour really implements (so the engine skips no-op calls)."""
        return [h for h in cls.hooks if getattr(cls, h) is not getattr(Control, h)]


class ControlConfig(Frozen):
    """Base of every control's configuration model."""

    behaviour_class: ClassVar[type[Control] | None] = None

    def allows_flow(self, src_zone: str, dst_zone: str, service: str, listed: bool) -> bool:
        """Static flow policy, consulted once per scenario build (``listed``: the scenario declares this flow).
        Only segmentation restricts flows."""
        return True

    def behaviour(self, ctx: Context) -> Control | None:
        """The per-run behaviour of this control (None when it is switched off)."""
        cls = self.behaviour_class
        return None if cls is None else cls(self, ctx)


# Purposes for Context.uniform: each per-entity random fact has its own number so streams never overlap.
U_PATCH_DELAY = 1
U_PATCH_COVERED = 2
U_MFA = 3
U_EDR = 4
U_DUMP = 5
U_STUFFED = 6
U_TRAIL = 7
