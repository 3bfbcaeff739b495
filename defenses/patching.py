"""Patching: each (host, vulnerability) gets a patch time; an exploit after it fails, noisily.

patch time = disclosed_day + delay, delay log-normal around the severity's days-to-patch (an edge device's own
``edge_days_to_patch`` for a vulnerability marked ``edge``); hosts outside ``coverage`` never get the patch. Both draws
are pure functions of (seed, host, vulnerability), so a faster patch policy on the same seeds patches the same hosts
earlier: more patching never helps the attacker on common random numbers. A host incident response has cleaned and
rebuilt comes back with every patch it would ever get (its pair inside ``coverage``) for what was disclosed by then:
the rebuild does not restore a known hole.
"""

from __future__ import annotations

import math
from statistics import NormalDist

from pydantic import Field

from defenses.base import U_PATCH_COVERED, U_PATCH_DELAY, Action, Control, ControlConfig, Frozen

_NORMAL = NormalDist()


class DaysBySeverity(Frozen):
    """Median days from disclosure to patch, by severity."""

    critical: float = Field(gt=0, le=3650)
    """Critical vulnerabilities."""
    high: float = Field(gt=0, le=3650)
    """High."""
    medium: float = Field(gt=0, le=3650)
    """Medium."""
    low: float = Field(gt=0, le=3650)
    """Low."""


class Patching(Control):
    """Per-run patch times, sampled lazily (only for what the attacker touches)."""

    def start(self) -> None:
        self._times: dict[tuple[int, int], float] = {}

    def patch_time(self, host: int, vuln: int) -> float:
        """Minute at which ``vuln`` is patched on ``host`` (inf: never)."""
        key = (host, vuln)
        t = self._times.get(key)
        if t is None:
            t = self._sample(host, vuln)
            self._times[key] = t
        return t

    def _sample(self, host: int, vuln: int) -> float:
        v = self.ctx.net.vulns[vuln]
        delay = self.config.delay_days(
            v.severity,
            v.disclosed_day >= 0,
            self.ctx.uniform(U_PATCH_COVERED, host, vuln),
            self.ctx.uniform(U_PATCH_DELAY, host, vuln),
            edge=v.edge,
        )
        return (v.disclosed_day + delay) * 1440.0

    def check(self, action: Action) -> str | None:
        if action.vuln is None or action.host is None or action.false_finding:
            return None
        t = self.patch_time(action.host, action.vuln)
        if self.ctx.env.now >= t:
            return "patched"
        rebuilt = self.ctx.belief.rebuilt.get(action.host)
        if (rebuilt is not None and t != math.inf
                and self.ctx.net.vulns[action.vuln].disclosed_day * 1440.0 <= rebuilt):
            return "patched"  # rebuilt after disclosure: the patches a managed host would get are in its new image
        return None


class PatchingConfig(ControlConfig):
    """Patch management."""

    days_to_patch: DaysBySeverity
    """Median days from disclosure to patch, by severity."""
    coverage: float = Field(ge=0, le=1)
    """Share of (host, vulnerability) pairs that ever get patched."""
    spread: float = Field(0.8, ge=0, le=3)
    """Log-normal sigma of the patch delay around its median."""
    emergency_days: float | None = Field(None, gt=0, le=365)
    """Median days to patch a critical vulnerability disclosed during the campaign (None: no emergency process)."""
    edge_days_to_patch: float | None = Field(None, gt=0, le=3650)
    """Median days from disclosure to patch for a vulnerability of an edge device (VPN, firewall, remote-access
    gateway: ``edge: true`` in the scenario), whatever its severity: edge devices are patched on their own clock
    (Verizon DBIR 2025: median 32 days). None: by severity, like any other vulnerability."""

    behaviour_class = Patching

    def delay_days(self, severity: str, disclosed_in_campaign: bool, u_covered: float, u_delay: float,
                   edge: bool = False) -> float:
        """Days from disclosure to patch for the given uniform draws (inf outside coverage)."""
        if u_covered >= self.coverage:
            return math.inf
        if edge and self.edge_days_to_patch is not None:
            median = self.edge_days_to_patch
        else:
            median = getattr(self.days_to_patch, severity)
        if self.emergency_days is not None and severity == "critical" and disclosed_in_campaign:
            median = min(median, self.emergency_days)
        u = min(max(u_delay, 1e-12), 1 - 1e-12)
        return median * math.exp(self.spread * _NORMAL.inv_cdf(u))
