"""Egress control: slows or exposes exfiltration.

A rate cap bounds records per hour; filtering (default-deny outbound) refuses every transfer out but two: over a web
service (T1567) from the zones the users browse from (``Zone.web_egress``, through their proxy), and over the
attacker's own way in (a held host with an internet-facing service: a web shell, a VPN tunnel; inbound, so not
filtered). Data elsewhere must be staged on such a host first (``Exfiltration._stage``, T1074.002), an internal
transfer the sensors at the zone boundary can see. Data-loss prevention counts what each host sends out within a sliding
``dlp_window_hours``: once it reaches ``large_transfer_records`` it raises a high-confidence alert (and counts afresh).
A transfer is seen whole, not hour by hour, so a slow transfer is caught once its volume adds up (a volume rule, as
DLP products apply one).
"""

from __future__ import annotations

from pydantic import Field

from defenses.base import Action, Alert, Control, ControlConfig


class Egress(Control):
    """Per-run egress control."""

    def start(self) -> None:
        self._sent: dict[int | None, list[tuple[float, int]]] = {}
        """Per source host: (minute, records) of the transfers counted toward the next DLP alert."""

    def check(self, action: Action) -> str | None:
        if action.phase != "exfiltration" or not self.config.filtering:
            return None
        net = self.ctx.net
        if action.src_host in net.entry_hosts:
            return None  # pulled out over the attacker's own way in (a web shell, a VPN tunnel): inbound, not filtered
        if action.technique == "T1567" and action.src_zone in net.web_egress_zones:
            return None  # a web service through the users' proxy
        return "egress"  # default-deny outbound: no channel out of its own from here

    def observe(self, action: Action) -> None:
        limit = self.config.large_transfer_records
        if action.phase != "exfiltration" or not action.success or limit is None:
            return
        now = self.ctx.env.now
        window = self.config.dlp_window_hours * 60
        sent = self._sent.setdefault(action.src_host, [])
        sent.append((now, action.records))
        while sent and sent[0][0] < now - window:
            sent.pop(0)
        if sum(n for _, n in sent) >= limit:
            sent.clear()
            self.ctx.raise_alert(Alert(now, "high", True, "egress", action.host, None, action.technique,
                                       action.src_host, action.src_zone, True, action.phase,
                                       origin=action.origin), action)

    def limit_exfil_rate(self, rate: float) -> float:
        cap = self.config.rate_cap_records_per_hour
        return rate if cap is None else min(rate, cap)


class EgressConfig(ControlConfig):
    """Outbound traffic control."""

    rate_cap_records_per_hour: float | None = Field(None, gt=0)
    """Most records per hour that can leave (None: no cap)."""
    large_transfer_records: int | None = Field(None, gt=0)
    """A host sending at least this many records out within ``dlp_window_hours`` alerts (None: no DLP)."""
    dlp_window_hours: float = Field(24.0, gt=0, le=24 * 30)
    """The window over which DLP adds up one host's outbound records."""
    filtering: bool = False
    """Default-deny outbound: a transfer out works only over a web service (T1567) from a zone with ``web_egress``
    (through the users' proxy) or over the attacker's own way in (a held internet-facing host: a web shell, a VPN
    tunnel), so data elsewhere is staged on such a host first."""

    behaviour_class = Egress
