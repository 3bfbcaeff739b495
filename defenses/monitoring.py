"""Monitoring: attacker actions become telemetry where a sensor covers them, and telemetry becomes alerts.

- EDR covers actions on a host that has it (explicit in the scenario, else by the zone's coverage).
- Network sensors cover actions that cross a zone boundary (the internet edge included).
- A covered action alerts with p = 1 - (1 - p_technique) ** (1 + footprint_gain * log10(1 + footprint)): the more
  requests, the likelier; a failed action is noisier (the exponent is multiplied by ``failure_noise``).
- Rate analytics count requests per source, as a real rate rule does: one internal host, or the attacker's outside
  infrastructure. A source over ``rate_threshold`` (requests/minute) raises a high-confidence alert, at most once per
  ``rate_cooldown_minutes`` per source. Many hosts each under the threshold raise none (the campaign's aggregate rate
  is a result, not a detection input).
- Touching a honeytoken always alerts (when honeytokens are deployed).
- A host under heightened watch (incident response after an outside alert against it) or in a zone the team raised
  monitoring on has its detection content doubled.
"""

from __future__ import annotations

import dataclasses
import math
import random
from typing import Annotated

from pydantic import Field

from defenses.base import U_EDR, U_TRAIL, Action, Alert, Control, ControlConfig

NO_AGENT = frozenset({"network", "appliance"})
"""Host kinds (``os``) no EDR agent runs on unless the scenario says ``edr: true``."""


def agent_possible(net, h: int) -> bool:
    """Whether an EDR agent can run on host ``h`` (whether or not the posture's coverage put one there): the scenario's
    ``edr`` where it says, otherwise any host but a network device or an appliance (``NO_AGENT``)."""
    host = net.hosts[h]
    return host.edr if host.edr is not None else host.os not in NO_AGENT


Probability = Annotated[float, Field(ge=0, le=1)]
TechniqueId = Annotated[str, Field(pattern=r"^T\d{4}(\.\d{3})?$")]


def _password_ok(action: Action) -> bool:
    """The logon's password was accepted and the logon refused after it: by MFA or admin tiering (checked after the
    password), or a push-bombing run (T1621) the user declined (its pushes went out: the password was right)."""
    if action.blocked in ("mfa", "tiering"):
        return True
    return action.technique == "T1621" and action.blocked is None and not action.success and not action.false_finding


