"""Monitoring: attacker actions become telemetry where a sensor covers them, and telemetry becomes alerts.

- EDR covers actions on a host that has it (explicit in the scenario, else by the zone's coverage).
- Network sensors cover actions that cross a zone boundary (the internet edge included).
- A covered action alerts with p = 1 - (1 - p_technique) ** (1 + footprint_gain * log10(1 + footprint)): the more
  requests, the likelier; a failed action is noisier (the exponent is multiplied by ``failure_noise``).
- The attacker's aggregate request rate over ``rate_threshold`` (requests/minute) raises a high-confidence alert,
  at most once per ``rate_cooldown_minutes``.
- Touching a honeytoken always alerts (when honeytokens are deployed).
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import Field

from defenses.base import U_EDR, Action, Alert, Control, ControlConfig

Probability = Annotated[float, Field(ge=0, le=1)]
TechniqueId = Annotated[str, Field(pattern=r"^T\d{4}(\.\d{3})?$")]


class Monitoring(Control):
    """Per-run monitoring."""

    def start(self) -> None:
        self._last_rate_alert = -math.inf
        self.raised: set[str] = set()
        self._edr: dict[int, bool] = {}
        """Hosts looked up so far: whether they run EDR (a pure function of the run's seed and the host)."""

    def on_decision(self, kind: str, target: str | None) -> bool:
        if kind == "raise_monitoring" and target in self.ctx.net.zones:
            self.raised.add(target)  # EDR deployed on every host of the zone, detection content doubled there
            return True
        return False

    def has_edr(self, host: int) -> bool:
        """Whether ``host`` runs EDR in this run."""
        edr = self._edr.get(host)
        if edr is None:
            h = self.ctx.net.hosts[host]
            if h.edr is not None:
                edr = h.edr
            else:
                edr = self.ctx.uniform(U_EDR, host) < self.config.edr_by_zone.get(h.zone, self.config.edr_coverage)
            self._edr[host] = edr
        return edr or (bool(self.raised) and self.ctx.net.hosts[host].zone in self.raised)

    def detection_probability(self, action: Action) -> float:
        """Chance a covered action raises an alert."""
        cfg = self.config
        base = cfg.detection.get(action.technique, cfg.default_detection)
        if self.raised and action.host is not None and self.ctx.net.hosts[action.host].zone in self.raised:
            base = min(1.0, 2 * base)
        exponent = 1.0 + cfg.footprint_gain * math.log10(1.0 + action.footprint)
        if not action.success:
            exponent *= cfg.failure_noise
        return 1.0 - (1.0 - base) ** exponent

    def observe(self, action: Action) -> None:
        cfg = self.config
        ctx = self.ctx
        now = ctx.env.now
        if action.honeytoken and cfg.honeytokens:
            alert = Alert(now, "high", True, "honeytoken", action.host, action.account, action.technique)
            ctx.raise_alert(alert, action)
            return
        edr = action.host is not None and self.has_edr(action.host)
        network = cfg.network_sensors and action.src_zone != action.dst_zone
        if not (edr or network):
            return  # no sensor sees it
        if (
            cfg.rate_threshold is not None
            and ctx.request_rate > cfg.rate_threshold
            and now - self._last_rate_alert >= cfg.rate_cooldown_minutes
        ):
            self._last_rate_alert = now
            ctx.raise_alert(Alert(now, "high", True, "rate", action.host, action.account, action.technique), action)
            return
        if ctx.rng.random() < self.detection_probability(action):
            source = "edr" if edr else "network"
            ctx.raise_alert(Alert(now, "low", True, source, action.host, action.account, action.technique), action)


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
    footprint_gain: float = Field(0.5, ge=0, le=10)
    """How fast detection grows with the action's request count (per decade)."""
    failure_noise: float = Field(2.0, ge=1, le=20)
    """Multiplier on the detection exponent for failed actions (failed logins, exploits against patched services)."""
    rate_threshold: float | None = Field(None, gt=0)
    """Requests per minute from the attacker over which a rate-anomaly alert fires (None: no rate detection)."""
    rate_cooldown_minutes: float = Field(60.0, ge=0)
    """Minimum minutes between two rate-anomaly alerts."""
    honeytokens: bool = False
    """Decoys marked in the scenario are deployed and alert on any touch."""

    behaviour_class = Monitoring
