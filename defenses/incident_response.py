"""Incident response: after an escalation, contain what the defender knows about.

Containment comes a log-normal delay after the first escalation of a response round. It isolates the hosts the defender
believes compromised (interrupting attacker work on them), resets the credentials it believes stolen and those cached
on isolated hosts, and may block egress. Before containing, the investigation finds each other foothold with
probability ``scoping``; footholds it misses survive, so containment can be partial. Escalations during a round join it;
later ones open a new round.
"""

from __future__ import annotations

import math

from pydantic import Field

from defenses.base import Action, Alert, Control, ControlConfig

U_IR_STREAM = 111


class IncidentResponse(Control):
    """Per-run incident response."""

    def start(self) -> None:
        self.rng = self.ctx.substream(U_IR_STREAM)
        self.in_progress = False

    def on_escalation(self, alert: Alert) -> None:
        belief = self.ctx.belief
        if alert.host is not None:
            belief.known_hosts.add(alert.host)
        if alert.account is not None:
            belief.known_credentials.add(alert.account)
        if not self.in_progress:
            self.in_progress = True
            self.ctx.busy(+1)
            self.ctx.env.process(self._respond())

    def _respond(self):
        cfg: IncidentResponseConfig = self.config
        ctx = self.ctx
        belief = ctx.belief
        belief.response_started = True
        ctx.record("response", "incident response engaged")
        yield ctx.env.timeout(self.rng.lognormvariate(math.log(cfg.contain_hours * 60), cfg.spread))
        for host in sorted(ctx.owned):
            if host not in belief.known_hosts and self.rng.random() < cfg.scoping:
                belief.known_hosts.add(host)
        hosts = set(belief.known_hosts) - belief.contained_hosts if cfg.isolate_hosts else set()
        creds: set[int] = set()
        if cfg.reset_credentials:
            creds = set(belief.known_credentials)
            for h in belief.known_hosts:
                creds.update(ctx.net.hosts[h].credentials)
            creds -= belief.reset_credentials
        ctx.contain(hosts, creds, cfg.block_egress)
        self.in_progress = False
        ctx.busy(-1)

    def on_decision(self, kind: str, target: str | None) -> bool:
        if kind != "escalate":
            return False
        host = self.ctx.net.host_index.get(target) if target else None
        self.on_escalation(Alert(self.ctx.env.now, "high", True, "team", host))
        return True

    def check(self, action: Action) -> str | None:
        belief = self.ctx.belief
        if action.host in belief.contained_hosts or action.src_host in belief.contained_hosts:
            return "contained"
        if action.account is not None and action.account in belief.reset_credentials:
            return "reset"
        if action.phase == "exfiltration" and belief.egress_blocked:
            return "egress"
        return None


class IncidentResponseConfig(ControlConfig):
    """Incident response."""

    contain_hours: float = Field(gt=0, le=24 * 365)
    """Median hours from escalation to containment."""
    spread: float = Field(0.7, ge=0, le=3)
    """Log-normal sigma of that delay."""
    isolate_hosts: bool = True
    """Isolate the hosts known to be compromised."""
    reset_credentials: bool = True
    """Reset credentials known stolen and those cached on known-compromised hosts."""
    block_egress: bool = False
    """Block outbound transfers once containment starts."""
    scoping: float = Field(0.3, ge=0, le=1)
    """Chance the investigation finds each foothold the alerts did not name."""

    behaviour_class = IncidentResponse