class Monitoring(Control):
    """Per-run monitoring."""

    def start(self) -> None:
        self._last_rate_alert: dict[tuple[int | None, int | None], float] = {}
        """Per source (internal host, or outside addresses): minute of its last rate alert."""
        self.raised: set[str] = set()
        self._edr: dict[int, bool] = {}
        """Hosts looked up so far: whether they run EDR (a pure function of the run's seed and the host)."""
        self._planted: dict[int, tuple[int, ...]] = {}
        """Decoy accounts seen used -> the hosts they are planted on (cached there)."""
        self._decoy_used: dict[int, float] = {}
        """Decoy accounts -> minute of their first use seen."""
        self._trail_rng: random.Random | None = None
        """Draws for whether an action that evades the EDR (``edr_evasion``) leaves its record: made when first
        needed (no preset evades), a stream of its own (purpose 7)."""

    def on_decision(self, kind: str, target: str | None) -> bool:
        if kind == "raise_monitoring" and target in self.ctx.net.zones:
            self.raised.add(target)  # EDR deployed on every host of the zone, detection content doubled there
            return True
        return False

    def _planted_on(self, acct: int) -> tuple[int, ...]:
        """The hosts decoy account ``acct`` is planted on (none if it is no decoy)."""
        got = self._planted.get(acct)
        if got is None:
            net = self.ctx.net
            got = self._planted[acct] = (tuple(h for h, host in enumerate(net.hosts) if acct in host.credentials)
                                         if net.accounts[acct].honeytoken else ())
        return got

    def has_edr(self, host: int) -> bool:
        """Whether ``host`` runs EDR in this run."""
        edr = self._edr.get(host)
        if edr is None:
            h = self.ctx.net.hosts[host]
            if h.edr is not None or not agent_possible(self.ctx.net, host):
                edr = bool(h.edr)  # the scenario says, or a VPN concentrator, a firewall, a switch: no EDR agent runs
                # there (its logs are the network sensor's business); ``edr: true`` on the host says otherwise
            else:
                edr = self.ctx.uniform(U_EDR, host) < self.config.edr_by_zone.get(h.zone, self.config.edr_coverage)
            self._edr[host] = edr
        return edr or (bool(self.raised) and self.ctx.net.hosts[host].zone in self.raised)

    SAME_AS = {"T1110.004": "T1133", "T1110.003": "T1133", "T1558.001": "T1021"}
    """A technique without content of its own takes that of the technique it looks like to a sensor: a credential-
    stuffing run and a password-spraying round are logon attempts on an external remote service, whose content
    (T1133) the presets set; a move with a forged Kerberos ticket (T1558.001) is, to an EDR agent or a network
    sensor, a remote-service logon (T1021): what tells a forged ticket apart (a ticket no domain controller issued)
    is in the domain controllers' Kerberos logs, which identity sensors read, and the model has none."""

    def _content(self, technique: str | None) -> float:
        """``detection``'s chance for ``technique``: its own entry, else its parent technique's (T1110 for
        T1110.003), else that of the technique it looks like (``SAME_AS``), else ``default_detection``."""
        det = self.config.detection
        if technique in det:
            return det[technique]
        if technique is not None and "." in technique and technique.split(".")[0] in det:
            return det[technique.split(".")[0]]
        like = self.SAME_AS.get(technique or "")
        return det[like] if like in det else self.config.default_detection

    def _high_severity(self, technique: str | None) -> bool:
        """Whether the EDR rates a detection of ``technique`` high severity: listed itself, or its parent technique
        listed (T1003 covers T1003.001)."""
        listed = self.config.high_severity
        return technique is not None and (technique in listed or technique.split(".")[0] in listed)

    def detection_probability(self, action: Action) -> float:
        """Chance a covered action raises an alert."""
        cfg = self.config
        base = self._content(action.technique)
        host = action.host
        if host is not None and ((self.raised and self.ctx.net.hosts[host].zone in self.raised)
                                 or self.ctx.belief.watched.get(host, -1.0) > action.start + action.duration):
            base = min(1.0, 2 * base)
        if action.records and action.duration > 0:
            # a transfer is cut into pieces only so it can be seen while it runs: detect it at the hourly rate of the
            # same traffic, whatever the piece's length (one roll an hour on an hour's requests)
            hours = action.duration / 60
            exponent = 1.0 + cfg.footprint_gain * math.log10(1.0 + action.footprint / hours)
            if not action.success:
                exponent *= cfg.failure_noise
            return 1.0 - (1.0 - base) ** (exponent * hours)
        exponent = 1.0 + cfg.footprint_gain * math.log10(1.0 + action.footprint)
        if not action.success:
            exponent *= cfg.failure_noise
        return 1.0 - (1.0 - base) ** exponent

    def _alert(self, action: Action, confidence: str, source: str) -> Alert:
        """An alert with what the sensor saw of ``action``."""
        return Alert(self.ctx.env.now, confidence, True, source, action.host, action.account, action.technique,
                     action.src_host, action.src_zone, action.success, action.phase, action.vuln,
                     action.infrastructure, _password_ok(action), origin=action.origin)

    LOGONS = frozenset({"initial-access", "lateral-movement", "privilege-escalation"})

    def check(self, action: Action) -> str | None:
        """A deployed decoy account logs on nowhere: its logon, or a DCSync with it (T1003.006: a decoy has no
        replication rights), is refused ('decoy'), and alerts (``observe``)."""
        if (action.account is not None and self.config.honeytokens and not action.false_finding
                and (action.phase in self.LOGONS or action.technique == "T1003.006")
                and self.ctx.net.accounts[action.account].honeytoken):
            return "decoy"
        return None

    def _record_trail(self, action: Action) -> None:
        """Keep the records a response's scoping can search later (``Run.trail_logons``, ``Run.trail_links``), as
        they were when the attacker acted: a logon with an account on a domain-joined host (the domain controllers'
        records) or on a host running EDR (its agent's); a connection from one own host to another where either end
        ran EDR. Nothing is recorded for an action that failed, or one that evaded the agent (``edr_evasion``)."""
        ctx = self.ctx
        h, src = action.host, action.src_host
        evaded = False
        if action.evasion > 0:
            if self._trail_rng is None:
                self._trail_rng = ctx.substream(U_TRAIL)
            evaded = self._trail_rng.random() < action.evasion
        if action.account is not None and (ctx.net.hosts[h].domain or (self.has_edr(h) and not evaded)):
            ctx.trail_logons.setdefault(action.account, set()).add(h)
        if src is not None and src != h and (self.has_edr(src) or self.has_edr(h)) and not evaded:
            ctx.trail_links.setdefault(src, set()).add(h)
            ctx.trail_links.setdefault(h, set()).add(src)

    def observe(self, action: Action) -> None:
        cfg = self.config
        ctx = self.ctx
        now = ctx.env.now
        if action.success and action.host is not None:
            self._record_trail(action)
        if action.honeytoken and cfg.honeytokens:
            alert = self._alert(action, "high", "honeytoken")
            planted = self._planted_on(action.account) if action.account is not None else ()
            if planted:  # a decoy account used points at where it was planted, but not at a host back clean since
                # its first use (rebuilt, or restored from a backup): the attacker's copy is older than that
                first = self._decoy_used.setdefault(action.account, now)
                cleaned = ctx.belief.cleaned
                alert.planted = tuple(h for h in planted if cleaned.get(h, -math.inf) < first)
            ctx.raise_alert(alert, action)
            return
        if action.technique == "T1566":
            # a phishing campaign: its mails are the mail gateway's to log (the phishing vector raises that alert);
            # no network sensor sees a mail, and the EDR only a click's payload on the host it landed on (a
            # campaign nobody clicked ran nothing there)
            if not action.success:
                return
            edr, network = action.host is not None and self.has_edr(action.host), False
        else:
            edr = action.host is not None and self.has_edr(action.host)
            network = cfg.network_sensors and action.src_zone != action.dst_zone
        if not (edr or network):
            return  # no sensor sees it
        # from outside through a proxy pool (an outside action carries the attacker's infrastructure otherwise)
        proxied = action.src_zone == "internet" and action.src_host is None and action.infrastructure is None
        if cfg.rate_threshold is not None and not proxied:
            src = (action.src_host, action.infrastructure)
            if (ctx.source_rate(*src) > cfg.rate_threshold
                    and now - self._last_rate_alert.get(src, -math.inf) >= cfg.rate_cooldown_minutes):
                self._last_rate_alert[src] = now
                ctx.raise_alert(self._alert(action, "high", "rate"), action)
                return
        if action.technique == "T1566":
            # the click's payload: one execution on that host, however many mails the campaign sent
            p = self.detection_probability(dataclasses.replace(action, footprint=1.0))
        else:
            p = self.detection_probability(action)
        p_edr = p  # chance the EDR's own verdict is among what alerts
        if edr and network:  # two sensors saw it with p together: each alone with q
            q = 1.0 - math.sqrt(1.0 - p)
            p_edr = q * (1.0 - action.evasion)
            if action.evasion:  # only the EDR is evaded
                p = 1.0 - (1.0 - p_edr) * (1.0 - q)
        elif edr and action.evasion:
            p *= 1.0 - action.evasion  # the attacker works around the EDR; nothing else sees this action
            p_edr = p
        if ctx.rng.random() < p:
            # a high-severity technique seen by the EDR alerts high; where both sensors watch, the alert is the
            # EDR's with p_edr / p (a draw taken only then, so a posture without high-severity content draws as
            # before; the alert's source label stays as it was)
            high = edr and self._high_severity(action.technique) and (
                p_edr >= p or ctx.rng.random() * p < p_edr)
            ctx.raise_alert(self._alert(action, "high" if high else "low", "edr" if edr else "network"), action)


