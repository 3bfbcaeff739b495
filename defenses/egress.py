"""Egress control: slows or exposes exfiltration.

A rate cap bounds records per hour; a transfer of more than ``large_transfer_records`` in one chunk raises a
high-confidence alert; filtering blocks exfiltration over the command channel (T1041), leaving web services (T1567).
"""

from __future__ import annotations

from pydantic import Field

from defenses.base import Action, Alert, Control, ControlConfig


class Egress(Control):
    """Per-run egress control."""

    def check(self, action: Action) -> str | None:
        if action.phase == "exfiltration" and self.config.filtering and action.technique == "T1041":
            return "egress"
        return None

    def observe(self, action: Action) -> None:
        limit = self.config.large_transfer_records
        if action.phase == "exfiltration" and action.success and limit is not None and action.records >= limit:
            now = self.ctx.env.now
            self.ctx.raise_alert(Alert(now, "high", True, "egress", action.host, None, action.technique), action)

    def limit_exfil_rate(self, rate: float) -> float:
        cap = self.config.rate_cap_records_per_hour
        return rate if cap is None else min(rate, cap)


class EgressConfig(ControlConfig):
    """Outbound traffic control."""

    rate_cap_records_per_hour: float | None = Field(None, gt=0)
    """Most records per hour that can leave (None: no cap)."""
    large_transfer_records: int | None = Field(None, gt=0)
    """A single transfer of at least this many records alerts (None: no alerting)."""
    filtering: bool = False
    """Unknown destinations blocked: exfiltration over the C2 channel (T1041) fails."""

    behaviour_class = Egress