class MonitoringConfig(ControlConfig):
    """Sensors and detection content."""

    edr_coverage: float = Field(ge=0, le=1)
    """Share of hosts (where the scenario does not say) running EDR."""
    edr_by_zone: dict[str, Probability] = Field(default_factory=dict)
    """EDR coverage per zone, overriding ``edr_coverage`` there."""
    network_sensors: bool = True
    """Sensors at zone boundaries (the internet edge included)."""
    detection: dict[TechniqueId, Probability] = Field(default_factory=dict)
    """Per ATT&CK technique: chance a covered single-request action alerts."""
    default_detection: float = Field(0.05, ge=0, le=1)
    """The same for techniques not listed."""
    outside_notice_days: float | None = Field(None, gt=0, le=3650)
    """Median days from initial access until an outside party (law enforcement, a security vendor watching the
    attacker's infrastructure, a partner, the stolen data surfacing) tells the organisation it is breached, naming a
    host the attacker holds: an exponential clock, one keyed draw per run; it comes once, only while the attacker
    holds a host, and goes straight to incident response (no triage). None: nobody outside tells. (M-Trends: over
    half of intrusions are found from outside; 2025's median dwell where an outside party notified was 25 days.)"""
    footprint_gain: float = Field(0.5, ge=0, le=10)
    """How fast detection grows with the action's request count (per decade)."""
    failure_noise: float = Field(2.0, ge=1, le=20)
    """Multiplier on the detection exponent for failed actions (failed logins, exploits against patched services)."""
    rate_threshold: float | None = Field(None, gt=0)
    """Requests per minute from one source (an internal host, or the outside) over which a rate-anomaly alert fires
    (None: no rate detection)."""
    rate_cooldown_minutes: float = Field(60.0, ge=0)
    """Minimum minutes between two rate-anomaly alerts about the same source."""
    honeytokens: bool = False
    """Decoys marked in the scenario are deployed and alert on any touch."""
    high_severity: tuple[TechniqueId, ...] = ()
    """ATT&CK techniques (a parent covers its sub-techniques) whose EDR detections are high-confidence, as an EDR
    product rates its own high-severity detections (credential dumping from memory, ransomware behaviour): triaged
    first, recognised with ``soc.recognition_high``, and acted on by the SOC's automatic response (``ai-response``).
    The same action seen by a network sensor alone stays low-confidence. Empty in every preset (an assumption kept
    until the detection content fitted on M-Trends' dwell is refitted with it): every EDR alert is then
    low-confidence."""

    behaviour_class = Monitoring
